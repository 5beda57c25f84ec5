import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { claimDue, claimIsFresh, markFailed, markObsolete, markSent, renewClaim, type OutboxJob } from './outbox.ts';
import type { MailTransport, OutgoingMail } from './transport.ts';
import { classifyFailure } from './failure.ts';
import { mailStateChanged } from './banner.tsx';
import { countMailAttemptFailed, countMailSent } from '../ops/counters.ts';

/** Turns a job into a message, or null when the job no longer applies (e.g. a reminder for a cancelled visit). */
export type JobRenderer = (job: OutboxJob) => Promise<OutgoingMail | null>;

export interface WorkerDeps {
  database: Database;
  transport: MailTransport;
  render: JobRenderer;
  now: () => number;
  retryBaseMs?: number;
  /** Retry a message for this long from when it first fell due (MAIL_RETRY_WINDOW_HOURS); then it is failed. */
  retryWindowMs?: number;
  /** How long a claim holds a job (MAIL_LEASE_SECONDS); another instance takes it over only after that. */
  leaseMs?: number;
  log?: Pick<Logger, 'warn' | 'error' | 'info'>;
}

/** Jobs claimed at once: a crashed worker leaves at most these for another to take over once their lease ends. */
const BATCH = 25;

/** Delivers outbox jobs with retries and back-off; safe to run in several processes at once. */
export class OutboxWorker {
  #timer: NodeJS.Timeout | undefined;
  /** Runs in one process never overlap: each waits for the one before (other processes are kept apart by claims). */
  #chain: Promise<unknown> = Promise.resolve();
  #queued = false;
  #stopped = false;
  /** Sends that failed in this process since it started: a batch with a failure does not go straight on to the next. */
  #failures = 0;

  constructor(private readonly deps: WorkerDeps) {}

  /** Processes every due job once, after any run already under way; resolves to the number of jobs handled. */
  runOnce(limit = BATCH): Promise<number> {
    const run = this.#chain.then(() => this.#process(limit));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #process(limit: number): Promise<number> {
    const { database, transport, render, now, log } = this.deps;
    const { leaseMs } = this.deps;
    const jobs = await claimDue(database.db, now(), limit, leaseMs);
    for (const claimed of jobs) {
      // Jobs are claimed in a batch but sent one by one: check each is still ours before sending it (unless claimed
      // moments ago, when it cannot be anyone else's yet: see claimIsFresh).
      const at = now();
      const job = claimIsFresh(claimed, at, leaseMs) ? claimed : await renewClaim(database.db, claimed, at, leaseMs);
      if (!job) continue;
      try {
        const mail = await render(job);
        if (!mail) {
          await markObsolete(database.db, job);
          continue;
        }
        await transport.send(mail);
        await markSent(database.db, job, now());
        countMailSent(job.kind);
        // A message that had failed before leaves the banner's count now.
        if (job.failure_class !== null) mailStateChanged();
      } catch (err) {
        this.#failures += 1;
        countMailAttemptFailed(job.kind);
        const message = withoutAddresses(err instanceof Error ? err.message : String(err));
        const failure = classifyFailure(err);
        const outcome = await markFailed(database.db, job, message, failure, now(), {
          baseMs: this.deps.retryBaseMs,
          windowMs: this.deps.retryWindowMs,
        });
        const details = { job: job.id, kind: job.kind, attempts: job.attempts, cause: failure.class, err: message };
        mailStateChanged();
        if (outcome === 'failed') log?.error(details, 'mail not delivered; shown to staff until retried');
        else log?.warn(details, 'mail delivery failed; will retry');
      }
    }
    return jobs.length;
  }

  /**
   * Asks for a run soon; many nudges while one is waiting collapse into that one. A full batch delivered without a
   * failure is followed at once by the next, so a backlog (after an outage, or one left by a stopped instance) drains
   * at the pace of the mail server rather than one batch per poll; a failure waits for the next poll.
   */
  nudge(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#chain = this.#chain
      .then(async () => {
        this.#queued = false;
        const failuresBefore = this.#failures;
        const handled = await this.#process(BATCH);
        if (handled === BATCH && this.#failures === failuresBefore && !this.#stopped) this.nudge();
      })
      .catch((err) => this.deps.log?.error({ err }, 'outbox run failed'));
  }

  start(intervalMs = 2_000): void {
    this.#stopped = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = setInterval(() => this.nudge(), intervalMs);
    this.#timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }
}

/**
 * SMTP servers name the refused recipient in their reply ("550 5.1.1 <ana@…>: Recipient address rejected"); the
 * outbox and the log keep no personal data, so addresses in an error become "[address]".
 */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]');
}
