import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * The infusion gate, kept by the database on both engines: no infusion or booster (appointment_types.kind) is booked
 * for a patient without a signed, eligible screening that is still valid at the visit's start AND an active treatment
 * plan. Every path that books or moves a visit (staff, online, the waitlist, series booking, the seed, anything added
 * later, a script with database access) meets it, whatever the application checks first.
 *
 * - Checked when a booked row is written: on insert, and on an update that makes the row a booked infusion another
 *   way (its type, patient or start changes, or a cancelled row is booked again). Attendance and cancellation of an
 *   existing infusion are not refused, so a plan paused or completed later never blocks noting what happened.
 * - "Unexpired" compares expires_at with the visit's starts_at, never the database's clock (which tests and the
 *   application's own clock do not share): an infusion booked today for a day after the screening expires is refused.
 * - The screening and the plan are checked separately, as the clinic's rule says: a screening renewed after a year
 *   keeps the patient's active plan (whose screening_id names the first one) usable.
 * - A type's kind never changes once written: a consultation type turned into an infusion type would make its booked
 *   visits infusions that no gate ever saw. A type of another kind is added instead.
 * The message starts "infusion_gate:", which isInfusionGateRefusal() recognises.
 */
export const GATE_MESSAGE = 'infusion_gate: no signed eligible screening and active treatment plan for this patient';
const KIND_MESSAGE = 'the kind of an appointment type never changes: add a type of the other kind';

/** True when NEW (a booked row) is an infusion or booster whose patient is not ready; a SQL condition on both engines. */
const NOT_READY = `new.status = 'booked'
  and exists (select 1 from appointment_types t where t.id = new.type_id and t.kind in ('infusion', 'booster'))
  and not (new.patient_id is not null
    and exists (select 1 from screenings s where s.patient_id = new.patient_id and s.status = 'signed'
      and s.outcome = 'eligible' and s.expires_at > new.starts_at)
    and exists (select 1 from treatment_plans p where p.patient_id = new.patient_id and p.status = 'active'))`;

/** An update that makes the row a booked visit of another type, person or time (SQLite and PostgreSQL alike). */
const BECOMES = `(new.type_id <> old.type_id or new.patient_id is distinct from old.patient_id
  or new.starts_at <> old.starts_at or old.status <> 'booked')`;

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  if (sqlite) {
    const gate = `begin select raise(abort, '${GATE_MESSAGE}'); end`;
    // SQLite has no IS DISTINCT FROM; IS NOT compares nulls the same way.
    const becomes = BECOMES.replace('is distinct from', 'is not');
    await run(
      `create trigger appointments_infusion_gate_insert before insert on appointments when ${NOT_READY} ${gate}`,
    );
    await run(`create trigger appointments_infusion_gate_update before update of type_id, patient_id, starts_at, status
      on appointments when ${becomes} and ${NOT_READY} ${gate}`);
    await run(`create trigger appointment_types_kind_fixed before update of kind on appointment_types
      when new.kind <> old.kind begin select raise(abort, '${KIND_MESSAGE}'); end`);
    return;
  }
  await run(`create function appointments_infusion_gate() returns trigger language plpgsql as $$
    begin
      if (tg_op = 'INSERT' or ${BECOMES}) and ${NOT_READY} then
        raise exception '${GATE_MESSAGE}';
      end if;
      return new;
    end $$`);
  await run(`create trigger appointments_infusion_gate before insert or update of type_id, patient_id, starts_at, status
    on appointments for each row execute function appointments_infusion_gate()`);
  await run(`create function appointment_types_kind_fixed() returns trigger language plpgsql as $$
    begin raise exception '${KIND_MESSAGE}'; end $$`);
  await run(`create trigger appointment_types_kind_fixed before update of kind on appointment_types
    for each row when (new.kind <> old.kind) execute function appointment_types_kind_fixed()`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
