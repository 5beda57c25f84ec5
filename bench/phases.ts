/** Database-side measurements: availability reads and booking throughput, each with its baseline. */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/database.ts';
import type { DB } from '../src/db/schema.ts';
import { getClinic, findLocation } from '../src/clinic/repository.ts';
import { findAppointmentType } from '../src/booking/availability.ts';
import { availability, bookConsultation, type BookingContext } from '../src/booking/service.ts';
import { percentile, prng, sample, shuffle, collectGarbage } from './stats.ts';

const DAY = 24 * 3_600_000;

export async function bookingContext(database: Database, slug: string, now: number): Promise<BookingContext> {
  const [clinic, location, type] = await Promise.all([getClinic(database.db), findLocation(database.db, slug), findAppointmentType(database.db, 'consultation')]);
  if (!clinic || !location || !type) throw new Error(`demo clinic incomplete (location ${slug})`);
  return { database, clinic, location, type, now };
}

export interface Latency { p50: number; p99: number; runs: number }
const latency = (s: number[]): Latency => ({ p50: percentile(s, 50), p99: percentile(s, 99), runs: s.length });

export interface AvailabilityResult { app: Latency; bare: Latency; slots: number; rows: number }

/** availability() for 8 weeks vs the bare read of the same busy rows (the two queries loadAvailability issues). */
export async function measureAvailability(ctx: BookingContext, runs: number): Promise<AvailabilityResult> {
  const db = ctx.database.db;
  const from = ctx.now, to = ctx.now + 56 * DAY;
  const providerIds = [...new Set((await db.selectFrom('provider_hours').select('provider_id').where('location_id', '=', ctx.location.id).execute()).map((r) => r.provider_id))];
  const roomIds = (await db.selectFrom('rooms').select('id').where('location_id', '=', ctx.location.id).where('kind', '=', 'room').where('active', '=', 1).execute()).map((r) => r.id);
  const busy = (column: 'provider_id' | 'room_id', ids: string[]) =>
    db.selectFrom('appointments').select(['provider_id', 'room_id', 'busy_from', 'busy_to'])
      .where(column, 'in', ids).where('status', '=', 'booked').where('busy_to', '>', from).where('busy_from', '<', to + DAY).execute();
  const bareRead = () => Promise.all([busy('provider_id', providerIds), busy('room_id', roomIds)]);

  const [p, r] = await bareRead();
  const slots = (await availability(ctx, from, to)).length;
  collectGarbage();
  // Interleaved in blocks so that drift (page cache, JIT, autovacuum) hits both sides alike.
  const appSamples: number[] = [], bareSamples: number[] = [];
  await sample(0, 20, () => availability(ctx, from, to));
  await sample(0, 20, bareRead);
  for (let block = 0; block < 4; block++) {
    appSamples.push(...(await sample(runs / 4, 0, () => availability(ctx, from, to))));
    bareSamples.push(...(await sample(runs / 4, 0, bareRead)));
  }
  return { app: latency(appSamples), bare: latency(bareSamples), slots, rows: p.length + r.length };
}

export interface Throughput { perSec: number; count: number; seconds: number }

/** Runs `op(i)` back to back until `seconds` pass or `limit` ops are done (after `warmup` untimed ops). */
async function rate(seconds: number, limit: number, warmup: number, op: (i: number) => Promise<void>): Promise<Throughput> {
  let i = 0;
  for (; i < warmup && i < limit; i++) await op(i);
  const t0 = performance.now(), deadline = t0 + seconds * 1000;
  let n = 0;
  for (; i < limit && performance.now() < deadline; i++, n++) await op(i);
  const elapsed = (performance.now() - t0) / 1000;
  return { perSec: n / elapsed, count: n, seconds: elapsed };
}

/** Distinct free consultation starts, at least an hour apart per location, so no booking can collide with another. */
export async function freeStarts(contexts: BookingContext[], from: number, to: number): Promise<Array<{ ctx: BookingContext; start: number }>> {
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

export interface BookingResult { booking: Throughput; raw: Throughput; failed: number }

/** Sequential bookConsultation() vs sequential one-row insert transactions on the same engine and durability. */
export async function measureBooking(
  database: Database,
  targets: Array<{ ctx: BookingContext; start: number }>,
  requestIds: string[],
  seconds: number,
): Promise<BookingResult> {
  let failed = 0;
  collectGarbage();
  const booking = await rate(seconds, Math.min(targets.length, requestIds.length), 20, async (i) => {
    const { ctx, start } = targets[i]!;
    const outcome = await bookConsultation(ctx, requestIds[i]!, start);
    if (!outcome.ok) failed++;
  });

  await database.db.schema
    .createTable('bench_scratch')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  type Scratch = DB & { bench_scratch: { id: string; n: number; created_at: number } };
  collectGarbage();
  const raw = await rate(seconds, Number.MAX_SAFE_INTEGER, 50, async (i) => {
    await database.transact(async (trx) => {
      await (trx as unknown as Kysely<Scratch>).insertInto('bench_scratch').values({ id: randomUUID(), n: i, created_at: Date.now() }).execute();
    });
  });
  await sql`drop table bench_scratch`.execute(database.db);
  return { booking, raw, failed };
}
