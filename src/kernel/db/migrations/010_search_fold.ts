import { sql, SqliteAdapter, type Kysely } from 'kysely';

/**
 * search_fold(text): lower case for every script, the same on both engines, for case-insensitive search. PostgreSQL's
 * lower() already folds É to é; SQLite's built-in lower() folds only A to Z, so on SQLite search_fold is a function
 * the connection registers (src/kernel/db/database.ts, JavaScript's toLowerCase) and this migration has nothing to create.
 * (Not named casefold: PostgreSQL 18 has a built-in casefold() that folds more, ß to ss, than JavaScript does.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`create or replace function search_fold(value text) returns text language sql immutable strict parallel safe as 'select lower(value)'`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
