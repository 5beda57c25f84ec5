import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Condition,
  type ContraindicationRule,
  type ContraindicationRuleSet,
  evaluateEligibility,
  type Override,
  rulesSchema,
} from '../../src/clinical/eligibility/contraindications.ts';
import { DEFAULT_RULES } from '../../src/clinical/eligibility/default-rules.ts';
import { FACTS, factsSchema, type FactDefinition, type Facts } from '../../src/clinical/eligibility/facts.ts';

/** A patient no default rule stops, and who needs no test. */
const CLEAR: Facts = {
  age: 45,
  ketamine_allergy: false,
  pregnant_or_possible: false,
  breastfeeding: false,
  active_psychosis: false,
  active_suicidal_ideation: false,
  seizure_disorder: false,
  uncontrolled_hypertension: false,
  systolic_bp: 128,
  diastolic_bp: 82,
  cardiovascular_disease: 'none',
  high_cardiovascular_risk: false,
  aneurysmal_vascular_disease: false,
  arteriovenous_malformation: false,
  intracerebral_haemorrhage: false,
  liver_disease: 'none',
  liver_toxicity_risk: false,
  substance_use: 'none',
  raised_intraocular_pressure: false,
  raised_intracranial_pressure: false,
  interstitial_cystitis: false,
  medication_classes: [],
};
const NORMAL_LIVER: Facts = { alt: { value: 30, uln: 40 }, ast: { value: 25, uln: 40 }, alp: { value: 90, uln: 120 } };

const evaluate = (facts: Facts, overrides: Override[] = []) => evaluateEligibility(DEFAULT_RULES, facts, overrides);
const ids = (list: { ruleId: string }[]) => list.map((s) => s.ruleId);

function messages(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('the shipped rules', () => {
  it('are a valid rule set, each with a source', () => {
    expect(messages(rulesSchema.safeParse(DEFAULT_RULES))).toEqual([]);
    for (const r of DEFAULT_RULES.rules) expect(r.source.length).toBeGreaterThan(10);
  });

  it('mark clinic practice and inferred rules as unverified', () => {
    const unverified = DEFAULT_RULES.rules.filter((r) => r.unverified).map((r) => r.id);
    expect(unverified).toEqual(
      expect.arrayContaining(['under_18', 'active_suicidal_ideation', 'seizure_disorder', 'breastfeeding']),
    );
    for (const r of DEFAULT_RULES.rules.filter((x) => x.source.startsWith('Clinic practice')))
      expect(r.unverified).toBe(true);
  });

  it('let a patient with nothing against them through, with nothing missing and no test', () => {
    expect(evaluate(CLEAR)).toEqual({
      outcome: 'eligible',
      rulesVersion: DEFAULT_RULES.version,
      stops: [],
      overridden: [],
      refusedOverrides: [],
      requiredTests: [],
      missing: [],
    });
  });
});

describe('each default rule firing alone', () => {
  // [rule, what differs from CLEAR, outcome, stops standing, tests required (done?)]
  type Row = [string, Facts, 'not_eligible' | 'needs_information', string[], Array<[string, string[], boolean]>];
  const table: Row[] = [
    ['ketamine_allergy', { ketamine_allergy: true }, 'not_eligible', ['ketamine_allergy'], []],
    ['active_psychosis', { active_psychosis: true }, 'not_eligible', ['active_psychosis'], []],
    ['pregnancy', { pregnant_or_possible: true }, 'not_eligible', ['pregnancy'], []],
    [
      'uncontrolled_hypertension',
      { uncontrolled_hypertension: true },
      'not_eligible',
      ['uncontrolled_hypertension'],
      [],
    ],
    ['systolic_above_180', { systolic_bp: 181 }, 'not_eligible', ['systolic_above_180'], []],
    ['diastolic_above_110', { diastolic_bp: 111 }, 'not_eligible', ['diastolic_above_110'], []],
    [
      'poorly_controlled_cardiovascular_disease',
      { cardiovascular_disease: 'poorly_controlled' },
      'not_eligible',
      ['poorly_controlled_cardiovascular_disease'],
      [['ecg', ['ecg_for_cardiovascular_disease'], false]],
    ],
    [
      'aneurysmal_vascular_disease',
      { aneurysmal_vascular_disease: true },
      'not_eligible',
      ['aneurysmal_vascular_disease'],
      [],
    ],
    [
      'arteriovenous_malformation',
      { arteriovenous_malformation: true },
      'not_eligible',
      ['arteriovenous_malformation'],
      [],
    ],
    [
      'intracerebral_haemorrhage',
      { intracerebral_haemorrhage: true },
      'not_eligible',
      ['intracerebral_haemorrhage'],
      [],
    ],
    [
      'severe_liver_disease',
      { liver_disease: 'severe' },
      'not_eligible',
      ['severe_liver_disease'],
      [['liver_tests', ['liver_tests_for_liver_disease'], false]],
    ],
    ['active_substance_use', { substance_use: 'active' }, 'not_eligible', ['active_substance_use'], []],
    ['under_18', { age: 17 }, 'not_eligible', ['under_18'], []],
    ['active_suicidal_ideation', { active_suicidal_ideation: true }, 'not_eligible', ['active_suicidal_ideation'], []],
    [
      'controlled_cardiovascular_disease',
      { cardiovascular_disease: 'controlled', ecg_findings: 'no_significant_findings' },
      'not_eligible',
      ['controlled_cardiovascular_disease'],
      [['ecg', ['ecg_for_cardiovascular_disease'], true]],
    ],
    [
      'moderate_liver_disease',
      { liver_disease: 'moderate', ...NORMAL_LIVER },
      'not_eligible',
      ['moderate_liver_disease'],
      [['liver_tests', ['liver_tests_for_liver_disease'], true]],
    ],
    ['substance_use_history', { substance_use: 'history' }, 'not_eligible', ['substance_use_history'], []],
    [
      'raised_intraocular_pressure',
      { raised_intraocular_pressure: true },
      'not_eligible',
      ['raised_intraocular_pressure'],
      [],
    ],
    [
      'raised_intracranial_pressure',
      { raised_intracranial_pressure: true },
      'not_eligible',
      ['raised_intracranial_pressure'],
      [],
    ],
    ['interstitial_cystitis', { interstitial_cystitis: true }, 'not_eligible', ['interstitial_cystitis'], []],
    ['seizure_disorder', { seizure_disorder: true }, 'not_eligible', ['seizure_disorder'], []],
    ['breastfeeding', { breastfeeding: true }, 'not_eligible', ['breastfeeding'], []],
    ['mao_inhibitor', { medication_classes: ['opioid', 'mao_inhibitor'] }, 'not_eligible', ['mao_inhibitor'], []],
    [
      'ecg_significant_findings',
      { ecg_findings: 'significant_findings' },
      'not_eligible',
      ['ecg_significant_findings'],
      [],
    ],
    ['alt_3x_uln', { alt: { value: 120, uln: 40 } }, 'not_eligible', ['alt_3x_uln'], []],
    ['ast_3x_uln', { ast: { value: 150, uln: 50 } }, 'not_eligible', ['ast_3x_uln'], []],
    ['alp_3x_uln', { alp: { value: 400, uln: 120 } }, 'not_eligible', ['alp_3x_uln'], []],
    [
      'ecg_for_cardiovascular_risk',
      { high_cardiovascular_risk: true },
      'needs_information',
      [],
      [['ecg', ['ecg_for_cardiovascular_risk'], false]],
    ],
    [
      'liver_tests_for_liver_risk',
      { liver_toxicity_risk: true },
      'needs_information',
      [],
      [['liver_tests', ['liver_tests_for_liver_risk'], false]],
    ],
  ];

  it.each(table)('%s', (_id, patch, outcome, stops, tests) => {
    const result = evaluate({ ...CLEAR, ...patch });
    expect(result.outcome).toBe(outcome);
    expect(ids(result.stops)).toEqual(stops);
    expect(result.requiredTests.map((t) => [t.test, t.because, t.done])).toEqual(tests);
  });

  it('covers every shipped rule', () => {
    const seen = new Set(
      table.flatMap(([, , , stops, tests]) => [...stops, ...tests.flatMap(([, because]) => because)]),
    );
    expect([...seen].sort()).toEqual(DEFAULT_RULES.rules.map((r) => r.id).sort());
  });

  it('names the rule, its effect, the fact it read and its source in each stop', () => {
    expect(evaluate({ ...CLEAR, age: 16 }).stops).toEqual([
      {
        ruleId: 'under_18',
        label: 'Under 18',
        effect: 'hard_stop',
        reads: 'age',
        source: expect.stringContaining('Clinic practice'),
        unverified: true,
      },
    ]);
  });
});

describe('thresholds at their boundaries', () => {
  const table: Array<[string, Facts, string[]]> = [
    ['systolic 180 is not above 180', { systolic_bp: 180 }, []],
    ['systolic 181', { systolic_bp: 181 }, ['systolic_above_180']],
    ['diastolic 110 is not above 110', { diastolic_bp: 110 }, []],
    ['diastolic 111', { diastolic_bp: 111 }, ['diastolic_above_110']],
    ['age 18', { age: 18 }, []],
    ['age 17', { age: 17 }, ['under_18']],
    ['ALT just under 3 × ULN', { alt: { value: 119.9, uln: 40 } }, []],
    ['ALT at exactly 3 × ULN', { alt: { value: 120, uln: 40 } }, ['alt_3x_uln']],
    ['no MAO inhibitor among other classes', { medication_classes: ['benzodiazepine', 'opioid'] }, []],
  ];
  it.each(table)('%s', (_name, patch, stops) => {
    expect(ids(evaluate({ ...CLEAR, ...patch }).stops)).toEqual(stops);
  });
});

describe('overrides', () => {
  const reason = 'Cardiology reviewed; stable on treatment';

  it('a valid override of an overridable stop makes the patient eligible, keeping the reason', () => {
    const result = evaluate({ ...CLEAR, raised_intraocular_pressure: true }, [
      { ruleId: 'raised_intraocular_pressure', reason: `  ${reason} ` },
    ]);
    expect(result.outcome).toBe('eligible');
    expect(result.stops).toEqual([]);
    expect(result.overridden).toEqual([
      { ruleId: 'raised_intraocular_pressure', label: 'Raised intraocular pressure', reason },
    ]);
  });

  it.each([
    ['substance_use_history', { substance_use: 'history' }],
    ['interstitial_cystitis', { interstitial_cystitis: true }],
    [
      'controlled_cardiovascular_disease',
      { cardiovascular_disease: 'controlled', ecg_findings: 'no_significant_findings' },
    ],
    ['moderate_liver_disease', { liver_disease: 'moderate', ...NORMAL_LIVER }],
  ] as Array<[string, Facts]>)('overriding %s alone makes the patient eligible', (ruleId, patch) => {
    expect(evaluate({ ...CLEAR, ...patch }, [{ ruleId, reason }]).outcome).toBe('eligible');
  });

  it('an override with an empty reason is refused and the stop stands', () => {
    const result = evaluate({ ...CLEAR, seizure_disorder: true }, [{ ruleId: 'seizure_disorder', reason: '   ' }]);
    expect(result.outcome).toBe('not_eligible');
    expect(ids(result.stops)).toEqual(['seizure_disorder']);
    expect(result.refusedOverrides).toEqual([
      {
        ruleId: 'seizure_disorder',
        code: 'empty_reason',
        reason: 'an override of "Epilepsy or seizures" needs a reason',
      },
    ]);
  });

  it('an override of a hard stop is refused with a reason and changes nothing', () => {
    const result = evaluate({ ...CLEAR, pregnant_or_possible: true }, [{ ruleId: 'pregnancy', reason }]);
    expect(result.outcome).toBe('not_eligible');
    expect(ids(result.stops)).toEqual(['pregnancy']);
    expect(result.overridden).toEqual([]);
    expect(result.refusedOverrides).toEqual([
      {
        ruleId: 'pregnancy',
        code: 'hard_stop',
        reason: '"Pregnant, or pregnancy possible" is a hard stop, which no one can override',
      },
    ]);
  });

  it('a hard stop stands beside an overridden stop', () => {
    const result = evaluate({ ...CLEAR, breastfeeding: true, ketamine_allergy: true }, [
      { ruleId: 'breastfeeding', reason },
    ]);
    expect(result.outcome).toBe('not_eligible');
    expect(ids(result.stops)).toEqual(['ketamine_allergy']);
    expect(ids(result.overridden)).toEqual(['breastfeeding']);
  });

  it('refuses overrides of a required test, an unknown rule, a rule that does not apply, and a second one', () => {
    const result = evaluate({ ...CLEAR, high_cardiovascular_risk: true, breastfeeding: true }, [
      { ruleId: 'ecg_for_cardiovascular_risk', reason },
      { ruleId: 'no_such_rule', reason },
      { ruleId: 'seizure_disorder', reason },
      { ruleId: 'breastfeeding', reason },
      { ruleId: 'breastfeeding', reason: 'again' },
    ]);
    expect(result.refusedOverrides.map((r) => [r.ruleId, r.code])).toEqual([
      ['ecg_for_cardiovascular_risk', 'not_overridable'],
      ['no_such_rule', 'unknown_rule'],
      ['seizure_disorder', 'not_applicable'],
      ['breastfeeding', 'duplicate'],
    ]);
    expect(result.outcome).toBe('needs_information');
    expect(result.requiredTests).toEqual([
      { test: 'ecg', label: 'ECG', because: ['ecg_for_cardiovascular_risk'], done: false },
    ]);
  });
});

describe('missing information', () => {
  it('a fact any rule reads, still unknown, needs information and is named', () => {
    const { age: _age, liver_disease: _liver, ...rest } = CLEAR;
    const result = evaluate({ ...rest, systolic_bp: null });
    expect(result.outcome).toBe('needs_information');
    expect(result.missing).toEqual(['age', 'systolic_bp', 'liver_disease']);
  });

  it('a hard stop decides even while facts are missing', () => {
    const result = evaluate({ active_psychosis: true });
    expect(result.outcome).toBe('not_eligible');
    expect(result.missing.length).toBeGreaterThan(15);
  });

  it('an overridable stop with facts still missing needs information first', () => {
    const { age: _age, ...rest } = CLEAR;
    const result = evaluate({ ...rest, breastfeeding: true });
    expect(result.outcome).toBe('needs_information');
    expect(ids(result.stops)).toEqual(['breastfeeding']);
  });

  it('a required test with part of its results names the results still missing', () => {
    const result = evaluate({ ...CLEAR, liver_toxicity_risk: true, alt: { value: 20, uln: 40 } });
    expect(result.outcome).toBe('needs_information');
    expect(result.missing).toEqual(['ast', 'alp']);
    expect(result.requiredTests).toEqual([
      {
        test: 'liver_tests',
        label: 'Liver tests (ALT, AST, ALP)',
        because: ['liver_tests_for_liver_risk'],
        done: false,
      },
    ]);
    expect(evaluate({ ...CLEAR, liver_toxicity_risk: true, ...NORMAL_LIVER }).outcome).toBe('eligible');
  });

  it('test results are not asked for while no rule requires the test', () => {
    expect(evaluate(CLEAR).missing).not.toContain('ecg_findings');
    expect(evaluate(CLEAR).missing).not.toContain('alt');
  });

  it.each([
    ['a negative age', { age: -5 }, 'age'],
    ['blood pressure as a word', { systolic_bp: 'high' }, 'systolic_bp'],
    ['blood pressure out of range', { systolic_bp: 900 }, 'systolic_bp'],
    ['a choice that is not an option', { liver_disease: 'mild' }, 'liver_disease'],
    ['an unknown medication class', { medication_classes: ['herbal'] }, 'medication_classes'],
    ['yes as text', { ketamine_allergy: 'yes' }, 'ketamine_allergy'],
  ])('a malformed value (%s) counts as unknown, never as clear', (_name, patch, key) => {
    const result = evaluate({ ...CLEAR, ...(patch as unknown as Facts) });
    expect(result.outcome).toBe('needs_information');
    expect(result.missing).toEqual([key]);
  });

  it('a laboratory value without a usable upper limit counts as unknown', () => {
    const result = evaluate({ ...CLEAR, liver_toxicity_risk: true, ...NORMAL_LIVER, alt: { value: 500, uln: 0 } });
    expect(result.missing).toEqual(['alt']);
    expect(result.outcome).toBe('needs_information');
  });
});

describe('a rule set that skipped rulesSchema', () => {
  // A condition that cannot apply to its fact is a mistake in the data; a stop too many is seen and corrected,
  // a stop silently missed is not.
  it.each([
    ['is: true on a number', { is: true }, 'age'],
    ['a threshold on a yes/no fact', { above: 3 }, 'ketamine_allergy'],
    ['a class on a choice', { includesClass: 'opioid' }, 'liver_disease'],
    ['a multiple of ULN on a number', { multipleOfUln: 3 }, 'age'],
    ['oneOf on a yes/no fact', { oneOf: ['true'] }, 'breastfeeding'],
  ] as Array<[string, Condition, FactDefinition['key']]>)('%s counts as a stop', (_name, when, reads) => {
    const rules: ContraindicationRuleSet = {
      ...DEFAULT_RULES,
      rules: [{ id: 'odd', label: 'Odd', reads: reads as never, when, effect: 'overridable', source: 'A test' }],
    };
    expect(evaluateEligibility(rules, CLEAR).stops.map((s) => s.ruleId)).toEqual(['odd']);
  });

  it('a rule on an unknown fact counts as a stop', () => {
    const rules = {
      ...DEFAULT_RULES,
      rules: [{ id: 'odd', label: 'Odd', reads: 'smoker', when: { is: true }, effect: 'hard_stop', source: 'A test' }],
    } as unknown as ContraindicationRuleSet;
    expect(evaluateEligibility(rules, CLEAR)).toMatchObject({ outcome: 'not_eligible', stops: [{ ruleId: 'odd' }] });
  });
});

describe('facts from the screening page', () => {
  it('accept a full record and null for not yet known', () => {
    expect(factsSchema.safeParse({ ...CLEAR, ...NORMAL_LIVER, ecg_findings: null }).success).toBe(true);
  });

  it('refuse wrong values and unknown facts, naming each', () => {
    expect(
      messages(
        factsSchema.safeParse({
          age: 'forty',
          alt: { value: 30 },
          medication_classes: ['herbal'],
          liver_disease: 'mild',
          smoker: true,
        }),
      ),
    ).toEqual([
      'age (Age (years)): a number in years',
      'liver_disease (Liver disease): one of none, moderate, severe',
      'medication_classes (Current medications, by class): each one of benzodiazepine, lamotrigine, mao_inhibitor, stimulant, opioid',
      "alt (ALT): the laboratory's upper limit of normal in U/L",
      'smoker: not a known fact',
    ]);
    expect(messages(factsSchema.safeParse({ systolic_bp: 400 }))).toEqual([
      'systolic_bp (Systolic blood pressure at screening): at most 300 mmHg',
    ]);
  });
});

describe('an edited rule set', () => {
  const base = DEFAULT_RULES.rules[0]!;
  const withRules = (...rules: unknown[]) => ({ ...DEFAULT_RULES, rules });
  const parse = (...rules: unknown[]) => messages(rulesSchema.safeParse(withRules(...rules)));

  it('refuses a repeated id', () => {
    expect(parse(base, { ...base, label: 'Again' })).toEqual([
      'rules[1].id (ketamine_allergy): another rule already has this id',
    ]);
  });

  it('refuses an unknown fact', () => {
    expect(parse({ ...base, reads: 'smoker' })).toEqual(['reads: "smoker" is not a known fact']);
  });

  it.each([
    [
      'a word for a yes/no fact',
      { reads: 'ketamine_allergy', when: { is: 'yes' } },
      '"ketamine_allergy" is yes or no: use is: true or false',
    ],
    [
      'an unknown choice',
      { reads: 'liver_disease', when: { is: 'mild' } },
      '"liver_disease" is one of none, moderate, severe',
    ],
    [
      'a threshold on a yes/no fact',
      { reads: 'ketamine_allergy', when: { atLeast: 1 } },
      'a numeric threshold applies to a number; "ketamine_allergy" is a boolean',
    ],
    [
      'a threshold beyond the range',
      { reads: 'systolic_bp', when: { above: 500 } },
      '500 is outside "systolic_bp"\'s range, 40 to 300 mmHg',
    ],
    [
      'an unknown class',
      { reads: 'medication_classes', when: { includesClass: 'herbal' } },
      '"herbal" is not a class (benzodiazepine, lamotrigine, mao_inhibitor, stimulant, opioid)',
    ],
    [
      'a class on a number',
      { reads: 'age', when: { includesClass: 'opioid' } },
      '"includesClass" applies to medication classes; "age" is a number',
    ],
    [
      'a multiple of ULN on a number',
      { reads: 'age', when: { multipleOfUln: 3 } },
      '"multipleOfUln" applies to a laboratory value; "age" is a number',
    ],
    [
      'a multiple of ULN of 0',
      { reads: 'alt', when: { multipleOfUln: 0 } },
      'the multiple must be above 0 and at most 100',
    ],
    [
      'oneOf on a yes/no fact',
      { reads: 'breastfeeding', when: { oneOf: ['true'] } },
      '"oneOf" applies to a choice; "breastfeeding" is a boolean',
    ],
    [
      'oneOf with an unknown value',
      { reads: 'substance_use', when: { oneOf: ['history', 'past'] } },
      'past: not among "substance_use"\'s values (none, history, active)',
    ],
  ])('refuses a condition that does not fit its fact: %s', (_name, patch, message) => {
    expect(parse({ ...base, ...patch })).toEqual([`rules[0].when (ketamine_allergy): ${message}`]);
  });

  it('refuses a condition of no known kind, or of two kinds at once', () => {
    const message = 'when: one condition, as is, oneOf, atLeast, above, below, multipleOfUln or includesClass';
    expect(parse({ ...base, when: {} })).toEqual([message]);
    expect(parse({ ...base, when: { is: true, above: 3 } })).toEqual([message]);
  });

  it('asks for a test exactly when the effect is requires_test', () => {
    expect(parse({ ...base, effect: 'requires_test' })).toEqual([
      'rules[0].test (ketamine_allergy): a rule that requires a test must name it',
    ]);
    expect(parse({ ...base, test: 'ecg' })).toEqual([
      'rules[0].test (ketamine_allergy): only a requires_test rule names a test; this one is hard_stop',
    ]);
    expect(parse({ ...base, effect: 'requires_test', test: 'mri' })).toEqual(['test: one of ecg, liver_tests']);
    expect(parse({ ...base, effect: 'requires_test', test: 'ecg' })).toEqual([]);
  });

  it('refuses an empty rule list, a rule without a source, and a set without a version', () => {
    expect(parse()).toEqual(['rules: at least one rule']);
    expect(parse({ ...base, source: '' })).toEqual(['source: must not be empty']);
    expect(messages(rulesSchema.safeParse({ ...DEFAULT_RULES, version: ' ' }))).toEqual([
      'version: give a version, so that results made with it can be told apart',
    ]);
  });
});

describe('properties', () => {
  const KEYS = FACTS.map((f) => f.key);

  function value(def: FactDefinition): fc.Arbitrary<unknown> {
    switch (def.type) {
      case 'boolean':
        return fc.boolean();
      case 'number':
        return fc.integer({ min: def.min, max: def.max });
      case 'choice':
        return fc.constantFrom(...def.options.map((o) => o.value));
      case 'classes':
        return fc.subarray(def.options.map((o) => o.value));
      case 'lab':
        return fc.record({ value: fc.integer({ min: 0, max: 1000 }), uln: fc.integer({ min: 1, max: 200 }) });
    }
  }
  /** Well-formed facts, each present or not, leaning towards the clear patient so that every outcome is reached. */
  const facts: fc.Arbitrary<Facts> = fc
    .tuple(
      ...FACTS.map((def) =>
        fc.oneof(
          { weight: 1, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: value(def) },
          { weight: 4, arbitrary: fc.constant((CLEAR as Record<string, unknown>)[def.key]) },
        ),
      ),
    )
    .map(
      (values) =>
        Object.fromEntries(FACTS.map((def, i) => [def.key, values[i]]).filter(([, v]) => v !== undefined)) as Facts,
    );

  const overrides = fc.array(
    fc.record({
      ruleId: fc.constantFrom(...DEFAULT_RULES.rules.map((r) => r.id), 'nonsense'),
      reason: fc.constantFrom('', ' ', 'Reviewed'),
    }),
    { maxLength: 4 },
  );

  function condition(def: FactDefinition): fc.Arbitrary<Condition> {
    switch (def.type) {
      case 'boolean':
        return fc.boolean().map((is) => ({ is }));
      case 'number':
        return fc
          .tuple(fc.constantFrom('atLeast', 'above', 'below'), fc.integer({ min: def.min, max: def.max }))
          .map(([k, n]) => ({ [k]: n }) as Condition);
      case 'choice':
        return fc.constantFrom(...def.options.map((o) => o.value)).map((is) => ({ is }));
      case 'classes':
        return fc.constantFrom(...def.options.map((o) => o.value)).map((includesClass) => ({ includesClass }));
      case 'lab':
        return fc.integer({ min: 1, max: 10 }).map((multipleOfUln) => ({ multipleOfUln }));
    }
  }
  const hardStop: fc.Arbitrary<ContraindicationRule> = fc
    .constantFrom(...FACTS)
    .chain((def) => condition(def).map((when) => ({ def, when })))
    .map(({ def, when }) => ({
      id: 'extra_stop',
      label: 'Extra stop',
      reads: def.key,
      when,
      effect: 'hard_stop' as const,
      source: 'A property test',
    }));

  it('evaluating never throws, whatever the facts record holds', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...KEYS, 'other', '__proto__', 'constructor'), fc.anything()),
        fc.array(fc.record({ ruleId: fc.anything(), reason: fc.anything() }), { maxLength: 3 }),
        (record, anyOverrides) => {
          const result = evaluate(record, anyOverrides as Override[]);
          expect(['eligible', 'not_eligible', 'needs_information']).toContain(result.outcome);
        },
      ),
    );
  });

  it('eligible means no stop standing, nothing missing and every required test done', () => {
    fc.assert(
      fc.property(facts, overrides, (f, o) => {
        const result = evaluate(f, o);
        if (result.outcome === 'eligible') {
          expect(result.stops).toEqual([]);
          expect(result.missing).toEqual([]);
          expect(result.requiredTests.every((t) => t.done)).toBe(true);
        }
        if (result.stops.some((s) => s.effect === 'hard_stop')) expect(result.outcome).toBe('not_eligible');
      }),
    );
  });

  it('an extra hard stop never makes an outcome eligible, and decides it when it fires', () => {
    fc.assert(
      fc.property(facts, overrides, hardStop, (f, o, extra) => {
        const before = evaluate(f, o);
        const rules: ContraindicationRuleSet = { ...DEFAULT_RULES, rules: [...DEFAULT_RULES.rules, extra] };
        expect(rulesSchema.safeParse(rules).success).toBe(true);
        const after = evaluateEligibility(rules, f, o);
        if (before.outcome !== 'eligible') expect(after.outcome).not.toBe('eligible');
        if (ids(after.stops).includes('extra_stop')) expect(after.outcome).toBe('not_eligible');
      }),
    );
  });

  it('a valid override only ever lifts the stop it names', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const before = evaluate(f);
        const lifted = before.stops.filter((s) => s.effect === 'overridable');
        const after = evaluate(
          f,
          lifted.map((s) => ({ ruleId: s.ruleId, reason: 'Reviewed' })),
        );
        expect(ids(after.stops)).toEqual(ids(before.stops.filter((s) => s.effect === 'hard_stop')));
        expect(ids(after.overridden)).toEqual(ids(lifted));
        expect(after.missing).toEqual(before.missing);
      }),
    );
  });
});
