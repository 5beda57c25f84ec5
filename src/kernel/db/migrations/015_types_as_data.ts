import { sql, SqliteAdapter, type Kysely } from 'kysely';

/** What code branches on; everything else about a type (name, times, needs) is the clinic's data. */
const KINDS = sql`kind in ('consultation', 'infusion', 'booster', 'follow-up')`;

/**
 * Appointment types become data an administrator adds, edits and retires. Until now there were exactly four, with
 * fixed codes that code branched on. Each type now has a `kind` (consultation, infusion, booster or follow-up: what
 * the booking flow and reports branch on) and a `retired_at` (a retired type is no longer offered or bookable, and
 * booked visits keep showing its name). The four existing rows keep their codes and get their code as their kind,
 * so an upgraded clinic behaves as before. `code` stays the type's short name in addresses and forms.
 *
 * A type that has bookings can never be deleted: the foreign keys from appointments and waitlist entries become
 * ON DELETE RESTRICT on both engines (they were NO ACTION, which PostgreSQL checks only at the end of a statement).
 * SQLite cannot alter a foreign key, so there the three tables are rebuilt as SQLite documents (foreign keys off
 * around the migration, every key checked before it commits), keeping every row, index and trigger.
 */
export const rebuildsTables = true;

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return upSqlite(db);
  await sql`alter table appointment_types add column kind text`.execute(db);
  await sql`update appointment_types set kind = code`.execute(db);
  await sql`alter table appointment_types alter column kind set not null`.execute(db);
  await sql`alter table appointment_types add constraint appointment_types_kind check (${KINDS})`.execute(db);
  await sql`alter table appointment_types add column retired_at bigint`.execute(db);
  for (const table of ['appointments', 'waitlist_entries']) {
    const found = await sql<{ name: string }>`select k.conname as name from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      where c.relnamespace = current_schema()::regnamespace and c.relname = ${table} and k.contype = 'f'
        and k.confrelid = (current_schema() || '.appointment_types')::regclass`.execute(db);
    for (const { name } of found.rows)
      await sql`alter table ${sql.id(table)} drop constraint ${sql.id(name)}`.execute(db);
    await sql`alter table ${sql.id(table)} add constraint ${sql.id(`${table}_type_id_fkey`)}
      foreign key (type_id) references appointment_types (id) on delete restrict`.execute(db);
  }
}

async function upSqlite(db: Kysely<any>): Promise<void> {
  await sql`create table appointment_types_new (
    id text primary key,
    code text not null unique,
    name text not null,
    duration_min integer not null check (duration_min > 0 and duration_min % 5 = 0),
    buffer_before_min integer not null check (buffer_before_min >= 0 and buffer_before_min % 5 = 0),
    buffer_after_min integer not null check (buffer_after_min >= 0 and buffer_after_min % 5 = 0),
    min_notice_min integer not null,
    step_min integer not null check (step_min > 0 and step_min % 5 = 0),
    online_bookable integer not null,
    needs_provider integer default 1 not null,
    needs_nurse integer default 0 not null,
    place text default 'none' not null check (place in ('none', 'room', 'chair')),
    kind text not null check (${KINDS}),
    retired_at bigint
  )`.execute(db);
  const columns = sql.raw(
    'id, code, name, duration_min, buffer_before_min, buffer_after_min, min_notice_min, step_min, online_bookable, needs_provider, needs_nurse, place',
  );
  await sql`insert into appointment_types_new (${columns}, kind) select ${columns}, code from appointment_types`.execute(
    db,
  );
  await sql`drop table appointment_types`.execute(db);
  await sql`alter table appointment_types_new rename to appointment_types`.execute(db);
  for (const table of ['appointments', 'waitlist_entries']) await restrictTypeKey(db, table);
}

/** Rebuilds `table` with its type_id key made ON DELETE RESTRICT, keeping its rows, indexes and triggers. */
async function restrictTypeKey(db: Kysely<any>, table: string): Promise<void> {
  const schema = await sql<{ type: string; sql: string | null }>`select type, sql from sqlite_master
    where tbl_name = ${table} order by case type when 'table' then 0 when 'index' then 1 else 2 end`.execute(db);
  const [create, ...rest] = schema.rows;
  const key = /references\s+"?appointment_types"?\s*\(\s*"?id"?\s*\)/i;
  if (!create?.sql || !key.test(create.sql)) throw new Error(`migration 015: no type key found on ${table}`);
  const rebuilt = create.sql
    .replace(key, (m) => `${m} on delete restrict`)
    .replace(/^create table\s+"?[a-z_]+"?/i, `create table "${table}_new"`);
  await sql.raw(rebuilt).execute(db);
  await sql`insert into ${sql.id(`${table}_new`)} select * from ${sql.id(table)}`.execute(db);
  await sql`drop table ${sql.id(table)}`.execute(db);
  await sql`alter table ${sql.id(`${table}_new`)} rename to ${sql.id(table)}`.execute(db);
  // Indexes and triggers went with the old table; their own text recreates them (automatic indexes have none).
  for (const row of rest) if (row.sql) await sql.raw(row.sql).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
