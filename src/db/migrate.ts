import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_staff.ts';
import * as m004 from './migrations/004_waitlist.ts';
import * as m003 from './migrations/003_patients_calendar.ts';

const migrations: Record<string, Migration> = { '001_initial': m001, '002_staff': m002, '003_patients_calendar': m003, '004_waitlist': m004 };

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  // On PostgreSQL, name the schema in use: Kysely otherwise finds its bookkeeping tables in any schema of the
  // database and may skip creating them in ours.
  const schema =
    database.engine === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({ db: database.db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
