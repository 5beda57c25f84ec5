import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  median,
  type Baseline,
  type ReportRow,
  type TreatedRow,
} from '../../src/clinical/outcomes/report.ts';
import { DEFAULT_RESPONDER_SETTINGS } from '../../src/clinical/outcomes/responder.ts';

let serial = 0;
const row = (over: Partial<ReportRow> & Pick<ReportRow, 'patientId'>): ReportRow => ({
  id: `q${++serial}`,
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
  const treated: TreatedRow[] = [
    { patientId: 'a', protocol: 'crps-10-day', locationId: 'loc-chicago' },
    { patientId: 'b', protocol: 'crps-10-day', locationId: 'loc-chicago' },
  ];
  const [chicago, denver] = buildReport(rows, baselines, DEFAULT_RESPONDER_SETTINGS, treated);

  it('groups by protocol and location, time points in the series’ order; treated as given', () => {
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
      [],
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

describe('baselines, treated and the first response in the report', () => {
  const settings = DEFAULT_RESPONDER_SETTINGS;
  it('the questionnaire that is a patient’s baseline is counted as the baseline, not as a 0 % non-responder', () => {
    const rows = [
      row({ id: 'd-pre1', patientId: 'd', timepoint: 'pre_session', number: 1, painAverage: 6 }),
      row({ id: 'a-pre1', patientId: 'a', timepoint: 'pre_session', number: 1, painAverage: 5 }),
    ];
    const bases = new Map<string, Baseline>([
      ['d', { pain: 6, phq9: null, painFrom: 'd-pre1', phq9From: null }],
      ['a', { pain: 8, phq9: null, painFrom: null, phq9From: null }],
    ]);
    const [g] = buildReport(rows, bases, settings, []);
    expect(g!.timepoints[0]).toMatchObject({ answered: 2, baseline: 1, notApplicable: 0, medianPain: 5.5 });
    expect(g!.timepoints[0]!.moderate).toMatchObject({ x: 1, n: 1 }); // a: 37.5 %; d is not in the share
  });

  it('a PHQ-9 without a baseline before treatment is missing from the improvement share, and counted as such', () => {
    const rows = [
      row({ id: 'b-eoi', patientId: 'b', timepoint: 'end_of_induction', phq9: 15 }),
      row({ id: 'a-eoi', patientId: 'a', timepoint: 'end_of_induction', phq9: 9 }),
      row({ id: 'c-eoi', patientId: 'c', timepoint: 'end_of_induction', phq9: 9 }),
    ];
    const bases = new Map<string, Baseline>([
      ['a', { pain: null, phq9: 18 }],
      ['c', { pain: null, phq9: 9, painFrom: null, phq9From: 'c-eoi' }], // (its own baseline: neither)
    ]);
    const t = buildReport(rows, bases, settings, [])[0]!.timepoints[0]!;
    expect(t.phq9Improved).toMatchObject({ x: 1, n: 1 });
    expect(t.phq9NoBaseline).toBe(1);
  });

  it('treated is who had an infusion in the period, booster-only patients included, with or without questionnaires', () => {
    const treated: TreatedRow[] = [
      { patientId: 'a', protocol: 'crps-10-day', locationId: 'loc-chicago' },
      { patientId: 'g', protocol: 'crps-10-day', locationId: 'loc-chicago' }, // a booster only
      { patientId: 'a', protocol: 'crps-10-day', locationId: 'loc-chicago' },
      { patientId: 'h', protocol: 'short-series', locationId: 'loc-chicago' },
    ];
    const rows = [row({ patientId: 'a', painAverage: 4 }), row({ patientId: 'z', painAverage: 4 })];
    const groups = buildReport(rows, new Map(), settings, treated);
    expect(groups.map((g) => [g.protocol, g.treated, g.timepoints.length])).toEqual([
      ['crps-10-day', 2, 1],
      ['short-series', 1, 0],
    ]);
  });

  it('the median first episode per group, open ones counted at their length so far; the baseline row left out', () => {
    const D = 86_400_000;
    const bases = new Map<string, Baseline>([
      ['a', { pain: 10, phq9: null }],
      ['b', { pain: 10, phq9: null }],
      ['c', { pain: 10, phq9: null }],
      ['d', { pain: 6, phq9: null, painFrom: 'd-base' }],
      ['z', { pain: 0, phq9: null }],
    ]);
    const rows = [
      // a: 50 % on day 10, back to 20 % on day 40 (30 days), responds again on day 80 (a second episode).
      row({ patientId: 'a', at: 80 * D, painAverage: 4 }),
      row({ patientId: 'a', at: 10 * D, painAverage: 5 }),
      row({ patientId: 'a', at: 40 * D, painAverage: 8 }),
      // b: 30 % on day 5, still 30 % on day 25: open, at least 20 days.
      row({ patientId: 'b', at: 5 * D, painAverage: 7 }),
      row({ patientId: 'b', at: 25 * D, painAverage: 7 }),
      // c: never 30 %; followed, not a responder.
      row({ patientId: 'c', at: 5 * D, painAverage: 7.1 }),
      // d: only its baseline questionnaire: not followed.
      row({ id: 'd-base', patientId: 'd', at: 1 * D, timepoint: 'pre_session', number: 1, painAverage: 6 }),
      // z: baseline 0, no percent change: not followed.
      row({ patientId: 'z', at: 5 * D, painAverage: 3 }),
    ];
    const [g] = buildReport(rows, bases, settings, []);
    expect(g!.firstResponses).toEqual({ followed: 3, responders: 2, open: 1, medianMs: 25 * D });
  });
});

describe('report properties', () => {
  const arbRow = fc.record({
    id: fc.constantFrom('q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8'),
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
    painFrom: fc.option(fc.constantFrom('q1', 'q2', 'q3')),
    phq9From: fc.option(fc.constantFrom('q1', 'q4')),
  });
  it('shares lie in [0, 1], each interval holds its share, missing + answered = owed; responders ≤ followed', () => {
    fc.assert(
      fc.property(
        fc.array(arbRow, { maxLength: 60 }),
        fc.dictionary(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), arbBaseline),
        (rows, bs) => {
          const groups = buildReport(rows, new Map(Object.entries(bs)), DEFAULT_RESPONDER_SETTINGS, []);
          for (const g of groups) {
            const f = g.firstResponses;
            expect(f.open).toBeLessThanOrEqual(f.responders);
            expect(f.responders).toBeLessThanOrEqual(f.followed);
            expect(f.medianMs === null).toBe(f.responders === 0);
            for (const t of g.timepoints) {
              expect(t.missing + t.answered).toBe(t.owed);
              expect(t.missing).toBeGreaterThanOrEqual(0);
              expect(t.substantial.x).toBeLessThanOrEqual(t.moderate.x);
              expect(t.moderate.n + t.notApplicable + t.baseline).toBeLessThanOrEqual(t.answered);
              expect(t.phq9Improved.n + t.phq9NoBaseline).toBeLessThanOrEqual(t.answered);
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
          }
        },
      ),
    );
  });
});
