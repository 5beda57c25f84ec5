/**
 * `npm run bench`: one run, on the engine DATABASE_URL selects (SQLite when unset), every figure next to a
 * baseline measured in the same run. Prints a table and one PASS/FAIL line per target; exits 0 unless
 * something broke (the targets are measurements, not assertions). `npm run bench -- --quick`: the same phases with
 * smaller sizes and fewer runs, to finish in under a minute; its figures are indicative only. `--only=a,b`: only
 * those sections (availability, booking, concurrency, pages, calendar, clinical, sessions, history, audit, outcomes, summary; see SECTIONS), to iterate on
 * one target; the memory figure is printed only when every section of the main database ran.
 *
 * Phases: the main database (20,000 appointments: availability, public pages, concurrent and sequential booking,
 * memory, the busy-week calendar), then a history database (availability and the week calendar at 1,000 and again
 * at 100,000 appointments), then an audit database (1,000,000 events: the viewer's first page and verify), then a
 * summary database (the demo seed's outcomes, then grown to a clinic of 5,000 patients and to 50,000: the clinical
 * summaries of patients across it).
 */
import { cpus } from 'node:os';
import { startBenchRuntime, teardownAll } from './setup.ts';
import { insertRequests } from './seed.ts';
import type { SeedArgument, SeedResult } from './seed-child.ts';
import { runChild } from './child.ts';
import { bookingContext, freeStarts, measureAvailability, measureBooking } from './phases.ts';
import { addStaticRoutes, listen, measurePages } from './http.ts';
import { measureCalendar, seedBusyWeek } from './calendar.ts';
import { measureConcurrentBooking, type ConcurrencyResult } from './concurrency.ts';
import { measureHistory } from './history.ts';
import { measureAudit } from './audit.ts';
import { measureScreeningPage, measureSeriesBooking } from './clinical.ts';
import { measureSessions } from './sessions.ts';
import { measureOutcomes } from './outcomes.ts';
import { measureSummary } from './summary.ts';
import { collectGarbage, fmt, rssSampler } from './stats.ts';

const quick = process.argv.includes('--quick');
const SECTIONS = [
  'availability',
  'booking',
  'concurrency',
  'pages',
  'calendar',
  'clinical',
  'sessions',
  'history',
  'audit',
  'outcomes',
  'summary',
] as const;
type Section = (typeof SECTIONS)[number];
const MAIN_SECTIONS: readonly Section[] = [
  'availability',
  'booking',
  'concurrency',
  'pages',
  'calendar',
  'clinical',
  'sessions',
];
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = new Set<Section>(
  onlyArg === undefined
    ? SECTIONS
    : onlyArg
        .slice('--only='.length)
        .split(',')
        .map((name) => {
          if (!(SECTIONS as readonly string[]).includes(name))
            throw new Error(`--only: unknown section ${JSON.stringify(name)}; sections: ${SECTIONS.join(', ')}`);
          return name as Section;
        }),
);
const runs = (section: Section) => only.has(section);
const mainRuns = MAIN_SECTIONS.some(runs);
const allMainRun = MAIN_SECTIONS.every(runs);
const SIZES = quick
  ? {
      appointments: 20_000,
      availabilityRuns: 40,
      bookingSeconds: 1.5,
      httpSeconds: 1,
      httpWarmupMs: 250,
      httpRounds: 2,
      calendarRuns: 10,
      seriesRuns: 8,
      screeningRuns: 40,
      sessionRuns: 40,
      perBooker: 4,
      bookerWarmup: 1,
      historySmall: 1_000,
      historyLarge: 20_000,
      historyAvailabilityRuns: 20,
      historyWeekRuns: 12,
      auditEvents: 100_000,
      auditPageRuns: 20,
      outcomesPatients: 1_000,
      outcomesRuns: 5,
      summaryRuns: 40,
      summaryClinicPatients: 500,
    }
  : {
      appointments: 20_000,
      availabilityRuns: 200,
      bookingSeconds: 4,
      httpSeconds: 5,
      httpWarmupMs: 1000,
      httpRounds: 5,
      calendarRuns: 50,
      seriesRuns: 30,
      screeningRuns: 200,
      sessionRuns: 200,
      perBooker: 25,
      bookerWarmup: 2,
      historySmall: 1_000,
      historyLarge: 100_000,
      historyAvailabilityRuns: 100,
      historyWeekRuns: 40,
      auditEvents: 1_000_000,
      auditPageRuns: 100,
      outcomesPatients: 5_000,
      outcomesRuns: 15,
      summaryRuns: 200,
      summaryClinicPatients: 5_000,
    };
const MAX_BOOKINGS = 4_000;
const HTTP_CONCURRENCY = 20;
const BOOKERS = 20;
const CALENDAR_TARGET_MS = 100;
const DAY = 24 * 3_600_000;

const engine = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const TARGETS = {
  availabilityMs: 20,
  bookingVsSameRows: 0.4,
  concurrentP99Ms: engine === 'sqlite' ? 50 : 100,
  historyRatio: 1.5,
  auditPageMs: 100,
  verifyPerSec: 100_000,
  pagesVsStatic: 0.7,
  rssMb: 200,
  seriesP50Ms: 50,
  screeningP99Ms: 50,
  boardP99Ms: 50,
  vitalsP99Ms: 50,
  boardChangeMs: 2000,
  chartMs: 20,
  outcomesReportMs: 500,
  summaryP99Ms: 50,
};
const started = performance.now();
const rss = rssSampler();
/** Progress on stderr, with the highest RSS seen during the previous step. */
const log = (line: string) =>
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(1)}s, max rss since last ${rss.take().toFixed(0)} MB] ${line}\n`,
  );
/** 1000 -> "1k", 1000000 -> "1M". */
const short = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

// Ctrl-C still removes the temporary databases (the child processes get the same SIGINT from the terminal).
process.once('SIGINT', () => {
  void teardownAll().finally(() => process.exit(130));
});

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const m = mainRuns ? await mainPhase(now) : undefined;

  let hist: Awaited<ReturnType<typeof measureHistory>> | undefined;
  if (runs('history')) {
    log(`history: a fresh database with ${SIZES.historySmall} appointments around the coming weeks`);
    hist = await measureHistory({
      now,
      small: SIZES.historySmall,
      large: SIZES.historyLarge,
      availabilityRuns: SIZES.historyAvailabilityRuns,
      weekRuns: SIZES.historyWeekRuns,
      log,
    });
  }

  let audit: Awaited<ReturnType<typeof measureAudit>> | undefined;
  if (runs('audit')) {
    log(`audit: a fresh database with ${SIZES.auditEvents} audit events`);
    audit = await measureAudit({ now, events: SIZES.auditEvents, pageRuns: SIZES.auditPageRuns, log });
  }

  let outcomes: Awaited<ReturnType<typeof measureOutcomes>> | undefined;
  if (runs('outcomes')) {
    log(
      `outcomes: a fresh database with ${SIZES.outcomesPatients} patients and ${SIZES.outcomesPatients * 10} questionnaires`,
    );
    outcomes = await measureOutcomes({ now, patients: SIZES.outcomesPatients, runs: SIZES.outcomesRuns, log });
  }
  let summary: Awaited<ReturnType<typeof measureSummary>> | undefined;
  if (runs('summary')) {
    log('summary: a fresh database with the demo seed’s six months of outcomes');
    summary = await measureSummary({
      now,
      runs: SIZES.summaryRuns,
      clinicPatients: SIZES.summaryClinicPatients,
      log,
    });
  }
  log('done');

  const pct = (n: number) => `${fmt(n * 100, 1)}%`;
  const times = (n: number) => `${fmt(n, 2)}x`;
  const small = short(SIZES.historySmall),
    large = short(SIZES.historyLarge),
    events = short(SIZES.auditEvents);
  const rows: string[][] = [['Measure', 'Relief', 'Baseline', 'Ratio', 'Target']];
  const out: string[] = [];
  const verdicts: string[] = [];
  const verdict = (ok: boolean, text: string) => verdicts.push(`${ok ? 'PASS' : 'FAIL'}  [${engine}] ${text}`);
  const quickNote =
    'QUICK MODE (--quick): smaller sizes and fewer runs than the targets name; the figures are indicative only.';
  out.push(
    `Relief benchmark: engine ${engine}${engine === 'sqlite' ? ' (WAL, synchronous=FULL)' : ''}, node ${process.version}, ${cpus().length} CPUs${quick ? ', quick mode' : ''}`,
  );
  if (quick) out.push(quickNote);
  if (onlyArg !== undefined) out.push(`ONLY these sections (--only): ${[...only].join(', ')}`);

  if (m) {
    const { avail, book, conc, quiet, pages, cal, mem, busy, series, screening, sessions } = m;
    const count = m.count;
    out.push(
      `data: ${count} booked appointments ${day(m.first)} .. ${day(m.last)} (seeded by a child process in ${m.seedSeconds.toFixed(1)} s)`,
    );
    if (avail) {
      out.push(
        `availability: ${avail.app.runs} runs each; ${avail.rows} busy rows read per call, ${avail.slots} slots returned`,
      );
      rows.push(
        [
          `availability 8 wk p50 (ms), ${short(count)} appts`,
          fmt(avail.app.p50),
          `${fmt(avail.bare.p50)} bare read`,
          `${fmt(avail.app.p50 / avail.bare.p50, 1)}x`,
          `< ${TARGETS.availabilityMs} ms`,
        ],
        [
          'availability 8 wk p99 (ms)',
          fmt(avail.app.p99),
          `${fmt(avail.bare.p99)} bare read`,
          `${fmt(avail.app.p99 / avail.bare.p99, 1)}x`,
          '',
        ],
      );
      verdict(
        avail.app.p50 < TARGETS.availabilityMs,
        `availability p50 ${fmt(avail.app.p50)} ms < ${TARGETS.availabilityMs} ms at ${short(count)} appointments`,
      );
    }
    if (book) {
      const bookRatio = book.booking.perSec / book.sameRows.perSec;
      out.push(
        `bookings: ${book.booking.count} in ${fmt(book.booking.seconds, 1)} s (${book.failed} not booked), same rows: ${book.sameRows.count} in ${fmt(book.sameRows.seconds, 1)} s, raw: ${book.raw.count} in ${fmt(book.raw.seconds, 1)} s; sequential, alternated in 4 blocks; ${m.freeFound} free starts found`,
      );
      rows.push(
        [
          'bookings / s',
          fmt(book.booking.perSec, 1),
          `${fmt(book.sameRows.perSec, 1)} same-rows tx`,
          pct(bookRatio),
          `>= ${TARGETS.bookingVsSameRows * 100}%`,
        ],
        [
          '  bookings vs raw insert',
          fmt(book.booking.perSec, 1),
          `${fmt(book.raw.perSec, 1)} raw insert tx`,
          pct(book.booking.perSec / book.raw.perSec),
          '(info)',
        ],
        [
          '  same rows vs raw insert',
          fmt(book.sameRows.perSec, 1),
          `${fmt(book.raw.perSec, 1)} raw insert tx`,
          pct(book.sameRows.perSec / book.raw.perSec),
          '(info)',
        ],
        [
          '  one appointment row vs raw',
          fmt(book.oneAppointment.perSec, 1),
          `${fmt(book.raw.perSec, 1)} raw insert tx`,
          pct(book.oneAppointment.perSec / book.raw.perSec),
          '(info)',
        ],
      );
      verdict(
        bookRatio >= TARGETS.bookingVsSameRows,
        `bookings ${pct(bookRatio)} of the same rows written plainly in one transaction >= ${TARGETS.bookingVsSameRows * 100}%`,
      );
    }
    if (conc && quiet) {
      out.push(
        `concurrent booking: ${conc.bookers} bookers, each its own keep-alive connection from a child process, POST /book/:token at times nobody else was given; ` +
          `${conc.latency.runs} timed bookings in ${fmt(conc.seconds, 1)} s after ${SIZES.bookerWarmup} untimed each; ${conc.errors} errors; ${conc.booked} of ${conc.sent} booked in the database` +
          (conc.firstErrors.length ? `; first errors: ${conc.firstErrors.join(' | ')}` : '') +
          `; again with the outbox worker not nudged (confirmation emails left queued): ${quiet.errors} errors, ${quiet.booked} of ${quiet.sent} booked`,
      );
      rows.push(
        [`concurrent booking p50 (ms)`, fmt(conc.latency.p50), `${conc.bookers} bookers, HTTP`, '', ''],
        [
          `concurrent booking p99 (ms)`,
          fmt(conc.latency.p99),
          `${conc.bookers} bookers, HTTP`,
          '',
          `< ${TARGETS.concurrentP99Ms} ms`,
        ],
        [`concurrent booking errors`, String(conc.errors + quiet.errors), `of ${conc.sent + quiet.sent} sent`, '', '0'],
        [
          '  p99 with no mail rendered',
          fmt(quiet.latency.p99),
          `p50 ${fmt(quiet.latency.p50)}, ${fmt(quiet.perSec, 1)}/s`,
          '',
          '(info)',
        ],
        book
          ? [
              '  concurrent bookings / s',
              fmt(conc.perSec, 1),
              `${fmt(book.booking.perSec, 1)} sequential`,
              pct(conc.perSec / book.booking.perSec),
              '(info)',
            ]
          : ['  concurrent bookings / s', fmt(conc.perSec, 1), '', '', '(info)'],
      );
      verdict(
        conc.latency.p99 < TARGETS.concurrentP99Ms,
        `${conc.bookers} concurrent bookers: booking p99 ${fmt(conc.latency.p99)} ms < ${TARGETS.concurrentP99Ms} ms`,
      );
      verdict(
        conc.errors + quiet.errors === 0 && conc.booked + quiet.booked === conc.sent + quiet.sent,
        `${conc.bookers} concurrent bookers: ${conc.errors + quiet.errors} errors, ${conc.booked + quiet.booked} of ${conc.sent + quiet.sent} booked (both runs)`,
      );
    }
    if (pages) {
      out.push(
        `pages: ${HTTP_CONCURRENCY} concurrent keep-alive clients in a child process, ${SIZES.httpSeconds} s each, ${pages.reduce((n, p) => n + p.errors, 0)} errors`,
      );
      for (const p of pages) {
        rows.push([
          `${p.page} req/s (${p.bytes} B)`,
          fmt(p.perSec, 0),
          `${fmt(p.staticPerSec, 0)} static`,
          pct(p.perSec / p.staticPerSec),
          `>= ${TARGETS.pagesVsStatic * 100}%`,
        ]);
        verdict(
          p.perSec / p.staticPerSec >= TARGETS.pagesVsStatic,
          `${p.page} ${pct(p.perSec / p.staticPerSec)} of static rate >= ${TARGETS.pagesVsStatic * 100}%`,
        );
      }
    }
    if (series) {
      out.push(
        `series: ${series.sessions} infusion sessions at Chicago booked in one transaction (bookSeries) vs the same times booked one by one; ${series.series.runs} runs each, cancelled again between runs`,
      );
      rows.push(
        [
          `series of ${series.sessions} booked p50 (ms)`,
          fmt(series.series.p50),
          `${fmt(series.singles.p50)} singles`,
          `${fmt(series.series.p50 / series.singles.p50, 2)}x`,
          `< ${TARGETS.seriesP50Ms} ms`,
        ],
        [
          `series of ${series.sessions} booked p99 (ms)`,
          fmt(series.series.p99),
          `${fmt(series.singles.p99)} singles`,
          '',
          '',
        ],
      );
      verdict(
        series.series.p50 < TARGETS.seriesP50Ms,
        `series of ${series.sessions} p50 ${fmt(series.series.p50)} ms < ${TARGETS.seriesP50Ms} ms (at ${count} appointments)`,
      );
    }
    if (screening) {
      out.push(
        `screening page: a patient with a full intake and record (${screening.bytes} B), app.inject as a provider; ${screening.page.runs} runs`,
      );
      rows.push(
        [
          'screening page p50 (ms)',
          fmt(screening.page.p50),
          `${fmt(screening.read.p50)} bare read`,
          `${fmt(screening.page.p50 / screening.read.p50, 1)}x`,
          '',
        ],
        [
          'screening page p99 (ms)',
          fmt(screening.page.p99),
          `${fmt(screening.read.p99)} bare read`,
          `${fmt(screening.page.p99 / screening.read.p99, 1)}x`,
          `< ${TARGETS.screeningP99Ms} ms`,
        ],
      );
      verdict(
        screening.page.p99 < TARGETS.screeningP99Ms,
        `screening page p99 ${fmt(screening.page.p99)} ms < ${TARGETS.screeningP99Ms} ms`,
      );
    }
    if (sessions) {
      const slowest = Math.max(...sessions.sse);
      out.push(
        `sessions: the nurse board at Chicago with ${sessions.cards} chairs in use (${sessions.bytes} B), app.inject as a provider; ` +
          `a reading posted through the vitals route; ${sessions.board.runs} runs each; ` +
          `a change reaching another open board over its event stream, ${sessions.sse.length} changes; the session chart of 40 readings rendered to SVG`,
      );
      rows.push(
        ['nurse board p50 (ms)', fmt(sessions.board.p50), '', '', ''],
        ['nurse board p99 (ms)', fmt(sessions.board.p99), '', '', `< ${TARGETS.boardP99Ms} ms`],
        ['vitals entry p99 (ms)', fmt(sessions.vitals.p99), '', '', `< ${TARGETS.vitalsP99Ms} ms`],
        ['change to another board, slowest (ms)', fmt(slowest), '', '', `< ${TARGETS.boardChangeMs} ms`],
        ['session chart, 40 readings, p99 (ms)', fmt(sessions.chart.p99), '', '', `< ${TARGETS.chartMs} ms`],
      );
      verdict(
        sessions.board.p99 < TARGETS.boardP99Ms,
        `nurse board (${sessions.cards} chairs) p99 ${fmt(sessions.board.p99)} ms < ${TARGETS.boardP99Ms} ms`,
      );
      verdict(
        sessions.vitals.p99 < TARGETS.vitalsP99Ms,
        `vitals entry p99 ${fmt(sessions.vitals.p99)} ms < ${TARGETS.vitalsP99Ms} ms`,
      );
      verdict(
        slowest < TARGETS.boardChangeMs,
        `a change reaches another open board in ${fmt(slowest)} ms < ${TARGETS.boardChangeMs} ms`,
      );
      verdict(
        sessions.chart.p99 < TARGETS.chartMs,
        `session chart (40 readings) p99 ${fmt(sessions.chart.p99)} ms < ${TARGETS.chartMs} ms`,
      );
    }
    if (cal && busy) {
      out.push(
        `calendar: week of ${busy.monday} at Chicago, ${busy.chairs} chairs and ${busy.providers} providers, ${busy.inserted} appointments seeded; ` +
          `week view ${cal.weekShown} appointments (${cal.weekBytes} B), day view ${cal.dayShown} grid links (${cal.dayBytes} B); ${cal.week.runs} runs each, app.inject as admin`,
      );
      rows.push(
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
      );
      verdict(
        cal.week.p99 < CALENDAR_TARGET_MS,
        `calendar week view p99 ${fmt(cal.week.p99)} ms < ${CALENDAR_TARGET_MS} ms`,
      );
      verdict(
        cal.day.p99 < CALENDAR_TARGET_MS,
        `calendar day view p99 ${fmt(cal.day.p99)} ms < ${CALENDAR_TARGET_MS} ms`,
      );
    }
    if (mem) {
      const mb = (n: number) => `${fmt(n / 2 ** 20, 1)} MB`;
      const rssMb = mem.usage.rss / 2 ** 20;
      out.push(
        `memory after GC: rss ${mb(mem.usage.rss)}, V8 heap ${mb(mem.usage.heapUsed)} used of ${mb(mem.usage.heapTotal)}, external ${mb(mem.usage.external)}; peak rss ${fmt(mem.peakMb, 1)} MB`,
      );
      rows.push(['resident memory (MB)', fmt(rssMb, 1), `peak ${fmt(mem.peakMb, 1)}`, '', `< ${TARGETS.rssMb} MB`]);
      verdict(rssMb < TARGETS.rssMb, `resident memory ${fmt(rssMb, 1)} MB < ${TARGETS.rssMb} MB`);
    }
  }

  if (hist) {
    const histAvail = hist.large.availability.p50 / hist.small.availability.p50;
    const histWeek = hist.large.week.p50 / hist.small.week.p50;
    out.push(
      `history: ${hist.small.appointments} appointments in the days -14..70 around now (seeded in ${fmt(hist.seedSeconds, 1)} s), then ${hist.large.appointments} ` +
        `(older days added back to ${day(hist.oldest)} in ${fmt(hist.growSeconds, 1)} s); availability 8 wk at Chicago ${hist.small.availability.runs} runs, ` +
        `week view of ${hist.monday} at Chicago (${hist.small.weekShown} / ${hist.large.weekShown} appointments shown) ${hist.small.week.runs} runs, at each size; ratio of p50s`,
    );
    rows.push(
      [
        `history: availability p50 (ms) at ${large}`,
        fmt(hist.large.availability.p50),
        `${fmt(hist.small.availability.p50)} at ${small}`,
        times(histAvail),
        `<= ${TARGETS.historyRatio}x`,
      ],
      [
        `  availability p99 (ms) at ${large}`,
        fmt(hist.large.availability.p99),
        `${fmt(hist.small.availability.p99)} at ${small}`,
        times(hist.large.availability.p99 / hist.small.availability.p99),
        '(info)',
      ],
      [
        `history: week view p50 (ms) at ${large}`,
        fmt(hist.large.week.p50),
        `${fmt(hist.small.week.p50)} at ${small}`,
        times(histWeek),
        `<= ${TARGETS.historyRatio}x`,
      ],
      [
        `  week view p99 (ms) at ${large}`,
        fmt(hist.large.week.p99),
        `${fmt(hist.small.week.p99)} at ${small}`,
        times(hist.large.week.p99 / hist.small.week.p99),
        '(info)',
      ],
    );
    verdict(
      histAvail <= TARGETS.historyRatio,
      `availability p50 at ${large} appointments ${times(histAvail)} its time at ${small} <= ${TARGETS.historyRatio}x`,
    );
    verdict(
      histWeek <= TARGETS.historyRatio,
      `week calendar p50 at ${large} appointments ${times(histWeek)} its time at ${small} <= ${TARGETS.historyRatio}x`,
    );
  }

  if (audit) {
    out.push(
      `audit: ${audit.events} events seeded in bulk with their hash chain in ${fmt(audit.seedSeconds, 1)} s; first page (${audit.pageBytes} B) ${audit.firstPage.runs} runs ` +
        `and one person's first page ${audit.personPage.runs} runs, app.inject as admin (each view appends its own event); verify: "${audit.verdict}"`,
    );
    rows.push(
      [`audit first page p50 (ms), ${events}`, fmt(audit.firstPage.p50), '', '', ''],
      [`audit first page p99 (ms), ${events}`, fmt(audit.firstPage.p99), '', '', `< ${TARGETS.auditPageMs} ms`],
      [
        "  one person's first page p50 (ms)",
        fmt(audit.personPage.p50),
        `p99 ${fmt(audit.personPage.p99)}`,
        '',
        '(info)',
      ],
      [
        'audit verify events / s',
        fmt(audit.verifyPerSec, 0),
        `${audit.verified} in ${fmt(audit.verifySeconds, 1)} s`,
        '',
        `>= ${fmt(TARGETS.verifyPerSec, 0)}`,
      ],
    );
    verdict(
      audit.firstPage.p99 < TARGETS.auditPageMs,
      `audit viewer first page p99 ${fmt(audit.firstPage.p99)} ms < ${TARGETS.auditPageMs} ms at ${events} events`,
    );
    verdict(
      audit.verifyPerSec >= TARGETS.verifyPerSec,
      `audit verify ${fmt(audit.verifyPerSec, 0)} events/s >= ${fmt(TARGETS.verifyPerSec, 0)} at ${events} events`,
    );
  }

  if (outcomes) {
    const { small: o, large: ten } = outcomes;
    out.push(
      `outcomes: the responder report for every protocol at both locations over 12 months (the service the route calls, its audit event included), ` +
        `${o.report.runs} runs at ${o.patients} patients / ${o.questionnaires} questionnaires (seeded in ${fmt(o.seedSeconds, 1)} s), then at 10× ` +
        `(${ten.patients} / ${ten.questionnaires}, seeded in ${fmt(ten.seedSeconds, 1)} s); ${outcomes.groups} protocol × location groups; ` +
        `the CSV export read whole once at each size (${o.exportRows} and ${ten.exportRows} rows)`,
    );
    rows.push(
      [`outcomes report p50 (ms), ${short(o.questionnaires)} questionnaires`, fmt(o.report.p50), '', '', '(info)'],
      [
        `outcomes report p99 (ms), ${short(o.questionnaires)} questionnaires`,
        fmt(o.report.p99),
        '',
        '',
        `< ${TARGETS.outcomesReportMs} ms`,
      ],
      [
        `  at 10x (${short(ten.questionnaires)}) p50 (ms)`,
        fmt(ten.report.p50),
        `${fmt(o.report.p50)} at 1x`,
        times(ten.report.p50 / o.report.p50),
        '(info)',
      ],
      [
        `  CSV export whole (ms), 1x / 10x`,
        fmt(o.exportMs),
        fmt(ten.exportMs),
        times(ten.exportMs / o.exportMs),
        '(info)',
      ],
    );
    verdict(
      o.report.p99 < TARGETS.outcomesReportMs,
      `outcomes report p99 ${fmt(o.report.p99)} ms < ${TARGETS.outcomesReportMs} ms at ${o.patients} patients / ${o.questionnaires} questionnaires`,
    );
  }

  if (summary) {
    const { clinic, tenfold } = summary;
    out.push(
      `summary: the demo seed's ${summary.patients} patients (seeded in ${fmt(summary.seedMs / 1000, 2)} s, one transaction), a Chicago patient's clinical summary (${summary.bytes} B) through app.inject as a provider, ${summary.base.runs} runs each; ` +
        `${summary.questionnaires} questionnaires (${summary.patientRatings} of the patient's complete); then the treated patients replicated to ${clinic.patients} patients / ${clinic.questionnaires} questionnaires (${fmt(clinic.seedSeconds, 1)} s) and ${tenfold.patients} / ${tenfold.questionnaires} (${fmt(tenfold.seedSeconds, 1)} s more), the summaries of about 50 Chicago patients across the clinic in turn`,
    );
    rows.push(
      ['patient summary p99, demo seed (ms)', fmt(summary.base.p99), `${summary.patients} patients`, '', '(info)'],
      [
        'patient summary p50 (ms)',
        fmt(clinic.latency.p50),
        `${fmt(tenfold.latency.p50)} at 10x`,
        times(tenfold.latency.p50 / clinic.latency.p50),
        '',
      ],
      [
        'patient summary p99 (ms)',
        fmt(clinic.latency.p99),
        `${fmt(tenfold.latency.p99)} at 10x`,
        times(tenfold.latency.p99 / clinic.latency.p99),
        `< ${TARGETS.summaryP99Ms} ms`,
      ],
      ['demo outcomes seed (s)', fmt(summary.seedMs / 1000, 2), `${summary.patients} patients`, '', '(info)'],
    );
    verdict(
      clinic.latency.p99 < TARGETS.summaryP99Ms,
      `patient summary p99 ${fmt(clinic.latency.p99)} ms < ${TARGETS.summaryP99Ms} ms at ${clinic.patients} patients / ${clinic.questionnaires} questionnaires`,
    );
    verdict(
      tenfold.latency.p99 < TARGETS.summaryP99Ms,
      `patient summary p99 ${fmt(tenfold.latency.p99)} ms < ${TARGETS.summaryP99Ms} ms at ${tenfold.patients} patients / ${tenfold.questionnaires} questionnaires (10x)`,
    );
  }

  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  out.push('');
  out.push(line(rows[0]!));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) out.push(line(r));
  out.push('');
  out.push(...verdicts);
  if (quick) out.push(quickNote);
  out.push(`total run time ${fmt((performance.now() - started) / 1000, 1)} s`);
  process.stdout.write(out.join('\n') + '\n');
}

/** The main database (SIZES.appointments of history): the selected sections of availability .. calendar. */
async function mainPhase(now: number) {
  log(
    `engine ${engine}${quick ? ' (quick mode)' : ''}: migrating and seeding the demo clinic with ${SIZES.appointments} appointments`,
  );
  const t = performance.now();
  let seeded: SeedResult | undefined;
  const bench = await startBenchRuntime(async (config) => {
    const arg: SeedArgument = {
      dataDir: config.dataDir,
      schema: config.databaseSchema,
      now,
      history: { kind: 'around', count: SIZES.appointments },
    };
    seeded = await runChild<SeedResult>('./seed-child.ts', arg);
  });
  const seedSeconds = (performance.now() - t) / 1000;
  const { count, first, last } = seeded!;
  const { runtime } = bench;
  const database = runtime.database;
  const setStatic = addStaticRoutes(runtime.app);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  log(`inserted ${count} appointments (${day(first)} .. ${day(last)}) in ${seedSeconds.toFixed(1)} s`);

  const chicago = await bookingContext(database, 'chicago', now);
  const denver = await bookingContext(database, 'denver', now);
  let avail: Awaited<ReturnType<typeof measureAvailability>> | undefined;
  if (runs('availability')) {
    log('availability: 8 weeks at Chicago');
    avail = await measureAvailability(chicago, SIZES.availabilityRuns);
  }

  const perRun = BOOKERS * (SIZES.bookerWarmup + SIZES.perBooker);
  const concurrentNeeded = runs('concurrency') ? 2 * perRun : 0;
  const needed = concurrentNeeded + (runs('booking') ? MAX_BOOKINGS : 0);
  const targets = needed ? (await freeStarts([chicago, denver], now + DAY, now + 730 * DAY)).slice(0, needed) : [];
  const freeFound = targets.length;
  const requestIds = needed
    ? await insertRequests(
        database,
        targets.map((x) => x.ctx.location.id),
        now,
      )
    : [];

  const base = await listen(runtime.app);
  let pages: Awaited<ReturnType<typeof measurePages>> | undefined;
  if (runs('pages')) {
    log(`public pages: ${HTTP_CONCURRENCY} keep-alive connections, ${SIZES.httpSeconds} s per route`);
    pages = await measurePages(
      base,
      setStatic,
      SIZES.httpSeconds,
      HTTP_CONCURRENCY,
      SIZES.httpWarmupMs,
      SIZES.httpRounds,
    );
  }

  let conc: ConcurrencyResult | undefined, quiet: ConcurrencyResult | undefined;
  if (runs('concurrency')) {
    log(`concurrent booking: ${BOOKERS} bookers over HTTP, ${SIZES.perBooker} timed bookings each`);
    const concurrent = (from: number, mail: boolean) =>
      measureConcurrentBooking(
        runtime,
        base,
        targets.slice(from, from + perRun),
        requestIds.slice(from, from + perRun),
        BOOKERS,
        SIZES.perBooker,
        SIZES.bookerWarmup,
        mail,
      );
    conc = await concurrent(0, true);
    log('concurrent booking again, the outbox worker not nudged (no confirmation emails rendered meanwhile)');
    quiet = await concurrent(perRun, false);
  }

  let book: Awaited<ReturnType<typeof measureBooking>> | undefined;
  if (runs('booking')) {
    const sequential = targets.slice(concurrentNeeded);
    log(`booking throughput (${sequential.length} free starts ready)`);
    book = await measureBooking(database, sequential, requestIds.slice(concurrentNeeded), SIZES.bookingSeconds);
    sequential.length = 0;
  }
  targets.length = 0;

  let mem: { usage: NodeJS.MemoryUsage; peakMb: number } | undefined;
  if (allMainRun) {
    rss.stop();
    collectGarbage();
    mem = { usage: process.memoryUsage(), peakMb: process.resourceUsage().maxRSS / 1024 };
  }

  // Last, after the memory figures: app.inject (light-my-request) keeps every response body it produced, so ~100
  // injected renders of 100-200 kB pages would add their bodies to the server's resident memory above.
  let series: Awaited<ReturnType<typeof measureSeriesBooking>> | undefined;
  let screening: Awaited<ReturnType<typeof measureScreeningPage>> | undefined;
  if (runs('clinical')) {
    log('clinical: a 10-session series booked and cancelled again, then the screening page of a full patient');
    series = await measureSeriesBooking(database, now, SIZES.seriesRuns);
    screening = await measureScreeningPage(runtime.app, database, now, SIZES.screeningRuns);
  }
  let sessions: Awaited<ReturnType<typeof measureSessions>> | undefined;
  if (runs('sessions')) {
    log(
      'sessions: 12 chairs infusing at Chicago, then the nurse board, a reading written, and a change reaching another board',
    );
    sessions = await measureSessions(runtime.app, base, database, now, SIZES.sessionRuns);
  }
  let busy: Awaited<ReturnType<typeof seedBusyWeek>> | undefined;
  let cal: Awaited<ReturnType<typeof measureCalendar>> | undefined;
  if (runs('calendar')) {
    log('calendar: seeding a busy week at Chicago, then rendering the week and day views');
    busy = await seedBusyWeek(database, now);
    cal = await measureCalendar(runtime.app, database, busy, SIZES.calendarRuns);
  }
  await bench.teardown();
  return {
    count,
    first,
    last,
    seedSeconds,
    freeFound,
    avail,
    pages,
    conc,
    quiet,
    book,
    mem,
    busy,
    cal,
    series,
    screening,
    sessions,
  };
}

try {
  await main();
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await teardownAll();
  process.exit(1);
}
