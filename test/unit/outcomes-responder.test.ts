import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { immpactClass, patientResponse, type Observation } from '../../src/clinical/outcomes/responder.ts';
import { percentChange } from '../../src/clinical/instruments/pain.ts';

const DAY = 86_400_000;
const obs = (day: number, over: Partial<Observation> = {}): Observation => ({
  at: day * DAY,
  timepoint: 'week_1',
  painNow: null,
  painAverage: null,
  painWorst: null,
  phq9: null,
  gad7: null,
  interference: null,
  pgic: null,
  pgicLabel: null,
  ...over,
});

describe('IMMPACT classes at every boundary ±1 % (baseline 10; relief = (10 − follow-up) / 10)', () => {
  // Hand-computed: a follow-up of 9.1 is 9 % relief, 9 is 10 %, 8.9 is 11 %, and so on.
  const cases: Array<[followUp: number, pct: number, cls: ReturnType<typeof immpactClass>]> = [
    [9.1, 9, 'none'],
    [9, 10, 'minimal'],
    [8.9, 11, 'minimal'],
    [8.1, 19, 'minimal'],
    [8, 20, 'minimal'],
    [7.9, 21, 'minimal'],
    [7.1, 29, 'minimal'],
    [7, 30, 'moderate'],
    [6.9, 31, 'moderate'],
    [5.1, 49, 'moderate'],
    [5, 50, 'substantial'],
    [4.9, 51, 'substantial'],
    [0, 100, 'substantial'],
    [10, 0, 'none'],
    [11, -10, 'none'],
  ];
  it.each(cases)('follow-up %s → %s %% → %s', (followUp, pct, cls) => {
    const change = percentChange(10, followUp);
    expect(change).toBeCloseTo(pct, 9);
    expect(immpactClass(change)).toBe(cls);
    const r = patientResponse({ at: 0, painAverage: 10, phq9: null, gad7: null }, [obs(7, { painAverage: followUp })]);
    expect(r.latest?.immpact).toBe(cls);
    expect(r.latest?.changePoints).toBeCloseTo(10 - followUp, 9);
  });

  it('classes 30 % computed in floating point as 29.999… as moderate (baseline 7, follow-up 4.9)', () => {
    expect(((7 - 4.9) / 7) * 100).toBeLessThan(30);
    expect(immpactClass(percentChange(7, 4.9))).toBe('moderate');
  });

  it('a baseline of 0 has no percent change: not applicable, never NaN or a division by zero', () => {
    const r = patientResponse({ at: 0, painAverage: 0, phq9: null, gad7: null }, [obs(3, { painAverage: 2 })]);
    expect(r.latest).toMatchObject({ changePct: null, immpact: 'not_applicable', changePoints: -2 });
    expect(r.response).toBeNull();
    expect(immpactClass(null)).toBe('not_applicable');
  });
});

describe('the baseline', () => {
  it('is the intake’s average pain when it has one', () => {
    const r = patientResponse({ at: DAY, painAverage: 8, phq9: null, gad7: null }, [
      obs(2, { timepoint: 'pre_session', painAverage: 7 }),
    ]);
    expect(r.baseline).toEqual({ pain: 8, at: DAY, source: 'intake' });
    expect(r.points).toHaveLength(1);
  });

  it('else the first complete pre-session questionnaire, which is then not a follow-up itself', () => {
    const r = patientResponse({ at: DAY, painAverage: null, phq9: null, gad7: null }, [
      obs(5, { timepoint: 'pre_session', painAverage: 4 }),
      obs(2, { timepoint: 'pre_session', painAverage: 8 }),
      obs(1, { timepoint: 'visit', painAverage: 9 }),
    ]);
    expect(r.baseline).toEqual({ pain: 8, at: 2 * DAY, source: 'questionnaire' });
    expect(r.points.map((p) => p.pain)).toEqual([4]);
    expect(r.latest).toMatchObject({ changePct: 50, immpact: 'substantial' });
  });

  it('is absent without either: no points, no response', () => {
    const r = patientResponse(null, [obs(2, { timepoint: 'week_1', painAverage: 3 })]);
    expect(r).toMatchObject({ baseline: null, points: [], latest: null, response: null });
  });
});

describe('how long a response lasts', () => {
  const intake = { at: 0, painAverage: 10, phq9: null, gad7: null };
  it('from a ≥ 30 % relief to the first later follow-up under 30 %; a later response is a second episode', () => {
    const r = patientResponse(intake, [
      obs(10, { painAverage: 8 }), // 20 %
      obs(20, { painAverage: 6 }), // 40 %: starts
      obs(30, { painAverage: 4 }), // 60 %
      obs(50, { painAverage: 7 }), // exactly 30 %: still a response
      obs(64, { painAverage: 7.5 }), // 25 %: ended
      obs(80, { painAverage: 5 }), // 50 %: the second episode, still open
    ]);
    const first = { startedAt: 20 * DAY, endedAt: 64 * DAY, lastSeenAt: 80 * DAY, durationMs: 44 * DAY, open: false };
    expect(r.response).toEqual({ ...first, after: null });
    expect(r.episodes).toEqual([
      { ...first, after: null },
      { startedAt: 80 * DAY, endedAt: null, lastSeenAt: 80 * DAY, durationMs: 0, open: true, after: null },
    ]);
    expect(r.best?.pain).toBe(4);
  });

  it('is open while pain has not come back, its length counted to the last follow-up', () => {
    const r = patientResponse(intake, [obs(7, { painAverage: 7 }), obs(35, { painAverage: 5 })]);
    expect(r.episodes).toEqual([
      { startedAt: 7 * DAY, endedAt: null, lastSeenAt: 35 * DAY, durationMs: 28 * DAY, open: true, after: null },
    ]);
  });

  it('is none when relief never reaches 30 %', () => {
    expect(patientResponse(intake, [obs(7, { painAverage: 7.1 })]).response).toBeNull();
  });

  // Baseline 10: 7.1 is 29 %, 7 is 30 %, 6.9 is 31 %.
  it.each([
    [7.1, false],
    [7, true],
    [6.9, true],
  ])('starts at a follow-up of %s: %s (≥ 30 % is a response)', (pain, starts) => {
    expect(patientResponse(intake, [obs(7, { painAverage: pain })]).episodes).toHaveLength(starts ? 1 : 0);
  });

  it.each([
    [7.1, true],
    [7, false],
    [6.9, false],
  ])('ends at a later follow-up of %s: %s (it ends under 30 %)', (pain, ends) => {
    const r = patientResponse(intake, [obs(7, { painAverage: 5 }), obs(21, { painAverage: pain })]);
    expect(r.episodes).toHaveLength(1);
    expect(r.episodes[0]).toMatchObject(ends ? { endedAt: 21 * DAY, open: false } : { endedAt: null, open: true });
    expect(r.episodes[0]!.durationMs).toBe(14 * DAY);
  });

  it('names the infusion that preceded each episode: the induction session, then the booster', () => {
    const r = patientResponse(
      intake,
      [
        obs(12, { painAverage: 5 }), // starts after induction session 2
        obs(40, { painAverage: 8 }), // ends
        obs(75, { painAverage: 4 }), // starts after the booster
        obs(100, { painAverage: 6 }),
      ],
      undefined,
      [
        { at: 10 * DAY, kind: 'induction', number: 2 },
        { at: 5 * DAY, kind: 'induction', number: 1 },
        { at: 70 * DAY, kind: 'booster', number: 1 },
      ],
    );
    expect(r.firstInfusionAt).toBe(5 * DAY);
    expect(r.episodes.map((e) => [e.startedAt / DAY, e.endedAt && e.endedAt / DAY, e.after])).toEqual([
      [12, 40, { at: 10 * DAY, kind: 'induction', number: 2 }],
      [75, null, { at: 70 * DAY, kind: 'booster', number: 1 }],
    ]);
    expect(r.episodes[1]).toMatchObject({ durationMs: 25 * DAY, open: true });
  });
});

describe('baselines come before the first infusion', () => {
  const sessions = [{ at: 10 * DAY, kind: 'induction' as const, number: 1 }];
  it('a PHQ-9 or GAD-7 first given after treatment began is no baseline: none, the latest still shown', () => {
    const r = patientResponse(
      null,
      [obs(20, { timepoint: 'end_of_induction', phq9: 15, gad7: 12 }), obs(40, { phq9: 5, gad7: 4 })],
      undefined,
      sessions,
    );
    expect(r.phq9).toMatchObject({ baseline: null, bandSteps: null, changePoints: null });
    expect(r.phq9.latest).toMatchObject({ total: 5, at: 40 * DAY });
    expect(r.gad7).toMatchObject({ baseline: null, changePoints: null });
  });

  it('one completed before the first infusion is the baseline; the intake’s wins over it', () => {
    const series = [obs(9, { timepoint: 'visit', phq9: 20 }), obs(40, { phq9: 8 })];
    expect(patientResponse(null, series, undefined, sessions).phq9).toMatchObject({
      baseline: { total: 20, at: 9 * DAY },
      changePoints: 12,
    });
    expect(
      patientResponse({ at: 0, painAverage: null, phq9: 10, gad7: null }, series, undefined, sessions).phq9,
    ).toMatchObject({ baseline: { total: 10, at: 0 }, latest: { total: 8 }, changePoints: 2 });
  });

  it('a pain baseline from a before-session questionnaire only when completed before the first infusion', () => {
    const late = [obs(12, { timepoint: 'pre_session', painAverage: 8 }), obs(30, { painAverage: 4 })];
    expect(patientResponse(null, late, undefined, sessions)).toMatchObject({ baseline: null, points: [] });
    const early = [obs(9, { timepoint: 'pre_session', painAverage: 8 }), ...late];
    expect(patientResponse(null, early, undefined, sessions).baseline).toEqual({
      pain: 8,
      at: 9 * DAY,
      source: 'questionnaire',
    });
  });
});

describe('PHQ-9, GAD-7 and PGIC', () => {
  it('band changes from the intake to the latest follow-up; the PGIC with its label', () => {
    const r = patientResponse({ at: 0, painAverage: 6, phq9: 16, gad7: 11 }, [
      obs(7, { phq9: 12, gad7: 11, pgic: 3, pgicLabel: 'Minimally improved' }),
      obs(30, { phq9: 4, gad7: 12, pgic: 2, pgicLabel: 'Much improved' }),
    ]);
    expect(r.phq9).toMatchObject({ bandSteps: -3, changePoints: 12 });
    expect(r.phq9.baseline?.band?.label).toBe('Moderately severe');
    expect(r.phq9.latest?.band?.label).toBe('Minimal');
    expect(r.gad7).toMatchObject({ bandSteps: 0, changePoints: -1 });
    expect(r.pgic).toEqual({ value: 2, label: 'Much improved', at: 30 * DAY });
  });

  it('without an intake score the first questionnaire’s is the baseline', () => {
    const r = patientResponse(null, [obs(1, { phq9: 21 }), obs(9, { phq9: 9 })]);
    expect(r.phq9).toMatchObject({ bandSteps: -3, changePoints: 12 });
    expect(patientResponse(null, [obs(1, { phq9: 21 })]).phq9).toMatchObject({ latest: null, bandSteps: null });
  });
});

describe('properties', () => {
  const rating = fc.integer({ min: 0, max: 10 });
  it('the class is monotone in relief, and ≥ 30 % is exactly moderate or substantial', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -200, max: 100, noNaN: true }),
        fc.double({ min: -200, max: 100, noNaN: true }),
        (a, b) => {
          const order = ['none', 'minimal', 'moderate', 'substantial'];
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(order.indexOf(immpactClass(lo))).toBeLessThanOrEqual(order.indexOf(immpactClass(hi)));
          expect(['moderate', 'substantial'].includes(immpactClass(a))).toBe(Math.round(a * 1e9) / 1e9 >= 30);
        },
      ),
    );
  });

  it('every follow-up’s points and per cent agree with the baseline; a response lies within the follow-ups', () => {
    fc.assert(
      fc.property(
        rating,
        fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), rating), { maxLength: 20 }),
        (b, series) => {
          const r = patientResponse(
            { at: 0, painAverage: b, phq9: null, gad7: null },
            series.map(([d, p]) => obs(d, { painAverage: p })),
          );
          expect(r.points).toHaveLength(series.length);
          for (const p of r.points) {
            expect(p.changePoints).toBe(b - p.pain);
            if (b === 0) expect(p.immpact).toBe('not_applicable');
            else expect(p.changePct).toBeCloseTo(((b - p.pain) / b) * 100, 9);
          }
          if (r.response) {
            expect(r.response.durationMs).toBeGreaterThanOrEqual(0);
            expect(r.response.startedAt).toBeGreaterThanOrEqual(r.points[0]!.at);
            if (r.response.endedAt !== null) expect(r.response.endedAt).toBeGreaterThan(r.response.startedAt);
          } else if (b > 0) {
            expect(r.points.every((p) => (p.changePct ?? 0) < 30)).toBe(true);
          }
        },
      ),
    );
  });

  it('episodes never overlap; each starts at a point of 30 % or more and ends at the first later point under 30 %', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 20 })), { maxLength: 25 }),
        (b, series) => {
          const r = patientResponse(
            { at: 0, painAverage: b, phq9: null, gad7: null },
            series.map(([d, half]) => obs(d, { painAverage: half / 2 })),
          );
          const pts = r.points;
          const responding = (p: (typeof pts)[number]) => Math.round(p.changePct! * 1e9) / 1e9 >= 30;
          for (const [i, e] of r.episodes.entries()) {
            const start = pts.find((p) => p.at === e.startedAt && responding(p));
            expect(start).toBeDefined();
            const end = pts.find((p) => p.at > e.startedAt && !responding(p)) ?? null;
            expect(e.endedAt).toBe(end ? end.at : null);
            expect(e.open).toBe(end === null);
            expect(e.durationMs).toBe((e.endedAt ?? pts[pts.length - 1]!.at) - e.startedAt);
            const next = r.episodes[i + 1];
            if (next) {
              expect(e.endedAt).not.toBeNull();
              expect(next.startedAt).toBeGreaterThan(e.endedAt!);
              // Nothing responding between the end and the next start: the next begins at the first such point.
              expect(pts.find((p) => p.at > e.endedAt! && responding(p))?.at).toBe(next.startedAt);
            } else if (e.endedAt !== null) {
              expect(pts.some((p) => p.at > e.endedAt! && responding(p))).toBe(false);
            }
          }
          if (r.episodes.length === 0) expect(pts.some(responding)).toBe(false);
          else expect(r.episodes[0]!.startedAt).toBe(pts.find(responding)!.at);
        },
      ),
    );
  });
});
