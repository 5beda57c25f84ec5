import { sql, type Kysely } from 'kysely';

/**
 * How many infusions a nurse watches at once. Each nurse has that many lanes ("seats"); an appointment holds one
 * lane, and the claims key a lane as `<nurse id>#<seat>`, so the database still refuses any overlap within a lane.
 * Existing nurse claims and appointments move to lane 1.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('providers')
    .addColumn('max_patients', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`max_patients between 1 and 6`),
    )
    .execute();
  await db.schema
    .alterTable('appointments')
    .addColumn('nurse_seat', 'integer', (c) => c.check(sql`nurse_seat between 1 and 6`))
    .execute();
  await sql`update appointments set nurse_seat = 1 where nurse_id is not null`.execute(db);
  await sql`update resource_claims set resource_id = resource_id || '#1'
    where resource_id in (select id from providers where kind = 'nurse')`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
