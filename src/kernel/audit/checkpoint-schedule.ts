import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, type AuditSettings } from '../config.ts';
import type { Database } from '../db/database.ts';
import { CHAIN_KEYED } from './chain.ts';
import { appendCheckpoint, checkpointLine, lastCheckpoint } from './checkpoints.ts';

/**
 * Writes a signed checkpoint of the audit chain's head while the server runs: once AUDIT_CHECKPOINT_EVERY events
 * have been appended since the last one, at least every AUDIT_CHECKPOINT_MINUTES while events keep coming, and once
 * at a clean shutdown. It polls the newest seq (one indexed read a second) from a timer, so the request path never
 * waits for the file or its fsync, and a burst of events costs one checkpoint, not one each.
 */

/** Enough of a logger (Fastify's and pino's fit): given seqs, times and file names only. */
export interface CheckpointLog {
  error(details: object, message: string): void;
}

export interface CheckpointOptions {
  database: Database;
  settings: AuditSettings;
  log: CheckpointLog;
  now: () => number;
  /** How often the newest seq is looked at (default a second). */
  pollMs?: number;
}

const POLL_MS = 1000;

/** Refuses a start whose checkpoint file cannot be written, in one line naming the setting (as for BACKUP_DIR). */
export async function checkpointFileWritable(file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await (await open(file, 'a', 0o600)).close();
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new ConfigError(`Invalid configuration: AUDIT_CHECKPOINT_FILE ${file} cannot be written (${code})`);
  }
}

export class AuditCheckpoints {
  readonly #options: CheckpointOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastSeq = 0;
  #lastAt = 0;
  #keyedFrom: number | undefined;
  #endsMidLine = false;
  #behind = 0;

  constructor(options: CheckpointOptions) {
    this.#options = options;
  }

  /** Picks up from the file's newest checkpoint, then starts the timer. */
  async start(): Promise<void> {
    const { settings, now, pollMs = POLL_MS } = this.#options;
    const { last, endsMidLine } = await lastCheckpoint(settings.checkpointFile, settings.key);
    this.#endsMidLine = endsMidLine;
    this.#lastSeq = last?.seq ?? 0;
    this.#lastAt = last ? Date.parse(last.at) : now();
    // The boundary the checkpoints have recorded so far stays recorded, whatever the database says later.
    this.#keyedFrom = last?.keyedFrom;
    this.#timer = setInterval(() => void this.checkpoint(false), pollMs);
    this.#timer.unref();
  }

  /**
   * Writes a checkpoint when one is due (or, `force`d, whenever the head moved since the last one); calls made
   * while one is being written wait for it instead of writing another.
   */
  checkpoint(force = true): Promise<void> {
    this.#running ??= this.#write(force).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops the timer and writes a last checkpoint of everything appended so far. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.checkpoint(true);
  }

  async #write(force: boolean): Promise<void> {
    const { database, settings, log, now } = this.#options;
    try {
      const head = await database.db
        .selectFrom('audit_events')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const seq = Number(head?.seq ?? 0);
      if (!head || seq <= this.#lastSeq) {
        if (seq < this.#lastSeq && this.#behind !== seq) {
          this.#behind = seq;
          log.error(
            { seq, checkpoint: this.#lastSeq, file: settings.checkpointFile },
            'The audit trail ends before its newest checkpoint: events were removed. Run "relief audit verify".',
          );
        }
        return;
      }
      const due =
        force || seq - this.#lastSeq >= settings.checkpointEvery || now() - this.#lastAt >= settings.checkpointEveryMs;
      if (!due) return;
      this.#keyedFrom ??= await this.#boundary();
      const at = now();
      const line = checkpointLine(settings.key, { seq, head: head.hash, keyedFrom: this.#keyedFrom ?? 0, at });
      await appendCheckpoint(settings.checkpointFile, this.#endsMidLine ? `\n${line}` : line);
      this.#endsMidLine = false;
      this.#lastSeq = seq;
      this.#lastAt = at;
    } catch (err) {
      log.error(
        { file: settings.checkpointFile, code: (err as { code?: string }).code },
        `Could not write an audit checkpoint: ${(err as Error).message}`,
      );
    }
  }

  /** The seq of the chain's keyed boundary: read once (no index on action), only before the first checkpoint. */
  async #boundary(): Promise<number | undefined> {
    const row = await this.#options.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', CHAIN_KEYED)
      .orderBy('seq', 'asc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  }
}
