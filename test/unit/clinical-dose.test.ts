import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  calculateDose,
  compareVerification,
  KG_PER_LB,
  roundDownTo,
  type Bag,
  type DoseRequest,
  type DosingRule,
} from '../../src/clinical/dosing/dose.ts';
import { DEFAULT_DOSING_SETTINGS, DEFAULT_PROTOCOLS } from '../../src/clinical/protocols/protocol.ts';

const NOW = Date.parse('2026-03-02T15:00:00.000Z');
const DAY = 86_400_000;
const settings = DEFAULT_DOSING_SETTINGS;
const schwartzman: DosingRule = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!.dosing;
const short: DosingRule = DEFAULT_PROTOCOLS.find((p) => p.code === 'short-series')!.dosing;
const BAG: Bag = { drugMg: 100, volumeMl: 100 };

function request(over: Partial<DoseRequest> & { kg?: number; lb?: number }): DoseRequest {
  const { kg, lb, ...rest } = over;
  return {
    rule: schwartzman,
    settings,
    weight:
      lb === undefined
        ? { value: kg ?? 70, unit: 'kg', measuredAt: NOW - DAY }
        : { value: lb, unit: 'lb', measuredAt: NOW - DAY },
    bag: BAG,
    sessionHours: 4,
    now: NOW,
    ...rest,
  };
}

describe('the dose calculator, by hand', () => {
  // Each row worked out on paper: mg/kg/h × kg → lowest of (that, cap, session max ÷ hours) → ÷ mg/mL, rounded DOWN
  // to 0.1 mL/h → delivered mg/h = pump × mg/mL → total = bolus + delivered × hours.
  type Row = [string, Partial<DoseRequest> & { kg?: number; lb?: number }, number, number, string, number];
  const rows: Row[] = [
    // name, request, pump mL/h, delivered mg/h, limit, session total mg
    ['60 kg, 1 mg/mL: 21 mg/h', { kg: 60 }, 21, 21, 'weight', 84],
    ['70 kg: 24.5 mg/h, under the cap', { kg: 70 }, 24.5, 24.5, 'weight', 98],
    ['71.4 kg: 24.99 mg/h rounds down to 24.9 mL/h', { kg: 71.4 }, 24.9, 24.9, 'weight', 99.6],
    ['72 kg: 25.2 mg/h, the 25 mg/h cap applies', { kg: 72 }, 25, 25, 'cap_mg_per_hour', 100],
    ['100 kg: 35 mg/h, capped at 25', { kg: 100 }, 25, 25, 'cap_mg_per_hour', 100],
    [
      'exactly at the cap (0.5 mg/kg/h × 50 kg = 25 mg/h): the weight sets it',
      { kg: 50, rule: { ...schwartzman, startMgPerKgPerHour: 0.5, maxMgPerKgPerHour: 0.5 } },
      25,
      25,
      'weight',
      100,
    ],
    ['150 lb = 68.04 kg: 23.81 mg/h → 23.8 mL/h', { lb: 150 }, 23.8, 23.8, 'weight', 95.2],
    ['160 lb = 72.57 kg: 25.40 mg/h, capped', { lb: 160 }, 25, 25, 'cap_mg_per_hour', 100],
    ['220 lb = 99.79 kg: 34.93 mg/h, capped', { lb: 220 }, 25, 25, 'cap_mg_per_hour', 100],
    [
      '60 kg, 500 mg in 250 mL (2 mg/mL): 10.5 mL/h',
      { kg: 60, bag: { drugMg: 500, volumeMl: 250 } },
      10.5,
      21,
      'weight',
      84,
    ],
    [
      '72 kg, 2 mg/mL: capped 25 mg/h = 12.5 mL/h',
      { kg: 72, bag: { drugMg: 200, volumeMl: 100 } },
      12.5,
      25,
      'cap_mg_per_hour',
      100,
    ],
    ['60 kg, 0.5 mg/mL: 42 mL/h', { kg: 60, bag: { drugMg: 50, volumeMl: 100 } }, 42, 21, 'weight', 84],
    [
      '65 kg, 0.4 mg/mL: 56.875 → 56.8 mL/h = 22.72 mg/h',
      { kg: 65, bag: { drugMg: 100, volumeMl: 250 } },
      56.8,
      22.72,
      'weight',
      90.88,
    ],
    [
      '72 kg, 3 mg/mL: 8.33 → 8.3 mL/h = 24.9 mg/h (never above the cap)',
      { kg: 72, bag: { drugMg: 300, volumeMl: 100 } },
      8.3,
      24.9,
      'cap_mg_per_hour',
      99.6,
    ],
    [
      'session maximum 80 mg over 4 h: 20 mg/h',
      { kg: 70, rule: { ...schwartzman, maxMgPerSession: 80 } },
      20,
      20,
      'session_max',
      80,
    ],
    ['a 5-hour session: 100 mg ÷ 5 h = 20 mg/h', { kg: 72, sessionHours: 5 }, 20, 20, 'session_max', 100],
    ['a 2-hour session: 60 kg at 21 mg/h', { kg: 60, sessionHours: 2 }, 21, 21, 'weight', 42],
    ['25 kg, the lightest allowed: 8.75 → 8.7 mL/h', { kg: 25 }, 8.7, 8.7, 'weight', 34.8],
    ['300 kg, the heaviest allowed: capped', { kg: 300 }, 25, 25, 'cap_mg_per_hour', 100],
    ['661 lb = 299.82 kg: allowed, capped', { lb: 661 }, 25, 25, 'cap_mg_per_hour', 100],
    ['shorter series, 70 kg at 0.5: 35 mL/h', { kg: 70, rule: short }, 35, 35, 'weight', 140],
    [
      'shorter series, 90 kg at 1.0: 90 mg/h capped at 80',
      { kg: 90, rule: short, mgPerKgPerHour: 1 },
      80,
      80,
      'cap_mg_per_hour',
      320,
    ],
    [
      'shorter series, 100 kg at 0.9: capped at 80',
      { kg: 100, rule: short, mgPerKgPerHour: 0.9 },
      80,
      80,
      'cap_mg_per_hour',
      320,
    ],
    [
      'shorter series, 55 kg at 0.7: 38.5 mL/h',
      { kg: 55, rule: short, mgPerKgPerHour: 0.7 },
      38.5,
      38.5,
      'weight',
      154,
    ],
    [
      'shorter series, 70 kg with a 0.35 mg/kg bolus (24.5 mg)',
      { kg: 70, rule: short, bolusMgPerKg: 0.35 },
      35,
      35,
      'weight',
      164.5,
    ],
    [
      'shorter series, 90 kg at 1.0 with a 31.5 mg bolus: (320 − 31.5) ÷ 4 = 72.125 → 72.1',
      { kg: 90, rule: short, mgPerKgPerHour: 1, bolusMgPerKg: 0.35 },
      72.1,
      72.1,
      'session_max',
      319.9,
    ],
    [
      '2 mg/mL, 70 kg, 0.2 mg/kg bolus = 14 mg = 7 mL',
      { kg: 70, rule: short, bag: { drugMg: 200, volumeMl: 100 }, bolusMgPerKg: 0.2 },
      17.5,
      35,
      'weight',
      154,
    ],
    [
      '3 mg/mL, 67 kg, 0.35 mg/kg bolus: 7.82 → 7.8 mL = 23.4 mg',
      { kg: 67, rule: short, bag: { drugMg: 300, volumeMl: 100 }, bolusMgPerKg: 0.35 },
      11.1,
      33.3,
      'weight',
      156.6,
    ],
    [
      'shorter series, 3 hours, 80 kg at 1.0: cap 80 mg/h, total 240',
      { kg: 80, rule: short, mgPerKgPerHour: 1, sessionHours: 3 },
      80,
      80,
      'weight',
      240,
    ],
    [
      'shorter series, 200 lb = 90.72 kg at 0.6: 54.43 → 54.4 mL/h',
      { lb: 200, rule: short, mgPerKgPerHour: 0.6 },
      54.4,
      54.4,
      'weight',
      217.6,
    ],
    [
      'weight measured exactly 30 days ago: still allowed',
      { kg: 60, weight: { value: 60, unit: 'kg', measuredAt: NOW - 30 * DAY } },
      21,
      21,
      'weight',
      84,
    ],
  ];

  it.each(rows)('%s', (_name, over, pump, mgPerHour, limit, total) => {
    const result = calculateDose(request(over));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.dose.ordered.pumpRateMlPerHour).toBe(pump);
    expect(result.dose.ordered.mgPerHour).toBeCloseTo(mgPerHour, 9);
    expect(result.dose.ordered.limit).toBe(limit);
    expect(result.dose.sessionTotalMg).toBeCloseTo(total, 9);
  });

  it('has at least 30 hand-worked rows', () => expect(rows.length).toBeGreaterThanOrEqual(30));

  it('gives the bolus in mL and mg, rounded down once', () => {
    const r = calculateDose(request({ kg: 67, rule: short, bag: { drugMg: 300, volumeMl: 100 }, bolusMgPerKg: 0.35 }));
    if (!r.ok) throw new Error('refused');
    expect(r.dose.bolus).toEqual({ mgPerKg: 0.35, ml: 7.8, mg: expect.closeTo(23.4, 9) as number });
  });

  it('shows each step on its own line and marks the limit that set the rate', () => {
    const capped = calculateDose(request({ lb: 160 }));
    if (!capped.ok) throw new Error('refused');
    const lines = Object.fromEntries(capped.dose.lines.map((l) => [l.key, l]));
    expect(lines.weight!.working).toBe('160 lb × 0.45359237 = 72.57 kg');
    expect(lines.concentration!.working).toBe('100 mg in 100 mL = 1 mg/mL');
    expect(lines.by_weight!.working).toBe('0.35 mg/kg/h × 72.57 kg = 25.4 mg/h');
    expect(lines.cap).toMatchObject({
      applied: true,
      working: '25.4 mg/h is above the cap of 25 mg/h: the cap applies',
    });
    expect(lines.session_cap!.applied).toBe(false);
    expect(lines.pump_rate!.working).toBe('25 mg/h ÷ 1 mg/mL = 25 mL/h, rounded down to 0.1 mL/h: 25 mL/h (25 mg/h)');
    expect(lines.total!.working).toBe('25 mg/h × 4 h = 100 mg (maximum 100 mg)');
    expect(capped.dose.lines.filter((l) => l.applied)).toHaveLength(1);

    const byWeight = calculateDose(request({ kg: 60 }));
    if (!byWeight.ok) throw new Error('refused');
    expect(byWeight.dose.lines.find((l) => l.applied)!.key).toBe('by_weight');
    expect(byWeight.dose.lines.find((l) => l.key === 'weight')!.working).toBe('60 kg (132.3 lb)');
  });

  it('lists the titration steps from the ordered rate to the maximum', () => {
    const r = calculateDose(request({ kg: 70, rule: short }));
    if (!r.ok) throw new Error('refused');
    expect(r.dose.titration.map((t) => [t.mgPerKgPerHour, t.pumpRateMlPerHour, t.limit])).toEqual([
      [0.5, 35, 'weight'],
      [0.6, 42, 'weight'],
      [0.7, 49, 'weight'],
      [0.8, 56, 'weight'],
      [0.9, 63, 'weight'],
      [1, 70, 'weight'],
    ]);
    expect(r.dose.maximum).toMatchObject({ pumpRateMlPerHour: 70, sessionTotalMg: 280 });
    const noSteps = calculateDose(request({ kg: 70 }));
    if (!noSteps.ok) throw new Error('refused');
    expect(noSteps.dose.titration).toHaveLength(1);
  });

  it('adds the maximum when the steps do not land on it', () => {
    const r = calculateDose(
      request({ kg: 50, rule: { ...short, titrationStepMgPerKgPerHour: 0.2 }, mgPerKgPerHour: 0.5 }),
    );
    if (!r.ok) throw new Error('refused');
    expect(r.dose.titration.map((t) => t.mgPerKgPerHour)).toEqual([0.5, 0.7, 0.9, 1]);
  });
});

describe('the dose calculator refuses', () => {
  const cases: Array<[string, Partial<DoseRequest> & { kg?: number; lb?: number }, string, string]> = [
    ['24.9 kg', { kg: 24.9 }, 'weight_out_of_range', 'weight'],
    ['300.1 kg', { kg: 300.1 }, 'weight_out_of_range', 'weight'],
    ['55 lb (24.95 kg)', { lb: 55 }, 'weight_out_of_range', 'weight'],
    ['662 lb (300.28 kg)', { lb: 662 }, 'weight_out_of_range', 'weight'],
    ['a weight of NaN', { kg: Number.NaN }, 'weight_out_of_range', 'weight'],
    [
      'a weight 30 days and a minute old',
      { weight: { value: 70, unit: 'kg', measuredAt: NOW - 30 * DAY - 60_000 } },
      'weight_too_old',
      'measuredAt',
    ],
    [
      'a weight dated tomorrow',
      { weight: { value: 70, unit: 'kg', measuredAt: NOW + DAY } },
      'weight_in_future',
      'measuredAt',
    ],
    ['0.36 mg/kg/h on a 0.35 maximum', { mgPerKgPerHour: 0.36 }, 'rate_above_max', 'mgPerKgPerHour'],
    ['a rate of 0', { mgPerKgPerHour: 0 }, 'rate_not_positive', 'mgPerKgPerHour'],
    ['a bolus where none is allowed', { bolusMgPerKg: 0.1 }, 'bolus_not_allowed', 'bolusMgPerKg'],
    ['a 0.4 mg/kg bolus over a 0.35 limit', { rule: short, bolusMgPerKg: 0.4 }, 'bolus_above_max', 'bolusMgPerKg'],
    ['a bag of 0 mL', { bag: { drugMg: 100, volumeMl: 0 } }, 'bad_bag', 'bag'],
    ['a bag of 0 mg', { bag: { drugMg: 0, volumeMl: 100 } }, 'bad_bag', 'bag'],
    ['a session of 0 hours', { sessionHours: 0 }, 'bad_hours', 'sessionHours'],
    ['a session of 25 hours', { sessionHours: 25 }, 'bad_hours', 'sessionHours'],
    [
      'a bolus that uses the whole session maximum',
      { kg: 70, rule: { ...short, maxMgPerSession: 20 }, bolusMgPerKg: 0.35 },
      'bolus_above_session_max',
      'bolusMgPerKg',
    ],
  ];
  it.each(cases)('%s', (_name, over, code, field) => {
    const result = calculateDose(request(over));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(expect.objectContaining({ code, field }));
    for (const p of result.problems) expect(p.message.length).toBeGreaterThan(10);
  });

  it('names the range in kg and lb', () => {
    const r = calculateDose(request({ kg: 400 }));
    expect(!r.ok && r.problems[0]!.message).toBe('The weight must be between 25 and 300 kg (55–661 lb).');
  });
});

describe('rounding down to a step', () => {
  it.each([
    [24.99, 0.1, 24.9],
    [24.999999999997, 0.1, 25],
    [8.75, 0.1, 8.7],
    [56.875, 0.1, 56.8],
    [7.8166, 0.5, 7.5],
    [12.3, 1, 12],
    [0.04, 0.1, 0],
    // Steps that are not a power of ten keep their own decimals (0.26 at 0.25 was once given as 0.3).
    [0.26, 0.25, 0.25],
    [0.76, 0.25, 0.75],
    [2.6, 2.5, 2.5],
    [7.49, 2.5, 5],
    [12.345, 0.05, 12.3],
  ])('%d to %d → %d', (value, step, expected) => expect(roundDownTo(value, step)).toBe(expected));
});

describe('rounding down, for any step', () => {
  it('is never above the value and less than one step below it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.constantFrom(0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2.5),
        (value, step) => {
          const r = roundDownTo(value, step);
          expect(r).toBeLessThanOrEqual(value + 1e-9);
          expect(value - r).toBeLessThan(step + 1e-9);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('the dose calculator, for any input', () => {
  const weightKg = fc.double({ min: 25, max: 300, noNaN: true });
  const bag = fc.record({
    drugMg: fc.integer({ min: 10, max: 1000 }),
    volumeMl: fc.integer({ min: 10, max: 1000 }),
  });
  const rule = fc
    .record({
      start: fc.double({ min: 0.05, max: 2, noNaN: true }),
      extra: fc.double({ min: 0, max: 2, noNaN: true }),
      cap: fc.double({ min: 5, max: 200, noNaN: true }),
      session: fc.double({ min: 20, max: 800, noNaN: true }),
      bolus: fc.option(fc.double({ min: 0.05, max: 0.5, noNaN: true }), { nil: null }),
      step: fc.option(fc.double({ min: 0.05, max: 0.5, noNaN: true }), { nil: null }),
    })
    .map((r): DosingRule => ({
      startMgPerKgPerHour: r.start,
      titrationStepMgPerKgPerHour: r.step,
      maxMgPerKgPerHour: r.start + r.extra,
      capMgPerHour: r.cap,
      maxMgPerSession: r.session,
      bolusMaxMgPerKg: r.bolus,
    }));
  const hours = fc.integer({ min: 1, max: 12 });
  const TOL = 1e-6;

  it('never gives more than any cap, or more than the weight asks', () => {
    fc.assert(
      fc.property(weightKg, bag, rule, hours, fc.double({ min: 0, max: 1, noNaN: true }), (kg, b, r, h, useBolus) => {
        const bolusMgPerKg = r.bolusMaxMgPerKg === null ? 0 : r.bolusMaxMgPerKg * useBolus;
        const result = calculateDose(request({ kg, bag: b, rule: r, sessionHours: h, bolusMgPerKg }));
        if (!result.ok) {
          expect(result.problems.map((p) => p.code)).toEqual(['bolus_above_session_max']);
          return;
        }
        const d = result.dose;
        for (const rate of [d.ordered, d.maximum, ...d.titration]) {
          expect(rate.mgPerHour).toBeLessThanOrEqual(r.capMgPerHour + TOL);
          expect(rate.mgPerHour).toBeLessThanOrEqual(rate.mgPerKgPerHour * kg + TOL);
          expect(rate.pumpRateMlPerHour).toBeGreaterThanOrEqual(0);
          expect((d.bolus?.mg ?? 0) + rate.mgPerHour * h).toBeLessThanOrEqual(r.maxMgPerSession + TOL);
        }
        expect(d.sessionTotalMg).toBeLessThanOrEqual(r.maxMgPerSession + TOL);
        if (d.bolus) expect(d.bolus.mg).toBeLessThanOrEqual(bolusMgPerKg * kg + TOL);
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds the pump rate down by less than one step', () => {
    fc.assert(
      fc.property(weightKg, bag, rule, hours, (kg, b, r, h) => {
        const result = calculateDose(request({ kg, bag: b, rule: r, sessionHours: h }));
        if (!result.ok) return;
        const exact =
          Math.min(r.startMgPerKgPerHour * kg, r.capMgPerHour, r.maxMgPerSession / h) / (b.drugMg / b.volumeMl);
        expect(exact - result.dose.ordered.pumpRateMlPerHour).toBeGreaterThan(-TOL);
        expect(exact - result.dose.ordered.pumpRateMlPerHour).toBeLessThan(0.1 + TOL);
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotonic in weight: a heavier patient never gets a lower rate', () => {
    fc.assert(
      fc.property(weightKg, weightKg, bag, rule, hours, (a, b, bg, r, h) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const x = calculateDose(request({ kg: lo, bag: bg, rule: r, sessionHours: h }));
        const y = calculateDose(request({ kg: hi, bag: bg, rule: r, sessionHours: h }));
        if (!x.ok || !y.ok) throw new Error('refused');
        expect(x.dose.ordered.pumpRateMlPerHour).toBeLessThanOrEqual(y.dose.ordered.pumpRateMlPerHour);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same order for a weight in kg or in lb', () => {
    fc.assert(
      fc.property(fc.double({ min: 26, max: 299, noNaN: true }), bag, (kg, b) => {
        const inKg = calculateDose(request({ kg, bag: b }));
        const inLb = calculateDose(request({ lb: kg / KG_PER_LB, bag: b }));
        if (!inKg.ok || !inLb.ok) throw new Error('refused');
        expect(Math.abs(inKg.dose.ordered.pumpRateMlPerHour - inLb.dose.ordered.pumpRateMlPerHour)).toBeLessThanOrEqual(
          0.1,
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the independent double check', () => {
  const ordered = { weightKg: 72.5747792, bag: { drugMg: 100, volumeMl: 100 } };
  it.each([
    ['the same weight in lb and the same bag', { value: 160, unit: 'lb' as const }, { drugMg: 100, volumeMl: 100 }, []],
    ['the weight in kg to one decimal', { value: 72.6, unit: 'kg' as const }, { drugMg: 100, volumeMl: 100 }, []],
    [
      'a bag of the same strength, another size',
      { value: 72.6, unit: 'kg' as const },
      { drugMg: 500, volumeMl: 500 },
      [],
    ],
    ['a weight 0.2 kg off', { value: 72.8, unit: 'kg' as const }, { drugMg: 100, volumeMl: 100 }, ['weight']],
    ['the weight in the wrong unit', { value: 160, unit: 'kg' as const }, { drugMg: 100, volumeMl: 100 }, ['weight']],
    ['a stronger bag', { value: 160, unit: 'lb' as const }, { drugMg: 200, volumeMl: 100 }, ['concentration']],
    ['both wrong', { value: 70, unit: 'kg' as const }, { drugMg: 500, volumeMl: 100 }, ['weight', 'concentration']],
    ['a bag of 0 mL', { value: 160, unit: 'lb' as const }, { drugMg: 100, volumeMl: 0 }, ['concentration']],
  ])('%s', (_name, weight, bag, mismatches) => {
    const result = compareVerification(settings, ordered, { weight, bag });
    expect(result).toEqual({ match: mismatches.length === 0, mismatches });
  });
});
