/**
 * The facts that screening rules read, as data: each fact's key, its label, its type and where it comes from, so
 * that the intake, the clinical record and the screening page can be generated from this list, and an edited rule
 * can be checked against it (`rulesSchema`). Pure.
 *
 * Adding a fact is a code change on purpose: something must collect it. Rules over facts are the data that
 * administrators edit.
 */
import { z } from 'zod';

export interface Choice {
  value: string;
  label: string;
}

/** A laboratory value beside the upper limit of normal of the laboratory that measured it. */
export interface LabValue {
  value: number;
  uln: number;
}

export type FactType =
  | { type: 'boolean' }
  | { type: 'number'; unit: string; min: number; max: number }
  | { type: 'choice'; options: readonly Choice[] }
  | { type: 'classes'; options: readonly Choice[] }
  | { type: 'lab'; unit: string };

/**
 * Who supplies the fact: the patient at intake (`question` is asked), the clinical record, the provider's
 * examination, or the result of a test (`test`), needed only once a rule requires that test.
 */
export type FactSource = 'intake' | 'record' | 'examination' | 'test';

export const TESTS = [
  { key: 'ecg', label: 'ECG' },
  { key: 'liver_tests', label: 'Liver tests (ALT, AST, ALP)' },
] as const;
export type TestKey = (typeof TESTS)[number]['key'];
export const TEST_KEYS = TESTS.map((t) => t.key) as [TestKey, ...TestKey[]];

export type FactDefinition = {
  key: string;
  label: string;
  from: FactSource;
  question?: string;
  test?: TestKey;
} & FactType;

/** Medication classes that matter to ketamine, as the clinical record flags them. */
export const MEDICATION_CLASSES = [
  { value: 'benzodiazepine', label: 'Benzodiazepines' },
  { value: 'lamotrigine', label: 'Lamotrigine' },
  { value: 'mao_inhibitor', label: 'MAO inhibitors' },
  { value: 'stimulant', label: 'Stimulants' },
  { value: 'opioid', label: 'Opioids' },
] as const;

const LAB = { type: 'lab', unit: 'U/L', from: 'test', test: 'liver_tests' } as const;

export const FACTS = [
  { key: 'age', label: 'Age (years)', from: 'record', type: 'number', unit: 'years', min: 0, max: 130 },
  {
    key: 'ketamine_allergy',
    label: 'Allergy or hypersensitivity to ketamine or esketamine',
    from: 'intake',
    question: 'Have you ever had an allergic reaction to ketamine or esketamine?',
    type: 'boolean',
  },
  {
    key: 'pregnant_or_possible',
    label: 'Pregnant, or pregnancy possible',
    from: 'intake',
    question: 'Are you pregnant, or could you be pregnant?',
    type: 'boolean',
  },
  { key: 'breastfeeding', label: 'Breastfeeding', from: 'intake', question: 'Are you breastfeeding?', type: 'boolean' },
  { key: 'active_psychosis', label: 'Active psychosis', from: 'examination', type: 'boolean' },
  { key: 'active_suicidal_ideation', label: 'Active suicidal ideation', from: 'examination', type: 'boolean' },
  {
    key: 'seizure_disorder',
    label: 'Epilepsy or seizures',
    from: 'intake',
    question: 'Have you ever had epilepsy or seizures?',
    type: 'boolean',
  },
  { key: 'uncontrolled_hypertension', label: 'Uncontrolled high blood pressure', from: 'examination', type: 'boolean' },
  {
    key: 'systolic_bp',
    label: 'Systolic blood pressure at screening',
    from: 'examination',
    type: 'number',
    unit: 'mmHg',
    min: 40,
    max: 300,
  },
  {
    key: 'diastolic_bp',
    label: 'Diastolic blood pressure at screening',
    from: 'examination',
    type: 'number',
    unit: 'mmHg',
    min: 20,
    max: 200,
  },
  {
    key: 'cardiovascular_disease',
    label: 'Cardiovascular disease',
    from: 'examination',
    type: 'choice',
    options: [
      { value: 'none', label: 'None' },
      { value: 'controlled', label: 'Controlled' },
      { value: 'poorly_controlled', label: 'Poorly controlled' },
    ],
  },
  {
    key: 'high_cardiovascular_risk',
    label: 'High risk of cardiovascular disease',
    from: 'examination',
    type: 'boolean',
  },
  {
    key: 'aneurysmal_vascular_disease',
    label: 'Aneurysmal vascular disease (brain, chest, abdomen or limbs)',
    from: 'intake',
    question: 'Have you ever been told you have an aneurysm, a bulge in a blood vessel?',
    type: 'boolean',
  },
  {
    key: 'arteriovenous_malformation',
    label: 'Arteriovenous malformation',
    from: 'intake',
    question: 'Have you ever been told you have an arteriovenous malformation (AVM)?',
    type: 'boolean',
  },
  {
    key: 'intracerebral_haemorrhage',
    label: 'Intracerebral haemorrhage, ever',
    from: 'intake',
    question: 'Have you ever had bleeding in the brain?',
    type: 'boolean',
  },
  {
    key: 'liver_disease',
    label: 'Liver disease',
    from: 'examination',
    type: 'choice',
    options: [
      { value: 'none', label: 'None' },
      { value: 'moderate', label: 'Moderate' },
      { value: 'severe', label: 'Severe' },
    ],
  },
  {
    key: 'liver_toxicity_risk',
    label: 'At risk of liver toxicity (for example alcohol misuse or chronic hepatitis)',
    from: 'examination',
    type: 'boolean',
  },
  {
    key: 'substance_use',
    label: 'Substance use',
    from: 'examination',
    type: 'choice',
    options: [
      { value: 'none', label: 'None' },
      { value: 'history', label: 'History of misuse, not active' },
      { value: 'active', label: 'Active misuse' },
    ],
  },
  {
    key: 'raised_intraocular_pressure',
    label: 'Raised intraocular pressure (for example glaucoma)',
    from: 'intake',
    question: 'Have you been told you have glaucoma or raised pressure in your eyes?',
    type: 'boolean',
  },
  { key: 'raised_intracranial_pressure', label: 'Raised intracranial pressure', from: 'examination', type: 'boolean' },
  {
    key: 'interstitial_cystitis',
    label: 'Interstitial or ulcerative cystitis',
    from: 'intake',
    question: 'Have you been told you have interstitial cystitis or another long-term inflammation of the bladder?',
    type: 'boolean',
  },
  {
    key: 'medication_classes',
    label: 'Current medications, by class',
    from: 'record',
    type: 'classes',
    options: MEDICATION_CLASSES,
  },
  {
    key: 'ecg_findings',
    label: 'ECG findings',
    from: 'test',
    test: 'ecg',
    type: 'choice',
    options: [
      { value: 'no_significant_findings', label: 'No significant findings' },
      { value: 'significant_findings', label: 'Significant findings' },
    ],
  },
  { key: 'alt', label: 'ALT', ...LAB },
  { key: 'ast', label: 'AST', ...LAB },
  { key: 'alp', label: 'ALP', ...LAB },
] as const satisfies readonly FactDefinition[];

type Vocabulary = (typeof FACTS)[number];
export type FactKey = Vocabulary['key'];
export const FACT_KEYS = FACTS.map((f) => f.key) as [FactKey, ...FactKey[]];

type OptionValue<D> = D extends { options: readonly (infer O)[] } ? (O extends { value: infer V } ? V : never) : never;
type ValueOf<D> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'number' }
    ? number
    : D extends { type: 'choice' }
      ? OptionValue<D>
      : D extends { type: 'classes' }
        ? readonly OptionValue<D>[]
        : D extends { type: 'lab' }
          ? LabValue
          : never;
export type FactValue<K extends FactKey> = ValueOf<Extract<Vocabulary, { key: K }>>;

/** What the screening knows: a missing key, null or undefined is not yet known. */
export type Facts = { readonly [K in FactKey]?: FactValue<K> | null };

const byKey = new Map<string, FactDefinition>(FACTS.map((f) => [f.key, f]));

export function factDefinition(key: string): FactDefinition | undefined {
  return byKey.get(key);
}

/** The facts a test's result supplies. */
export function resultsOf(test: TestKey): FactDefinition[] {
  return FACTS.filter((f) => 'test' in f && f.test === test);
}

/**
 * A fact's value when it is well formed for its type, else undefined: evaluating treats a malformed value as not
 * yet known, so a wrong value can delay a screening but never clear it.
 */
export function readFact(def: FactDefinition, raw: unknown): unknown {
  switch (def.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) && raw >= def.min && raw <= def.max ? raw : undefined;
    case 'choice':
      return typeof raw === 'string' && def.options.some((o) => o.value === raw) ? raw : undefined;
    case 'classes':
      return Array.isArray(raw) && raw.every((c) => def.options.some((o) => o.value === c)) ? raw : undefined;
    case 'lab': {
      if (typeof raw !== 'object' || raw === null) return undefined;
      const { value, uln } = raw as Partial<Record<string, unknown>>;
      return typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= 0 &&
        typeof uln === 'number' &&
        Number.isFinite(uln) &&
        uln > 0
        ? { value, uln }
        : undefined;
    }
  }
}

function valueSchema(def: FactDefinition): z.ZodType {
  const name = `${def.key} (${def.label})`;
  switch (def.type) {
    case 'boolean':
      return z.boolean({ error: `${name}: yes or no` });
    case 'number':
      return z
        .number({ error: `${name}: a number in ${def.unit}` })
        .min(def.min, `${name}: at least ${def.min} ${def.unit}`)
        .max(def.max, `${name}: at most ${def.max} ${def.unit}`);
    case 'choice':
      return z.enum(def.options.map((o) => o.value) as [string, ...string[]], {
        error: `${name}: one of ${def.options.map((o) => o.value).join(', ')}`,
      });
    case 'classes':
      return z.array(
        z.enum(def.options.map((o) => o.value) as [string, ...string[]], {
          error: `${name}: each one of ${def.options.map((o) => o.value).join(', ')}`,
        }),
        { error: `${name}: a list of classes (empty for none)` },
      );
    case 'lab':
      return z.object(
        {
          value: z
            .number({ error: `${name}: the value in ${def.unit}` })
            .min(0, `${name}: the value cannot be negative`),
          uln: z
            .number({ error: `${name}: the laboratory's upper limit of normal in ${def.unit}` })
            .positive(`${name}: the upper limit of normal must be above 0`),
        },
        { error: `${name}: a value and its upper limit of normal, in ${def.unit}` },
      );
  }
}

/** A facts record as a page sends it: every fact optional or null (not yet known), unknown keys refused. */
export const factsSchema = z.strictObject(
  Object.fromEntries(FACTS.map((f) => [f.key, valueSchema(f).nullable().optional()])),
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}: not a known fact` : 'facts: a set of facts',
  },
) as unknown as z.ZodType<Facts>;
