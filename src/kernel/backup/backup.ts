/**
 * Backups that are proven by restoring them: make one (online, encrypted unless asked otherwise), restore one into an
 * empty target, and verify one by restoring it into a temporary target and checking what came back.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import { openDatabase, type Database, type Engine } from '../db/database.ts';
import { MIGRATIONS, migrateToLatest } from '../db/migrate.ts';
import { appendAudit, verifyAuditChain } from '../audit/audit.ts';
import { BackupError, hasKey, openBackup, writeBackupFile, type BackupHeader, type OpenedBackup } from './format.ts';
import { noProgress, type Progress } from './progress.ts';
import { postgresTarget, restorePostgres, dumpPostgres, withSchema, quoteIdent } from './postgres.ts';
import { readSnapshot, restoreSqlite, scratchFolder, snapshotSqlite, SQLITE_FILE } from './sqlite.ts';
import { chainTakesKey, restoredAuditKey } from './audit-key.ts';

export { BackupError } from './format.ts';

const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const KNOWN = MIGRATIONS.map(([name]) => name);

/** Backup files this code writes: relief-<UTC time>-<random>.backup, so that names sort by age. */
export const BACKUP_NAME = /^relief-(\d{8}T\d{6}\d{3}Z)-[0-9a-f]{4}\.backup$/;

export function backupName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `relief-${stamp}-${randomBytes(2).toString('hex')}.backup`;
}

/** The time in a backup's name (see BACKUP_NAME), or undefined for another name. */
export function backupTime(name: string): number | undefined {
  const m = BACKUP_NAME.exec(name)?.[1];
  if (!m) return undefined;
  return Date.parse(
    `${m.slice(0, 4)}-${m.slice(4, 6)}-${m.slice(6, 8)}T${m.slice(9, 11)}:${m.slice(11, 13)}:${m.slice(13, 15)}.${m.slice(15, 18)}Z`,
  );
}

const rowsIn = (tables: Record<string, number>) => Object.values(tables).reduce((a, b) => a + b, 0);

/** What makeBackup wrote. */
export interface BackupResult {
  file: string;
  header: BackupHeader;
  fileBytes: number;
  seconds: number;
}

export interface BackupOptions {
  /** The folder to write into (made if missing). */
  dir: string;
  withSecret?: boolean;
  plain?: boolean;
  progress?: Progress;
  /** Who made it, for the audit trail ('cli' for the command, 'system' for the schedule). */
  actor?: 'cli' | 'system';
  now?: () => number;
  /** SQLite pages copied per step of the online backup (the server keeps answering between steps). */
  pagesPerStep?: number;
}

const sizeOf = async (path: string) => (await stat(path).catch(() => ({ size: 0 }))).size;

/** The database the configuration names, for the backup's audit event (opened by the caller). */
export async function makeBackup(config: Config, database: Database, options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const progress = options.progress ?? noProgress;
  if (!options.plain && !hasKey(config.backup))
    throw new BackupError(
      'backups are encrypted: set BACKUP_KEY (64 hex characters, e.g. from "openssl rand -hex 32") or BACKUP_PASSPHRASE, or pass --plain to write an unencrypted backup.',
    );
  const dir = resolve(options.dir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new BackupError(`cannot write backups into ${dir} (${(err as { code?: string }).code ?? 'error'}).`);
  }
  const createdAt = new Date(now());
  const file = join(dir, backupName(createdAt));
  const keys = options.plain ? null : config.backup;
  const secret = options.withSecret ? config.secret : undefined;
  let written: Awaited<ReturnType<typeof writeBackupFile>>;
  if (database.engine === 'sqlite') {
    const source = join(config.dataDir, SQLITE_FILE);
    const scratch = await scratchFolder(config.dataDir, await sizeOf(source), 'backup-');
    try {
      const snapshot = join(scratch, SQLITE_FILE);
      const described = await snapshotSqlite(source, snapshot, progress, options.pagesPerStep);
      const phase = progress.phase(keys ? 'Encrypting' : 'Writing', await sizeOf(snapshot), 'bytes');
      try {
        written = await writeBackupFile(
          file,
          { engine: 'sqlite', createdAt, secret, ...described },
          readSnapshot(snapshot),
          keys,
          (n) => phase.update(n),
        );
      } finally {
        phase.end();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  } else {
    const dump = await dumpPostgres(withSchema(config.databaseUrl!, config.databaseSchema), progress);
    try {
      written = await writeBackupFile(
        file,
        {
          engine: 'postgres',
          createdAt,
          secret,
          tables: dump.tables,
          schema: dump.schema,
          postgresSchema: dump.postgresSchema,
        },
        dump.stream,
        keys,
      );
    } finally {
      await dump.close();
    }
  }
  await database.transact((trx) =>
    appendAudit(
      trx,
      database,
      {
        actorId: null,
        actorRole: options.actor ?? 'cli',
        locationId: null,
        patientRef: null,
        action: 'backup.create',
        outcome: 'success',
        ip: null,
        detail: { bytes: written.fileBytes, encrypted: keys !== null, secret: secret !== undefined },
      },
      now(),
    ),
  );
  return { file, header: written.header, fileBytes: written.fileBytes, seconds: (performance.now() - started) / 1000 };
}

/** Refuses a backup whose schema this release does not know (made by a newer Relief). */
export function checkSchema(opened: OpenedBackup): void {
  const { version, latest } = opened.header.schema;
  if (version > KNOWN.length || (latest !== '' && !KNOWN.includes(latest)))
    throw new BackupError(
      `${opened.path} comes from a newer Relief: its schema is at ${latest || `version ${version}`} and this Relief knows up to ${KNOWN.at(-1)}. Restore it with that release or a newer one.`,
    );
}

const isDatabaseUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target);

/** A backup goes only into a target of its own engine. */
function checkEngine(opened: OpenedBackup, target: Engine, where: string): void {
  const from = opened.header.engine;
  if (from === target) return;
  throw new BackupError(
    `${opened.path} is a ${ENGINE_NAMES[from]} backup and ${where} is ${ENGINE_NAMES[target]}: SQLite and PostgreSQL backups are not interchangeable. Restore it into a ${ENGINE_NAMES[from]} target; moving a clinic between the two will come with an export in a later release.`,
  );
}

/** Row counts that differ from the header's, as one line (empty when they all match). */
function countDifferences(expected: Record<string, number>, found: Record<string, number>): string {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort();
  const wrong = names.filter((n) => expected[n] !== found[n]);
  return wrong.map((n) => `${n}: ${found[n] ?? 'missing'} (header ${expected[n] ?? 'none'})`).join(', ');
}

export interface RestoreResult {
  header: BackupHeader;
  engine: Engine;
  /** The folder or the PostgreSQL schema restored into. */
  target: string;
  rows: number;
  seconds: number;
  /** Where the backup's secret was written, when it carried one. */
  secretFile: string | undefined;
  /** False when the copy's audit trail was keyed with another audit key (no restore event was added to it). */
  auditKeyMatches: boolean;
}

/**
 * Restores `path` into `into`: a new or empty folder (SQLite) or a PostgreSQL URL whose schema is new or empty.
 * Checks the header, the key, the schema and the engine before anything is written, and the row counts after.
 */
export async function restoreBackup(
  config: Config,
  path: string,
  into: string,
  progress: Progress = noProgress,
  now: () => number = Date.now,
): Promise<RestoreResult> {
  const started = performance.now();
  const opened = await openBackup(path, config.backup);
  checkSchema(opened);
  const engine: Engine = isDatabaseUrl(into) ? 'postgres' : 'sqlite';
  checkEngine(opened, engine, engine === 'postgres' ? 'the target database' : `the target folder ${into}`);
  let restored: { tables: Record<string, number>; secret?: string | undefined };
  let target: string;
  let database: Database;
  if (engine === 'sqlite') {
    const dir = resolve(into);
    const snapshot = await restoreSqlite(opened, dir, progress);
    const secret = existsSync(join(dir, 'secret')) ? (await readFile(join(dir, 'secret'), 'utf8')).trim() : undefined;
    restored = { tables: snapshot.tables, secret };
    target = dir;
    database = openDatabase({ dataDir: dir, databaseUrl: undefined });
  } else {
    const place = await postgresTarget(into, 'the target database');
    const scratch = await scratchFolder(config.dataDir, opened.header.bytes, 'restore-');
    const { secret } = await restorePostgres(opened, place, join(scratch, 'backup.dump'), progress).finally(() =>
      rm(scratch, { recursive: true, force: true }),
    );
    target = place.schema;
    database = openDatabase({ dataDir: config.dataDir, databaseUrl: withSchema(into, place.schema) });
    restored = { tables: await countTables(database), secret };
  }
  let auditKeyMatches: boolean;
  try {
    const differences = countDifferences(opened.header.tables, restored.tables);
    if (differences)
      throw new BackupError(`the restored copy does not hold what the backup's header says: ${differences}.`);
    const key = restoredAuditKey(config, restored.secret);
    auditKeyMatches = await chainTakesKey(database, key);
    if (auditKeyMatches)
      await database.transact((trx) =>
        appendAudit(
          trx,
          { engine: database.engine, auditKey: key },
          {
            actorId: null,
            actorRole: 'cli',
            locationId: null,
            patientRef: null,
            action: 'backup.restore',
            outcome: 'success',
            ip: null,
            detail: { backupCreatedAt: opened.header.createdAt, schema: opened.header.schema.latest },
          },
          now(),
        ),
      );
  } finally {
    await database.close();
  }
  let secretFile: string | undefined;
  if (engine === 'sqlite' && restored.secret) secretFile = join(target, 'secret');
  if (engine === 'postgres' && restored.secret) secretFile = await keepSecret(config.dataDir, restored.secret);
  return {
    header: opened.header,
    engine,
    target,
    rows: rowsIn(restored.tables),
    seconds: (performance.now() - started) / 1000,
    secretFile,
    auditKeyMatches,
  };
}

/** PostgreSQL keeps the generated secret in DATA_DIR: put the backup's there, unless another one is already there. */
async function keepSecret(dataDir: string, secret: string): Promise<string> {
  const file = join(dataDir, 'secret');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing === undefined || existing.trim() === secret) {
    if (existing === undefined) await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return file;
  }
  const aside = join(dataDir, 'secret.from-backup');
  await writeFile(aside, secret + '\n', { mode: 0o600 });
  return aside;
}

/** Rows per table of an open database (the tables of its own schema). */
async function countTables(database: Database): Promise<Record<string, number>> {
  const names =
    database.engine === 'sqlite'
      ? (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
            database.db,
          )
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string;
          }>`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(
            database.db,
          )
        ).rows.map((r) => r.name);
  const tables: Record<string, number> = {};
  for (const name of names) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.raw(quoteIdent(name))}`.execute(
      database.db,
    );
    tables[name] = Number(rows[0]!.n);
  }
  return tables;
}

export interface VerifyResult {
  header: BackupHeader;
  tables: number;
  rows: number;
  auditEvents: number;
  /** Migrations this release would still apply to the restored copy (applied to the temporary copy as a check). */
  pending: string[];
  seconds: number;
}

/**
 * Proves a backup: restores it into a temporary target (a folder in DATA_DIR, or a new schema in DATABASE_URL's
 * database), compares the row counts with the header's, checks the audit trail's hash chain and that this release's
 * migrations apply, then removes the copy. Refuses (BackupError) at the first thing that does not hold.
 */
export async function verifyBackup(
  config: Config,
  path: string,
  progress: Progress = noProgress,
): Promise<VerifyResult> {
  const started = performance.now();
  const opened = await openBackup(path, config.backup);
  checkSchema(opened);
  const workspace = await scratchFolder(
    config.dataDir,
    opened.header.engine === 'sqlite' ? 2 * opened.header.bytes : opened.header.bytes,
    'verify-',
  );
  let database: Database | undefined;
  let dropSchema: string | undefined;
  try {
    let found: Record<string, number>;
    let secret: string | undefined;
    if (opened.header.engine === 'sqlite') {
      const dir = join(workspace, 'data');
      found = (await restoreSqlite(opened, dir, progress)).tables;
      if (opened.header.secret) secret = (await readFile(join(dir, 'secret'), 'utf8')).trim();
      database = openDatabase({ dataDir: dir, databaseUrl: undefined });
      const check = await sql<{ quick_check: string }>`pragma quick_check`.execute(database.db);
      if (check.rows[0]?.quick_check !== 'ok')
        throw new BackupError(`the restored copy of ${path} fails SQLite's integrity check.`);
    } else {
      if (!config.databaseUrl) checkEngine(opened, 'sqlite', 'this Relief (DATABASE_URL is not set)');
      const schema = `relief_verify_${randomBytes(6).toString('hex')}`;
      const url = withSchema(config.databaseUrl!, schema);
      dropSchema = schema;
      ({ secret } = await restorePostgres(
        opened,
        { url, schema, create: true },
        join(workspace, 'backup.dump'),
        progress,
      ));
      database = openDatabase({ dataDir: workspace, databaseUrl: url });
      found = await countTables(database);
    }
    const differences = countDifferences(opened.header.tables, found);
    if (differences)
      throw new BackupError(`the restored copy does not hold what the backup's header says: ${differences}.`);
    // The chain and its key only: checkpoints run past the moment a backup was made, so they are not compared here.
    const chain = await verifyAuditChain(database, { key: restoredAuditKey(config, secret) });
    if (!chain.ok && chain.kind === 'key')
      throw new BackupError(
        `the restored copy's audit trail cannot be checked: ${chain.reason}. Set ${config.audit.keyFrom === 'AUDIT_KEY' ? 'AUDIT_KEY' : 'SECRET (or AUDIT_KEY)'} to the one in use when the backup was made, or make backups --with-secret.`,
      );
    if (!chain.ok)
      throw new BackupError(
        `the restored copy's audit trail is broken at event #${chain.seq ?? '?'}: ${chain.reason}.`,
      );
    const pending = await migrationsCheck(database, path);
    return {
      header: opened.header,
      tables: Object.keys(found).length,
      rows: rowsIn(found),
      auditEvents: chain.count,
      pending,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await database?.close().catch(() => {});
    if (dropSchema) await dropPostgresSchema(config.databaseUrl!, dropSchema);
    await rm(workspace, { recursive: true, force: true });
  }
}

/** The copy's migrations must be this release's, in order; the ones it lacks are applied to the (temporary) copy. */
async function migrationsCheck(database: Database, path: string): Promise<string[]> {
  const applied = (
    await sql<{ name: string }>`select name from relief_migrations order by name`.execute(database.db)
  ).rows.map((r) => r.name);
  const stranger = applied.find((name, i) => name !== KNOWN[i]);
  if (stranger)
    throw new BackupError(`the restored copy of ${path} has a migration this Relief does not know: ${stranger}.`);
  const pending = KNOWN.slice(applied.length);
  await migrateToLatest(database);
  return pending;
}

async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const database = openDatabase({ dataDir: '.', databaseUrl: url });
  try {
    await sql`drop schema if exists ${sql.raw(quoteIdent(schema))} cascade`.execute(database.db);
  } catch {
    // Left for the operator: the name says what it is (relief_verify_…).
  } finally {
    await database.close();
  }
}
