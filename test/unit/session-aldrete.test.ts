import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALDRETE_ITEMS,
  ALDRETE_VERSION,
  aldreteAnswersSchema,
  aldreteMet,
  circulationFromPressure,
  scoreAldrete,
  type AldreteAnswers,
} from '../../src/clinical/instruments/aldrete.ts';
import { DEFAULT_PROTOCOLS } from '../../src/clinical/protocols/protocol.ts';

const ALL_TWO = { activity: 2, respiration: 2, circulation: 2, consciousness: 2, oxygenSaturation: 2 };

describe('the Modified Aldrete score, by hand', () => {
  const rows: [string, AldreteAnswers, number | null, string[]][] = [
    ['all fully recovered', ALL_TWO, 10, []],
    ['drowsy but rousable', { ...ALL_TWO, consciousness: 1 }, 9, []],
    ['drowsy and needs oxygen', { ...ALL_TWO, consciousness: 1, oxygenSaturation: 1 }, 8, []],
    ['all lowest', { activity: 0, respiration: 0, circulation: 0, consciousness: 0, oxygenSaturation: 0 }, 0, []],
    ['one item left out', { ...ALL_TWO, circulation: undefined }, null, ['circulation']],
    ['one item null', { ...ALL_TWO, activity: null }, null, ['activity']],
    ['a 3 is not an answer', { ...ALL_TWO, respiration: 3 }, null, ['respiration']],
    ['a 1.5 is not an answer', { ...ALL_TWO, respiration: 1.5 }, null, ['respiration']],
    ['nothing answered', {}, null, ['activity', 'respiration', 'circulation', 'consciousness', 'oxygenSaturation']],
  ];
  it.each(rows)('%s', (_name, answers, total, missing) => {
    const s = scoreAldrete(answers);
    expect(s).toEqual({ total, complete: total !== null, missing, version: ALDRETE_VERSION });
  });

  it('meets the threshold at or above it, and an incomplete score never does', () => {
    const nine = scoreAldrete({ ...ALL_TWO, consciousness: 1 });
    expect([8, 9, 10].map((atLeast) => aldreteMet(nine, atLeast))).toEqual([true, true, false]);
    expect(aldreteMet(scoreAldrete({ ...ALL_TWO, activity: null }), 0)).toBe(false);
  });

  it('takes the threshold from the protocol: 9 in every shipped one', () => {
    expect(DEFAULT_PROTOCOLS.map((p) => p.discharge.aldreteAtLeast)).toEqual([9, 9, 9]);
  });

  it('has five items of three levels each, highest first', () => {
    expect(ALDRETE_ITEMS.map((i) => i.key)).toEqual([
      'activity',
      'respiration',
      'circulation',
      'consciousness',
      'oxygenSaturation',
    ]);
    for (const item of ALDRETE_ITEMS) expect(item.options.map((o) => o.score)).toEqual([2, 1, 0]);
  });

  const pressure: [number, number, number][] = [
    // baseline, now, points: within 20 % (edge included) → 2; above 20 % and under 50 % → 1; 50 % or more → 0
    [100, 100, 2],
    [100, 120, 2],
    [100, 121, 1],
    [100, 80, 2],
    [100, 79, 1],
    [100, 149, 1],
    [100, 150, 0],
    [100, 51, 1],
    [100, 50, 0],
    [130, 156, 2],
    [130, 157, 1],
    [130, 194, 1],
    [130, 195, 0],
    [130, 104, 2],
    [130, 103, 1],
    [130, 66, 1],
    [130, 65, 0],
  ];
  it.each(pressure)('circulation: from %d to %d scores %d', (baseline, now, expected) => {
    expect(circulationFromPressure(baseline, now)).toBe(expected);
  });

  it('reads a form’s answers and refuses a missing or odd one by name', () => {
    expect(aldreteAnswersSchema.parse({ ...ALL_TWO, activity: '1' })).toEqual({ ...ALL_TWO, activity: 1 });
    const bad = aldreteAnswersSchema.safeParse({ ...ALL_TWO, activity: '3', consciousness: '' });
    expect(bad.success ? [] : bad.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['activity', 'activity: choose one of the three levels'],
      ['consciousness', 'consciousness: choose one of the three levels'],
    ]);
  });
});

describe('the Modified Aldrete score, properties', () => {
  const answer = fc.constantFrom(0, 1, 2);
  const answers = fc.record({
    activity: answer,
    respiration: answer,
    circulation: answer,
    consciousness: answer,
    oxygenSaturation: answer,
  });

  it('a complete score is the sum of the answers, 0 to 10', () => {
    fc.assert(
      fc.property(answers, (a) => {
        const s = scoreAldrete(a);
        expect(s.total).toBe(Object.values(a).reduce<number>((x, y) => x + y, 0));
        expect(s.total).toBeGreaterThanOrEqual(0);
        expect(s.total).toBeLessThanOrEqual(10);
      }),
    );
  });

  it('circulation scores never rise as the pressure moves further from the baseline, either way', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 220 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 50 }),
        fc.boolean(),
        (baseline, away, further, up) => {
          const sign = up ? 1 : -1;
          expect(circulationFromPressure(baseline, baseline + sign * (away + further))).toBeLessThanOrEqual(
            circulationFromPressure(baseline, baseline + sign * away),
          );
        },
      ),
    );
  });
});
