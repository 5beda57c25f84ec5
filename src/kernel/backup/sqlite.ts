/**
 * SQLite: an online snapshot through SQLite's backup API (never a file copy of a live WAL database), and a restore
 * into an empty folder.
 */
import BetterSqlite3 from 'better-sqlite3';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, fileChunks, readBackupBody, syncFolder, type OpenedBackup } from './format.ts';
import type { Phase, Progress } from './progress.ts';

export const SQLITE_FILE = 'relief.db';

export interface Snapshot {
  tables: Record<string, number>;
  schema: { version: number; latest: string };
}

/**
 * Copies the live database at `source` into `target` (a new file) as one consistent snapshot while others keep
 * writing. The source connection holds one read transaction for the whole copy: SQLite's backup then copies that
 * snapshot page by page and never restarts for writes committed meanwhile (WAL lets those writers go on). The copy
 * goes in steps, so a server doing it keeps answering between them.
 */
export async function snapshotSqlite(source: string, target: string, progress: Progress, pagesPerStep = 4096) {
  if (!existsSync(source))
    throw new BackupError(`there is no database at ${source} to back up (check DATA_DIR, or run relief migrate).`);
  // Read-write, though it only reads: a read-only connection cannot open a WAL database whose -shm file is gone.
  const db = new BetterSqlite3(source, { fileMustExist: true });
  let phase: Phase | undefined;
  try {
    db.pragma('busy_timeout = 5000');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.exec('begin');
    db.prepare('select count(*) from sqlite_master').get();
    await db.backup(target, {
      progress({ totalPages, remainingPages }) {
        phase ??= progress.phase('Copying the database', totalPages * pageSize, 'bytes');
        phase.update((totalPages - remainingPages) * pageSize);
        return pagesPerStep;
      },
    });
    db.exec('commit');
  } finally {
    phase?.end();
    db.close();
  }
  return describeSqlite(target, true);
}

/** Rows per table and the applied migrations of a SQLite file; `ownCopy` also makes it a one-file (rollback) database. */
export function describeSqlite(file: string, ownCopy = false): Snapshot {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    if (ownCopy) db.pragma('journal_mode = delete');
    const names = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as string[];
    if (!names.includes('relief_migrations'))
      throw new BackupError('the database has no Relief schema yet (run relief migrate or relief start first).');
    const tables: Record<string, number> = {};
    for (const name of names)
      tables[name] = db
        .prepare(`select count(*) from "${name.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number;
    const applied = db.prepare('select name from relief_migrations order by name').pluck().all() as string[];
    return { tables, schema: { version: applied.length, latest: applied.at(-1) ?? '' } };
  } finally {
    db.close();
  }
}

/**
 * A private folder (0700) for plaintext work files: in memory (/dev/shm) when it has room for `bytes` and a margin,
 * so the copy never reaches a disk and costs no disk write; otherwise in DATA_DIR, beside the live database.
 */
export async function scratchFolder(dataDir: string, bytes: number, prefix: string): Promise<string> {
  const margin = 1.25 * bytes + 64 * 1024 * 1024;
  try {
    const fs = await statfs(MEMORY_FOLDER);
    if (fs.bavail * fs.bsize > margin) return await mkdtemp(join(MEMORY_FOLDER, `relief-${prefix}`));
  } catch {
    // No /dev/shm here (or it is not writable): DATA_DIR it is.
  }
  await mkdir(dataDir, { recursive: true });
  return mkdtemp(join(dataDir, `.${prefix}`));
}

const MEMORY_FOLDER = '/dev/shm';

/** The SQLite snapshot's bytes, for the backup file. */
export const readSnapshot = (file: string) => fileChunks(file);

/** True when `dir` does not exist or is an empty folder. */
export async function isEmptyFolder(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTDIR') return false;
    throw new BackupError(`cannot read ${dir} (${code ?? 'error'}).`);
  }
}

/**
 * Restores a SQLite backup into `dir`, which must be new or empty: the database is written beside its final name
 * and renamed only once the whole body has authenticated. On any failure, nothing is left behind.
 */
export async function restoreSqlite(opened: OpenedBackup, dir: string, progress: Progress): Promise<Snapshot> {
  if (!(await isEmptyFolder(dir)))
    throw new BackupError(
      `${dir} is not empty: a restore goes only into a new or empty folder, never over existing data.`,
    );
  const created = !existsSync(dir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new BackupError(`cannot make the folder ${dir} (${(err as { code?: string }).code ?? 'error'}).`);
  }
  const partial = join(dir, `${SQLITE_FILE}.partial`);
  const phase = progress.phase('Restoring', opened.header.bytes, 'bytes');
  let done = false;
  try {
    const out = createWriteStream(partial, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 });
    const { secret } = await readBackupBody(opened, out, (n) => phase.update(n));
    phase.end();
    await rename(partial, join(dir, SQLITE_FILE));
    if (secret !== undefined) await writeFile(join(dir, 'secret'), secret + '\n', { mode: 0o600, flag: 'wx' });
    await syncFolder(dir);
    const restored = describeSqlite(join(dir, SQLITE_FILE));
    done = true;
    return restored;
  } finally {
    phase.end();
    if (!done) {
      if (created) await rm(dir, { recursive: true, force: true });
      else
        for (const name of [`${SQLITE_FILE}.partial`, SQLITE_FILE, 'secret'])
          await unlink(join(dir, name)).catch(() => {});
    }
  }
}
