import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport, median, type Baseline, type ReportRow } from '../../src/clinical/outcomes/report.ts';
import { DEFAULT_RESPONDER_SETTINGS } from '../../src/clinical/outcomes/responder.ts';

const row = (over: Partial<ReportRow> & Pick<ReportRow, 'patientId'>): ReportRow => ({
  protocol: 'crps-10-day',
  locationId: 'loc-chicago',
  timepoint: 'week_1',
  number: null,
  owed: true,
  complete: true,
  at: 1,
  painAverage: null,
  phq9: null,
  ...over,
});

describe('the responder report (hand-computed)', () => {
  const baselines = new Map<string, Baseline>([
    ['a', { pain: 8, phq9: 18 }],
    ['b', { pain: 10, phq9: 7 }],
    ['c', { pain: 0, phq9: null }],
    ['d', { pain: null, phq9: null }],
  ]);
  const rows: ReportRow[] = [
    row({ patientId: 'a', timepoint: 'pre_session', number: 1, painAverage: 8 }),
    row({ patientId: 'b', timepoint: 'pre_session', number: 1, painAverage: 10 }),
    row({ patientId: 'a', painAverage: 4, phq9: 13 }), // 50 %; PHQ-9 5 lower: improved
    row({ patientId: 'b', painAverage: 7.1, phq9: 3 }), // 29 %; PHQ-9 4 lower: not improved
    row({ patientId: 'c', painAverage: 2 }), // baseline 0: not applicable
    row({ patientId: 'd', painAverage: 5 }), // no baseline: not applicable
    row({ patientId: 'a', timepoint: 'week_4', complete: false }), // missed
    row({ patientId: 'b', timepoint: 'week_4', owed: false, complete: false }), // not yet owed
    row({ patientId: 'a', locationId: 'loc-denver', painAverage: 2 }),
  ];
  const [chicago, denver] = buildReport(rows, baselines, DEFAULT_RESPONDER_SETTINGS);

  it('groups by protocol and location, time points in the series’ order; treated = patients with a pre-session owed', () => {
    expect(chicago!.locationId).toBe('loc-chicago');
    expect(denver!.locationId).toBe('loc-denver');
    expect(chicago!.treated).toBe(2);
    expect(denver!.treated).toBe(0);
    expect(chicago!.timepoints.map((t) => t.key)).toEqual(['pre_session:1', 'week_1', 'week_4']);
  });

  it('counts week 1: shares among patients with a percent change, median pain, PHQ-9 improvement', () => {
    const w1 = chicago!.timepoints[1]!;
    expect(w1).toMatchObject({ owed: 4, answered: 4, missing: 0, missingShare: 0, notApplicable: 2, medianPain: 4.5 });
    expect(w1.moderate).toMatchObject({ x: 1, n: 2, share: 0.5 });
    expect(w1.substantial).toMatchObject({ x: 1, n: 2, share: 0.5 });
    expect(w1.phq9Improved).toMatchObject({ x: 1, n: 2, share: 0.5 });
  });

  it('counts a missed questionnaire as missing and one not yet due as nothing', () => {
    const w4 = chicago!.timepoints[2]!;
    expect(w4).toMatchObject({ owed: 1, answered: 0, missing: 1, missingShare: 1, medianPain: null });
    expect(w4.moderate).toEqual({ x: 0, n: 0, share: null, ci: null });
  });

  it('takes a patient’s latest complete answer once per time point', () => {
    const [g] = buildReport(
      [row({ patientId: 'a', at: 1, painAverage: 8 }), row({ patientId: 'a', at: 2, painAverage: 3 })],
      baselines,
      DEFAULT_RESPONDER_SETTINGS,
    );
    expect(g!.timepoints[0]).toMatchObject({ owed: 1, answered: 1, medianPain: 3 });
    expect(g!.timepoints[0]!.substantial.x).toBe(1);
  });

  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([4, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('report properties', () => {
  const arbRow = fc.record({
    patientId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'),
    protocol: fc.constantFrom('x', 'y'),
    locationId: fc.constantFrom('l1', 'l2'),
    timepoint: fc.constantFrom('pre_session', 'week_1', 'week_4', 'week_12'),
    number: fc.constantFrom(null, 1, 2),
    owed: fc.boolean(),
    complete: fc.boolean(),
    at: fc.integer({ min: 0, max: 1000 }),
    painAverage: fc.option(fc.integer({ min: 0, max: 10 })),
    phq9: fc.option(fc.integer({ min: 0, max: 27 })),
  });
  const arbBaseline = fc.record({
    pain: fc.option(fc.integer({ min: 0, max: 10 })),
    phq9: fc.option(fc.integer({ min: 0, max: 27 })),
  });
  it('shares lie in [0, 1], each interval holds its share, missing + answered = owed', () => {
    fc.assert(
      fc.property(
        fc.array(arbRow, { maxLength: 60 }),
        fc.dictionary(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), arbBaseline),
        (rows, bs) => {
          const groups = buildReport(rows, new Map(Object.entries(bs)), DEFAULT_RESPONDER_SETTINGS);
          for (const g of groups)
            for (const t of g.timepoints) {
              expect(t.missing + t.answered).toBe(t.owed);
              expect(t.missing).toBeGreaterThanOrEqual(0);
              expect(t.substantial.x).toBeLessThanOrEqual(t.moderate.x);
              expect(t.moderate.n + t.notApplicable).toBeLessThanOrEqual(t.answered);
              for (const s of [t.moderate, t.substantial, t.phq9Improved]) {
                if (s.n === 0) expect(s.share).toBeNull();
                else {
                  expect(s.share).toBeGreaterThanOrEqual(0);
                  expect(s.share).toBeLessThanOrEqual(1);
                  expect(s.ci!.low).toBeLessThanOrEqual(s.share! + 1e-12);
                  expect(s.ci!.high).toBeGreaterThanOrEqual(s.share! - 1e-12);
                }
              }
            }
        },
      ),
    );
  });
});
