import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CSS, cssChange, cssDefinitionSchema, scoreCss } from '../../src/clinical/instruments/css.ts';

const KEYS = CSS.items.map((i) => i.key);
const all = (v: boolean) => Object.fromEntries(KEYS.map((k) => [k, v]));

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('the CRPS Severity Score definition', () => {
  it('ships 8 symptoms and 8 signs, marked unverified with the source to confirm, and 4.9 as the meaningful change', () => {
    expect(cssDefinitionSchema.safeParse(CSS).success).toBe(true);
    expect(CSS.items.filter((i) => i.kind === 'symptom')).toHaveLength(8);
    expect(CSS.items.filter((i) => i.kind === 'sign')).toHaveLength(8);
    expect(CSS.unverified).toBe(true);
    expect(CSS.source).toContain('PMC10257428');
    expect(CSS.source).toContain('confirm against Harden 2017');
    expect(CSS.meaningfulChange).toBe(4.9);
    expect(CSS.meaningfulChangeSource).toContain('Harden');
  });
});

describe('scoring', () => {
  it('counts nothing present as 0 and everything present as 16', () => {
    expect(scoreCss(CSS, all(false))).toEqual({ total: 0, max: 16, present: [], missing: [], complete: true });
    expect(scoreCss(CSS, all(true))).toMatchObject({ total: 16, max: 16, complete: true });
  });

  it('counts the items present, symptoms and signs alike', () => {
    const findings = {
      ...all(false),
      symptom_pain: true,
      symptom_colour: true,
      sign_pinprick: true,
      sign_oedema: true,
      sign_motor: true,
    };
    expect(scoreCss(CSS, findings)).toEqual({
      total: 5,
      max: 16,
      present: ['symptom_pain', 'symptom_colour', 'sign_pinprick', 'sign_oedema', 'sign_motor'],
      missing: [],
      complete: true,
    });
  });

  it('gives no total while any item is not assessed, and names those items', () => {
    const findings = { ...all(true), sign_colour: null, symptom_oedema: undefined };
    expect(scoreCss(CSS, findings)).toMatchObject({
      total: null,
      missing: ['symptom_oedema', 'sign_colour'],
      complete: false,
    });
    expect(scoreCss(CSS, {}).missing).toEqual(KEYS);
  });
});

describe('change between two scores', () => {
  const table: Array<[number, number, number, boolean]> = [
    [10, 15, 5, true],
    [10, 14, 4, false],
    [15, 10, -5, true],
    [14, 10, -4, false],
    [0, 16, 16, true],
    [16, 0, -16, true],
    [7, 7, 0, false],
  ];
  it.each(table)('from %i to %i is %i, meaningful: %s', (before, after, change, meaningful) => {
    expect(cssChange(CSS, before, after)).toEqual({ change, meaningful });
  });

  it('follows an edited meaningful change', () => {
    expect(cssChange({ ...CSS, meaningfulChange: 3 }, 4, 7)).toEqual({ change: 3, meaningful: true });
    expect(cssChange({ ...CSS, meaningfulChange: 3 }, 4, 6)).toEqual({ change: 2, meaningful: false });
  });

  it.each([
    [17, 3],
    [3, -1],
    [2.5, 3],
    [NaN, 3],
    [3, Infinity],
  ])('refuses %s → %s, which no complete score of this version can be', (before, after) => {
    expect(cssChange(CSS, before, after)).toBeNull();
  });
});

describe('an edited definition', () => {
  it('is refused with a repeated key, a meaningful change of 0 or beyond the item count, or no source', () => {
    const items = [...CSS.items, { key: 'sign_motor', kind: 'sign' as const, label: 'Again' }];
    expect(messages(cssDefinitionSchema.safeParse({ ...CSS, items }))).toEqual([
      'items[16].key: "sign_motor" is used by an earlier item',
    ]);
    expect(messages(cssDefinitionSchema.safeParse({ ...CSS, meaningfulChange: 0 }))).toEqual([
      'meaningfulChange: more than 0 points',
    ]);
    expect(messages(cssDefinitionSchema.safeParse({ ...CSS, meaningfulChange: 17 }))).toEqual([
      'meaningfulChange: 17 is more than the 16 items could ever change',
    ]);
    expect(messages(cssDefinitionSchema.safeParse({ ...CSS, source: '' }))).toEqual([
      'source: name where the values come from (a publication, a label or clinic practice)',
    ]);
    expect(
      messages(cssDefinitionSchema.safeParse({ ...CSS, items: [{ key: 'x', kind: 'feeling', label: 'X' }] })),
    ).toEqual(['kind: symptom or sign']);
  });
});

describe('properties', () => {
  const findings = fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length });
  const score = (values: boolean[]) => scoreCss(CSS, Object.fromEntries(KEYS.map((k, i) => [k, values[i]])));

  it('a complete score is the number present, between 0 and the item count', () => {
    fc.assert(
      fc.property(findings, (values) => {
        const s = score(values);
        expect(s.total).toBe(values.filter(Boolean).length);
        expect(s.total).toBeGreaterThanOrEqual(0);
        expect(s.total).toBeLessThanOrEqual(KEYS.length);
      }),
    );
  });

  it('finding one more item present raises the score by one', () => {
    fc.assert(
      fc.property(findings, fc.nat(), (values, at) => {
        const i = at % values.length;
        fc.pre(!values[i]);
        const more = values.map((v, j) => (j === i ? true : v));
        expect(score(more).total).toBe(score(values).total! + 1);
      }),
    );
  });

  it('change is antisymmetric and meaningfulness symmetric', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 16 }), (a, b) => {
        const there = cssChange(CSS, a, b)!;
        const back = cssChange(CSS, b, a)!;
        expect(there.change).toBe(b - a);
        expect(back.change + there.change).toBe(0);
        expect(there.meaningful).toBe(back.meaningful);
        expect(there.meaningful).toBe(Math.abs(b - a) >= 5);
      }),
    );
  });
});
