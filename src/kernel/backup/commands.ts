/**
 * The work behind `relief backup`, `relief backup verify` and `relief restore` (src/cli.ts parses the words): each
 * prints one summary line, shows progress on a terminal, and refuses bad input with one line (BackupError).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { BackupError, makeBackup, restoreBackup, verifyBackup } from './backup.ts';
import { megabytes, terminalProgress } from './progress.ts';
import { SQLITE_FILE } from './sqlite.ts';

export { BackupError } from './backup.ts';

export interface Io {
  out(line: string): void;
  /** Where progress is drawn (stderr); drawn only when it is a terminal. */
  terminal: NodeJS.WriteStream;
}

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (s: number) => `${s.toFixed(1)} s`;
const rate = (bytes: number, s: number) => `${(bytes / 1e6 / Math.max(s, 0.001)).toFixed(1)} MB/s`;

/** `relief backup [--to DIR] [--with-secret] [--plain]`. */
export async function backupCommand(
  config: Config,
  options: { to: string | undefined; withSecret: boolean; plain: boolean },
  io: Io,
): Promise<void> {
  const dir = options.to ?? config.backup.dir;
  if (!dir) throw new BackupError('say where the backup goes: --to DIR, or set BACKUP_DIR.');
  if (!config.databaseUrl && !existsSync(join(config.dataDir, SQLITE_FILE)))
    throw new BackupError(`there is no database in DATA_DIR ${config.dataDir} to back up.`);
  const database = openDatabase(config);
  try {
    const made = await makeBackup(config, database, {
      dir,
      withSecret: options.withSecret,
      plain: options.plain,
      progress: terminalProgress(io.terminal),
    });
    const { header } = made;
    io.out(
      `Backup written: ${made.file} (${megabytes(made.fileBytes)}, ${header.encryption ? 'encrypted' : 'NOT encrypted'}, ` +
        `${header.secret ? 'with' : 'without'} the secret; ${Object.keys(header.tables).length} tables, ` +
        `${count(rowsOf(header.tables))} rows; schema ${header.schema.latest}) in ${seconds(made.seconds)}, ${rate(made.fileBytes, made.seconds)}.`,
    );
  } finally {
    await database.close();
  }
}

/** `relief backup verify FILE`. */
export async function verifyCommand(config: Config, file: string, io: Io): Promise<void> {
  const checked = await verifyBackup(config, resolve(file), terminalProgress(io.terminal));
  const { header } = checked;
  io.out(
    `Backup verified in ${seconds(checked.seconds)}: ${file} (made ${header.createdAt}, ${header.engine}) restored into a temporary copy; ` +
      `${checked.tables} tables and ${count(checked.rows)} rows match its header; audit trail intact (${count(checked.auditEvents)} events); ` +
      `schema ${header.schema.latest}${checked.pending.length ? `, and this release's ${checked.pending.length} newer migration(s) apply to it` : ', current'}.`,
  );
}

/** `relief restore FILE --into DIR|DATABASE_URL`. */
export async function restoreCommand(config: Config, file: string, into: string, io: Io): Promise<void> {
  const restored = await restoreBackup(config, resolve(file), into, terminalProgress(io.terminal));
  const { header } = restored;
  const where =
    restored.engine === 'sqlite'
      ? `${restored.target}. Start it with DATA_DIR=${restored.target}`
      : `the schema ${restored.target} of the target database. Start Relief with DATABASE_URL set to it`;
  const secret = restored.secretFile
    ? ` The backup's secret is in ${restored.secretFile}.`
    : header.secret
      ? ''
      : ' It holds no secret: unless SECRET is set to the one in use when it was made, links sent before it stop working and staff sign in again.';
  io.out(
    `Restored ${file} (made ${header.createdAt}, schema ${header.schema.latest}; ${count(restored.rows)} rows, as its header says) in ${seconds(restored.seconds)} into ${where}.${secret}`,
  );
}

const rowsOf = (tables: Record<string, number>) => Object.values(tables).reduce((a, b) => a + b, 0);
