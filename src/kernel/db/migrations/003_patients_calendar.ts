import { SqliteAdapter, sql, type Kysely } from 'kysely';

// Patients (one row per person, matched by email and phone), links from requests and appointments to them, and
// attendance on appointments for the staff calendar.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('patients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('contact_method', 'text', (c) => c.notNull())
    // The home location: where the person first asked to be seen.
    .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // Every booking may write a patient: on SQLite keep the rows in their primary-key B-tree alone (one tree fewer).
    .$call((b) => (db.getExecutor().adapter instanceof SqliteAdapter ? b.modifyEnd(sql`without rowid`) : b))
    .execute();
  // The matching key: the same email (any case) and phone are the same person, on both engines, even when two
  // bookings race (insert … on conflict do nothing, then select).
  await sql`create unique index patients_by_contact on patients (lower(email), phone)`.execute(db);
  // No index by location or name: search matches parts of names, emails and phones, which no B-tree serves.

  await db.schema
    .alterTable('appointments')
    .addColumn('patient_id', 'text', (c) => c.references('patients.id'))
    .execute();
  // Set by staff on the day. The status CHECK of migration 001 stays as it is (SQLite cannot alter it).
  await db.schema
    .alterTable('appointments')
    .addColumn('attendance', 'text', (c) => c.check(sql`attendance in ('arrived', 'no_show')`))
    .execute();
  await db.schema
    .alterTable('consultation_requests')
    .addColumn('patient_id', 'text', (c) => c.references('patients.id'))
    .execute();
  await db.schema
    .createIndex('appointments_by_patient')
    .on('appointments')
    .columns(['patient_id', 'starts_at'])
    .execute();
  await db.schema
    .createIndex('requests_by_patient')
    .on('consultation_requests')
    .columns(['patient_id', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
