import { describe, expect, it } from 'vitest';
import { DEFAULT_DOSING_SETTINGS, DEFAULT_PROTOCOLS, protocolSchema } from '../../src/clinical/protocols/protocol.ts';

const tenDay = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!;

/** The paths and messages zod gives for an edited protocol. */
function problems(edit: (p: typeof tenDay) => unknown): Array<[string, string]> {
  const result = protocolSchema.safeParse(edit(structuredClone(tenDay)));
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('the shipped protocols', () => {
  it('are the three the issue names, each valid, each part with its source', () => {
    expect(DEFAULT_PROTOCOLS.map((p) => p.code)).toEqual(['crps-10-day', 'short-series', 'booster-4h']);
    for (const p of DEFAULT_PROTOCOLS) {
      expect(protocolSchema.safeParse(p).success, p.code).toBe(true);
      for (const part of [
        p.induction,
        p.maintenance,
        p.dosing,
        p.bag,
        p.monitoring,
        p.extraOrdersSource,
        p.discharge,
      ]) {
        expect(part.source.length, p.code).toBeGreaterThan(3);
      }
    }
  });

  it('keep Schwartzman’s published figures: 0.35 mg/kg/h, at most 25 mg/h, 4 h × 10, no bolus', () => {
    expect(tenDay.dosing).toMatchObject({
      startMgPerKgPerHour: 0.35,
      maxMgPerKgPerHour: 0.35,
      capMgPerHour: 25,
      maxMgPerSession: 100,
      bolusMaxMgPerKg: null,
      unverified: false,
    });
    expect(tenDay.induction).toMatchObject({ sessions: 10, hoursPerSession: 4 });
  });

  it('mark the shorter series and every clinic-practice figure as unverified', () => {
    const short = DEFAULT_PROTOCOLS.find((p) => p.code === 'short-series')!;
    expect(short.induction.unverified && short.dosing.unverified).toBe(true);
    expect(tenDay.bag.unverified && tenDay.discharge.unverified && tenDay.monitoring.unverified).toBe(true);
    expect(Object.values(DEFAULT_DOSING_SETTINGS.sources).every((s) => s.unverified)).toBe(true);
  });
});

describe('an edited protocol', () => {
  it.each<[string, (p: typeof tenDay) => unknown, string, RegExp]>([
    [
      'a start above the maximum',
      (p) => ({ ...p, dosing: { ...p.dosing, startMgPerKgPerHour: 0.5 } }),
      'dosing.startMgPerKgPerHour',
      /cannot be above the maximum/,
    ],
    ['a negative cap', (p) => ({ ...p, dosing: { ...p.dosing, capMgPerHour: -1 } }), 'dosing.capMgPerHour', /above 0/],
    [
      'a cap given as text',
      (p) => ({ ...p, dosing: { ...p.dosing, capMgPerHour: '25' } }),
      'dosing.capMgPerHour',
      /must be a number/,
    ],
    [
      'a tiny titration step',
      (p) => ({ ...p, dosing: { ...p.dosing, maxMgPerKgPerHour: 2, titrationStepMgPerKgPerHour: 0.001 } }),
      'dosing.titrationStepMgPerKgPerHour',
      /too small/,
    ],
    [
      '2.5 sessions',
      (p) => ({ ...p, induction: { ...p.induction, sessions: 2.5 } }),
      'induction.sessions',
      /whole number/,
    ],
    [
      'most days fewer than fewest',
      (p) => ({ ...p, induction: { ...p.induction, minDaysBetween: 4, maxDaysBetween: 3 } }),
      'induction.maxDaysBetween',
      /cannot be fewer/,
    ],
    [
      'a window too short for the sessions',
      (p) => ({ ...p, induction: { ...p.induction, windowDays: 9 } }),
      'induction.windowDays',
      /too short/,
    ],
    ['no source', (p) => ({ ...p, bag: { ...p.bag, source: ' ' } }), 'bag.source', /name the source/],
    [
      'an Aldrete score of 11',
      (p) => ({ ...p, discharge: { ...p.discharge, aldreteAtLeast: 11 } }),
      'discharge.aldreteAtLeast',
      /at most 10/,
    ],
    ['a code with spaces', (p) => ({ ...p, code: 'CRPS 10' }), 'code', /lower-case/],
  ])('refuses %s, naming the field', (_name, edit, path, message) => {
    const found = problems(edit);
    expect(found.map(([p]) => p)).toContain(path);
    expect(found.find(([p]) => p === path)![1]).toMatch(message);
  });
});

describe('the protocols’ other orders', () => {
  it('give each shipped order numeric limits: ondansetron 4/8 mg IV, midazolam 2/4 mg IV, clonidine 0.1/0.2 mg oral', () => {
    for (const p of DEFAULT_PROTOCOLS)
      for (const o of p.extraOrders) {
        expect(o.doseMg, `${p.code} ${o.drug}`).toBeGreaterThan(0);
        expect(o.maxMgPerSession! >= o.doseMg!, `${p.code} ${o.drug}`).toBe(true);
      }
    const short = DEFAULT_PROTOCOLS.find((p) => p.code === 'short-series')!;
    expect(short.extraOrders.map((o) => [o.drug, o.doseMg, o.maxMgPerSession, o.routes, o.asNeeded])).toEqual([
      ['Ondansetron', 4, 8, ['IV'], true],
      ['Midazolam', 2, 4, ['IV'], true],
      ['Clonidine', 0.1, 0.2, ['oral'], true],
    ]);
    expect(short.extraOrdersSource.unverified).toBe(true);
  });

  it('accept an order stored before the limits existed, and refuse a single dose above the session maximum', () => {
    expect(
      problems((p) => ({
        ...p,
        extraOrders: [{ drug: 'Midazolam', dose: '2 mg IV', route: 'IV', maxPerSession: '4 mg', asNeeded: true }],
      })),
    ).toEqual([]);
    expect(problems((p) => ({ ...p, extraOrders: [{ ...p.extraOrders[0]!, doseMg: 5, maxMgPerSession: 4 }] }))).toEqual(
      [['extraOrders.0.doseMg', 'The largest single dose cannot be above the most in a session']],
    );
    expect(problems((p) => ({ ...p, extraOrders: [{ ...p.extraOrders[0]!, maxMgPerSession: undefined }] }))).toEqual([
      ['extraOrders.0.maxMgPerSession', 'Give both the largest single dose and the most in a session, or neither'],
    ]);
  });
});
