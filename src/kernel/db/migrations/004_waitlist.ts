import { sql, type Kysely } from 'kysely';

// The waitlist: people who found no suitable time, and the freed times offered to them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('waitlist_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('consultation_requests.id'))
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('appointment_types.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'booked', 'left')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('waitlist_one_entry', ['request_id', 'location_id', 'type_id'])
    .execute();
  await db.schema
    .createIndex('waitlist_waiting')
    .on('waitlist_entries')
    .columns(['location_id', 'type_id', 'status', 'created_at'])
    .execute();

  await db.schema
    .createTable('waitlist_offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entry_id', 'text', (c) => c.notNull().references('waitlist_entries.id'))
    .addColumn('slot_start', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addUniqueConstraint('waitlist_one_offer', ['entry_id', 'slot_start'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
