import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { ConfigError } from '../../config.ts';

/**
 * The appointments table itself refuses double booking, in place of 5-minute claim rows.
 *
 * Claims worked, but only for code that remembered to write them: an appointment inserted or moved without its
 * claims was not checked at all, and each booking wrote one claim row per resource per 5 minutes (about thirty for a
 * consultation). Now every insert or update of a booked appointment is checked against the other booked
 * appointments of its provider, nurse lane, room or chair (busy time, buffers included) and patient (visit time):
 * - PostgreSQL: EXCLUDE constraints over int8range(from, to) with btree_gist for the id equality. A trigger first
 *   takes a transaction-scoped advisory lock per resource (in one order): two writers of one resource queue there
 *   instead of meeting inside the exclusion index, where each would wait for the other's uncommitted row and one
 *   would die as a deadlock; the second then finds the first committed and fails with exclusion_violation (23P01).
 * - SQLite: BEFORE INSERT / UPDATE triggers that raise on overlap; SQLite has one writer at a time (booking runs
 *   in BEGIN IMMEDIATE), so the check and the write cannot interleave with another booking.
 * Intervals are half-open: back-to-back appointments are allowed.
 *
 * Migration 008 left a person's visits that already overlapped as they were (visits booked before patient claims).
 * Of each such pair the later is marked legacy_patient_clash: its time is grandfathered, so the upgrade changes no
 * booking and an edit of the row that keeps its time (attendance) is not refused. It still counts against the
 * person's other visits (a new or moved visit may not overlap it), and the mark goes the moment its time changes,
 * so a move is checked like any other. New visits are never marked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .alterTable('appointments')
    .addColumn('legacy_patient_clash', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Of each person's visits that overlap, the first booked keeps the patient rule; each later one is marked, so the
  // unmarked visits never overlap and the rule can hold for them from now on.
  await sql`update appointments set legacy_patient_clash = 1
    where status = 'booked' and patient_id is not null
      and exists (select 1 from appointments o
        where o.patient_id = appointments.patient_id and o.status = 'booked' and o.id <> appointments.id
          and o.starts_at < appointments.ends_at and o.ends_at > appointments.starts_at
          and (o.created_at < appointments.created_at or (o.created_at = appointments.created_at and o.id < appointments.id)))`.execute(
    db,
  );
  if (!sqlite) await ensureBtreeGist(db);
  const statements = sqlite
    ? [sqliteTrigger('insert'), sqliteTrigger('update'), SQLITE_MOVE_CLEARS_MARK]
    : [
        ...postgresConstraints(),
        POSTGRES_BEFORE_WRITE,
        'create trigger appointments_before_write before insert or update on appointments for each row execute function appointments_before_write()',
      ];
  for (const statement of statements) await sql.raw(statement).execute(db);
  await db.schema.dropTable('resource_claims').execute();
}

/**
 * Installed once per database, in public, so that dropping a schema never takes it (and its operator classes) away
 * from another one; default operator classes are found whatever the search path. Creating it needs the database
 * owner's rights: without them the upgrade stops with what to ask for, and nothing of it is applied.
 */
async function ensureBtreeGist(db: Kysely<any>): Promise<void> {
  const installed = await sql`select 1 from pg_extension where extname = 'btree_gist'`.execute(db);
  if (installed.rows.length) return;
  try {
    await sql`create extension btree_gist with schema public`.execute(db);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // A set-up step for the operator, not a bug: said in one line, like a bad setting.
    throw new ConfigError(
      `Migration 009 needs the PostgreSQL extension btree_gist (${reason}). Ask the database owner to run ` +
        `"create extension btree_gist with schema public;" in this database once (it ships with PostgreSQL's contrib), then start Relief again.`,
    );
  }
}

const DAY_MS = 86_400_000;
const BUSY_OVERLAP = `a.busy_to > new.busy_from and a.busy_to < new.busy_to + ${DAY_MS} and a.busy_from < new.busy_to`;
export const VISIT_OVERLAP = `a.starts_at < new.ends_at and a.starts_at > new.starts_at - ${DAY_MS} and a.ends_at > new.starts_at`;
export const VISIT_CHANGED =
  'new.starts_at <> old.starts_at or new.ends_at <> old.ends_at or new.patient_id is distinct from old.patient_id or new.status <> old.status or new.legacy_patient_clash <> old.legacy_patient_clash';

/**
 * One check per resource an appointment holds. Each is a range on an existing index: a busy span is at most a day
 * (CHECK appointment_range), so an overlapping row ends before the new one ends plus a day.
 */
const RULES: Array<{ name: string; match: string; overlap: string; when: string; changed?: string }> = [
  {
    name: 'provider',
    when: 'new.provider_id is not null',
    match: 'a.provider_id = new.provider_id',
    overlap: BUSY_OVERLAP,
  },
  { name: 'room', when: 'new.room_id is not null', match: 'a.room_id = new.room_id', overlap: BUSY_OVERLAP },
  {
    name: 'nurse',
    when: 'new.nurse_id is not null',
    match: 'a.nurse_id = new.nurse_id and coalesce(a.nurse_seat, 1) = coalesce(new.nurse_seat, 1)',
    overlap: BUSY_OVERLAP,
  },
  // A marked visit keeps its own time, but every other visit of the person is checked against it: when booked, and
  // when its time, person, status or mark changes (not when staff note attendance at a visit overlapping a marked one).
  {
    name: 'patient',
    when: 'new.patient_id is not null and new.legacy_patient_clash = 0',
    changed: VISIT_CHANGED,
    match: 'a.patient_id = new.patient_id',
    overlap: VISIT_OVERLAP,
  },
];

/** The message starts "overlapping appointment", which isOverlapViolation() recognises. */
function sqliteTrigger(event: 'insert' | 'update'): string {
  const on =
    event === 'insert'
      ? 'before insert on appointments'
      : 'before update of status, provider_id, nurse_id, nurse_seat, room_id, patient_id, legacy_patient_clash, starts_at, ends_at, busy_from, busy_to on appointments';
  const checks = RULES.map(
    (
      r,
    ) => `select raise(abort, 'overlapping appointment: ${r.name}') where ${r.when}${event === 'update' && r.changed ? ` and (${r.changed})` : ''} and exists (
      select 1 from appointments a where ${r.match} and a.status = 'booked' and a.id <> new.id and ${r.overlap});`,
  );
  return `create trigger appointments_no_overlap_${event} ${on} when new.status = 'booked' begin\n${checks.join('\n')}\nend`;
}

/**
 * SQLite cannot change NEW in a BEFORE trigger, so a moved marked visit is unmarked just after; that update fires
 * the overlap trigger again, now with the patient rule, and a clash aborts the whole move.
 */
const SQLITE_MOVE_CLEARS_MARK = `create trigger appointments_move_clears_legacy_mark after update of starts_at, ends_at on appointments
  when new.legacy_patient_clash = 1 and (new.starts_at <> old.starts_at or new.ends_at <> old.ends_at)
  begin update appointments set legacy_patient_clash = 0 where id = new.id; end`;

function postgresConstraints(): string[] {
  const busy = 'int8range(busy_from, busy_to) with &&';
  return [
    `alter table appointments add constraint appointments_provider_free exclude using gist (provider_id with =, ${busy}) where (status = 'booked' and provider_id is not null)`,
    `alter table appointments add constraint appointments_room_free exclude using gist (room_id with =, ${busy}) where (status = 'booked' and room_id is not null)`,
    `alter table appointments add constraint appointments_nurse_lane_free exclude using gist (nurse_id with =, (coalesce(nurse_seat, 1)) with =, ${busy}) where (status = 'booked' and nurse_id is not null)`,
    `alter table appointments add constraint appointments_patient_free exclude using gist (patient_id with =, int8range(starts_at, ends_at) with &&) where (status = 'booked' and patient_id is not null and legacy_patient_clash = 0)`,
  ];
}

/**
 * Before each write of an appointment: unmark a moved marked visit; then, for a booked one, queue behind any other
 * writer of the same resources (advisory locks in one order, held to commit); then check it against the person's
 * marked visits, which the patient constraint leaves out. Marked visits never move while marked, so that check
 * cannot race.
 */
const POSTGRES_BEFORE_WRITE = `create function appointments_before_write() returns trigger language plpgsql as $$
declare
  resource text;
  visit_checked boolean := tg_op = 'INSERT';
begin
  if tg_op = 'UPDATE' then
    if new.legacy_patient_clash = 1 and (new.starts_at <> old.starts_at or new.ends_at <> old.ends_at) then
      new.legacy_patient_clash := 0;
    end if;
    visit_checked := ${VISIT_CHANGED};
  end if;
  if new.status <> 'booked' then
    return new;
  end if;
  for resource in
    select distinct r from unnest(array[new.provider_id, new.room_id, new.nurse_id || '#' || coalesce(new.nurse_seat, 1), 'patient:' || new.patient_id]) as r
    where r is not null order by r
  loop
    perform pg_advisory_xact_lock(hashtextextended('relief.appointment:' || resource, 0));
  end loop;
  if visit_checked and new.patient_id is not null and new.legacy_patient_clash = 0 and exists (
    select 1 from appointments a
    where a.patient_id = new.patient_id and a.legacy_patient_clash = 1 and a.status = 'booked' and a.id <> new.id and ${VISIT_OVERLAP}
  ) then
    raise exception 'overlapping appointment: patient' using errcode = 'exclusion_violation';
  end if;
  return new;
end
$$`;

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
