import { SqliteAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The controlled-substance record (issue 12 §5; ketamine is Schedule III): stock received per location and lot, and
 * the drug wasted from each bag after an infusion, witnessed by a second person. With session_bags (what was drawn)
 * and the session's timeline (what was given), these make the log in which every bag balances:
 * dispensed = infused + wasted. Both tables are append-only (a mistake is put right by a later entry, never by an
 * edit), and the database keeps the two-person rule of a waste whatever the application does.
 */
const TABLES = ['controlled_substance_receipts', 'session_waste'];

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const run = (text: string) => sql.raw(text).execute(db);
  const by = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id');

  await db.schema
    .createTable('controlled_substance_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('drug', 'text', (c) => c.notNull())
    .addColumn('lot', 'text', (c) => c.notNull().check(sql`length(trim(lot)) between 1 and 40`))
    .addColumn('expires_on', 'text', (c) => c.notNull())
    .addColumn('mg', 'double precision', (c) => c.notNull().check(sql`mg > 0`))
    // The supplier's invoice or packing-slip number the receipt is filed under.
    .addColumn('reference', 'text')
    // The person who counted the stock in and recorded it; received_at is when it arrived.
    .addColumn('received_by', 'text', by)
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('controlled_substance_receipts_past', sql`received_at <= recorded_at`)
    .execute();
  await db.schema
    .createIndex('controlled_substance_receipts_by_lot')
    .on('controlled_substance_receipts')
    .columns(['location_id', 'lot'])
    .execute();

  await db.schema
    .createTable('session_waste')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('infusion_sessions.id'))
    .addColumn('bag_id', 'text', (c) => c.notNull().references('session_bags.id'))
    .addColumn('mg', 'double precision', (c) => c.notNull().check(sql`mg > 0`))
    .addColumn('wasted_by', 'text', by)
    .addColumn('witnessed_by', 'text', by)
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('session_waste_two_people', sql`wasted_by <> witnessed_by`)
    .execute();
  await db.schema.createIndex('session_waste_by_session').on('session_waste').column('session_id').execute();

  if (sqlite) {
    const refuse = (message: string) => `begin select raise(abort, '${message}'); end`;
    for (const table of TABLES) {
      await run(`create trigger ${table}_kept_update before update on ${table} ${refuse(`${table} are append-only`)}`);
      await run(`create trigger ${table}_kept_delete before delete on ${table} ${refuse(`${table} are append-only`)}`);
    }
    // A waste belongs to a bag of its own session.
    await run(`create trigger session_waste_own_bag before insert on session_waste
      when not exists (select 1 from session_bags b where b.id = new.bag_id and b.session_id = new.session_id)
      ${refuse('session_waste: the bag is not this session’s')}`);
    return;
  }
  for (const table of TABLES) {
    await run(`create function ${table}_kept() returns trigger language plpgsql as $$
      begin raise exception '${table} are append-only'; end $$`);
    await run(`create trigger ${table}_kept before update or delete on ${table}
      for each row execute function ${table}_kept()`);
    // clinical_no_truncate() is migration 022's.
    await run(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function clinical_no_truncate()`);
  }
  await run(`create function session_waste_own_bag() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from session_bags b where b.id = new.bag_id and b.session_id = new.session_id) then
        raise exception 'session_waste: the bag is not this session’s'; end if;
      return new;
    end $$`);
  await run(`create trigger session_waste_own_bag before insert on session_waste
    for each row execute function session_waste_own_bag()`);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
