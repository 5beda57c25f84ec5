/** Database-side measurements: availability reads and booking throughput, each with its baseline. */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/kernel/db/database.ts';
import type { DB } from '../src/kernel/db/schema.ts';
import { getClinic, findLocation } from '../src/kernel/clinic.ts';
import { findAppointmentType } from '../src/scheduling/availability.ts';
import { availability, type BookingContext } from '../src/scheduling/booking-service.ts';
import { bookRequest } from '../src/requests/service.ts';
import { endWait } from '../src/waitlist/service.ts';
import { insertAppointment } from '../src/scheduling/repository.ts';
import { enqueue } from '../src/kernel/outbox/outbox.ts';
import { timeOrderedId } from '../src/kernel/ids.ts';
import { latencyOf, prng, sample, shuffle, collectGarbage, type Latency } from './stats.ts';

const DAY = 24 * 3_600_000;

export async function bookingContext(database: Database, slug: string, now: number): Promise<BookingContext> {
  const [clinic, location, type] = await Promise.all([
    getClinic(database.db),
    findLocation(database.db, slug),
    findAppointmentType(database.db, 'consultation'),
  ]);
  if (!clinic || !location || !type) throw new Error(`demo clinic incomplete (location ${slug})`);
  return { database, clinic, location, type, now };
}

export interface AvailabilityResult {
  app: Latency;
  bare: Latency;
  slots: number;
  rows: number;
}

/**
 * availability() for 8 weeks vs the bare read of the same busy rows: a plain select per resource kind whose
 * range is bounded on both sides of the indexed busy_to (busy_to < window end + longest appointment), so
 * the database reads only the window.
 */
export async function measureAvailability(ctx: BookingContext, runs: number): Promise<AvailabilityResult> {
  const db = ctx.database.db;
  const from = ctx.now,
    to = ctx.now + 56 * DAY;
  const providerIds = [
    ...new Set(
      (
        await db
          .selectFrom('clinician_hours')
          .innerJoin('clinicians', 'clinicians.id', 'clinician_hours.clinician_id')
          .select('clinician_id')
          .where('location_id', '=', ctx.location.id)
          .where('clinicians.kind', '=', 'provider')
          .execute()
      ).map((r) => r.clinician_id),
    ),
  ];
  const roomIds = (
    await db
      .selectFrom('rooms')
      .select('id')
      .where('location_id', '=', ctx.location.id)
      .where('kind', '=', 'room')
      .where('active', '=', 1)
      .execute()
  ).map((r) => r.id);
  const longest = await db
    .selectFrom('appointments')
    .select((eb) => eb.fn.max(eb('busy_to', '-', eb.ref('busy_from'))).as('span'))
    .executeTakeFirstOrThrow();
  const upper = to + DAY + Number(longest.span ?? 0);
  const busy = (column: 'provider_id' | 'room_id', ids: string[]) =>
    db
      .selectFrom('appointments')
      .select(['provider_id', 'room_id', 'busy_from', 'busy_to'])
      .where(column, 'in', ids)
      .where('status', '=', 'booked')
      .where('busy_to', '>', from)
      .where('busy_from', '<', to + DAY)
      .where('busy_to', '<=', upper)
      .execute();
  const bareRead = () => Promise.all([busy('provider_id', providerIds), busy('room_id', roomIds)]);
  const run = () => availability(ctx, from, to);

  const rows = (await bareRead()).flat().length;
  const slots = (await run()).length;
  collectGarbage();
  // Interleaved in blocks so that drift (page cache, JIT, autovacuum) hits all sides alike.
  const app: number[] = [],
    bare: number[] = [];
  for (const fn of [run, bareRead]) await sample(0, 20, fn);
  for (let block = 0; block < 4; block++) {
    app.push(...(await sample(runs / 4, 0, run)));
    bare.push(...(await sample(runs / 4, 0, bareRead)));
  }
  return { app: latencyOf(app), bare: latencyOf(bare), slots, rows };
}

export interface Throughput {
  perSec: number;
  count: number;
  seconds: number;
}

/** A sequential operation timed in blocks: `run(seconds)` does ops back to back until the time is up or `limit` ops are done. */
function timedLoop(limit: number, op: (i: number) => Promise<void>) {
  let i = 0;
  const total: Throughput = { perSec: 0, count: 0, seconds: 0 };
  return {
    total,
    async warm(n: number) {
      for (let k = 0; k < n && i < limit; k++) await op(i++);
    },
    async run(seconds: number) {
      const t0 = performance.now(),
        deadline = t0 + seconds * 1000;
      let n = 0;
      for (; i < limit && performance.now() < deadline; n++) await op(i++);
      total.count += n;
      total.seconds += (performance.now() - t0) / 1000;
      total.perSec = total.count / total.seconds;
    },
  };
}

/** Distinct free consultation starts, at least an hour apart per location, so no booking can collide with another. */
export async function freeStarts(
  contexts: BookingContext[],
  from: number,
  to: number,
): Promise<Array<{ ctx: BookingContext; start: number }>> {
  const out: Array<{ ctx: BookingContext; start: number }> = [];
  for (const ctx of contexts) {
    const spacing = (ctx.type.buffer_before_min + ctx.type.duration_min + ctx.type.buffer_after_min) * 60_000;
    let last = -Infinity;
    for (const slot of await availability(ctx, from, to)) {
      if (slot.start - last < spacing) continue;
      out.push({ ctx, start: slot.start });
      last = slot.start;
    }
  }
  return shuffle(out, prng(7));
}

export interface BookingResult {
  booking: Throughput;
  raw: Throughput;
  sameRows: Throughput;
  oneAppointment: Throughput;
  failed: number;
}

/**
 * Sequential bookRequest() (as online booking calls it) vs sequential one-row insert transactions (random UUID key, like an appointment)
 * on the same engine and durability settings, alternated in four blocks each so that drift in fsync latency
 * hits both alike.
 */
export async function measureBooking(
  database: Database,
  targets: Array<{ ctx: BookingContext; start: number }>,
  requestIds: string[],
  seconds: number,
): Promise<BookingResult> {
  await database.db.schema
    .createTable('bench_scratch')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  type Scratch = DB & { bench_scratch: { id: string; n: number; created_at: number } };
  let failed = 0;
  const booking = timedLoop(Math.min(targets.length, requestIds.length), async (i) => {
    const { ctx, start } = targets[i]!;
    const outcome = await bookRequest(ctx, requestIds[i]!, start, {
      onBooked: (trx) => endWait(trx, requestIds[i]!, ctx.now),
    });
    if (!outcome.ok) failed++;
  });
  const raw = timedLoop(Number.MAX_SAFE_INTEGER, async (i) => {
    await database.transact(async (trx) => {
      await (trx as unknown as Kysely<Scratch>)
        .insertInto('bench_scratch')
        .values({ id: randomUUID(), n: i, created_at: Date.now() })
        .execute();
    });
  });
  // For context (no target): the rows one booking writes, inserted plainly in one transaction with no slot check or
  // patient matching: a new patient, an appointment far in the future (which the database checks for overlap),
  // three outbox jobs and the request's status. Shows how much of a booking's cost is the durable write of its rows.
  // And the single row at the heart of it: one appointment (its table's indexes and overlap checks) alone.
  const { ctx: first } = targets[0]!;
  const far = Date.parse('2200-01-05T15:00:00.000Z');
  const farAppointment = (start: number) => ({
    id: timeOrderedId(),
    location_id: first.location.id,
    type_id: first.type.id,
    request_id: null,
    provider_id: 'prov-okafor',
    nurse_id: null,
    nurse_lane: null,
    room_id: 'room-chi-1',
    starts_at: start,
    ends_at: start + 45 * 60_000,
    busy_from: start,
    busy_to: start + 60 * 60_000,
    status: 'booked' as const,
    created_at: Date.now(),
    updated_at: Date.now(),
  });
  const sameRows = timedLoop(Number.MAX_SAFE_INTEGER, async (i) => {
    const start = far + i * 2 * 3_600_000;
    await database.transact(async (trx) => {
      await trx
        .insertInto('patients')
        .values({
          id: randomUUID(),
          first_name: 'Ana',
          last_name: 'Moreno',
          email: `same-rows-${i}@example.com`,
          phone: '+13125550147',
          contact_method: 'email',
          location_id: first.location.id,
          created_at: Date.now(),
          updated_at: Date.now(),
        })
        .execute();
      await insertAppointment(trx, farAppointment(start));
      await enqueue(
        trx,
        [0, 1, 2].map((k) => ({
          kind: 'appointment_reminder' as const,
          refId: randomUUID(),
          runAt: start - k * 3_600_000,
          dedupeKey: `bench:${i}:${k}`,
        })),
        Date.now(),
      );
      await trx
        .updateTable('consultation_requests')
        .set({ status: 'new' })
        .where('id', '=', requestIds[requestIds.length - 1]!)
        .execute();
    });
  });
  const farther = Date.parse('2300-01-05T15:00:00.000Z');
  const oneAppointment = timedLoop(Number.MAX_SAFE_INTEGER, async (i) => {
    await database.transact((trx) => insertAppointment(trx, farAppointment(farther + i * 2 * 3_600_000)));
  });
  await booking.warm(20);
  await raw.warm(50);
  await sameRows.warm(20);
  await oneAppointment.warm(20);
  collectGarbage();
  for (let block = 0; block < 4; block++) {
    await booking.run(seconds / 4);
    await raw.run(seconds / 4);
    await sameRows.run(seconds / 8);
    await oneAppointment.run(seconds / 8);
  }
  await sql`drop table bench_scratch`.execute(database.db);
  return {
    booking: booking.total,
    raw: raw.total,
    sameRows: sameRows.total,
    oneAppointment: oneAppointment.total,
    failed,
  };
}
