import { type Kysely } from 'kysely';

/**
 * What a screening records beyond the facts the rules read: the baseline vitals no rule reads (heart rate, oxygen
 * saturation), and where each fact came from (the intake, the record, or the provider's own entry), so that a signed
 * screening still says what the provider saw and corrected after the record moves on. Both JSON text like the other
 * screening columns; a signed row stays immutable under migration 021's trigger.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('screenings')
    .addColumn('vitals', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .alterTable('screenings')
    .addColumn('fact_sources', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
