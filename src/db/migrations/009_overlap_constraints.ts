import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * The appointments table itself refuses double booking, in place of 5-minute claim rows.
 *
 * Claims worked, but only for code that remembered to write them: an appointment inserted or moved without its
 * claims was not checked at all, and each booking wrote one claim row per resource per 5 minutes (about thirty for a
 * consultation). Now every insert or update of a booked appointment is checked against the other booked
 * appointments of its provider, nurse lane, room or chair (busy time, buffers included) and patient (visit time):
 * - PostgreSQL: EXCLUDE constraints over int8range(from, to) with btree_gist for the id equality; a concurrent
 *   overlapping insert waits for the first transaction and then fails with exclusion_violation (23P01).
 * - SQLite: BEFORE INSERT / UPDATE triggers that raise on overlap; SQLite has one writer at a time (booking runs
 *   in BEGIN IMMEDIATE), so the check and the write cannot interleave with another booking.
 * Intervals are half-open: back-to-back appointments are allowed.
 *
 * Migration 008 left a person's visits that already overlapped as they were (visits booked before patient claims);
 * the later of each such pair is marked legacy_patient_clash and left out of the patient rule (provider, room and
 * nurse rules still hold for it), so the upgrade changes no booking and a later edit of it (attendance) is not
 * refused. New visits are never marked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.alterTable('appointments').addColumn('legacy_patient_clash', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Of each person's visits that overlap, the first booked keeps the patient rule; each later one is marked, so the
  // unmarked visits never overlap and the rule can hold for them from now on.
  await sql`update appointments set legacy_patient_clash = 1
    where status = 'booked' and patient_id is not null
      and exists (select 1 from appointments o
        where o.patient_id = appointments.patient_id and o.status = 'booked' and o.id <> appointments.id
          and o.starts_at < appointments.ends_at and o.ends_at > appointments.starts_at
          and (o.created_at < appointments.created_at or (o.created_at = appointments.created_at and o.id < appointments.id)))`.execute(db);
  if (sqlite) {
    for (const event of ['insert', 'update'] as const) await sql.raw(sqliteTrigger(event)).execute(db);
  } else {
    // Installed once per database, in public, so that dropping a schema never takes it (and its operator classes)
    // away from another one; default operator classes are found whatever the search path.
    await sql`create extension if not exists btree_gist with schema public`.execute(db);
    for (const statement of postgresConstraints()) await sql.raw(statement).execute(db);
  }
  await db.schema.dropTable('resource_claims').execute();
}

const DAY_MS = 86_400_000;

/**
 * One check per resource an appointment holds. Each is a range on an existing index: a busy span is at most a day
 * (CHECK appointment_range), so an overlapping row ends before the new one ends plus a day.
 */
const RULES: Array<{ name: string; match: string; overlap: string; when: string }> = [
  { name: 'provider', when: 'new.provider_id is not null', match: 'a.provider_id = new.provider_id', overlap: busyOverlap() },
  { name: 'room', when: 'new.room_id is not null', match: 'a.room_id = new.room_id', overlap: busyOverlap() },
  {
    name: 'nurse',
    when: 'new.nurse_id is not null',
    match: 'a.nurse_id = new.nurse_id and coalesce(a.nurse_seat, 1) = coalesce(new.nurse_seat, 1)',
    overlap: busyOverlap(),
  },
  {
    name: 'patient',
    when: 'new.patient_id is not null and new.legacy_patient_clash = 0',
    match: 'a.patient_id = new.patient_id and a.legacy_patient_clash = 0',
    overlap: `a.starts_at < new.ends_at and a.starts_at > new.starts_at - ${DAY_MS} and a.ends_at > new.starts_at`,
  },
];

function busyOverlap(): string {
  return `a.busy_to > new.busy_from and a.busy_to < new.busy_to + ${DAY_MS} and a.busy_from < new.busy_to`;
}

/** The message starts "overlapping appointment", which isOverlapViolation() recognises. */
function sqliteTrigger(event: 'insert' | 'update'): string {
  const on =
    event === 'insert'
      ? 'before insert on appointments'
      : 'before update of status, provider_id, nurse_id, nurse_seat, room_id, patient_id, legacy_patient_clash, starts_at, ends_at, busy_from, busy_to on appointments';
  const checks = RULES.map(
    (r) => `select raise(abort, 'overlapping appointment: ${r.name}') where ${r.when} and exists (
      select 1 from appointments a where ${r.match} and a.status = 'booked' and a.id <> new.id and ${r.overlap});`,
  );
  return `create trigger appointments_no_overlap_${event} ${on} when new.status = 'booked' begin\n${checks.join('\n')}\nend`;
}

function postgresConstraints(): string[] {
  const busy = 'int8range(busy_from, busy_to) with &&';
  return [
    `alter table appointments add constraint appointments_provider_free exclude using gist (provider_id with =, ${busy}) where (status = 'booked' and provider_id is not null)`,
    `alter table appointments add constraint appointments_room_free exclude using gist (room_id with =, ${busy}) where (status = 'booked' and room_id is not null)`,
    `alter table appointments add constraint appointments_nurse_lane_free exclude using gist (nurse_id with =, (coalesce(nurse_seat, 1)) with =, ${busy}) where (status = 'booked' and nurse_id is not null)`,
    `alter table appointments add constraint appointments_patient_free exclude using gist (patient_id with =, int8range(starts_at, ends_at) with &&) where (status = 'booked' and patient_id is not null and legacy_patient_clash = 0)`,
  ];
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
