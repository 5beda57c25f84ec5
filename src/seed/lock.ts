import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';

/** Fixed key beside the migration and audit locks' keys. */
const SEED_LOCK = '7305826615047311363';

/**
 * Seeding reads "is there a clinic? are there users?" and then writes; two first starts at once must not both
 * write. SQLite's BEGIN IMMEDIATE already lets one writer in at a time; PostgreSQL takes a transaction lock.
 */
export async function lockForSeeding(trx: Kysely<DB>, database: Database): Promise<void> {
  if (database.engine === 'postgres') await sql`select pg_advisory_xact_lock(${sql.raw(SEED_LOCK)}::bigint)`.execute(trx);
}
