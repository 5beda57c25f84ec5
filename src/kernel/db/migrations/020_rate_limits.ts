import type { Kysely } from 'kysely';

/**
 * Rate-limit counts in the database, so that several Relief instances on one PostgreSQL share one budget per address
 * instead of each granting its own (src/kernel/http/rate-store.ts). One row per key (what is limited, and the
 * client's address) and fixed window: the count so far and when the window ends. Rows are short-lived and swept.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
