/**
 * `npm run bench`: one run, on the engine DATABASE_URL selects (SQLite when unset), every figure next to a
 * baseline measured in the same run. Prints a table and one PASS/FAIL line per target; exits 0 unless
 * something broke (the targets are measurements, not assertions).
 */
import { cpus } from 'node:os';
import { startBenchRuntime, type BenchRuntime } from './setup.ts';
import { insertRequests } from './seed.ts';
import type { SeedArgument, SeedResult } from './seed-child.ts';
import { runChild } from './child.ts';
import { bookingContext, freeStarts, measureAvailability, measureBooking } from './phases.ts';
import { addStaticRoutes, measurePages } from './http.ts';
import { measureCalendar, seedBusyWeek } from './calendar.ts';
import { collectGarbage, fmt, rssSampler } from './stats.ts';

const APPOINTMENTS = 20_000;
const AVAILABILITY_RUNS = 200;
const BOOKING_SECONDS = 4;
const MAX_BOOKINGS = 4_000;
const HTTP_SECONDS = 5;
const HTTP_CONCURRENCY = 20;
const CALENDAR_RUNS = 50;
const CALENDAR_TARGET_MS = 100;
const DAY = 24 * 3_600_000;

const engine = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const started = performance.now();
const rss = rssSampler();
/** Progress on stderr, with the highest RSS seen during the previous step. */
const log = (line: string) =>
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(1)}s, max rss since last ${rss.take().toFixed(0)} MB] ${line}\n`,
  );

let bench: BenchRuntime | undefined;
// Ctrl-C still removes the temporary database (the child processes get the same SIGINT from the terminal).
process.once('SIGINT', () => {
  void (bench?.teardown() ?? Promise.resolve()).finally(() => process.exit(130));
});

async function main(): Promise<void> {
  try {
    log(`engine ${engine}: migrating and seeding the demo clinic`);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const t = performance.now();
    let seeded: SeedResult | undefined;
    bench = await startBenchRuntime(async (config) => {
      seeded = await runChild<SeedResult>('./seed-child.ts', {
        dataDir: config.dataDir,
        schema: config.databaseSchema,
        now,
        history: { kind: 'around', count: APPOINTMENTS },
      } satisfies SeedArgument);
    });
    const seedSeconds = (performance.now() - t) / 1000;
    const { count } = seeded!;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const span = `${day(seeded!.first)} .. ${day(seeded!.last)}`;
    const { runtime } = bench;
    const database = runtime.database;
    const setStatic = addStaticRoutes(runtime.app);
    log(`inserted ${count} appointments (${span}) in ${seedSeconds.toFixed(1)} s`);

    const chicago = await bookingContext(database, 'chicago', now);
    const denver = await bookingContext(database, 'denver', now);
    log('availability: 8 weeks at Chicago');
    const avail = await measureAvailability(chicago, AVAILABILITY_RUNS);

    const targets = (await freeStarts([chicago, denver], now + DAY, now + 730 * DAY)).slice(0, MAX_BOOKINGS);
    const requestIds = await insertRequests(
      database,
      targets.map((x) => x.ctx.location.id),
      now,
    );
    log(`booking throughput (${targets.length} free starts ready)`);
    const book = await measureBooking(database, targets, requestIds, BOOKING_SECONDS);

    targets.length = 0;
    log(`public pages: ${HTTP_CONCURRENCY} keep-alive connections, ${HTTP_SECONDS} s per route`);
    const pages = await measurePages(runtime.app, setStatic, HTTP_SECONDS, HTTP_CONCURRENCY);

    rss.stop();
    collectGarbage();
    const mem = process.memoryUsage();
    const rssMb = mem.rss / 2 ** 20;
    const peakMb = process.resourceUsage().maxRSS / 1024;

    // Last, after the memory figures: app.inject (light-my-request) keeps every response body it produced, so ~100
    // injected renders of 100-200 kB pages would add their bodies to the server's resident memory above.
    log('calendar: seeding a busy week at Chicago, then rendering the week and day views');
    const busy = await seedBusyWeek(database, now);
    const cal = await measureCalendar(runtime.app, database, busy, CALENDAR_RUNS);
    log('done');

    const bookRatio = book.booking.perSec / book.raw.perSec;
    const rows: string[][] = [
      ['Measure', 'Relief', 'Baseline', 'Ratio', 'Target'],
      [
        'availability 8 wk p50 (ms)',
        fmt(avail.app.p50),
        `${fmt(avail.bare.p50)} bare read`,
        `${fmt(avail.app.p50 / avail.bare.p50, 1)}x`,
        '< 20 ms',
      ],
      [
        'availability 8 wk p99 (ms)',
        fmt(avail.app.p99),
        `${fmt(avail.bare.p99)} bare read`,
        `${fmt(avail.app.p99 / avail.bare.p99, 1)}x`,
        '',
      ],
      [
        'bookings / s',
        fmt(book.booking.perSec, 1),
        `${fmt(book.raw.perSec, 1)} raw insert tx`,
        `${fmt(bookRatio * 100, 1)}%`,
        '>= 50%',
      ],
      [
        '  vs its rows written plainly',
        fmt(book.booking.perSec, 1),
        `${fmt(book.sameRows.perSec, 1)} same-rows tx`,
        `${fmt((book.booking.perSec / book.sameRows.perSec) * 100, 1)}%`,
        '(info)',
      ],
      [
        '  those rows vs raw insert',
        fmt(book.sameRows.perSec, 1),
        `${fmt(book.raw.perSec, 1)} raw insert tx`,
        `${fmt((book.sameRows.perSec / book.raw.perSec) * 100, 1)}%`,
        '(info)',
      ],
      [
        '  one appointment row vs raw',
        fmt(book.oneAppointment.perSec, 1),
        `${fmt(book.raw.perSec, 1)} raw insert tx`,
        `${fmt((book.oneAppointment.perSec / book.raw.perSec) * 100, 1)}%`,
        '(info)',
      ],
      ...pages.map((p) => [
        `${p.page} req/s (${p.bytes} B)`,
        fmt(p.perSec, 0),
        `${fmt(p.staticPerSec, 0)} static`,
        `${fmt((p.perSec / p.staticPerSec) * 100, 1)}%`,
        '>= 70%',
      ]),
      [
        'calendar week view p50 (ms)',
        fmt(cal.week.p50),
        `${fmt(cal.weekRead.p50)} bare read`,
        `${fmt(cal.week.p50 / cal.weekRead.p50, 1)}x`,
        '',
      ],
      [
        'calendar week view p99 (ms)',
        fmt(cal.week.p99),
        `${fmt(cal.weekRead.p99)} bare read`,
        `${fmt(cal.week.p99 / cal.weekRead.p99, 1)}x`,
        `< ${CALENDAR_TARGET_MS} ms`,
      ],
      [
        'calendar day view p50 (ms)',
        fmt(cal.day.p50),
        `${fmt(cal.dayRead.p50)} bare read`,
        `${fmt(cal.day.p50 / cal.dayRead.p50, 1)}x`,
        '',
      ],
      [
        'calendar day view p99 (ms)',
        fmt(cal.day.p99),
        `${fmt(cal.dayRead.p99)} bare read`,
        `${fmt(cal.day.p99 / cal.dayRead.p99, 1)}x`,
        `< ${CALENDAR_TARGET_MS} ms`,
      ],
      ['resident memory (MB)', fmt(rssMb, 1), `peak ${fmt(peakMb, 1)}`, '', '< 200 MB'],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');

    const out: string[] = [];
    out.push(
      `Relief benchmark: engine ${engine}${engine === 'sqlite' ? ' (WAL, synchronous=FULL)' : ''}, node ${process.version}, ${cpus().length} CPUs`,
    );
    out.push(`data: ${count} booked appointments ${span} (seeded by a child process in ${seedSeconds.toFixed(1)} s)`);
    out.push(
      `availability: ${avail.app.runs} runs each; ${avail.rows} busy rows read per call, ${avail.slots} slots returned`,
    );
    out.push(
      `bookings: ${book.booking.count} in ${fmt(book.booking.seconds, 1)} s (${book.failed} not booked), raw: ${book.raw.count} in ${fmt(book.raw.seconds, 1)} s, sequential, alternated in 4 blocks`,
    );
    out.push(
      `pages: ${HTTP_CONCURRENCY} concurrent keep-alive clients in a child process, ${HTTP_SECONDS} s each, ${pages.reduce((n, p) => n + p.errors, 0)} errors`,
    );
    out.push(
      `calendar: week of ${busy.monday} at Chicago, ${busy.chairs} chairs and ${busy.providers} providers, ${busy.inserted} appointments seeded; ` +
        `week view ${cal.weekShown} appointments (${cal.weekBytes} B), day view ${cal.dayShown} grid links (${cal.dayBytes} B); ${cal.week.runs} runs each, app.inject as admin`,
    );
    const mb = (n: number) => `${fmt(n / 2 ** 20, 1)} MB`;
    out.push(
      `memory after GC: rss ${mb(mem.rss)}, V8 heap ${mb(mem.heapUsed)} used of ${mb(mem.heapTotal)}, external ${mb(mem.external)}; peak rss ${fmt(peakMb, 1)} MB`,
    );
    out.push('');
    out.push(line(rows[0]!));
    out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows.slice(1)) out.push(line(r));
    out.push('');
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    out.push(`${verdict(avail.app.p50 < 20)}  [${engine}] availability p50 ${fmt(avail.app.p50)} ms < 20 ms`);
    out.push(
      `${verdict(bookRatio >= 0.5)}  [${engine}] bookings ${fmt(bookRatio * 100, 1)}% of raw insert rate >= 50%`,
    );
    for (const p of pages)
      out.push(
        `${verdict(p.perSec / p.staticPerSec >= 0.7)}  [${engine}] ${p.page} ${fmt((p.perSec / p.staticPerSec) * 100, 1)}% of static rate >= 70%`,
      );
    out.push(
      `${verdict(cal.week.p99 < CALENDAR_TARGET_MS)}  [${engine}] calendar week view p99 ${fmt(cal.week.p99)} ms < ${CALENDAR_TARGET_MS} ms`,
    );
    out.push(
      `${verdict(cal.day.p99 < CALENDAR_TARGET_MS)}  [${engine}] calendar day view p99 ${fmt(cal.day.p99)} ms < ${CALENDAR_TARGET_MS} ms`,
    );
    out.push(`${verdict(rssMb < 200)}  [${engine}] resident memory ${fmt(rssMb, 1)} MB < 200 MB`);
    out.push(`total run time ${fmt((performance.now() - started) / 1000, 1)} s`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await bench?.teardown();
  }
}

try {
  await main();
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
