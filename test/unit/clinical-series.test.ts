import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkSpacing,
  daysBetween,
  planSeries,
  proposeBoosters,
  type Candidate,
  type Spacing,
} from '../../src/clinical/protocols/series.ts';
import { DEFAULT_PROTOCOLS, type Maintenance } from '../../src/clinical/protocols/protocol.ts';

const TEN_DAY: Spacing = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!.induction;

/** Free starts at 08:00 and 13:00 on every weekday of March 2026 except the given days (the instant is fake but ordered). */
function weekdays(except: string[] = [], minutes = [480, 780]): Array<Candidate<string>> {
  const out: Array<Candidate<string>> = [];
  for (let d = 1; d <= 31; d += 1) {
    const day = `2026-03-${String(d).padStart(2, '0')}`;
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6 || except.includes(day)) continue;
    for (const minute of minutes) out.push({ day, minute, start: d * 10_000 + minute, resources: `chair-${minute}` });
  }
  return out;
}
const days = (plan: ReturnType<typeof planSeries>) => plan.sessions.map((s) => s.placed?.day ?? null);

describe('the series planner, by hand', () => {
  it('places ten weekday sessions from a Monday, at the preferred time', () => {
    const plan = planSeries(TEN_DAY, '2026-03-02', 480, weekdays());
    expect(days(plan)).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-09',
      '2026-03-10',
      '2026-03-11',
      '2026-03-12',
      '2026-03-13',
    ]);
    expect(plan.sessions.every((s) => s.placed!.minute === 480)).toBe(true);
    expect(plan.complete).toBe(true);
  });

  it.each([
    ['a Wednesday', '2026-03-04', '2026-03-17'],
    ['a Friday', '2026-03-06', '2026-03-19'],
  ])('from %s the tenth session still falls within the 14-day window', (_name, start, last) => {
    const plan = planSeries(TEN_DAY, start, 480, weekdays());
    expect(plan.sessions.at(-1)!.placed!.day).toBe(last);
    expect(plan.complete).toBe(true);
  });

  it('starting on a Saturday, begins on the Monday (within the most days between)', () => {
    expect(days(planSeries(TEN_DAY, '2026-03-07', 480, weekdays()))[0]).toBe('2026-03-09');
  });

  it('takes the start nearest the preferred time, and the earlier of two equally near', () => {
    expect(planSeries(TEN_DAY, '2026-03-02', 720, weekdays()).sessions[0]!.placed!.minute).toBe(780);
    expect(planSeries(TEN_DAY, '2026-03-02', 630, weekdays()).sessions[0]!.placed!.minute).toBe(480);
  });

  it('reports a session it cannot place, with the nearest alternatives after the previous session, and plans on', () => {
    // A Friday start with the Monday closed: the second session's days (Sat–Mon) have nothing free.
    const plan = planSeries(TEN_DAY, '2026-03-06', 480, weekdays(['2026-03-09']));
    const second = plan.sessions[1]!;
    expect(second).toMatchObject({ number: 2, earliestDay: '2026-03-07', latestDay: '2026-03-09', placed: null });
    expect(second.alternatives.map((c) => [c.day, c.minute])).toEqual([
      ['2026-03-10', 480],
      ['2026-03-10', 780],
      ['2026-03-11', 480],
      ['2026-03-11', 780],
      ['2026-03-12', 480],
    ]);
    // The third is planned from the second's earliest day, so the rest of the plan still shows.
    expect(plan.sessions[2]!.placed!.day).toBe('2026-03-10');
    expect(plan.complete).toBe(false);
  });

  it('marks a session placed past the window', () => {
    const weekly: Spacing = { sessions: 3, minDaysBetween: 7, maxDaysBetween: 7, windowDays: 14 };
    const plan = planSeries(weekly, '2026-03-02', 480, weekdays());
    expect(days(plan)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
    expect(plan.sessions.map((s) => s.outsideWindow)).toEqual([false, false, true]);
    expect(plan.complete).toBe(false);
  });

  it('places nothing when nothing is free, and says so for every session', () => {
    const plan = planSeries(TEN_DAY, '2026-03-02', 480, []);
    expect(plan.sessions).toHaveLength(10);
    expect(plan.sessions.every((s) => s.placed === null && s.alternatives.length === 0)).toBe(true);
  });

  it('never gives one start to two sessions', () => {
    const oneSlotADay: Spacing = { sessions: 3, minDaysBetween: 1, maxDaysBetween: 1, windowDays: 3 };
    const plan = planSeries(oneSlotADay, '2026-03-02', 480, weekdays([], [480]));
    expect(new Set(plan.sessions.map((s) => s.placed!.start)).size).toBe(3);
  });
});

describe('the spacing check (a move keeps the rules or says which one it breaks)', () => {
  it.each<[string, Spacing, string[], ReturnType<typeof checkSpacing>]>([
    ['a kept series', TEN_DAY, ['2026-03-02', '2026-03-03', '2026-03-06'], []],
    [
      'four days apart when at most three',
      TEN_DAY,
      ['2026-03-02', '2026-03-03', '2026-03-07'],
      [{ number: 3, kind: 'too_far', days: 4, limit: 3 }],
    ],
    ['two on one day', TEN_DAY, ['2026-03-02', '2026-03-02'], [{ number: 2, kind: 'out_of_order', days: 0, limit: 1 }]],
    [
      'one day apart when at least two',
      { sessions: 6, minDaysBetween: 2, maxDaysBetween: 5, windowDays: 21 },
      ['2026-03-02', '2026-03-03'],
      [{ number: 2, kind: 'too_close', days: 1, limit: 2 }],
    ],
    [
      'the last on day 15 of a 14-day window',
      { sessions: 3, minDaysBetween: 1, maxDaysBetween: 7, windowDays: 14 },
      ['2026-03-02', '2026-03-09', '2026-03-16'],
      [{ number: 3, kind: 'outside_window', days: 15, limit: 14 }],
    ],
  ])('%s', (_name, spacing, series, problems) => expect(checkSpacing(spacing, series)).toEqual(problems));
});

describe('boosters', () => {
  it('proposes one per interval from the last induction session', () => {
    const maintenance = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!.maintenance;
    expect(proposeBoosters(maintenance, '2026-03-13')).toEqual(['2026-04-12', '2026-06-11', '2026-09-09']);
  });
  it('proposes none when boosters are given on response', () => {
    const onResponse: Maintenance = {
      kind: 'on_response',
      hoursPerSession: 4,
      minDaysBetween: 28,
      source: 's',
      unverified: true,
    };
    expect(proposeBoosters(onResponse, '2026-03-13')).toEqual([]);
  });
});

describe('the series planner, for any free starts', () => {
  const spacing = fc
    .record({
      sessions: fc.integer({ min: 1, max: 12 }),
      min: fc.integer({ min: 1, max: 4 }),
      extra: fc.integer({ min: 0, max: 4 }),
    })
    .map((s): Spacing => ({
      sessions: s.sessions,
      minDaysBetween: s.min,
      maxDaysBetween: s.min + s.extra,
      windowDays: 60,
    }));
  const candidates = fc
    .uniqueArray(fc.record({ d: fc.integer({ min: 1, max: 31 }), minute: fc.integer({ min: 0, max: 1439 }) }), {
      selector: (c) => `${c.d}:${c.minute}`,
      maxLength: 80,
    })
    .map((list) =>
      list.map((c): Candidate<null> => ({
        day: `2026-03-${String(c.d).padStart(2, '0')}`,
        minute: c.minute,
        start: c.d * 10_000 + c.minute,
        resources: null,
      })),
    );

  it('places only offered starts, each once, inside each session’s days, keeping the spacing between placed neighbours', () => {
    fc.assert(
      fc.property(spacing, candidates, fc.integer({ min: 0, max: 1439 }), (sp, cands, preferred) => {
        const plan = planSeries(sp, '2026-03-01', preferred, cands);
        expect(plan.sessions).toHaveLength(sp.sessions);
        const starts = plan.sessions.flatMap((s) => (s.placed ? [s.placed.start] : []));
        expect(new Set(starts).size).toBe(starts.length);
        plan.sessions.forEach((s, i) => {
          if (s.placed) {
            expect(cands).toContain(s.placed);
            expect(s.placed.day >= s.earliestDay && s.placed.day <= s.latestDay).toBe(true);
            expect(s.alternatives).toEqual([]);
            const prev = plan.sessions[i - 1]?.placed;
            if (prev) {
              const gap = daysBetween(prev.day, s.placed.day);
              expect(gap).toBeGreaterThanOrEqual(sp.minDaysBetween);
              expect(gap).toBeLessThanOrEqual(sp.maxDaysBetween);
            }
          } else {
            // Never an earlier session's start, never on or before the previous session's day.
            const earlier = plan.sessions.slice(0, i);
            const previousDay = earlier.at(-1)?.placed?.day ?? earlier.at(-1)?.earliestDay;
            for (const alt of s.alternatives) {
              expect(earlier.map((e) => e.placed?.start)).not.toContain(alt.start);
              if (previousDay) expect(alt.day > previousDay).toBe(true);
            }
          }
        });
        // The same input gives the same plan.
        expect(planSeries(sp, '2026-03-01', preferred, [...cands].reverse())).toEqual(plan);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the spacing check on the days it places', () => {
    fc.assert(
      fc.property(spacing, candidates, (sp, cands) => {
        const plan = planSeries(sp, '2026-03-01', 480, cands);
        if (!plan.complete) return;
        expect(
          checkSpacing(
            sp,
            plan.sessions.map((s) => s.placed!.day),
          ),
        ).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
