import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BUDAPEST,
  budapestDefinitionSchema,
  budapestFindingsSchema,
  CATEGORIES,
  type BudapestFindings,
  type Category,
  evaluateBudapest,
  type PartMet,
} from '../../src/clinical/eligibility/budapest.ts';

type Finding = boolean | null;
/** Category findings in the order sensory, vasomotor, sudomotor/oedema, motor/trophic. */
const cats = (...v: Finding[]) =>
  Object.fromEntries(CATEGORIES.map((c, i) => [c, v[i] === undefined ? false : v[i]])) as Record<Category, Finding>;
/** The first n categories true, the rest false. */
const first = (n: number) => cats(...CATEGORIES.map((_, i) => i < n));

function findings(over: Partial<BudapestFindings> = {}): BudapestFindings {
  return {
    disproportionatePain: true,
    symptoms: first(4),
    signs: first(4),
    betterExplanation: false,
    ...over,
  };
}

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('the Budapest definition', () => {
  it('ships Harden 2010: clinical 3 of 4 symptom categories, research all 4, signs in 2, with its source', () => {
    expect(budapestDefinitionSchema.safeParse(BUDAPEST).success).toBe(true);
    expect(BUDAPEST.criteria).toEqual({
      clinical: { symptomCategories: 3, signCategories: 2 },
      research: { symptomCategories: 4, signCategories: 2 },
    });
    expect(BUDAPEST.source).toContain('Harden');
  });

  it('refuses research criteria weaker than the clinical ones, and counts outside 1–4', () => {
    const weak = {
      ...BUDAPEST,
      criteria: { ...BUDAPEST.criteria, research: { symptomCategories: 2, signCategories: 2 } },
    };
    expect(messages(budapestDefinitionSchema.safeParse(weak))).toEqual([
      "criteria.research.symptomCategories: 2 is fewer than the clinical criteria's 3; the research criteria must be at least as strict",
    ]);
    const zero = {
      ...BUDAPEST,
      criteria: { ...BUDAPEST.criteria, clinical: { symptomCategories: 0, signCategories: 5 } },
    };
    expect(messages(budapestDefinitionSchema.safeParse(zero))).toEqual([
      'criteria.clinical.symptomCategories: at least 1 category',
      'criteria.clinical.signCategories: at most 4, the number of categories',
    ]);
  });
});

describe('every count of symptom and sign categories, pain disproportionate and no better explanation', () => {
  // [symptom categories, sign categories, clinical met, research met], by hand from Harden 2010.
  const table: Array<[number, number, boolean, boolean]> = [
    [0, 0, false, false],
    [0, 1, false, false],
    [0, 2, false, false],
    [0, 3, false, false],
    [0, 4, false, false],
    [1, 0, false, false],
    [1, 1, false, false],
    [1, 2, false, false],
    [1, 3, false, false],
    [1, 4, false, false],
    [2, 0, false, false],
    [2, 1, false, false],
    [2, 2, false, false],
    [2, 3, false, false],
    [2, 4, false, false],
    [3, 0, false, false],
    [3, 1, false, false],
    [3, 2, true, false],
    [3, 3, true, false],
    [3, 4, true, false],
    [4, 0, false, false],
    [4, 1, false, false],
    [4, 2, true, true],
    [4, 3, true, true],
    [4, 4, true, true],
  ];
  it.each(table)('%i symptom and %i sign categories: clinical %s, research %s', (s, g, clinical, research) => {
    const result = evaluateBudapest(BUDAPEST, findings({ symptoms: first(s), signs: first(g) }));
    expect(result.clinical.met).toBe(clinical);
    expect(result.research.met).toBe(research);
  });
});

describe('the reasons', () => {
  it('give the counts, the categories and what each set needs', () => {
    const result = evaluateBudapest(
      BUDAPEST,
      findings({ symptoms: cats(true, true, false, true), signs: cats(false, true, false, false) }),
    );
    expect(result.clinical.parts).toEqual([
      { part: 'pain', met: true, reason: 'continuing pain out of proportion to any inciting event' },
      {
        part: 'symptoms',
        met: true,
        reason: 'symptoms in 3 of 4 categories (sensory, vasomotor, motor/trophic); the clinical criteria need 3',
        categories: { present: ['sensory', 'vasomotor', 'motor_trophic'], notAssessed: [], needed: 3 },
      },
      {
        part: 'signs',
        met: false,
        reason: 'signs in 1 of 4 categories (vasomotor); the clinical criteria need 2',
        categories: { present: ['vasomotor'], notAssessed: [], needed: 2 },
      },
      { part: 'no_better_explanation', met: true, reason: 'no other diagnosis better explains the signs and symptoms' },
    ]);
    expect(result.research.parts[1]?.reason).toBe(
      'symptoms in 3 of 4 categories (sensory, vasomotor, motor/trophic); the research criteria need all 4',
    );
  });

  it('name what is not yet assessed, and say when nothing was found', () => {
    const result = evaluateBudapest(
      BUDAPEST,
      findings({
        disproportionatePain: null,
        symptoms: cats(false, false, false, false),
        signs: cats(null, false, null, false),
        betterExplanation: null,
      }),
    );
    expect(result.clinical.parts.map((p) => p.reason)).toEqual([
      'not yet assessed whether the pain is out of proportion to any inciting event',
      'symptoms in 0 of 4 categories; the clinical criteria need 3',
      'signs in 0 of 4 categories, 2 not yet assessed (sensory, sudomotor/oedema); the clinical criteria need 2',
      'not yet assessed whether another diagnosis better explains the signs and symptoms',
    ]);
    expect(result.clinical.met).toBe(false);
  });

  it('say so when the pain is not disproportionate or another diagnosis explains it better', () => {
    const result = evaluateBudapest(BUDAPEST, findings({ disproportionatePain: false, betterExplanation: true }));
    expect(result.clinical.parts[0]).toMatchObject({
      met: false,
      reason: 'the pain is not out of proportion to an inciting event',
    });
    expect(result.clinical.parts[3]).toMatchObject({
      met: false,
      reason: 'another diagnosis better explains the signs and symptoms',
    });
    expect(result.clinical.met).toBe(false);
    expect(result.research.met).toBe(false);
  });
});

describe('findings not yet assessed', () => {
  const table: Array<[string, Partial<BudapestFindings>, PartMet, PartMet]> = [
    ['3 symptoms and 1 unassessed', { symptoms: cats(true, true, true, null) }, true, 'incomplete'],
    ['2 symptoms, 1 unassessed, 1 absent', { symptoms: cats(true, true, null, false) }, 'incomplete', false],
    ['2 symptoms and 2 unassessed', { symptoms: cats(true, true, null, null) }, 'incomplete', 'incomplete'],
    ['1 symptom, 1 unassessed, 2 absent', { symptoms: cats(true, null, false, false) }, false, false],
    ['no symptom assessed', { symptoms: cats(null, null, null, null) }, 'incomplete', 'incomplete'],
    ['1 sign and 1 unassessed', { signs: cats(true, null, false, false) }, 'incomplete', 'incomplete'],
    ['2 signs and 2 unassessed', { signs: cats(true, true, null, null) }, true, true],
    ['no sign, 1 unassessed, 3 absent', { signs: cats(null, false, false, false) }, false, false],
    ['pain unassessed', { disproportionatePain: null }, 'incomplete', 'incomplete'],
    ['better explanation unassessed', { betterExplanation: null }, 'incomplete', 'incomplete'],
    [
      'pain unassessed but too few symptoms',
      { disproportionatePain: null, symptoms: cats(true, true, false, false) },
      false,
      false,
    ],
    [
      'explanation unassessed and 3 symptoms',
      { betterExplanation: null, symptoms: cats(true, true, true, false) },
      'incomplete',
      false,
    ],
    ['another explanation, the rest unassessed', { disproportionatePain: null, betterExplanation: true }, false, false],
  ];
  it.each(table)('%s: clinical %s, research %s', (_name, over, clinical, research) => {
    const result = evaluateBudapest(BUDAPEST, findings(over));
    expect(result.clinical.met).toBe(clinical);
    expect(result.research.met).toBe(research);
  });

  it('treat a missing or malformed category as not yet assessed', () => {
    const partial = { ...findings(), symptoms: { sensory: true, vasomotor: true, sudomotor_oedema: 'yes' } };
    const result = evaluateBudapest(BUDAPEST, partial as unknown as BudapestFindings);
    expect(result.clinical.parts[1]?.categories).toEqual({
      present: ['sensory', 'vasomotor'],
      notAssessed: ['sudomotor_oedema', 'motor_trophic'],
      needed: 3,
    });
    expect(result.clinical.met).toBe('incomplete');
  });
});

describe('findings from the screening page', () => {
  it('accept true, false and null per category', () => {
    expect(budapestFindingsSchema.safeParse(findings({ signs: cats(null, true, false, null) })).success).toBe(true);
  });

  it('refuse a missing category, a word for a finding, or an unknown category, naming it', () => {
    const { motor_trophic: _omit, ...three } = first(4);
    expect(
      messages(budapestFindingsSchema.safeParse(findings({ symptoms: three as Record<Category, Finding> }))),
    ).toEqual(['symptoms.motor_trophic: yes, no, or not yet assessed (null)']);
    expect(messages(budapestFindingsSchema.safeParse({ ...findings(), disproportionatePain: 'yes' }))).toEqual([
      'disproportionatePain: yes, no, or not yet assessed (null)',
    ]);
    expect(
      messages(budapestFindingsSchema.safeParse({ ...findings(), signs: { ...first(2), trophic: true } })),
    ).toEqual(['signs: one finding per category (sensory, vasomotor, sudomotor_oedema, motor_trophic)']);
  });
});

describe('properties', () => {
  const finding = fc.constantFrom<Finding>(true, false, null);
  const byCategory = fc.tuple(finding, finding, finding, finding).map((v) => cats(...v));
  const anyFindings = fc.record({
    disproportionatePain: finding,
    symptoms: byCategory,
    signs: byCategory,
    betterExplanation: finding,
  });
  const rank = (m: PartMet) => (m === false ? 0 : m === 'incomplete' ? 1 : 2);

  it('meeting the research criteria means meeting the clinical ones; failing the clinical means failing research', () => {
    fc.assert(
      fc.property(anyFindings, (f) => {
        const { clinical, research } = evaluateBudapest(BUDAPEST, f);
        if (research.met === true) expect(clinical.met).toBe(true);
        if (research.met !== false) expect(clinical.met).not.toBe(false);
        if (clinical.met === false) expect(research.met).toBe(false);
      }),
    );
  });

  it('one more symptom or sign found never lowers a result (met never turns into not met)', () => {
    fc.assert(
      fc.property(anyFindings, fc.constantFrom(...CATEGORIES), fc.constantFrom('symptoms', 'signs'), (f, c, which) => {
        fc.pre(f[which][c] !== true);
        const more = { ...f, [which]: { ...f[which], [c]: true } };
        const before = evaluateBudapest(BUDAPEST, f);
        const after = evaluateBudapest(BUDAPEST, more);
        expect(rank(after.clinical.met)).toBeGreaterThanOrEqual(rank(before.clinical.met));
        expect(rank(after.research.met)).toBeGreaterThanOrEqual(rank(before.research.met));
      }),
    );
  });

  /** Every way of answering what is not yet assessed. */
  function completions(f: BudapestFindings): BudapestFindings[] {
    const slots: Array<(x: BudapestFindings, v: boolean) => BudapestFindings> = [];
    if (f.disproportionatePain === null) slots.push((x, v) => ({ ...x, disproportionatePain: v }));
    if (f.betterExplanation === null) slots.push((x, v) => ({ ...x, betterExplanation: v }));
    for (const which of ['symptoms', 'signs'] as const)
      for (const c of CATEGORIES)
        if (f[which][c] === null) slots.push((x, v) => ({ ...x, [which]: { ...x[which], [c]: v } }));
    let all = [f];
    for (const set of slots) all = all.flatMap((x) => [set(x, true), set(x, false)]);
    return all;
  }

  it("'incomplete' exactly when answering what is missing could go either way", () => {
    fc.assert(
      fc.property(anyFindings, (f) => {
        const result = evaluateBudapest(BUDAPEST, f);
        const outcomes = completions(f).map((x) => evaluateBudapest(BUDAPEST, x));
        for (const set of ['clinical', 'research'] as const) {
          const possible = new Set(outcomes.map((o) => o[set].met));
          expect(possible.has('incomplete')).toBe(false);
          if (result[set].met === 'incomplete') expect([...possible].sort()).toEqual([false, true]);
          else expect([...possible]).toEqual([result[set].met]);
        }
      }),
    );
  });
});
