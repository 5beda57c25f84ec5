/**
 * Scheduled backups while the server runs (BACKUP_DIR, BACKUP_EVERY_HOURS, BACKUP_KEEP): each run makes a backup,
 * verifies it by restoring it into a temporary copy, and only then removes the oldest beyond BACKUP_KEEP. A run that
 * fails, or a backup that is missed (none succeeded for longer than the interval), shows in backupStatus(): on the
 * staff banner for administrators, and for a readiness check.
 */
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { BACKUP_NAME, BackupError, backupTime, makeBackup, verifyBackup } from './backup.ts';
import { megabytes } from './progress.ts';

export interface BackupStatus {
  /** off: no BACKUP_DIR. ok: the last backup is recent and verified. running: one is being made. */
  state: 'off' | 'ok' | 'running' | 'failed' | 'overdue';
  /** False when an administrator should act (a failed run, or a backup missed). */
  ready: boolean;
  lastSuccessAt: number | undefined;
  lastFile: string | undefined;
  /** The last failure's one-line reason, until a run succeeds. */
  lastError: string | undefined;
  nextAt: number | undefined;
  /** One sentence for people (the banner). */
  message: string;
}

/** Enough of a logger (Fastify's and pino's fit): never given anything but file names, sizes, times and reasons. */
export interface BackupLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ScheduleOptions {
  config: Config;
  database: Database;
  log: BackupLog;
  now?: () => number;
  /** Wait this long after start before a backup that is due (default one minute: let the server settle first). */
  firstDelayMs?: number;
}

const HOUR = 3_600_000;
const OFF: BackupStatus = {
  state: 'off',
  ready: true,
  lastSuccessAt: undefined,
  lastFile: undefined,
  lastError: undefined,
  nextAt: undefined,
  message: 'Scheduled backups are off (BACKUP_DIR is not set).',
};

/** The schedule running in this process (a server runs one). */
const running: { schedule?: BackupSchedule | undefined } = {};

/**
 * The state of scheduled backups in this process, for a readiness check (`ready`) and the staff banner. 'off' and
 * ready when no schedule runs.
 */
export function backupStatus(): BackupStatus {
  return running.schedule ? running.schedule.status() : OFF;
}

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const hours = (ms: number) => {
  const h = ms / HOUR;
  return h >= 1
    ? `${Math.floor(h)} hour${Math.floor(h) === 1 ? '' : 's'}`
    : `${Math.max(1, Math.round(ms / 60_000))} minutes`;
};

export class BackupSchedule {
  readonly #options: ScheduleOptions;
  readonly #now: () => number;
  readonly #dir: string;
  readonly #every: number;
  #startedAt = 0;
  #lastSuccessAt: number | undefined;
  #lastFile: string | undefined;
  #lastError: string | undefined;
  #nextAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ScheduleOptions) {
    if (!options.config.backup.dir) throw new Error('BackupSchedule needs BACKUP_DIR');
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#dir = options.config.backup.dir;
    this.#every = options.config.backup.everyMs;
  }

  /** Finds the newest backup already in BACKUP_DIR and plans the next run from it. */
  async start(): Promise<void> {
    running.schedule = this;
    this.#startedAt = this.#now();
    const newest = (await this.#backups()).at(-1);
    if (newest) {
      this.#lastSuccessAt = backupTime(newest);
      this.#lastFile = join(this.#dir, newest);
    }
    const due = (this.#lastSuccessAt ?? -Infinity) + this.#every;
    this.#plan(Math.max(due, this.#startedAt + (this.#options.firstDelayMs ?? 60_000)));
  }

  /** Stops the schedule; a run under way is waited for (it cleans up after itself). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    if (running.schedule === this) running.schedule = undefined;
  }

  /** Makes, verifies and prunes one backup now (the timer's work; tests call it directly). */
  runNow(): Promise<void> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  status(): BackupStatus {
    const now = this.#now();
    const base = {
      lastSuccessAt: this.#lastSuccessAt,
      lastFile: this.#lastFile,
      lastError: this.#lastError,
      nextAt: this.#nextAt,
    };
    // Missed: nothing has succeeded for the interval and a grace of half of it (at most an hour) since the last
    // success, or since the start when BACKUP_DIR holds none.
    const grace = Math.min(this.#every / 2, HOUR);
    const since = this.#lastSuccessAt ?? this.#startedAt;
    const overdue = now > since + this.#every + grace;
    if (this.#lastError)
      return {
        ...base,
        state: 'failed',
        ready: false,
        message: `The last scheduled backup failed: ${this.#lastError} ${
          this.#lastSuccessAt
            ? `The newest good backup is from ${when(this.#lastSuccessAt)}.`
            : 'There is no good backup yet.'
        }`,
      };
    if (overdue)
      return {
        ...base,
        state: 'overdue',
        ready: false,
        message: this.#lastSuccessAt
          ? `No backup has been made for ${hours(now - this.#lastSuccessAt)} (one is due every ${hours(this.#every)}); the newest is from ${when(this.#lastSuccessAt)}.`
          : `No backup has been made since the server started ${hours(now - this.#startedAt)} ago (one is due every ${hours(this.#every)}).`,
      };
    return {
      ...base,
      state: this.#running ? 'running' : 'ok',
      ready: true,
      message: this.#lastSuccessAt
        ? `The newest verified backup is from ${when(this.#lastSuccessAt)}.`
        : 'The first backup has not been made yet.',
    };
  }

  #plan(at: number): void {
    if (this.#stopped) return;
    this.#nextAt = at;
    if (this.#timer) clearTimeout(this.#timer);
    // A timer cannot wait longer than about 24.8 days; BACKUP_EVERY_HOURS stays well below.
    this.#timer = setTimeout(() => void this.runNow(), Math.max(0, at - this.#now()));
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const { config, database, log } = this.#options;
    const started = this.#now();
    let file: string | undefined;
    try {
      const made = await makeBackup(config, database, {
        dir: this.#dir,
        actor: 'system',
        now: this.#now,
        pagesPerStep: 1024,
      });
      file = made.file;
      const checked = await verifyBackup(config, made.file);
      this.#lastSuccessAt = Date.parse(made.header.createdAt);
      this.#lastFile = made.file;
      this.#lastError = undefined;
      const removed = await this.#prune();
      log.info(
        {
          file: made.file,
          bytes: made.fileBytes,
          tables: checked.tables,
          rows: checked.rows,
          auditEvents: checked.auditEvents,
          backupSeconds: Number(made.seconds.toFixed(2)),
          verifySeconds: Number(checked.seconds.toFixed(2)),
          removed,
        },
        `backup made and verified (${megabytes(made.fileBytes)})`,
      );
    } catch (err) {
      this.#lastError = err instanceof BackupError ? err.message : `unexpected error: ${firstLine(err)}.`;
      // A backup that did not verify is kept aside (never counted as good, never pruned as one).
      if (file) await rename(file, `${file}.failed`).catch(() => {});
      log.error({ file, reason: this.#lastError }, 'scheduled backup failed');
    } finally {
      const next = this.#lastError ? started + Math.min(this.#every, HOUR) : started + this.#every;
      this.#plan(Math.max(next, this.#now()));
    }
  }

  /** Backup files in BACKUP_DIR, oldest first. */
  async #backups(): Promise<string[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    return names.filter((n) => BACKUP_NAME.test(n)).sort();
  }

  /** Removes the oldest backups beyond BACKUP_KEEP; returns how many. */
  async #prune(): Promise<number> {
    const names = await this.#backups();
    const extra = names.slice(0, Math.max(0, names.length - this.#options.config.backup.keep));
    for (const name of extra) await unlink(join(this.#dir, name)).catch(() => {});
    return extra.length;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .slice(0, 300);
}

/** Starts scheduled backups when BACKUP_DIR is set (the runtime's one call); undefined otherwise. */
export async function startBackups(
  config: Config,
  database: Database,
  log: BackupLog,
): Promise<BackupSchedule | undefined> {
  if (!config.backup.dir) return undefined;
  const schedule = new BackupSchedule({ config, database, log });
  await schedule.start();
  return schedule;
}
