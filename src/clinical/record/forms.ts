/**
 * What the clinical record's forms send, read and checked: each function takes the form's values as typed and
 * returns the figures to store, or a Refusal naming every field that is wrong and how. Limits and lists come from
 * the definitions in force, passed in; "today" is the location's date, passed in.
 */
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { addYears, isDay } from '../../kernel/time/wall-clock.ts';
import { KG_PER_LB, toKg } from '../dosing/dose.ts';
import type { CodedItem, DiagnosisCode, LabTest, RecordLimits } from './definitions.ts';
import type { ProfileValues } from './repository.ts';

export type Values = Record<string, string>;
type Parsed<T> = { ok: true; data: T } | Refusal;

const CM_PER_IN = 2.54;
/** The oldest date of birth accepted, in years before today. */
export const MAX_AGE_YEARS = 120;

const invalid = (fields: Record<string, string>) =>
  refuse('invalid_request', 'Some of the information entered is not valid. Nothing was saved.', fields);

const DECIMAL = /^\d{1,5}(\.\d{1,3})?$/;
// Control and invisible format characters (a direction override reverses how the rest of a line reads); line breaks
// are allowed where a note may have several lines.
const HIDDEN_ONE_LINE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HIDDEN_MULTI_LINE = /[\p{Cf}\p{Zl}\p{Zp}]|[^\P{Cc}\n\r\t]/u;

/** Free text as typed, trimmed; undefined is "left empty". Markup is kept and shown as text. */
function freeText(
  values: Values,
  name: string,
  label: string,
  max: number,
  errors: Record<string, string>,
  options: { required?: boolean; lines?: boolean } = {},
): string | null {
  const value = (values[name] ?? '').trim();
  if (value === '') {
    if (options.required) errors[name] = `${label}: required`;
    return null;
  }
  if (value.length > max) errors[name] = `${label}: at most ${max} characters`;
  else if ((options.lines ? HIDDEN_MULTI_LINE : HIDDEN_ONE_LINE).test(value))
    errors[name] = `${label}: no control or invisible characters`;
  return value;
}

/** A date typed in (YYYY-MM-DD), today by default, never in the future. */
function pastDay(values: Values, name: string, label: string, today: string, errors: Record<string, string>) {
  const day = (values[name] ?? '').trim() || today;
  if (!isDay(day)) {
    errors[name] = `${label}: a date such as ${today}`;
    return today;
  }
  if (day > today) errors[name] = `${label}: today or earlier, not in the future`;
  return day;
}

const one = (n: number, digits = 1) => String(Number(n.toFixed(digits)));

export function parseProfile(values: Values, limits: RecordLimits, today: string): Parsed<ProfileValues> {
  const errors: Record<string, string> = {};
  let dateOfBirth: string | null = (values.date_of_birth ?? '').trim() || null;
  if (dateOfBirth !== null) {
    if (!isDay(dateOfBirth)) errors.date_of_birth = `Date of birth: a date such as 1980-04-23`;
    else if (dateOfBirth > today) errors.date_of_birth = 'Date of birth: cannot be in the future';
    else if (dateOfBirth < addYears(today, -MAX_AGE_YEARS))
      errors.date_of_birth = `Date of birth: more than ${MAX_AGE_YEARS} years ago; check the year`;
    if (errors.date_of_birth) dateOfBirth = null;
  }
  const sexValue = values.sex ?? '';
  const sex = sexValue === '' ? null : SEXES.find((s) => s === sexValue);
  if (sex === undefined) errors.sex = 'Sex: choose one of the options';
  const pregnancy = values.pregnancy_possible ?? '';
  if (!['', 'yes', 'no'].includes(pregnancy)) errors.pregnancy_possible = 'Pregnancy possible: yes, no or not known';
  let heightCm: number | null = null;
  const height = (values.height ?? '').trim();
  if (height !== '') {
    const unit = values.height_unit ?? 'cm';
    if (unit !== 'cm' && unit !== 'in') errors.height_unit = 'Height unit: centimetres or inches';
    else if (!DECIMAL.test(height)) errors.height = 'Height: a number such as 172 or 67.5';
    else {
      heightCm = unit === 'in' ? Number(height) * CM_PER_IN : Number(height);
      if (heightCm < limits.heightMinCm || heightCm > limits.heightMaxCm)
        errors.height = `Height: from ${limits.heightMinCm} to ${limits.heightMaxCm} cm (${one(limits.heightMinCm / CM_PER_IN)} to ${one(limits.heightMaxCm / CM_PER_IN)} in)`;
    }
  }
  if (Object.keys(errors).length > 0) return invalid(errors);
  return {
    ok: true,
    data: {
      date_of_birth: dateOfBirth,
      sex: sex ?? null,
      pregnancy_possible: pregnancy === 'yes' ? 1 : pregnancy === 'no' ? 0 : null,
      height_cm: heightCm === null ? null : Number(heightCm.toFixed(2)),
    },
  };
}
export const SEXES = ['female', 'male', 'intersex', 'not_said'] as const;

export function parseWeight(
  values: Values,
  limits: RecordLimits,
  today: string,
): Parsed<{ kg: number; value: number; unit: 'kg' | 'lb'; day: string }> {
  const errors: Record<string, string> = {};
  const unit = values.weight_unit ?? 'kg';
  const raw = (values.weight_value ?? '').trim();
  const range = `from ${limits.weightMinKg} to ${limits.weightMaxKg} kg (${one(limits.weightMinKg / KG_PER_LB, 0)} to ${one(limits.weightMaxKg / KG_PER_LB, 0)} lb)`;
  let kg = 0;
  if (unit !== 'kg' && unit !== 'lb') errors.weight_unit = 'Unit: kilograms or pounds';
  else if (!DECIMAL.test(raw)) errors.weight_value = `Weight: a number ${range}`;
  else {
    kg = toKg({ value: Number(raw), unit });
    if (kg < limits.weightMinKg || kg > limits.weightMaxKg) errors.weight_value = `Weight: ${range}`;
  }
  const day = pastDay(values, 'weight_measured_on', 'Measured on', today, errors);
  if (Object.keys(errors).length > 0) return invalid(errors);
  return { ok: true, data: { kg, value: Number(raw), unit: unit as 'kg' | 'lb', day } };
}

export function parseAllergy(values: Values): Parsed<{ substance: string; reaction: string | null; ketamine: 0 | 1 }> {
  const errors: Record<string, string> = {};
  const substance = freeText(values, 'allergy_substance', 'Substance', 200, errors, { required: true });
  const reaction = freeText(values, 'allergy_reaction', 'Reaction', 500, errors, { lines: true });
  const flag = values.allergy_ketamine ?? '';
  if (flag !== '' && flag !== 'yes') errors.allergy_ketamine = 'Ketamine allergy: tick the box or leave it empty';
  if (Object.keys(errors).length > 0 || substance === null) return invalid(errors);
  // A substance named ketamine (or esketamine) is a ketamine allergy whether or not the box was ticked.
  const ketamine = flag === 'yes' || /ketamin/i.test(substance) ? 1 : 0;
  return { ok: true, data: { substance, reaction, ketamine } };
}

export function parseMedication(
  values: Values,
  classes: CodedItem[],
): Parsed<{ name: string; dose: string | null; classes: string[] }> {
  const errors: Record<string, string> = {};
  const name = freeText(values, 'medication_name', 'Medication', 200, errors, { required: true });
  const dose = freeText(values, 'medication_dose', 'Dose', 200, errors);
  const known = new Set(classes.map((c) => c.code));
  const chosen: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith('medication_class_') || value === '') continue;
    const code = key.slice('medication_class_'.length);
    if (!known.has(code) || value !== 'yes') errors.medication_classes = 'Classes: choose from the list';
    else chosen.push(code);
  }
  if (Object.keys(errors).length > 0 || name === null) return invalid(errors);
  // Stored in the list's order, so the same choice always reads the same.
  return { ok: true, data: { name, dose, classes: classes.map((c) => c.code).filter((c) => chosen.includes(c)) } };
}

export function parseDiagnosis(values: Values, codes: DiagnosisCode[]): Parsed<DiagnosisCode> {
  const code = codes.find((c) => c.code === values.diagnosis_code);
  if (!code) return invalid({ diagnosis_code: 'Diagnosis: choose a code from the list' });
  return { ok: true, data: code };
}

export interface ResultInput {
  test: LabTest;
  value: number | null;
  unit: string | null;
  upperLimit: number | null;
  finding: string | null;
  day: string;
}

/** A measured result: a test with units, its value, unit and the reporting lab's upper limit of normal. */
export function parseLabResult(values: Values, tests: LabTest[], today: string): Parsed<ResultInput> {
  const errors: Record<string, string> = {};
  const test = tests.find((t) => t.code === values.lab_test && t.units.length > 0);
  if (!test) errors.lab_test = 'Test: choose a test from the list';
  const value = (values.lab_value ?? '').trim();
  if (!DECIMAL.test(value)) errors.lab_value = 'Value: a number such as 32';
  const unit = (values.lab_unit ?? '').trim();
  if (test && !test.units.includes(unit))
    errors.lab_unit = `Unit: ${test.label} is entered in ${test.units.join(' or ')}`;
  const uln = (values.lab_uln ?? '').trim();
  if (!DECIMAL.test(uln) || Number(uln) <= 0)
    errors.lab_uln = 'Upper limit of normal: the number the lab reports, such as 40';
  const day = pastDay(values, 'lab_taken_on', 'Taken on', today, errors);
  if (Object.keys(errors).length > 0 || !test) return invalid(errors);
  return {
    ok: true,
    data: { test, value: Number(value), unit, upperLimit: Number(uln), finding: null, day },
  };
}

/** A test read rather than measured (an ECG): the findings of whoever reviewed it. */
export function parseFinding(values: Values, tests: LabTest[], today: string): Parsed<ResultInput> {
  const errors: Record<string, string> = {};
  const test = tests.find((t) => t.code === values.finding_test && t.units.length === 0);
  if (!test) errors.finding_test = 'Test: choose a test from the list';
  const finding = freeText(values, 'finding_text', 'Findings', 2000, errors, { required: true, lines: true });
  const day = pastDay(values, 'finding_taken_on', 'Taken on', today, errors);
  if (Object.keys(errors).length > 0 || !test || finding === null) return invalid(errors);
  return { ok: true, data: { test, value: null, unit: null, upperLimit: null, finding, day } };
}

export function parsePdmp(
  values: Values,
  today: string,
): Parsed<{ result: 'no_concerns' | 'concerns'; note: string | null; day: string }> {
  const errors: Record<string, string> = {};
  const result = values.pdmp_result;
  if (result !== 'no_concerns' && result !== 'concerns') errors.pdmp_result = 'Result: no concerns, or concerns';
  const note = freeText(values, 'pdmp_note', 'Note', 2000, errors, { lines: true });
  // A concern is recorded with what it is, so whoever reads the record next knows what to look at.
  if (result === 'concerns' && note === null && !errors.pdmp_note) errors.pdmp_note = 'Note: say what the concern is';
  const day = pastDay(values, 'pdmp_checked_on', 'Checked on', today, errors);
  if (Object.keys(errors).length > 0 || (result !== 'no_concerns' && result !== 'concerns')) return invalid(errors);
  return { ok: true, data: { result, note, day } };
}
