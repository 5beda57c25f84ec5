import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_VITALS_THRESHOLDS,
  START_THRESHOLDS,
  evaluateAlerts,
  nextVitalsDue,
  startBlockers,
  startThresholdsSchema,
  vitalsThresholdsSchema,
  type Alert,
  type Reading,
  type VitalsSchedule,
  type VitalsThresholds,
} from '../../src/clinical/sessions/alerts.ts';
import type { Vitals } from '../../src/clinical/sessions/vitals.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-12-07T15:00:00.000Z');
const CALM: Vitals = {
  systolic: 125,
  diastolic: 80,
  heartRate: 72,
  spo2: 98,
  respiratoryRate: 14,
  temperatureC: null,
  sedation: 0,
  dissociation: 0,
};
const SCHEDULE: VitalsSchedule = { startedAt: T0, firstHourEveryMinutes: 15, thenEveryMinutes: 30, endedAt: null };

/** Every limit off: each test switches on only what it looks at. */
const OFF: VitalsThresholds = {
  systolicHigh: null,
  systolicLow: null,
  diastolicHigh: null,
  diastolicLow: null,
  heartRateHigh: null,
  heartRateLow: null,
  spo2Low: null,
  respiratoryRateHigh: null,
  respiratoryRateLow: null,
  sedationAtOrBelow: null,
  sustained: { systolicHigh: null, diastolicHigh: null, heartRateHigh: null, spo2Low: null },
  rise: { systolic: null, diastolic: null },
  overdueGraceMinutes: 5,
  source: 'test',
  unverified: true,
};

function at(minutes: number, change: Partial<Vitals> = {}): Reading {
  return { takenAt: T0 + minutes * MIN, vitals: { ...CALM, ...change } };
}

function alerts(thresholds: VitalsThresholds, readings: Reading[], baseline: Vitals | null = CALM): Alert[] {
  // "now" is the last reading's time, so no overdue alert joins in unless a test asks for one.
  const now = readings.length === 0 ? T0 : Math.max(...readings.map((r) => r.takenAt));
  return evaluateAlerts({ thresholds, baseline, readings, schedule: SCHEDULE, now });
}

describe('the alert engine, every absolute threshold of the shipped defaults at −1, the limit and +1', () => {
  const d = DEFAULT_VITALS_THRESHOLDS;
  // [threshold, measure, limit, whether limit−1, limit, limit+1 alert] — high limits alert at ≥, low ones at ≤.
  type Row = [keyof VitalsThresholds, keyof Vitals, number, [boolean, boolean, boolean]];
  const rows: Row[] = [
    ['systolicHigh', 'systolic', 180, [false, true, true]],
    ['systolicLow', 'systolic', 89, [true, true, false]],
    ['diastolicHigh', 'diastolic', 110, [false, true, true]],
    ['heartRateHigh', 'heartRate', 151, [false, true, true]],
    ['heartRateLow', 'heartRate', 49, [true, true, false]],
    ['spo2Low', 'spo2', 89, [true, true, false]],
    ['respiratoryRateHigh', 'respiratoryRate', 31, [false, true, true]],
    ['respiratoryRateLow', 'respiratoryRate', 9, [true, true, false]],
    ['sedationAtOrBelow', 'sedation', -3, [true, true, false]],
  ];
  it.each(rows)('%s (%s %d)', (code, measure, limit, expected) => {
    expect(d[code]).toBe(limit);
    const only = { ...OFF, [code]: d[code] };
    const seen = [-1, 0, 1].map((delta) => alerts(only, [at(10, { [measure]: limit + delta })]));
    expect(seen.map((a) => a.length === 1)).toEqual(expected);
    const hit = seen.find((a) => a.length === 1)![0]!;
    expect(hit).toMatchObject({ code, kind: 'absolute', measure, limit, at: T0 + 10 * MIN });
    expect(hit.key).toBe(`absolute:${code}:${T0 + 10 * MIN}`);
  });

  it('the shipped defaults leave the diastolic low limit off, and a clinic’s own one works the same way', () => {
    expect(d.diastolicLow).toBeNull();
    const only = { ...OFF, diastolicLow: 50 };
    expect([49, 50, 51].map((v) => alerts(only, [at(10, { diastolic: v })]).length)).toEqual([1, 1, 0]);
  });

  it('does not alert on a measure not taken (sedation left blank)', () => {
    expect(alerts({ ...OFF, sedationAtOrBelow: -3 }, [at(10, { sedation: null })])).toEqual([]);
  });

  it('raises nothing on calm readings with every shipped threshold on', () => {
    expect(alerts(d, [at(0), at(15), at(30), at(45), at(60)])).toEqual([]);
  });

  it('marks the shipped thresholds unverified and names the sources', () => {
    expect(d.unverified).toBe(true);
    expect(d.source).toMatch(/Del Sant/);
    expect(d.source).toMatch(/Spravato/);
  });
});

describe('the alert engine, sustained limits (two readings in a row)', () => {
  const d = DEFAULT_VITALS_THRESHOLDS;
  type Row = [keyof VitalsThresholds['sustained'], keyof Vitals, number, number, number];
  // [limit, measure, the shipped limit, a value past it, a value inside it]
  const rows: Row[] = [
    ['systolicHigh', 'systolic', 180, 185, 150],
    ['diastolicHigh', 'diastolic', 110, 112, 90],
    ['heartRateHigh', 'heartRate', 120, 125, 90],
    ['spo2Low', 'spo2', 91, 90, 96],
  ];
  const only = (code: Row[0]) => ({ ...OFF, sustained: { ...OFF.sustained, [code]: d.sustained[code] } });

  it.each(rows)('%s: one reading past raises no sustained alert', (code, measure, limit, pastValue) => {
    expect(d.sustained[code]).toBe(limit);
    expect(alerts(only(code), [at(0), at(15, { [measure]: pastValue })])).toEqual([]);
  });

  it.each(rows)('%s: two in a row raise exactly one, keyed by the run’s first reading', (code, measure, limit, v) => {
    const found = alerts(only(code), [at(15, { [measure]: v }), at(30, { [measure]: v })]);
    expect(found).toEqual([
      {
        key: `sustained:${code}:${T0 + 15 * MIN}`,
        code,
        kind: 'sustained',
        measure,
        value: v,
        limit,
        at: T0 + 30 * MIN,
      },
    ]);
    // A third reading of the same run adds nothing: the run already has its alert.
    expect(alerts(only(code), [at(15, { [measure]: v }), at(30, { [measure]: v }), at(45, { [measure]: v })])).toEqual(
      found,
    );
  });

  it.each(rows)('%s: an in-range reading between two past it raises none', (code, measure, _limit, v, inside) => {
    expect(
      alerts(only(code), [at(15, { [measure]: v }), at(30, { [measure]: inside }), at(45, { [measure]: v })]),
    ).toEqual([]);
  });

  it.each(rows)('%s: ±1 at the limit on both readings', (code, measure, limit) => {
    const high = code !== 'spo2Low';
    const counts = [-1, 0, 1].map(
      (delta) =>
        alerts(only(code), [at(15, { [measure]: limit + delta }), at(30, { [measure]: limit + delta })]).length,
    );
    expect(counts).toEqual(high ? [0, 1, 1] : [1, 1, 0]);
  });

  it('takes late entries in time order: a reading recorded later for an earlier time can end a run', () => {
    const only = { ...OFF, sustained: { ...OFF.sustained, heartRateHigh: 120 } };
    expect(alerts(only, [at(15, { heartRate: 130 }), at(45, { heartRate: 130 }), at(30, { heartRate: 80 })])).toEqual(
      [],
    );
    expect(alerts(only, [at(30, { heartRate: 130 }), at(15, { heartRate: 130 })])).toHaveLength(1);
  });
});

describe('the alert engine, rise from the pre-infusion reading', () => {
  const d = DEFAULT_VITALS_THRESHOLDS;
  const only = { ...OFF, rise: d.rise };

  it.each([
    ['systolic', 39, 0],
    ['systolic', 40, 1],
    ['systolic', 41, 1],
    ['diastolic', 24, 0],
    ['diastolic', 25, 1],
    ['diastolic', 26, 1],
  ] as const)('%s +%d over the baseline: %d alert', (measure, rise, count) => {
    const found = alerts(only, [at(40, { [measure]: CALM[measure] + rise })]);
    expect(found).toHaveLength(count);
    if (count === 1)
      expect(found[0]).toEqual({
        key: `rise:${measure}:${T0 + 40 * MIN}`,
        code: `${measure}Rise`,
        kind: 'rise',
        measure,
        value: CALM[measure] + rise,
        limit: CALM[measure] + d.rise[measure]!,
        at: T0 + 40 * MIN,
        baseline: CALM[measure],
      });
  });

  it('without a baseline no rise can be judged, and none is raised', () => {
    expect(alerts(only, [at(40, { systolic: 200 })], null)).toEqual([]);
  });
});

describe('vitals due and overdue', () => {
  it('is due every 15 minutes in the first hour, then every 30', () => {
    expect(nextVitalsDue(SCHEDULE, [])).toBe(T0 + 15 * MIN);
    expect(nextVitalsDue(SCHEDULE, [at(14)])).toBe(T0 + 29 * MIN);
    expect(nextVitalsDue(SCHEDULE, [at(59)])).toBe(T0 + 74 * MIN);
    expect(nextVitalsDue(SCHEDULE, [at(60)])).toBe(T0 + 90 * MIN);
    expect(nextVitalsDue(SCHEDULE, [at(75), at(20)])).toBe(T0 + 105 * MIN);
  });

  it('counts only readings since the start (the pre-infusion reading is not one)', () => {
    expect(nextVitalsDue(SCHEDULE, [at(-10)])).toBe(T0 + 15 * MIN);
  });

  it('is due no more once the next time falls after the infusion’s end, but a reading missed before it stays due', () => {
    expect(nextVitalsDue({ ...SCHEDULE, endedAt: T0 + 100 * MIN }, [at(90)])).toBeNull();
    expect(nextVitalsDue({ ...SCHEDULE, endedAt: T0 + 100 * MIN }, [at(60)])).toBe(T0 + 90 * MIN);
    expect(nextVitalsDue({ ...SCHEDULE, endedAt: T0 + 105 * MIN }, [at(75)])).toBe(T0 + 105 * MIN);
  });

  it.each([
    [4, 0],
    [5, 0],
    [6, 1],
  ])('with 5 minutes’ grace, %d minutes after the due time: %d overdue alert', (late, count) => {
    const due = T0 + 30 * MIN;
    const found = evaluateAlerts({
      thresholds: DEFAULT_VITALS_THRESHOLDS,
      baseline: CALM,
      readings: [at(15)],
      schedule: SCHEDULE,
      now: due + late * MIN,
    });
    expect(found).toHaveLength(count);
    if (count === 1)
      expect(found[0]).toEqual({
        key: `overdue:${due}`,
        code: 'vitalsOverdue',
        kind: 'overdue',
        measure: 'schedule',
        value: 6,
        limit: 5,
        at: due,
      });
  });

  it('one millisecond past the grace is overdue; exactly at it is not', () => {
    const due = T0 + 15 * MIN;
    const run = (now: number) =>
      evaluateAlerts({ thresholds: OFF, baseline: CALM, readings: [], schedule: SCHEDULE, now }).length;
    expect(run(due + 5 * MIN)).toBe(0);
    expect(run(due + 5 * MIN + 1)).toBe(1);
  });
});

describe('start thresholds', () => {
  const s = START_THRESHOLDS;
  type Row = [keyof typeof s, keyof Vitals, number, [boolean, boolean, boolean]];
  const rows: Row[] = [
    ['systolicHigh', 'systolic', 180, [false, true, true]],
    ['diastolicHigh', 'diastolic', 110, [false, true, true]],
    ['heartRateHigh', 'heartRate', 151, [false, true, true]],
    ['heartRateLow', 'heartRate', 49, [true, true, false]],
    ['respiratoryRateHigh', 'respiratoryRate', 31, [false, true, true]],
    ['respiratoryRateLow', 'respiratoryRate', 9, [true, true, false]],
    ['spo2Low', 'spo2', 91, [true, true, false]],
  ];
  it.each(rows)('%s blocks the start at %s past %d', (code, measure, limit, expected) => {
    expect(s[code]).toBe(limit);
    const blocked = [-1, 0, 1].map((delta) => startBlockers(s, { ...CALM, [measure]: limit + delta }));
    expect(blocked.map((b) => b.length === 1)).toEqual(expected);
    expect(blocked.find((b) => b.length === 1)![0]).toMatchObject({ code, measure, limit });
  });

  it('lists every reading past a limit, and none for a calm reading', () => {
    expect(startBlockers(s, CALM)).toEqual([]);
    expect(startBlockers(s, { ...CALM, systolic: 190, diastolic: 115, spo2: 88 })).toEqual([
      { code: 'systolicHigh', measure: 'systolic', value: 190, limit: 180 },
      { code: 'diastolicHigh', measure: 'diastolic', value: 115, limit: 110 },
      { code: 'spo2Low', measure: 'spo2', value: 88, limit: 91 },
    ]);
  });
});

describe('threshold schemas', () => {
  it('accept the shipped defaults and refuse a bad field by name', () => {
    expect(vitalsThresholdsSchema.parse(DEFAULT_VITALS_THRESHOLDS)).toEqual(DEFAULT_VITALS_THRESHOLDS);
    expect(startThresholdsSchema.parse(START_THRESHOLDS)).toEqual(START_THRESHOLDS);
    const bad = vitalsThresholdsSchema.safeParse({ ...DEFAULT_VITALS_THRESHOLDS, heartRateHigh: 150.5 });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.message)).toEqual(['heartRateHigh: a whole number']);
  });
});

describe('the alert engine, properties', () => {
  const vitals = fc.record({
    systolic: fc.integer({ min: 40, max: 300 }),
    diastolic: fc.integer({ min: 20, max: 200 }),
    heartRate: fc.integer({ min: 1, max: 300 }),
    spo2: fc.integer({ min: 50, max: 100 }),
    respiratoryRate: fc.integer({ min: 1, max: 80 }),
    temperatureC: fc.constant(null),
    sedation: fc.option(fc.integer({ min: -5, max: 4 })),
    dissociation: fc.option(fc.integer({ min: 0, max: 3 })),
  });
  const readings = fc
    .uniqueArray(fc.integer({ min: 0, max: 240 }), { maxLength: 12 })
    .chain((minutes) => fc.tuple(...minutes.map((m) => vitals.map((v) => ({ takenAt: T0 + m * MIN, vitals: v })))));

  it('gives the same alerts whatever order the readings come in, each key once', () => {
    fc.assert(
      fc.property(readings, vitals, fc.integer({ min: 0, max: 300 }), (rs, baseline, nowMin) => {
        const input = {
          thresholds: DEFAULT_VITALS_THRESHOLDS,
          baseline,
          schedule: SCHEDULE,
          now: T0 + nowMin * MIN,
        };
        const forward = evaluateAlerts({ ...input, readings: rs });
        const backward = evaluateAlerts({ ...input, readings: [...rs].reverse() });
        expect(backward).toEqual(forward);
        const keys = forward.map((a) => a.key);
        expect(new Set(keys).size).toBe(keys.length);
      }),
    );
  });

  it('adding a reading never takes away a reading’s absolute or rise alert', () => {
    fc.assert(
      fc.property(readings, vitals, vitals, (rs, baseline, extra) => {
        const input = { thresholds: DEFAULT_VITALS_THRESHOLDS, baseline, schedule: SCHEDULE, now: T0 };
        const perReading = (as: Alert[]) =>
          as.filter((a) => a.kind === 'absolute' || a.kind === 'rise').map((a) => a.key);
        const before = perReading(evaluateAlerts({ ...input, readings: rs }));
        const after = perReading(
          evaluateAlerts({ ...input, readings: [...rs, { takenAt: T0 + 241 * MIN, vitals: extra }] }),
        );
        expect(after).toEqual(expect.arrayContaining(before));
      }),
    );
  });
});
