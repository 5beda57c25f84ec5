/**
 * The clinical record's lists and limits as versioned definitions a medical director edits: the plausible weight
 * range and how long a weight stays current, the medication classes that matter with ketamine, the ICD-10-CM code
 * list and the laboratory tests with the units each accepts. Their shipped defaults and sources are here.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition, type DefinitionKind } from '../definitions/store.ts';
import { MEDICATION_CLASSES } from '../eligibility/facts.ts';

const CODE = /^[a-z0-9_]{1,40}$/;
const text = (field: string, max: number) =>
  z
    .string({ error: `${field}: required` })
    .trim()
    .min(1, `${field}: required`)
    .max(max, `${field}: at most ${max} characters`)
    .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), `${field}: no control or invisible characters`);
/** A list whose codes are each listed once (a code is what records store). */
const uniqueCodes = <T extends { code: string }>(schema: z.ZodType<T[]>, what: string): z.ZodType<T[]> =>
  schema.superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      if (seen.has(row.code))
        ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `${what} ${row.code} is listed twice` });
      seen.add(row.code);
    });
  });

export interface RecordLimits {
  weightMinKg: number;
  weightMaxKg: number;
  /** A weight measured longer ago than this is no longer current (a dose order needs a current one). */
  weightCurrentDays: number;
  /** Heights outside this range are refused as a slip or a wrong unit. */
  heightMinCm: number;
  heightMaxCm: number;
}

const kg = (field: string) =>
  z
    .number({ error: `${field}: a number` })
    .positive(`${field}: above 0`)
    .max(700, `${field}: at most 700 kg`);

const cm = (field: string) =>
  z
    .number({ error: `${field}: a number` })
    .positive(`${field}: above 0`)
    .max(299, `${field}: below 300 cm`);

export const RECORD_LIMITS: DefinitionKind<RecordLimits> = {
  kind: 'record-limits',
  label: 'Record limits',
  schema: z
    .strictObject({
      weightMinKg: kg('weightMinKg'),
      weightMaxKg: kg('weightMaxKg'),
      weightCurrentDays: z
        .number({ error: 'weightCurrentDays: a whole number of days' })
        .int('weightCurrentDays: a whole number of days')
        .min(1, 'weightCurrentDays: at least 1 day')
        .max(365, 'weightCurrentDays: at most 365 days'),
      heightMinCm: cm('heightMinCm'),
      heightMaxCm: cm('heightMaxCm'),
    })
    .refine((l) => l.weightMinKg < l.weightMaxKg, {
      path: ['weightMaxKg'],
      message: 'weightMaxKg: above the minimum',
    })
    .refine((l) => l.heightMinCm < l.heightMaxCm, {
      path: ['heightMaxCm'],
      message: 'heightMaxCm: above the minimum',
    }),
  defaults: { weightMinKg: 25, weightMaxKg: 300, weightCurrentDays: 30, heightMinCm: 50, heightMaxCm: 250 },
  source:
    'Issue 11 and clinical-facts.md: a physiological range (for example 25–300 kg) to catch slips and wrong units, ' +
    'a weight at most 30 days old for a dose order, and an adult height range of 50–250 cm; product defaults for the medical director to confirm',
  unverified: true,
};

export interface CodedItem {
  code: string;
  label: string;
}

export const MEDICATION_CLASS_LIST: DefinitionKind<CodedItem[]> = {
  kind: 'medication-classes',
  label: 'Medication classes',
  schema: uniqueCodes(
    z
      .array(
        z.strictObject({
          code: z.string().regex(CODE, 'code: lower-case letters, digits and _'),
          label: text('label', 80),
        }),
      )
      .min(1, 'At least one class')
      .max(50, 'At most 50 classes'),
    'Class',
  ),
  defaults: MEDICATION_CLASSES.map((c) => ({ code: c.value, label: c.label })),
  source:
    'Issue 11: the classes that matter with ketamine (benzodiazepines, lamotrigine, MAO inhibitors, stimulants, ' +
    'opioids); not in clinical-facts.md, for the medical director to confirm',
  unverified: true,
};

export interface DiagnosisCode extends CodedItem {
  /** The code or its label is not confirmed against the code set (shown so). */
  unverified: boolean;
}

const ICD10 = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

const type1 = (code: string, site: string): DiagnosisCode => ({
  code,
  label: `Complex regional pain syndrome I${site}`,
  unverified: false,
});
const causalgia = (code: string, site: string): DiagnosisCode => ({
  code,
  label: `Causalgia (CRPS type II) of ${site}`,
  // clinical-facts.md gives these as G56.4x and G57.7x without the side digits: the sides are from memory.
  unverified: true,
});

export const DIAGNOSIS_CODES: DefinitionKind<DiagnosisCode[]> = {
  kind: 'diagnosis-codes',
  label: 'Diagnosis codes (ICD-10-CM)',
  schema: uniqueCodes(
    z
      .array(
        z.strictObject({
          code: z.string().regex(ICD10, 'code: an ICD-10-CM code such as G90.511'),
          label: text('label', 120),
          unverified: z.boolean(),
        }),
      )
      .min(1, 'At least one code')
      .max(200, 'At most 200 codes'),
    'Code',
  ),
  defaults: [
    type1('G90.50', ', unspecified'),
    type1('G90.511', ' of right upper limb'),
    type1('G90.512', ' of left upper limb'),
    type1('G90.513', ' of upper limb, bilateral'),
    type1('G90.519', ' of unspecified upper limb'),
    type1('G90.521', ' of right lower limb'),
    type1('G90.522', ' of left lower limb'),
    type1('G90.523', ' of lower limb, bilateral'),
    type1('G90.529', ' of unspecified lower limb'),
    type1('G90.59', ' of other specified site'),
    causalgia('G56.40', 'unspecified upper limb'),
    causalgia('G56.41', 'right upper limb'),
    causalgia('G56.42', 'left upper limb'),
    causalgia('G56.43', 'bilateral upper limbs'),
    causalgia('G57.70', 'unspecified lower limb'),
    causalgia('G57.71', 'right lower limb'),
    causalgia('G57.72', 'left lower limb'),
    causalgia('G57.73', 'bilateral lower limbs'),
  ],
  source:
    'ICD-10-CM (CMS code set) as summarised in clinical-facts.md §9: G90.5x CRPS type I by limb and side, G56.4x and ' +
    'G57.7x CRPS type II; verify against the current year’s tabular list',
  unverified: true,
};

export interface LabTest extends CodedItem {
  /** Units a value may be entered in; none for a test recorded as findings (an ECG). */
  units: string[];
}

export const LAB_TESTS: DefinitionKind<LabTest[]> = {
  kind: 'lab-tests',
  label: 'Laboratory and other tests',
  schema: uniqueCodes(
    z
      .array(
        z.strictObject({
          code: z.string().regex(CODE, 'code: lower-case letters, digits and _'),
          label: text('label', 80),
          units: z.array(text('units', 20)).max(10, 'units: at most 10'),
        }),
      )
      .min(1, 'At least one test')
      .max(50, 'At most 50 tests'),
    'Test',
  ),
  defaults: [
    { code: 'alt', label: 'ALT', units: ['U/L', 'IU/L'] },
    { code: 'ast', label: 'AST', units: ['U/L', 'IU/L'] },
    { code: 'alp', label: 'ALP', units: ['U/L', 'IU/L'] },
    { code: 'ecg', label: 'ECG', units: [] },
  ],
  source:
    'Cohen SP et al., Reg Anesth Pain Med 2018 (clinical-facts.md §1): baseline ECG for cardiovascular risk, liver ' +
    'tests (ALT, AST, ALP) for liver risk or frequent high doses',
  unverified: false,
};

/** The record limits in force (dose orders read the weight's age from here too). */
export async function recordLimits(db: Kysely<DB>): Promise<RecordLimits & { version: number; source: string }> {
  const d = await currentDefinition(db, RECORD_LIMITS);
  return { ...d.body, version: d.version, source: d.source };
}
