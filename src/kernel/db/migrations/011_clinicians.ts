import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { VISIT_CHANGED, VISIT_OVERLAP } from './009_overlap_constraints.ts';

/**
 * One name per thing. The table of bookable people kept its first name, `providers`, after nurses joined it
 * (migration 005); it becomes `clinicians`, with `kind` provider|nurse, so "provider" means a prescriber only.
 * Implementation words leave the schema:
 * - providers → clinicians, provider_hours → clinician_hours, provider_time_off → clinician_time_off, and their
 *   provider_id → clinician_id; users.provider_id (the clinician a staff account is) → clinician_id;
 * - max_patients → watches_at_once (how many infusions a nurse watches at once);
 * - appointments.nurse_seat → nurse_lane, and the PostgreSQL lock key `<nurse>#<seat>` → `<nurse>:lane:<n>`.
 * appointments.provider_id keeps its name: it is the prescriber booked for the visit.
 *
 * Renames keep every row, key and index. SQLite rewrites foreign keys, checks and triggers that name a renamed table
 * or column; PostgreSQL tracks columns by number, so only the trigger function, whose body is text, is created anew,
 * and constraint names are renamed to match. The hours table is rebuilt on both engines because SQLite cannot rename
 * its named primary key and range check; nothing references it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;

  await sql`alter table providers rename to clinicians`.execute(db);
  await sql`alter table clinicians rename column max_patients to watches_at_once`.execute(db);
  await sql`alter table users rename column provider_id to clinician_id`.execute(db);
  await sql`alter table appointments rename column nurse_seat to nurse_lane`.execute(db);

  await sql`alter table provider_time_off rename to clinician_time_off`.execute(db);
  await sql`alter table clinician_time_off rename column provider_id to clinician_id`.execute(db);
  await db.schema.dropIndex('provider_time_off_by_provider').execute();
  await db.schema
    .createIndex('clinician_time_off_by_clinician')
    .on('clinician_time_off')
    .columns(['clinician_id', 'ends_at'])
    .execute();

  await db.schema
    .createTable('clinician_hours')
    .addColumn('clinician_id', 'text', (c) => c.notNull().references('clinicians.id').onDelete('cascade'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id').onDelete('cascade'))
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('from_min', 'integer', (c) => c.notNull())
    .addColumn('to_min', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('clinician_hours_pk', ['clinician_id', 'location_id', 'weekday', 'from_min'])
    .addCheckConstraint('clinician_hours_range', sql`from_min >= 0 and to_min <= 1440 and from_min < to_min`)
    .execute();
  await sql`insert into clinician_hours (clinician_id, location_id, weekday, from_min, to_min)
    select provider_id, location_id, weekday, from_min, to_min from provider_hours`.execute(db);
  await db.schema.dropTable('provider_hours').execute();

  if (!sqlite) {
    await renamePostgresConstraints(db);
    await sql.raw(POSTGRES_BEFORE_WRITE).execute(db);
  }
}

/** Old words in PostgreSQL's generated constraint names, and the new ones (longest first). */
const CONSTRAINT_WORDS: Array<[string, string]> = [
  ['provider_time_off_provider_id', 'clinician_time_off_clinician_id'],
  ['provider_time_off', 'clinician_time_off'],
  ['users_provider_id', 'users_clinician_id'],
  ['providers_max_patients', 'clinicians_watches_at_once'],
  ['providers_', 'clinicians_'],
  ['nurse_seat', 'nurse_lane'],
];

async function renamePostgresConstraints(db: Kysely<any>): Promise<void> {
  const found = await sql<{ table: string; name: string }>`select c.relname as "table", k.conname as name
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    where c.relnamespace = current_schema()::regnamespace and c.relname in ('clinicians', 'clinician_time_off', 'users', 'appointments')`.execute(
    db,
  );
  for (const { table, name } of found.rows) {
    const words = CONSTRAINT_WORDS.find(([old]) => name.includes(old));
    if (!words) continue;
    const renamed = name.replace(words[0], words[1]);
    await sql`alter table ${sql.id(table)} rename constraint ${sql.id(name)} to ${sql.id(renamed)}`.execute(db);
  }
}

/**
 * Migration 009's trigger function with the lane's new name: queue behind any other writer of the same resources
 * (advisory locks in one order, held to commit), then check the visit against the person's marked visits.
 */
const POSTGRES_BEFORE_WRITE = `create or replace function appointments_before_write() returns trigger language plpgsql as $$
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
    select distinct r from unnest(array[new.provider_id, new.room_id, new.nurse_id || ':lane:' || coalesce(new.nurse_lane, 1), 'patient:' || new.patient_id]) as r
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
