import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  answersSchema,
  questionnaireDefinitionSchema,
  scoreQuestionnaire,
  SEVERITIES,
  type QuestionnaireDefinition,
} from '../../src/clinical/instruments/questionnaire.ts';
import { PHQ9, PHQ9_ITEM9_RULE, phq9SafetyLevel, phq9SafetyRuleSchema } from '../../src/clinical/instruments/phq9.ts';
import { GAD7 } from '../../src/clinical/instruments/gad7.ts';
import {
  PAIN_NRS,
  painRatingsSchema,
  painScaleDefinitionSchema,
  percentChange,
} from '../../src/clinical/instruments/pain.ts';
import { PGIC, pgicAnswer } from '../../src/clinical/instruments/pgic.ts';
import { PEG, scorePeg } from '../../src/clinical/instruments/peg.ts';

/** Answers from a list of values, item i+1 → values[i]; undefined leaves the item unanswered. */
function answers(def: QuestionnaireDefinition, values: readonly (number | undefined)[]) {
  return Object.fromEntries(def.items.map((item, i) => [item.key, values[i]]));
}

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('PHQ-9 and GAD-7 definitions', () => {
  it('ship as valid definitions with the published shape and their sources', () => {
    expect(questionnaireDefinitionSchema.safeParse(PHQ9).success).toBe(true);
    expect(questionnaireDefinitionSchema.safeParse(GAD7).success).toBe(true);
    expect(PHQ9.items).toHaveLength(9);
    expect(GAD7.items).toHaveLength(7);
    expect(PHQ9.options.map((o) => o.value)).toEqual([0, 1, 2, 3]);
    expect(PHQ9.source).toContain('Kroenke');
    expect(GAD7.source).toContain('Spitzer');
    expect(PHQ9.unverified).toBeUndefined();
    expect(PHQ9.items[8]?.text).toBe('Thoughts that you would be better off dead or of hurting yourself in some way');
  });
});

describe('PHQ-9 scoring at every band boundary', () => {
  // Answers chosen by hand; the totals added up by hand.
  const table: Array<[number[], number, string]> = [
    [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'Minimal'],
    [[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 'Minimal'],
    [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'Mild'],
    [[3, 3, 3, 0, 0, 0, 0, 0, 0], 9, 'Mild'],
    [[2, 2, 2, 2, 2, 0, 0, 0, 0], 10, 'Moderate'],
    [[2, 2, 2, 2, 2, 2, 2, 0, 0], 14, 'Moderate'],
    [[3, 3, 3, 3, 3, 0, 0, 0, 0], 15, 'Moderately severe'],
    [[3, 3, 3, 3, 3, 1, 1, 1, 1], 19, 'Moderately severe'],
    [[3, 3, 3, 3, 2, 2, 2, 2, 0], 20, 'Severe'],
    [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, 'Severe'],
  ];
  it.each(table)('%j totals %i, %s', (values, total, band) => {
    const score = scoreQuestionnaire(PHQ9, answers(PHQ9, values));
    expect(score).toMatchObject({ total, answered: 9, missing: [], complete: true });
    expect(score.band?.label).toBe(band);
  });
});

describe('GAD-7 scoring at every band boundary', () => {
  const table: Array<[number[], number, string]> = [
    [[0, 0, 0, 0, 0, 0, 0], 0, 'Minimal'],
    [[1, 1, 1, 1, 0, 0, 0], 4, 'Minimal'],
    [[1, 1, 1, 1, 1, 0, 0], 5, 'Mild'],
    [[3, 3, 3, 0, 0, 0, 0], 9, 'Mild'],
    [[2, 2, 2, 2, 2, 0, 0], 10, 'Moderate'],
    [[2, 2, 2, 2, 2, 2, 2], 14, 'Moderate'],
    [[3, 3, 3, 3, 3, 0, 0], 15, 'Severe'],
    [[3, 3, 3, 3, 3, 3, 3], 21, 'Severe'],
  ];
  it.each(table)('%j totals %i, %s', (values, total, band) => {
    const score = scoreQuestionnaire(GAD7, answers(GAD7, values));
    expect(score).toMatchObject({ total, answered: 7, complete: true });
    expect(score.band?.label).toBe(band);
  });
});

describe('partial answers', () => {
  it('give no total and no band, and name the unanswered items in order', () => {
    const score = scoreQuestionnaire(PHQ9, answers(PHQ9, [3, 3, undefined, 3, 3, 3, 3, 3, undefined]));
    expect(score).toEqual({ total: null, band: null, answered: 7, missing: ['q3', 'q9'], complete: false });
  });

  it('count nothing answered as every item missing', () => {
    expect(scoreQuestionnaire(GAD7, {})).toEqual({
      total: null,
      band: null,
      answered: 0,
      missing: ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'],
      complete: false,
    });
  });

  it('treat null and values that are not an option as unanswered, never as a number', () => {
    const score = scoreQuestionnaire(GAD7, { q1: null, q2: 4, q3: -1, q4: 1.5, q5: NaN, q6: 0, q7: 0, extra: 3 });
    expect(score).toMatchObject({ total: null, answered: 2, missing: ['q1', 'q2', 'q3', 'q4', 'q5'] });
  });
});

describe('PHQ-9 item 9', () => {
  const base = [0, 0, 0, 0, 0, 0, 0, 0];
  const table: Array<[number | undefined, 'none' | 'alert' | 'urgent']> = [
    [0, 'none'],
    [1, 'alert'],
    [2, 'urgent'],
    [3, 'urgent'],
    [undefined, 'none'],
  ];
  it.each(table)('answered %s is %s', (item9, level) => {
    const a = answers(PHQ9, [...base, item9]);
    expect(phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, a)).toBe(level);
  });

  it('unanswered is reported as missing by the score', () => {
    expect(scoreQuestionnaire(PHQ9, answers(PHQ9, base)).missing).toEqual(['q9']);
  });

  it('follows an edited rule, and alerts on a stray value at or above a threshold', () => {
    const rule = { itemKey: 'q9', alertAt: 2, escalateAt: 3 };
    expect(phq9SafetyLevel(PHQ9, rule, { q9: 1 })).toBe('none');
    expect(phq9SafetyLevel(PHQ9, rule, { q9: 2 })).toBe('alert');
    expect(phq9SafetyLevel(PHQ9, rule, { q9: 3 })).toBe('urgent');
    expect(phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, { q9: 7 })).toBe('urgent');
    expect(phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, { q9: NaN })).toBe('none');
  });

  it('ships its rule with a source, valid for the PHQ-9', () => {
    expect(phq9SafetyRuleSchema(PHQ9).safeParse(PHQ9_ITEM9_RULE).success).toBe(true);
    expect(PHQ9_ITEM9_RULE).toMatchObject({ itemKey: 'q9', alertAt: 1, escalateAt: 2 });
  });

  it('refuses an edited rule on an unknown item, out of range, or escalating below its alert', () => {
    const schema = phq9SafetyRuleSchema(PHQ9);
    expect(messages(schema.safeParse({ ...PHQ9_ITEM9_RULE, itemKey: 'q10' }))).toEqual([
      'itemKey: not an item of PHQ-9 (q1, q2, q3, q4, q5, q6, q7, q8, q9)',
    ]);
    expect(messages(schema.safeParse({ ...PHQ9_ITEM9_RULE, alertAt: 0 }))).toEqual([
      'alertAt: at least 1; at 0 every answer would raise it',
    ]);
    expect(messages(schema.safeParse({ ...PHQ9_ITEM9_RULE, escalateAt: 4 }))).toEqual([
      'escalateAt: at most 3, the highest answer',
    ]);
    expect(messages(schema.safeParse({ ...PHQ9_ITEM9_RULE, alertAt: 3, escalateAt: 2 }))).toEqual([
      'escalateAt: must be at least alertAt; an urgent alert is never raised below an ordinary one',
    ]);
  });
});

describe('answers from a form', () => {
  const schema = answersSchema(PHQ9);

  it('accept numbers and their text, and keep partial answers', () => {
    expect(schema.parse({ q1: '2', q2: 0, q3: '', q4: null })).toEqual({ q1: 2, q2: 0, q3: null, q4: null });
  });

  it('refuse a value outside the options, naming the item', () => {
    expect(messages(schema.safeParse({ q2: 4 }))).toEqual([
      'q2 (item 2 of PHQ-9): the answer must be one of 0, 1, 2, 3',
    ]);
    expect(messages(schema.safeParse({ q9: '-1' }))).toEqual([
      'q9 (item 9 of PHQ-9): the answer must be one of 0, 1, 2, 3',
    ]);
    expect(messages(schema.safeParse({ q3: 'often' }))).toEqual([
      'q3 (item 3 of PHQ-9): choose one of the answers (0, 1, 2, 3)',
    ]);
    expect(messages(schema.safeParse({ q1: 1.5 }))).toEqual([
      'q1 (item 1 of PHQ-9): the answer must be one of 0, 1, 2, 3',
    ]);
  });

  it('refuse unknown items by name', () => {
    expect(messages(schema.safeParse({ q10: 1 }))).toEqual(['q10: not an item of PHQ-9']);
  });
});

describe('an edited questionnaire definition', () => {
  const bands = (...spans: Array<[number, number]>) =>
    spans.map(([from, to], i) => ({ from, to, label: `Band ${i + 1}`, severity: 'mild' as const }));

  it('is refused when its bands leave a gap, overlap, or miss either end', () => {
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, bands: bands([0, 4], [6, 21]) }))).toEqual([
      'bands[1].from: band "Band 2" starts at 6, leaving a gap after band "Band 1" (which ends at 4); it must start at 5',
    ]);
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, bands: bands([0, 5], [5, 21]) }))).toEqual([
      'bands[1].from: band "Band 2" starts at 5, overlapping band "Band 1" (which ends at 5); it must start at 6',
    ]);
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, bands: bands([1, 21]) }))).toEqual([
      'bands[0].from: the first band must start at 0, the lowest possible total',
    ]);
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, bands: bands([0, 20]) }))).toEqual([
      'bands[0].to: the last band must end at 21, the highest possible total',
    ]);
    expect(
      messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, bands: bands([0, 9], [10, 8], [9, 21]) })),
    ).toContain('bands[1].to: band "Band 2" ends at 8, before it starts (10)');
  });

  it('is refused with repeated item keys, unordered options, or no source or version', () => {
    const items = [...GAD7.items.slice(0, 6), { key: 'q1', text: 'Again' }];
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, items }))).toEqual([
      'items[6].key: "q1" is already the key of item 1',
    ]);
    const options = [
      { value: 0, label: 'No' },
      { value: 0, label: 'Also no' },
    ];
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, options, bands: bands([0, 0]) }))).toEqual([
      'options[1].value: 0 must be greater than the choice before it (0); list the choices from lowest to highest, each once',
    ]);
    expect(messages(questionnaireDefinitionSchema.safeParse({ ...GAD7, source: ' ', version: '' }))).toEqual([
      'version: give a version, so that results made with it can be told apart',
      'source: name where the values come from (a publication, a label or clinic practice)',
    ]);
  });
});

describe('questionnaire properties', () => {
  const complete = (def: QuestionnaireDefinition) =>
    fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: def.items.length, maxLength: def.items.length });
  const severity = (def: QuestionnaireDefinition, values: number[]) =>
    SEVERITIES.indexOf(scoreQuestionnaire(def, answers(def, values)).band!.severity);

  it.each([PHQ9, GAD7])('$title: a complete total is the sum, within range, with the band containing it', (def) => {
    fc.assert(
      fc.property(complete(def), (values) => {
        const score = scoreQuestionnaire(def, answers(def, values));
        expect(score.total).toBe(values.reduce((a: number, b) => a + b, 0));
        expect(score.total).toBeGreaterThanOrEqual(0);
        expect(score.total).toBeLessThanOrEqual(def.items.length * 3);
        expect(score.band).not.toBeNull();
        expect(score.band!.from).toBeLessThanOrEqual(score.total!);
        expect(score.band!.to).toBeGreaterThanOrEqual(score.total!);
      }),
    );
  });

  it.each([PHQ9, GAD7])('$title: raising one answer raises the total by as much, and never lowers the band', (def) => {
    fc.assert(
      fc.property(complete(def), fc.nat(), fc.integer({ min: 1, max: 3 }), (values, at, step) => {
        const i = at % values.length;
        fc.pre(values[i]! + step <= 3);
        const raised = values.map((v, j) => (j === i ? v + step : v));
        const before = scoreQuestionnaire(def, answers(def, values)).total!;
        expect(scoreQuestionnaire(def, answers(def, raised)).total).toBe(before + step);
        expect(severity(def, raised)).toBeGreaterThanOrEqual(severity(def, values));
      }),
    );
  });

  it('partial answers never give a total or NaN, and count what is missing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom(0, 1, 2, 3), { nil: undefined }), { minLength: 9, maxLength: 9 }),
        (values) => {
          const score = scoreQuestionnaire(PHQ9, answers(PHQ9, values));
          const unanswered = values.filter((v) => v === undefined).length;
          expect(score.missing).toHaveLength(unanswered);
          expect(score.answered).toBe(9 - unanswered);
          expect(score.complete).toBe(unanswered === 0);
          expect(score.total === null).toBe(unanswered > 0);
          expect(Number.isNaN(score.total)).toBe(false);
        },
      ),
    );
  });

  it('item 9 safety never falls as the answer rises', () => {
    const rank = { none: 0, alert: 1, urgent: 2 } as const;
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3), fc.constantFrom(0, 1, 2, 3), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(rank[phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, { q9: lo })]).toBeLessThanOrEqual(
          rank[phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, { q9: hi })],
        );
      }),
    );
  });

  // Any set of cut points makes contiguous bands that the schema accepts and that give every total one band;
  // moving one boundary by one either way makes the schema refuse it.
  const cutDefinition = fc
    .integer({ min: 1, max: 12 })
    .chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 1, max: 3 * n }), { maxLength: 4 })))
    .map(([n, cuts]) => {
      const starts = [0, ...[...cuts].sort((a, b) => a - b)];
      const max = 3 * n;
      const def: QuestionnaireDefinition = {
        ...GAD7,
        items: Array.from({ length: n }, (_, i) => ({ key: `q${i + 1}`, text: `Question ${i + 1}` })),
        bands: starts.map((from, i) => ({
          from,
          to: (starts[i + 1] ?? max + 1) - 1,
          label: `Band ${i + 1}`,
          severity: SEVERITIES[Math.min(i, SEVERITIES.length - 1)]!,
        })),
      };
      return def;
    });

  it('contiguous bands are accepted and give exactly one band to every total', () => {
    fc.assert(
      fc.property(cutDefinition, (def) => {
        expect(questionnaireDefinitionSchema.safeParse(def).success).toBe(true);
        for (let total = 0; total <= def.items.length * 3; total++)
          expect(def.bands.filter((b) => b.from <= total && total <= b.to)).toHaveLength(1);
        fc.assert(
          fc.property(
            fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: def.items.length, maxLength: def.items.length }),
            (v) => {
              expect(scoreQuestionnaire(def, answers(def, v)).band).not.toBeNull();
            },
          ),
          { numRuns: 10 },
        );
      }),
    );
  });

  it('bands with a boundary moved by one are refused', () => {
    fc.assert(
      fc.property(cutDefinition, fc.nat(), fc.constantFrom(-1, 1), (def, at, shift) => {
        const i = at % def.bands.length;
        const bands = def.bands.map((b, j) => (j === i ? { ...b, to: b.to + shift } : b));
        fc.pre(bands[i]!.from <= bands[i]!.to);
        expect(questionnaireDefinitionSchema.safeParse({ ...def, bands }).success).toBe(false);
      }),
    );
  });
});

describe('pain ratings', () => {
  it('ship the 0–10 scale with now, average and worst, and its source', () => {
    expect(painScaleDefinitionSchema.safeParse(PAIN_NRS).success).toBe(true);
    expect(PAIN_NRS).toMatchObject({ min: 0, max: 10 });
    expect(PAIN_NRS.measures.map((m) => m.key)).toEqual(['now', 'average', 'worst']);
    expect(PAIN_NRS.source).toContain('IMMPACT');
  });

  it('accept whole numbers 0–10 and their text, and refuse the rest naming the rating', () => {
    const schema = painRatingsSchema(PAIN_NRS);
    expect(schema.parse({ now: '7', average: 0, worst: 10 })).toEqual({ now: 7, average: 0, worst: 10 });
    expect(schema.parse({ now: '' })).toEqual({ now: null });
    expect(messages(schema.safeParse({ now: 11 }))).toEqual(['now: at most 10']);
    expect(messages(schema.safeParse({ average: -1 }))).toEqual(['average: at least 0']);
    expect(messages(schema.safeParse({ worst: 6.5 }))).toEqual(['worst: a whole number from 0 to 10']);
    expect(messages(schema.safeParse({ worst: 'bad' }))).toEqual(['worst: choose a number from 0 to 10']);
  });

  it('refuse a scale whose top is not above its bottom', () => {
    expect(messages(painScaleDefinitionSchema.safeParse({ ...PAIN_NRS, max: 0 }))).toEqual([
      'max: must be above min (0)',
    ]);
  });

  const table: Array<[number, number, number | null]> = [
    [8, 4, 50],
    [10, 7, 30],
    [10, 5, 50],
    [5, 5, 0],
    [4, 6, -50],
    [2, 10, -400],
    [1, 0, 100],
    [0, 0, null],
    [0, 5, null],
    [-2, 1, null],
    [NaN, 3, null],
    [3, Infinity, null],
  ];
  it.each(table)('percent change from %s to %s is %s', (baseline, followUp, expected) => {
    expect(percentChange(baseline, followUp)).toBe(expected);
  });

  it('percent change of 7 → 2 is 71.43 to two places', () => {
    expect(percentChange(7, 2)).toBeCloseTo(71.4286, 4);
  });

  it('percent change is never NaN or infinite, and null only for a baseline of 0 on the scale', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (b, f) => {
        const p = percentChange(b, f);
        if (b === 0) expect(p).toBeNull();
        else {
          expect(Number.isFinite(p)).toBe(true);
          expect(p!).toBeLessThanOrEqual(100);
          expect(p!).toBeGreaterThanOrEqual(-900);
          expect(Math.sign(p!)).toBe(Math.sign(b - f));
        }
      }),
    );
  });
});

describe('PGIC: seven labelled points', () => {
  it('ships the NINDS CDE order, 1 very much improved … 4 no change … 7 very much worse, with its source', () => {
    expect(PGIC.options.map((o) => o.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(PGIC.options[0]?.label).toBe('Very much improved');
    expect(PGIC.options[3]?.label).toBe('No change');
    expect(PGIC.options[6]?.label).toBe('Very much worse');
    expect(PGIC.source).toContain('NINDS');
    expect(PGIC.version).toMatch(/\S/);
  });
  const table: Array<[unknown, { value: number; label: string } | null]> = [
    [1, { value: 1, label: 'Very much improved' }],
    [3, { value: 3, label: 'Minimally improved' }],
    [4, { value: 4, label: 'No change' }],
    [7, { value: 7, label: 'Very much worse' }],
    [0, null],
    [8, null],
    [2.5, null],
    ['2', null],
    [null, null],
  ];
  it.each(table)('%j reads as %j', (value, expected) => {
    expect(pgicAnswer(PGIC, value)).toEqual(expected);
  });
});

describe('PEG: three items 0–10, scored as their mean', () => {
  it('ships three items with the Krebs 2009 source', () => {
    expect(PEG.items.map((i) => i.key)).toEqual(['p', 'e', 'g']);
    expect(PEG.source).toContain('Krebs');
    expect([PEG.min, PEG.max]).toEqual([0, 10]);
  });
  const table: Array<[Record<string, unknown>, number | null, string[]]> = [
    [{ p: 0, e: 0, g: 0 }, 0, []],
    [{ p: 10, e: 10, g: 10 }, 10, []],
    [{ p: 4, e: 5, g: 6 }, 5, []],
    [{ p: 7, e: 3, g: 3 }, 4.33, []],
    [{ p: 1, e: 0, g: 0 }, 0.33, []],
    [{ p: 5, e: 5 }, null, ['g']],
    [{ p: 11, e: 5, g: 5 }, null, ['p']],
    [{ p: -1, e: 5, g: 5 }, null, ['p']],
    [{ p: 2.5, e: 5, g: 5 }, null, ['p']],
    [{ p: '5', e: 5, g: 5 }, null, ['p']],
    [{}, null, ['p', 'e', 'g']],
  ];
  it.each(table)('%j scores %j (missing %j)', (answers, score, missing) => {
    expect(scorePeg(PEG, answers)).toEqual({ score, missing, complete: missing.length === 0 });
  });
  it('is always within 0–10 when complete', () => {
    const v = fc.integer({ min: 0, max: 10 });
    fc.assert(
      fc.property(v, v, v, (p, e, g) => {
        const s = scorePeg(PEG, { p, e, g }).score;
        return s !== null && s >= 0 && s <= 10;
      }),
    );
  });
});
