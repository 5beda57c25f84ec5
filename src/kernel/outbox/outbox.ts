import { timeOrderedId } from '../ids.ts';
import type { Kysely, Selectable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { DB, OutboxTable } from '../db/schema.ts';
import type { DeliveryFailure } from './failure.ts';

export type OutboxJob = Selectable<OutboxTable>;

/**
 * The kinds of job. The kernel names none: each feature declares the kinds it sends beside their templates, by
 * declaration merging (`declare module '../kernel/outbox/outbox.ts' { interface JobKinds { booking_link: true } }`),
 * so a misspelt kind still fails to compile, and runtime.ts fails to compile while a declared kind has no template.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the features' declarations
export interface JobKinds {}

export type JobKind = keyof JobKinds;

export interface NewJob {
  kind: JobKind;
  refId: string;
  runAt: number;
  /** A job with the same key is never queued twice. */
  dedupeKey?: string;
  /** The location whose patient the message is for, so its front desk sees it if it cannot be delivered. */
  locationId?: string | null;
}

/**
 * Queues jobs inside the caller's transaction (one statement for all of them): they exist exactly when the work
 * they belong to was committed.
 */
export async function enqueue(trx: Kysely<DB>, jobs: NewJob | NewJob[], now: number): Promise<void> {
  const list = Array.isArray(jobs) ? jobs : [jobs];
  if (list.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      list.map((job) => ({
        id: timeOrderedId(),
        kind: job.kind,
        ref_id: job.refId,
        dedupe_key: job.dedupeKey ?? null,
        status: 'pending' as const,
        run_at: job.runAt,
        locked_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
        first_due_at: job.runAt,
        location_id: job.locationId ?? null,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** Withdraws queued jobs of some kinds for a record (e.g. reminders of a cancelled visit). */
export async function cancelPending(trx: Kysely<DB>, refId: string, kinds: JobKind[]): Promise<void> {
  await trx
    .updateTable('outbox')
    .set({ status: 'cancelled' })
    .where('ref_id', '=', refId)
    .where('kind', 'in', kinds)
    .where('status', '=', 'pending')
    .execute();
}

/** How long a message is retried from when it first fell due, unless MAIL_RETRY_WINDOW_HOURS says otherwise. */
export const RETRY_WINDOW_MS = 72 * 3_600_000;
/** How long a claim holds a job unless MAIL_LEASE_SECONDS says otherwise. */
export const LEASE_MS = 2 * 60_000;

/** Exponential back-off: base, 2×base, 4×base ... capped at 1 h (base 30 s by default). */
export function backoffMs(attempts: number, baseMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Claims due jobs one by one with a conditional UPDATE, so two workers (or a worker and a restarted one)
 * never send the same job at once. A job left in 'sending' by a crash is taken again when its lease ends.
 */
export async function claimDue(db: Kysely<DB>, now: number, limit: number, leaseMs = LEASE_MS): Promise<OutboxJob[]> {
  const candidates = await db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]),
      ]),
    )
    .orderBy('run_at')
    .limit(limit)
    .execute();
  const claimed: OutboxJob[] = [];
  for (const { id } of candidates) {
    const result = await db
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', locked_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) continue;
    const job = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (job) claimed.push(job);
  }
  return claimed;
}

/**
 * A claim this young needs no renewal before its send: its lease has nearly all of its length still to run (11/12; 10 s
 * of the default 2 minutes have passed at most), more than a send's time-outs allow (see transport.ts), and no other
 * worker takes a job before its lease runs out. (Renewing it anyway is one more durable write per email, which on
 * SQLite is an fsync on the server's one thread, between people's bookings.)
 */
export function claimIsFresh(job: OutboxJob, now: number, leaseMs = LEASE_MS): boolean {
  return job.locked_until !== null && job.locked_until - now >= leaseMs - leaseMs / 12;
}

/**
 * A claimed job is this worker's only while its lease is the one this worker set: another worker takes a job whose
 * lease ran out (a slow send, a stalled process). Renewing just before sending checks that and starts a full lease
 * for the send; the job as renewed, or undefined when another worker holds it now (it must not be sent here).
 */
export async function renewClaim(
  db: Kysely<DB>,
  job: OutboxJob,
  now: number,
  leaseMs = LEASE_MS,
): Promise<OutboxJob | undefined> {
  const lease = now + leaseMs;
  const result = await db
    .updateTable('outbox')
    .set({ locked_until: lease })
    .where('id', '=', job.id)
    .$call(heldBy(job))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? { ...job, locked_until: lease } : undefined;
}

/** Only the current holder's result counts: a stale worker's late "sent" or "failed" must not overwrite another's. */
const heldBy =
  (job: OutboxJob) =>
  <QB extends UpdateQueryBuilder<DB, 'outbox', 'outbox', UpdateResult>>(qb: QB): QB =>
    qb.where('status', '=', 'sending').where('locked_until', '=', job.locked_until!) as QB;

export async function markSent(db: Kysely<DB>, job: OutboxJob, now: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now, locked_until: null, last_error: null })
    .where('id', '=', job.id)
    .$call(heldBy(job))
    .execute();
}

export async function markObsolete(db: Kysely<DB>, job: OutboxJob): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'cancelled', locked_until: null })
    .where('id', '=', job.id)
    .$call(heldBy(job))
    .execute();
}

export interface RetryPolicy {
  /** First retry delay; it doubles on each attempt, up to an hour. */
  baseMs?: number | undefined;
  /** Retried until this long after the message first fell due; then it is failed, in view, until a person acts. */
  windowMs?: number | undefined;
}

/**
 * Records a failed attempt: back to pending for a later try, or failed for good when the recipient was refused
 * permanently or the retry window has passed. Never silently: a failed message shows on the staff banner and the mail
 * page until it is retried or resolved.
 */
export async function markFailed(
  db: Kysely<DB>,
  job: OutboxJob,
  error: string,
  failure: DeliveryFailure,
  now: number,
  policy: RetryPolicy = {},
): Promise<'retrying' | 'failed'> {
  const windowEnds = (job.first_due_at ?? job.run_at) + (policy.windowMs ?? RETRY_WINDOW_MS);
  const next = now + backoffMs(job.attempts, policy.baseMs);
  const failed = failure.permanent || now >= windowEnds;
  await db
    .updateTable('outbox')
    .set({
      status: failed ? 'dead' : 'pending',
      // The last try of a window is at its end, not an hour past it.
      run_at: failed ? job.run_at : Math.max(now, Math.min(next, windowEnds)),
      locked_until: null,
      last_error: error.slice(0, 500),
      failure_class: failure.class,
      failed_at: failed ? now : null,
    })
    .where('id', '=', job.id)
    .$call(heldBy(job))
    .execute();
  return failed ? 'failed' : 'retrying';
}

/** The outbox at a glance, for readiness and metrics: counts and an age only, never a recipient or a reference. */
export interface OutboxStats {
  /** Due now (or claimed and being sent): what the worker still has to deliver. */
  due: number;
  /** Failed at least once and waiting for their next try. */
  retrying: number;
  /** Seconds since the oldest due message became due (0 when none is due). */
  oldestDueSeconds: number;
  /** Given up on: these need a person. */
  failed: number;
}

export async function outboxStats(db: Kysely<DB>, now: number): Promise<OutboxStats> {
  // Each count is a range of the (status, run_at) index, so a scrape stays cheap however many sent messages there are.
  const [due, retrying, failed] = await Promise.all([
    db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('run_at').as('oldest')])
      .where((eb) =>
        eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]), eb('status', '=', 'sending')]),
      )
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('attempts', '>', 0)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'dead')
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const oldest = due.oldest === null ? null : Number(due.oldest);
  return {
    due: Number(due.n),
    retrying: Number(retrying.n),
    oldestDueSeconds: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
    failed: Number(failed.n),
  };
}

/**
 * The newest job of a kind for a record that is still on its way or went out, if any: lets a feature refuse to send
 * the same message again moments later (a failed or withdrawn one does not count).
 */
export async function latestLiveJob(
  db: Kysely<DB>,
  kind: JobKind,
  refId: string,
): Promise<{ status: 'pending' | 'sending' | 'sent'; created_at: number; sent_at: number | null } | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select(['status', 'created_at', 'sent_at'])
    .where('kind', '=', kind)
    .where('ref_id', '=', refId)
    .where('status', 'in', ['pending', 'sending', 'sent'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    status: row.status as 'pending' | 'sending' | 'sent',
    created_at: Number(row.created_at),
    sent_at: row.sent_at === null ? null : Number(row.sent_at),
  };
}
