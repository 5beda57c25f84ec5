import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { claimDue, markFailed, markObsolete, markSent, type OutboxJob } from './outbox.ts';
import type { MailTransport, OutgoingMail } from './transport.ts';

/** Turns a job into a message, or null when the job no longer applies (e.g. a reminder for a cancelled visit). */
export type JobRenderer = (job: OutboxJob) => Promise<OutgoingMail | null>;

export interface WorkerDeps {
  database: Database;
  transport: MailTransport;
  render: JobRenderer;
  now: () => number;
  log?: Pick<Logger, 'warn' | 'error' | 'info'>;
}

/** Delivers outbox jobs with retries and back-off; safe to run in several processes at once. */
export class OutboxWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #again = false;

  constructor(private readonly deps: WorkerDeps) {}

  /** Processes every due job once; resolves to the number of jobs handled. */
  async runOnce(limit = 25): Promise<number> {
    const { database, transport, render, now, log } = this.deps;
    const jobs = await claimDue(database.db, now(), limit);
    for (const job of jobs) {
      try {
        const mail = await render(job);
        if (!mail) {
          await markObsolete(database.db, job.id);
          continue;
        }
        await transport.send(mail);
        await markSent(database.db, job.id, now());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log?.warn({ job: job.id, kind: job.kind, attempts: job.attempts, err: message }, 'mail delivery failed; will retry');
        await markFailed(database.db, job, message, now());
      }
    }
    return jobs.length;
  }

  /** Runs now, without overlapping a run already under way. */
  nudge(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.runOnce()
      .catch((err) => {
        this.deps.log?.error({ err }, 'outbox run failed');
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.nudge();
        }
      });
  }

  start(intervalMs = 2_000): void {
    this.stop();
    this.#timer = setInterval(() => this.nudge(), intervalMs);
    this.#timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
