/**
 * Concurrent bookings: `bookers` people booking at once, each through their own booking link and keep-alive
 * connection, each at times nobody else was given (free starts at least a visit apart per location, so no two
 * bookings can collide: a "just taken" answer here would be a bench bug, and counts as an error).
 *
 * Why over HTTP against the real server, with the client in a child process, rather than async loops calling
 * bookConsultation() in this process: the booking people wait for is POST /book/:token, which also checks the link,
 * writes the patient's audit event in the booking's transaction (the audit chain is one more point where concurrent
 * bookings queue) and nudges the outbox worker, which renders the confirmation email on the same event loop. On
 * SQLite the app has one connection, so concurrency shows as requests queueing for it (BEGIN IMMEDIATE admits one
 * writer; reads wait behind a writer's transaction); on PostgreSQL up to 10 pooled connections run bookings at once
 * and meet in the overlap trigger's per-resource advisory locks, the exclusion constraints and the audit chain's
 * lock. Async loops in one process would skip the link, the audit event and the mail, and share the CPU with the
 * server they measure. With `mail` false the worker is not nudged, so the same bookings run without the confirmation
 * emails being rendered alongside: the difference is what sending them costs the people booking.
 */
import type { Runtime } from '../src/runtime.ts';
import type { BookingContext } from '../src/scheduling/booking-service.ts';
import { runChild } from './child.ts';
import { latencyOf, type Latency } from './stats.ts';

const DAY = 24 * 3_600_000;

export interface ConcurrencyResult {
  bookers: number;
  latency: Latency;
  /** Bookings a second over the timed part, all bookers together. */
  perSec: number;
  seconds: number;
  errors: number;
  firstErrors: string[];
  /** Appointments the database holds for the bench's requests afterwards (should equal every booking sent). */
  booked: number;
  sent: number;
}

export async function measureConcurrentBooking(
  runtime: Runtime,
  base: string,
  targets: Array<{ ctx: BookingContext; start: number }>,
  requestIds: string[],
  bookers: number,
  perBooker: number,
  warmup: number,
  /** false: the outbox worker is not nudged, so confirmation emails are not rendered during the bookings (info). */
  mail = true,
): Promise<ConcurrencyResult> {
  const { database, tokens } = runtime;
  const needed = bookers * (warmup + perBooker);
  if (targets.length < needed || requestIds.length < needed)
    throw new Error(`concurrent booking needs ${needed} free starts, found ${targets.length}`);
  const furthest = Math.max(...targets.slice(0, needed).map((t) => t.start));
  // The demo clinic books 56 days ahead, where this much history leaves too few free times for every booker; the
  // horizon only bounds which times are offered and accepted, so open it far enough for this phase, then restore it.
  const clinic = await database.db
    .selectFrom('clinic')
    .select(['id', 'booking_horizon_days'])
    .executeTakeFirstOrThrow();
  const horizon = Math.ceil((furthest - Date.now()) / DAY) + 2;
  const plan = {
    base,
    warmup,
    bookers: Array.from({ length: bookers }, (_, b) =>
      Array.from({ length: warmup + perBooker }, (_, k) => {
        const i = b * (warmup + perBooker) + k;
        const { ctx, start } = targets[i]!;
        const token = tokens.sign({
          purpose: 'book',
          ref: requestIds[i]!,
          location: ctx.location.id,
          expiresAt: Date.now() + 14 * DAY,
        });
        return {
          path: `/book/${token}`,
          body: new URLSearchParams({ slot: String(start), location: ctx.location.slug }).toString(),
        };
      }),
    ),
  };
  await database.db
    .updateTable('clinic')
    .set({ booking_horizon_days: Math.max(horizon, clinic.booking_horizon_days) })
    .where('id', '=', clinic.id)
    .execute();
  let result: { samples: number[]; errors: number; firstErrors: string[]; seconds: number };
  const { deps } = runtime.app;
  const nudge = deps.onOutbox;
  if (!mail) delete deps.onOutbox;
  try {
    result = await runChild('./book-load.ts', plan);
  } finally {
    deps.onOutbox = nudge;
    await database.db
      .updateTable('clinic')
      .set({ booking_horizon_days: clinic.booking_horizon_days })
      .where('id', '=', clinic.id)
      .execute();
  }
  // Let the outbox worker finish the confirmations the bookings asked for, so the next phase starts quiet (without
  // mail they stay queued: nothing nudges the worker again, and sending them here would only cost time).
  if (mail) while ((await runtime.worker.runOnce(100)) > 0);
  const booked = await database.db
    .selectFrom('appointments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('request_id', 'in', requestIds.slice(0, needed))
    .where('status', '=', 'booked')
    .executeTakeFirstOrThrow();
  return {
    bookers,
    latency: latencyOf(result.samples),
    perSec: result.samples.length / result.seconds,
    seconds: result.seconds,
    errors: result.errors,
    firstErrors: result.firstErrors,
    booked: Number(booked.n),
    sent: needed,
  };
}
