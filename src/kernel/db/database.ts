import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Runs `work` in one write transaction; it commits before this resolves, or nothing is written. */
  transact<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T>;
  /**
   * Runs one read (compiled by Kysely, outside any transaction) and returns its rows as arrays of the selected values
   * in order: for bulk reads, where building an object per row costs more than the row (the audit verify).
   */
  readArrays(query: CompiledQuery): Promise<unknown[][]>;
  /**
   * The key of the audit trail's HMAC chain (from the configuration, never stored in the database): appending audit
   * events needs it; a database opened without it (a temporary copy) can be read and verified with a key given then.
   */
  auditKey: Buffer | undefined;
  /** PostgreSQL only: the connection pool's use now, for the metrics. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  databaseSchema?: string | undefined;
  audit?: { key: Buffer } | undefined;
}

export function openDatabase(options: DatabaseOptions): Database {
  const database = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.databaseSchema)
    : openSqlite(options.dataDir);
  return { ...database, auditKey: options.audit?.key };
}

function openSqlite(dataDir: string): Omit<Database, 'auditKey'> {
  mkdirSync(dataDir, { recursive: true });
  const file = new BetterSqlite3(join(dataDir, 'relief.db'));
  // WAL + synchronous=FULL: a committed transaction survives a crash or power loss.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = FULL');
  file.pragma('foreign_keys = ON');
  // REPLACE removes a clashing row; with recursive triggers its delete meets the delete triggers (append-only audit,
  // kept clinical records) as a DELETE would, instead of slipping past them.
  file.pragma('recursive_triggers = ON');
  file.pragma('busy_timeout = 5000');
  // Search folds case for every script, as PostgreSQL's lower() does (migration 010 defines search_fold there).
  file.function('search_fold', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachingStatements(file) }) });
  const arrayStatements = new Map<string, BetterSqlite3.Statement>();
  return {
    db,
    engine: 'sqlite',
    // Through Kysely's one connection, so the read waits for any transaction under way instead of seeing inside it.
    readArrays: (query) =>
      db.connection().execute(async () => {
        let statement = arrayStatements.get(query.sql);
        if (!statement) {
          statement = file.prepare(query.sql).raw(true);
          if (arrayStatements.size >= 20) arrayStatements.delete(arrayStatements.keys().next().value!);
          arrayStatements.set(query.sql, statement);
        }
        return statement.all(...query.parameters) as unknown[][];
      }),
    // BEGIN IMMEDIATE takes the write lock up front, so a read-then-write transaction cannot fail
    // with SQLITE_BUSY halfway when the CLI and the server share the file.
    transact: (work) =>
      db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await work(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          if (file.inTransaction) await sql`rollback`.execute(conn);
          throw err;
        }
      }),
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query afresh; our queries repeat, so keep prepared statements by SQL text (bounded).
 * Safe because Kysely runs one query at a time on its single SQLite connection.
 */
function cachingStatements(file: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => file.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (!statement) {
        statement = file.prepare(sqlText);
        if (cache.size >= 500) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string, schema: string | undefined): Omit<Database, 'auditKey'> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    types: {
      // bigint (epoch ms) and count(*) come back as JS numbers; all our values are far below 2^53.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- pg's own parser table is typed any
        oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // No parallel query on the app's connections. Its queries are small and index-driven, and the planner's parallel
  // plans cost more than they save: at 100,000 appointments the availability read (a union of three indexed range
  // reads, ~900 rows) was planned as a Gather over a Parallel Append with 2 workers, estimated cheaper than serial
  // (2,432 vs 2,534) but measured 31 ms against 0.9 ms serial (EXPLAIN ANALYZE), nearly all of it starting the workers.
  // Set per session as each connection opens (pg queues it before the connection's first query); a startup option
  // would do the same but is refused by some connection poolers.
  pool.on('connect', (client) => {
    client.query('set max_parallel_workers_per_gather = 0').catch(() => undefined);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'postgres',
    transact: (work) => db.transaction().execute((trx: Transaction<DB>) => work(trx)),
    readArrays: async (query) =>
      (await pool.query<unknown[]>({ text: query.sql, values: [...query.parameters], rowMode: 'array' })).rows,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE', '23505']);

/** True when the database refused a row because a unique or primary key already holds it. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNIQUE_CODES.has(code);
}

/** True when the database refused a delete or write because a foreign key still needs the row (ON DELETE RESTRICT). */
export function isForeignKeyViolation(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return true;
  // SQLite runs ON DELETE RESTRICT as an internal trigger, and reports it as one.
  return code === 'SQLITE_CONSTRAINT_TRIGGER' && message === 'FOREIGN KEY constraint failed';
}

/**
 * True when the database refused an appointment because it overlaps another booked one of the same provider, nurse
 * lane, room or patient (migration 009: exclusion_violation on PostgreSQL, the overlap trigger on SQLite).
 */
/**
 * Fixed keys of PostgreSQL's transaction-scoped advisory locks: each serialises one read-then-write that PostgreSQL's
 * read committed would otherwise let two transactions interleave. SQLite needs none: BEGIN IMMEDIATE admits one writer.
 */
export const WRITER_LOCKS = {
  audit: '7305826615047311361',
  migrations: '7305826615047311362',
  seed: '7305826615047311363',
} as const;

/** Takes one of WRITER_LOCKS until the transaction ends (PostgreSQL; nothing to do on SQLite). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations call it with Kysely<any>, the app with Kysely<DB>
export async function lockWriters(trx: Kysely<any>, engine: Engine, lock: keyof typeof WRITER_LOCKS): Promise<void> {
  if (engine === 'postgres')
    await sql`select pg_advisory_xact_lock(${sql.raw(WRITER_LOCKS[lock])}::bigint)`.execute(trx);
}

export function isOverlapViolation(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code === '23P01') return true;
  return (
    code === 'SQLITE_CONSTRAINT_TRIGGER' && typeof message === 'string' && message.startsWith('overlapping appointment')
  );
}

/**
 * True when the database refused an infusion or booster because its patient has no signed eligible screening valid
 * at its start and no active treatment plan (migration 024's gate; the same message on both engines).
 */
export function isInfusionGateRefusal(err: unknown): boolean {
  const { message } = (err ?? {}) as { message?: unknown };
  return typeof message === 'string' && message.includes('infusion_gate:');
}

/**
 * True when the database refused a booked infusion or booster without a supervising provider (migration 027; the
 * same message on both engines).
 */
export function isSupervisorRequiredRefusal(err: unknown): boolean {
  const { message } = (err ?? {}) as { message?: unknown };
  return typeof message === 'string' && message.includes('supervisor_required:');
}

/**
 * A booking's write refused by the database, with nothing written: the time was taken (overlap), the request already
 * booked (unique), PostgreSQL broke a lock cycle with another writer (deadlock, 40P01; the overlap trigger's
 * resource locks prevent it between bookings, this covers any other cycle), or the option had no supervising
 * provider for an infusion (027: the slot engine always gives one, so only a provider gone meanwhile leads here).
 * Callers look again and answer "taken".
 */
export const isBookingConflict = (err: unknown): boolean =>
  isOverlapViolation(err) ||
  isUniqueViolation(err) ||
  isSupervisorRequiredRefusal(err) ||
  (err as { code?: unknown } | null)?.code === '40P01';
