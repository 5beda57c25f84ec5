import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/clinical/eligibility/budapest.ts';
import { DEFAULT_RULES } from '../../src/clinical/eligibility/default-rules.ts';
import type { RecordSummary } from '../../src/clinical/eligibility/gather.ts';
import { readScreeningForm, screeningValues } from '../../src/clinical/eligibility/screening-form.ts';
import {
  blankInput,
  EDITABLE_FACTS,
  evaluateScreening,
  prefill,
  type ScreeningInput,
  testFacts,
} from '../../src/clinical/eligibility/screening.ts';

const RECORD: RecordSummary = {
  dateOfBirth: null,
  age: null,
  pregnancyPossible: null,
  allergies: [],
  medications: [],
  diagnoses: [],
  labs: {},
  ecg: null,
  pdmp: null,
};

const all = <T>(v: T) => Object.fromEntries(CATEGORIES.map((c) => [c, v])) as Record<(typeof CATEGORIES)[number], T>;

/** Every fact harmless and known, the Budapest clinical criteria met: eligible. */
function eligible(): ScreeningInput {
  const facts: Record<string, unknown> = {};
  for (const f of EDITABLE_FACTS) {
    if (f.type === 'boolean') facts[f.key] = false;
    if (f.type === 'choice') facts[f.key] = 'none';
    if (f.type === 'classes') facts[f.key] = [];
  }
  Object.assign(facts, { age: 40, systolic_bp: 120, diastolic_bp: 80 });
  return {
    facts,
    sources: {},
    budapest: { disproportionatePain: true, symptoms: all(true), signs: all(true), betterExplanation: false },
    css: { version: 'x', findings: {} },
    vitals: { heartRate: null, spo2: null },
    overrides: [],
  };
}

describe('the screening outcome', () => {
  it('is eligible with every fact harmless and the Budapest clinical criteria met', () => {
    expect(evaluateScreening(DEFAULT_RULES, eligible())).toMatchObject({ outcome: 'eligible', reasons: [] });
  });

  it('a hard stop decides at once, even with facts missing', () => {
    const input = eligible();
    input.facts = { ketamine_allergy: true };
    const e = evaluateScreening(DEFAULT_RULES, input);
    expect(e.outcome).toBe('not_eligible');
    expect(e.reasons[0]).toEqual({
      code: 'hard_stop:ketamine_allergy',
      text: 'Allergy or hypersensitivity to ketamine: a hard stop',
    });
    expect(e.reasons.some((r) => r.code === 'missing:age')).toBe(true);
  });

  it('the Budapest clinical criteria not met make the patient not eligible; not yet assessed, needs information', () => {
    const notMet = eligible();
    notMet.budapest = { ...notMet.budapest, signs: { ...all(false), sensory: true } };
    expect(evaluateScreening(DEFAULT_RULES, notMet)).toMatchObject({
      outcome: 'not_eligible',
      reasons: [{ code: 'budapest' }],
    });
    const open = eligible();
    open.budapest = { ...open.budapest, betterExplanation: null };
    expect(evaluateScreening(DEFAULT_RULES, open).outcome).toBe('needs_information');
  });

  it('an overridable stop stands without an override, and is listed as overridden with one', () => {
    const input = eligible();
    input.facts = { ...input.facts, seizure_disorder: true };
    expect(evaluateScreening(DEFAULT_RULES, input).reasons).toEqual([
      { code: 'stop:seizure_disorder', text: 'Epilepsy or seizures: a stop, not overridden' },
    ]);
    input.overrides = [{ ruleId: 'seizure_disorder', reason: 'seizure-free for years' }];
    expect(evaluateScreening(DEFAULT_RULES, input)).toMatchObject({
      outcome: 'eligible',
      reasons: [{ code: 'overridden:seizure_disorder' }],
    });
  });

  it('a required test needs information until the record holds every result of it', () => {
    const input = eligible();
    input.facts = { ...input.facts, liver_toxicity_risk: true, alt: { value: 20, uln: 40 } };
    const e = evaluateScreening(DEFAULT_RULES, input);
    expect(e.outcome).toBe('needs_information');
    expect(e.reasons).toEqual([
      { code: 'test:liver_tests', text: 'Liver tests (ALT, AST, ALP) required: no result in the record yet' },
    ]);
  });
});

describe('the screening pre-filled from the intake and the record', () => {
  it('a yes from the record wins over the intake for a ketamine allergy and a possible pregnancy', () => {
    const record = {
      ...RECORD,
      pregnancyPossible: true,
      allergies: [{ id: 'a', substance: 'Ketamine', ketamine: true, reaction: null }],
    };
    const p = prefill(
      { facts: { ketamine_allergy: false, pregnant_or_possible: false, seizure_disorder: true } },
      record,
    );
    expect(p.facts).toMatchObject({ ketamine_allergy: true, pregnant_or_possible: true, seizure_disorder: true });
    expect(p.sources).toMatchObject({
      ketamine_allergy: 'record',
      pregnant_or_possible: 'record',
      seizure_disorder: 'intake',
    });
  });

  it('the intake’s yes about pregnancy stands when the record says no; the record fills a question left open', () => {
    expect(
      prefill({ facts: { pregnant_or_possible: true } }, { ...RECORD, pregnancyPossible: false }).facts
        .pregnant_or_possible,
    ).toBe(true);
    const open = prefill({}, { ...RECORD, pregnancyPossible: false });
    expect(open.facts.pregnant_or_possible).toBe(false);
    expect(open.sources.pregnant_or_possible).toBe('record');
  });

  it('takes medication classes and age from the record, and the patient’s symptoms into the Budapest findings', () => {
    const record = {
      ...RECORD,
      age: 52,
      medications: [
        { id: 'm', name: 'Clonazepam', dose: null, classes: ['benzodiazepine'] },
        { id: 'n', name: 'Oxycodone', dose: null, classes: ['opioid', 'benzodiazepine'] },
      ],
    };
    const p = prefill({ symptoms: { sensory: true, vasomotor: false } }, record);
    expect(p.facts).toMatchObject({ age: 52, medication_classes: ['benzodiazepine', 'opioid'] });
    expect(p.budapest.symptoms).toEqual({
      sensory: true,
      vasomotor: false,
      sudomotor_oedema: null,
      motor_trophic: null,
    });
    expect(p.budapest.signs).toEqual(all(null));
  });

  it('uses a liver value only with its upper limit of normal, and an ECG finding only when it is one of the choices', () => {
    const base = { value: 10, unit: 'U/L', finding: null, takenAt: 0 };
    const record = {
      ...RECORD,
      labs: { alt: { ...base, uln: 40 }, ast: { ...base, uln: null } },
      ecg: { value: null, unit: null, uln: null, finding: 'No significant findings', takenAt: 0 },
    };
    expect(testFacts(record)).toEqual({ alt: { value: 10, uln: 40 }, ecg_findings: 'no_significant_findings' });
    expect(testFacts({ ...record, ecg: { ...record.ecg, finding: 'sinus rhythm, QTc 420' } })).not.toHaveProperty(
      'ecg_findings',
    );
  });
});

describe('the screening form', () => {
  const start = blankInput({ facts: { seizure_disorder: false } }, { ...RECORD, age: 40 });

  it('reads back what it wrote', () => {
    const input = eligible();
    input.overrides = [];
    const read = readScreeningForm(screeningValues(input), DEFAULT_RULES, input, {});
    expect(read.errors).toEqual({});
    expect(read.input.facts).toEqual(input.facts);
    expect(read.input.budapest).toEqual(input.budapest);
  });

  it('marks a value the provider changed as theirs and keeps the source of one left alone', () => {
    const values = { ...screeningValues(start), 'fact-seizure_disorder': 'yes', 'fact-age': '40' };
    const { input } = readScreeningForm(values, DEFAULT_RULES, start, {});
    expect(input.sources).toMatchObject({ seizure_disorder: 'provider', age: 'record' });
  });

  it('never takes a test result from the form', () => {
    const { input } = readScreeningForm({ 'fact-alt': '{"value":1,"uln":40}' }, DEFAULT_RULES, start, {
      alt: { value: 300, uln: 40 },
    });
    expect(input.facts.alt).toEqual({ value: 300, uln: 40 });
  });

  it.each([
    ['fact-age', 'abc', 'Age (years): a number in years'],
    ['fact-systolic_bp', '400', 'Systolic blood pressure at screening: from 40 to 300 mmHg'],
    ['fact-seizure_disorder', 'maybe', 'Epilepsy or seizures: yes, no, or not yet known'],
    ['fact-liver_disease', 'mild', 'Liver disease: one of None, Moderate, Severe'],
    ['vital-spo2', '101', 'Oxygen saturation (SpO₂): from 50 to 100 %'],
    ['sign-sensory', 'y', 'Sign, sensory: yes, no, or not yet assessed'],
  ])('refuses %s = %s naming the field', (field, value, message) => {
    const { errors } = readScreeningForm({ [field]: value }, DEFAULT_RULES, start, {});
    expect(errors).toEqual({ [field]: message });
  });

  it('an override needs its reason, and a hard stop offers none', () => {
    const { errors, input } = readScreeningForm(
      {
        'override-seizure_disorder': 'yes',
        'override_reason-seizure_disorder': '  ',
        'override-ketamine_allergy': 'yes',
        'override_reason-ketamine_allergy': 'no',
      },
      DEFAULT_RULES,
      start,
      {},
    );
    expect(errors).toEqual({
      'override_reason-seizure_disorder': 'Epilepsy or seizures: give the reason for overriding this stop',
    });
    expect(input.overrides).toEqual([]);
  });
});
