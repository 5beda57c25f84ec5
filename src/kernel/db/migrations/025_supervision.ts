import { SqliteAdapter, sql, type Kysely } from 'kysely';
import { VISIT_OVERLAP } from './009_overlap_constraints.ts';

/**
 * A supervising provider on site during every infusion (issue 11, section 5), as a resource like a nurse's lanes:
 * - clinicians.supervises_at_once: how many infusions a provider supervises at once (default 4, 1 to 12), edited
 *   with the clinician like a nurse's watches_at_once; a number per provider, since it is the clinic's judgement of
 *   that person's role, not a property of the drug;
 * - what needs supervision follows the type's kind (infusion and booster: GATED_KINDS' kinds), which never changes
 *   (migration 024), rather than a flag an administrator could clear on an infusion type;
 * - appointments.supervisor_id and supervisor_lane: the provider supervising the visit and which of their lanes it
 *   holds. The database refuses two booked visits in one lane over the same visit time (supervision covers the
 *   infusion itself, not the nurse's preparation buffers), with the technique of the nurse lanes (migration 009):
 *   an EXCLUDE constraint on PostgreSQL, BEFORE triggers on SQLite, messages starting "overlapping appointment".
 * Supervising is not seeing a patient: a provider's own consultations do not take a supervision lane.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  await db.schema
    .alterTable('clinicians')
    .addColumn('supervises_at_once', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(4)
        .check(sql`supervises_at_once between 1 and 12`),
    )
    .execute();
  await db.schema
    .alterTable('appointments')
    .addColumn('supervisor_id', 'text', (c) => c.references('clinicians.id'))
    .execute();
  await db.schema
    .alterTable('appointments')
    .addColumn('supervisor_lane', 'integer', (c) => c.check(sql`supervisor_lane between 1 and 12`))
    .execute();
  if (sqlite) {
    for (const event of ['insert', 'update'] as const) {
      const on =
        event === 'insert'
          ? 'before insert on appointments'
          : 'before update of status, supervisor_id, supervisor_lane, starts_at, ends_at on appointments';
      await run(`create trigger appointments_supervisor_lane_${event} ${on}
        when new.status = 'booked' and new.supervisor_id is not null begin
        select raise(abort, 'overlapping appointment: supervisor') where exists (
          select 1 from appointments a where a.supervisor_id = new.supervisor_id
            and coalesce(a.supervisor_lane, 1) = coalesce(new.supervisor_lane, 1)
            and a.status = 'booked' and a.id <> new.id and ${VISIT_OVERLAP});
        end`);
    }
    await run(`create index appointments_by_supervisor on appointments (supervisor_id, starts_at)`);
    return;
  }
  await run(`alter table appointments add constraint appointments_supervisor_lane_free exclude using gist
    (supervisor_id with =, (coalesce(supervisor_lane, 1)) with =, int8range(starts_at, ends_at) with &&)
    where (status = 'booked' and supervisor_id is not null)`);
  // Writers of one supervision lane queue on its advisory lock (see migration 009) rather than deadlock in the index.
  await run(`create function appointments_supervisor_lock() returns trigger language plpgsql as $$
    begin
      if new.status = 'booked' and new.supervisor_id is not null then
        perform pg_advisory_xact_lock(hashtextextended('relief.appointment:' || new.supervisor_id || ':supervise:'
          || coalesce(new.supervisor_lane, 1), 0));
      end if;
      return new;
    end $$`);
  await run(`create trigger appointments_supervisor_lock before insert or update of status, supervisor_id,
    supervisor_lane, starts_at, ends_at on appointments for each row execute function appointments_supervisor_lock()`);
  await run(`create index appointments_by_supervisor on appointments (supervisor_id, starts_at)`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
