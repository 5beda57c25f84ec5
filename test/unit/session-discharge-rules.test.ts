import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DISCHARGE_VITALS_RULE,
  dischargeReadiness,
  type DischargeInput,
} from '../../src/clinical/sessions/discharge-rules.ts';
import type { Vitals } from '../../src/clinical/sessions/vitals.ts';

const MIN = 60_000;
const STOP = Date.parse('2026-12-07T19:00:00.000Z');
const BASE: Vitals = {
  systolic: 125,
  diastolic: 80,
  heartRate: 70,
  spo2: 98,
  respiratoryRate: 14,
  temperatureC: null,
  sedation: 0,
  dissociation: 0,
};

/** Everything met, 60 minutes after the stop: each test breaks one condition. */
const READY: DischargeInput = {
  now: STOP + 60 * MIN,
  stoppedAt: STOP,
  minRecoveryMinutes: 60,
  aldrete: { score: 9, atLeast: 9 },
  baseline: BASE,
  latest: { ...BASE, systolic: 130 },
  latestTakenAt: STOP + 55 * MIN,
  withinPct: 20,
  escortRequired: true,
  escortConfirmed: true,
  drugBalanced: true,
  openAlerts: 0,
};

const codes = (change: Partial<DischargeInput>) => dischargeReadiness({ ...READY, ...change }).missing;

describe('the discharge gate, each condition alone at its boundary', () => {
  it('is ready when every condition holds', () => {
    expect(dischargeReadiness(READY)).toEqual({ ready: true, missing: [] });
  });

  it('recovery time: 1 minute short, exactly, 1 minute over', () => {
    expect(codes({ now: STOP + 59 * MIN })).toEqual([
      { code: 'recovery_time', minutesLeft: 1, readyAt: STOP + 60 * MIN },
    ]);
    expect(codes({ now: STOP + 60 * MIN })).toEqual([]);
    expect(codes({ now: STOP + 61 * MIN })).toEqual([]);
    expect(codes({ now: STOP + 60 * MIN - 1 })).toEqual([
      { code: 'recovery_time', minutesLeft: 1, readyAt: STOP + 60 * MIN },
    ]);
  });

  it('not stopped: the infusion must have stopped first', () => {
    expect(codes({ stoppedAt: null })).toEqual([{ code: 'not_stopped' }]);
  });

  it('Aldrete: one under the threshold, at it, above it; none taken', () => {
    expect(codes({ aldrete: { score: 8, atLeast: 9 } })).toEqual([{ code: 'aldrete_low', score: 8, atLeast: 9 }]);
    expect(codes({ aldrete: { score: 9, atLeast: 9 } })).toEqual([]);
    expect(codes({ aldrete: { score: 10, atLeast: 9 } })).toEqual([]);
    expect(codes({ aldrete: null })).toEqual([{ code: 'aldrete_missing' }]);
  });

  it.each([
    ['systolic', 150, 151],
    ['systolic', 100, 99],
    ['diastolic', 96, 97],
    ['diastolic', 64, 63],
    ['heartRate', 84, 85],
    ['heartRate', 56, 55],
  ] as const)('vitals: %s at %d is within 20 %% of the baseline, at %d is not', (measure, inside, outside) => {
    expect(codes({ latest: { ...BASE, [measure]: inside } })).toEqual([]);
    expect(codes({ latest: { ...BASE, [measure]: outside } })).toEqual([
      { code: 'vitals_outside', measure, baseline: BASE[measure], value: outside, withinPct: 20 },
    ]);
  });

  it('vitals: none after the stop, or none at all', () => {
    expect(codes({ latestTakenAt: STOP - 1 })).toEqual([{ code: 'vitals_before_stop' }]);
    expect(codes({ latestTakenAt: STOP })).toEqual([]);
    expect(codes({ latest: null, latestTakenAt: null })).toEqual([{ code: 'vitals_missing' }]);
    expect(codes({ baseline: null })).toEqual([{ code: 'vitals_missing' }]);
  });

  it('escort: required and not confirmed; not required', () => {
    expect(codes({ escortConfirmed: false })).toEqual([{ code: 'escort_unconfirmed' }]);
    expect(codes({ escortConfirmed: false, escortRequired: false })).toEqual([]);
  });

  it('the drug must balance', () => {
    expect(codes({ drugBalanced: false })).toEqual([{ code: 'drug_unbalanced' }]);
  });

  it('open alerts: 1 open, none', () => {
    expect(codes({ openAlerts: 1 })).toEqual([{ code: 'open_alerts', count: 1 }]);
    expect(codes({ openAlerts: 0 })).toEqual([]);
  });

  it('lists every unmet condition at once, in the page’s order', () => {
    expect(
      dischargeReadiness({
        ...READY,
        now: STOP + 10 * MIN,
        aldrete: { score: 7, atLeast: 9 },
        latest: { ...BASE, systolic: 160, heartRate: 95 },
        escortConfirmed: false,
        drugBalanced: false,
        openAlerts: 2,
      }),
    ).toEqual({
      ready: false,
      missing: [
        { code: 'recovery_time', minutesLeft: 50, readyAt: STOP + 60 * MIN },
        { code: 'aldrete_low', score: 7, atLeast: 9 },
        { code: 'vitals_outside', measure: 'systolic', baseline: 125, value: 160, withinPct: 20 },
        { code: 'vitals_outside', measure: 'heartRate', baseline: 70, value: 95, withinPct: 20 },
        { code: 'escort_unconfirmed' },
        { code: 'drug_unbalanced' },
        { code: 'open_alerts', count: 2 },
      ],
    });
  });

  it('ships 20 % as the vitals rule, marked unverified', () => {
    expect(DISCHARGE_VITALS_RULE).toMatchObject({ withinPct: 20, unverified: true });
  });
});

describe('the discharge gate, properties', () => {
  const input = fc.record({
    now: fc.integer({ min: 0, max: 300 }).map((m) => STOP + m * MIN),
    stoppedAt: fc.option(fc.constant(STOP)),
    minRecoveryMinutes: fc.integer({ min: 0, max: 240 }),
    aldrete: fc.option(fc.record({ score: fc.integer({ min: 0, max: 10 }), atLeast: fc.integer({ min: 0, max: 10 }) })),
    baseline: fc.option(fc.constant(BASE)),
    latest: fc.option(
      fc
        .record({ systolic: fc.integer({ min: 80, max: 200 }), heartRate: fc.integer({ min: 40, max: 130 }) })
        .map((v) => ({ ...BASE, ...v })),
    ),
    latestTakenAt: fc.option(fc.integer({ min: -60, max: 300 }).map((m) => STOP + m * MIN)),
    withinPct: fc.integer({ min: 0, max: 50 }),
    escortRequired: fc.boolean(),
    escortConfirmed: fc.boolean(),
    drugBalanced: fc.boolean(),
    openAlerts: fc.integer({ min: 0, max: 3 }),
  });

  it('is ready exactly when nothing is missing, and fixing a condition never adds another', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = dischargeReadiness(i);
        expect(r.ready).toBe(r.missing.length === 0);
        const fixed = dischargeReadiness({ ...i, drugBalanced: true, escortConfirmed: true, openAlerts: 0 });
        const left = new Set(r.missing.map((m) => JSON.stringify(m)));
        for (const m of fixed.missing) expect(left.has(JSON.stringify(m))).toBe(true);
      }),
    );
  });

  it('is never ready before the recovery time has passed or without a passing Aldrete score', () => {
    fc.assert(
      fc.property(input, (i) => {
        const r = dischargeReadiness(i);
        if (!r.ready) return;
        expect(i.stoppedAt).not.toBeNull();
        expect(i.now - i.stoppedAt!).toBeGreaterThanOrEqual(i.minRecoveryMinutes * MIN);
        expect(i.aldrete!.score).toBeGreaterThanOrEqual(i.aldrete!.atLeast);
        expect(i.latestTakenAt!).toBeGreaterThanOrEqual(i.stoppedAt!);
      }),
    );
  });
});
