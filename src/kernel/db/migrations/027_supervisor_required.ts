import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * A supervising provider on every booked infusion and booster, kept by the database on both engines (issue 11 §5):
 * migration 025 gave appointments a supervisor_id, and the booking paths fill it, but a script, a seed or a path
 * added later could still write a booked infusion that no provider supervises. Like the infusion gate (024):
 * - what needs supervision is the type's kind (infusion, booster), which never changes once written (024);
 * - checked when a booked row is written: on insert, on an update that makes the row a booked infusion another way
 *   (its type, patient or start changes, or a cancelled row is booked again), and on an update that clears the
 *   supervisor of a booked infusion. Attendance and cancellation are never refused, so an infusion booked before
 *   this migration without a supervisor can still be noted or cancelled; moving it needs one (the move assigns one).
 * The message starts "supervisor_required:", which isSupervisorRequiredRefusal() recognises.
 */
export const SUPERVISOR_MESSAGE = 'supervisor_required: a booked infusion or booster needs a supervising provider';

/** True when NEW is a booked infusion or booster without a supervising provider; a SQL condition on both engines. */
const UNSUPERVISED = `new.status = 'booked' and new.supervisor_id is null
  and exists (select 1 from appointment_types t where t.id = new.type_id and t.kind in ('infusion', 'booster'))`;

/** An update that makes the row a booked visit of another type, person or time, or takes its supervisor away. */
const BECOMES = `(new.type_id <> old.type_id or new.patient_id is distinct from old.patient_id
  or new.starts_at <> old.starts_at or old.status <> 'booked' or old.supervisor_id is not null)`;

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  if (sqlite) {
    const refuse = `begin select raise(abort, '${SUPERVISOR_MESSAGE}'); end`;
    // SQLite has no IS DISTINCT FROM; IS NOT compares nulls the same way.
    const becomes = BECOMES.replace('is distinct from', 'is not');
    await run(
      `create trigger appointments_supervisor_required_insert before insert on appointments when ${UNSUPERVISED} ${refuse}`,
    );
    await run(`create trigger appointments_supervisor_required_update
      before update of type_id, patient_id, starts_at, status, supervisor_id on appointments
      when ${becomes} and ${UNSUPERVISED} ${refuse}`);
    return;
  }
  await run(`create function appointments_supervisor_required() returns trigger language plpgsql as $$
    begin
      if (tg_op = 'INSERT' or ${BECOMES}) and ${UNSUPERVISED} then
        raise exception '${SUPERVISOR_MESSAGE}';
      end if;
      return new;
    end $$`);
  await run(`create trigger appointments_supervisor_required
    before insert or update of type_id, patient_id, starts_at, status, supervisor_id
    on appointments for each row execute function appointments_supervisor_required()`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
