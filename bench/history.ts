/**
 * History: do availability and the staff calendar slow down as the years of appointments pile up? A fresh database
 * gets `small` appointments in the days [-14, 70) around now (the upcoming busy-ness both measurements share), and
 * availability (8 weeks at Chicago, the booking service) and the week calendar (next week at Chicago, GET
 * /staff/calendar as an admin) are timed; then a child process adds `large - small` older appointments, whole days
 * backwards from two weeks ago, to the same database while the runtime keeps it open, and both are timed again.
 * Only the past grows: anything slower at the large size reads rows it does not show.
 */
import { DateTime } from 'luxon';
import { startBenchRuntime } from './setup.ts';
import { runChild } from './child.ts';
import type { SeedArgument, SeedResult } from './seed-child.ts';
import { bookingContext } from './phases.ts';
import { adminCookie } from './calendar.ts';
import { availability } from '../src/scheduling/booking-service.ts';
import { collectGarbage, latencyOf, sample, type Latency } from './stats.ts';

const DAY = 24 * 3_600_000;
const WINDOW = { fromDay: -14, toDay: 70 };

export interface HistorySize {
  appointments: number;
  availability: Latency;
  week: Latency;
  weekShown: number;
}
export interface HistoryResult {
  small: HistorySize;
  large: HistorySize;
  monday: string;
  seedSeconds: number;
  growSeconds: number;
  oldest: number;
}

export async function measureHistory(opts: {
  now: number;
  small: number;
  large: number;
  availabilityRuns: number;
  weekRuns: number;
  log: (line: string) => void;
}): Promise<HistoryResult> {
  const { now } = opts;
  let t = performance.now();
  let dataDir = '',
    schema: string | undefined;
  const bench = await startBenchRuntime(async (config) => {
    dataDir = config.dataDir;
    schema = config.databaseSchema;
    const arg: SeedArgument = { dataDir, schema, now, history: { kind: 'window', count: opts.small, ...WINDOW } };
    await runChild<SeedResult>('./seed-child.ts', arg);
  });
  try {
    const seedSeconds = (performance.now() - t) / 1000;
    const { runtime } = bench;
    const { app, database } = runtime;
    const ctx = await bookingContext(database, 'chicago', now);
    const cookie = await adminCookie(app, database);
    const monday = DateTime.fromMillis(now, { zone: ctx.location.time_zone })
      .startOf('week')
      .plus({ weeks: 1 })
      .toISODate()!;
    const weekUrl = `/staff/calendar?location=chicago&view=week&date=${monday}`;
    const render = async () => {
      const res = await app.inject({ method: 'GET', url: weekUrl, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`GET ${weekUrl} answered ${res.statusCode}`);
      return res.body;
    };
    const avail = () => availability(ctx, now, now + 56 * DAY);
    const count = async () =>
      Number(
        (
          await database.db
            .selectFrom('appointments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const measure = async (): Promise<HistorySize> => {
      const weekShown = (await render()).split('class="appt appt-type-').length - 1;
      collectGarbage();
      await sample(0, 10, avail);
      await sample(0, 5, render);
      // Interleaved in blocks so that drift hits both alike.
      const a: number[] = [],
        w: number[] = [];
      for (let block = 0; block < 4; block++) {
        a.push(...(await sample(opts.availabilityRuns / 4, 0, avail)));
        w.push(...(await sample(opts.weekRuns / 4, 0, render)));
      }
      return { appointments: await count(), availability: latencyOf(a), week: latencyOf(w), weekShown };
    };

    const small = await measure();
    opts.log(`history: growing to ${opts.large} appointments (older history, same upcoming weeks)`);
    t = performance.now();
    const grown = await runChild<SeedResult>('./seed-child.ts', {
      dataDir,
      schema,
      now,
      history: { kind: 'before', count: opts.large - small.appointments, beforeDay: WINDOW.fromDay },
    } satisfies SeedArgument);
    const growSeconds = (performance.now() - t) / 1000;
    opts.log(`history: ${grown.count} older appointments added in ${growSeconds.toFixed(1)} s; measuring again`);
    const large = await measure();
    return { small, large, monday, seedSeconds, growSeconds, oldest: grown.first };
  } finally {
    await bench.teardown();
  }
}
