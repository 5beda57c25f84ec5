/**
 * The check-in checklist's answers: read from the form (each refused value named by its field), kept as JSON on a
 * session_checkins row, and read back. A nurse may save part of the list and come back: a question left blank is
 * "not answered yet", which the readiness list shows, never a refusal. Pure.
 */
import { z } from 'zod';
import type { ChecklistItem } from './checkin-settings.ts';

export const URINARY_QUESTIONS = [
  { key: 'u1', text: 'Since the last infusion, passing urine more often, or more urgently, than before?' },
  { key: 'u2', text: 'Pain or burning when passing urine, or pain low in the belly?' },
  { key: 'u3', text: 'Any blood in the urine?' },
] as const;
export const URINARY_SOURCE =
  'The clinic’s own three questions, after clinical-facts.md §4 (screen serial-infusion patients for ketamine-related bladder symptoms): UNVERIFIED, not a validated instrument.';

export type Escort = { kind: 'escort'; name: string; phone: string } | { kind: 'ride'; detail: string };

export interface CheckinAnswers {
  identity?: true;
  /** Hours since solid food and since clear fluids, as told at `recorded_at`. */
  foodHours?: number;
  fluidHours?: number;
  escort?: Escort;
  pregnancy?: 'negative' | 'positive';
  medicationChanges?: { changed: false } | { changed: true; detail: string };
  pain?: number;
  /** PHQ-9 item 9, 0–3. */
  item9?: number;
  /** yes = true, per URINARY_QUESTIONS key. */
  urinary?: Record<string, boolean>;
}

export const answersSchema: z.ZodType<CheckinAnswers> = z.object({
  identity: z.literal(true).optional(),
  foodHours: z.number().min(0).max(72).optional(),
  fluidHours: z.number().min(0).max(72).optional(),
  escort: z
    .union([
      z.object({ kind: z.literal('escort'), name: z.string(), phone: z.string() }),
      z.object({ kind: z.literal('ride'), detail: z.string() }),
    ])
    .optional(),
  pregnancy: z.enum(['negative', 'positive']).optional(),
  medicationChanges: z
    .union([z.object({ changed: z.literal(false) }), z.object({ changed: z.literal(true), detail: z.string() })])
    .optional(),
  pain: z.number().int().min(0).max(10).optional(),
  item9: z.number().int().min(0).max(3).optional(),
  urinary: z.record(z.string(), z.boolean()).optional(),
});

export const readAnswers = (json: string): CheckinAnswers => answersSchema.parse(JSON.parse(json));

type Form = Record<string, string>;
const text = (form: Form, key: string) => (form[key] ?? '').trim();

function hoursField(form: Form, key: string, label: string, errors: Record<string, string>): number | undefined {
  const raw = text(form, key);
  if (raw === '') return undefined;
  if (!/^\d{1,2}(\.5|\.0)?$/.test(raw) || Number(raw) > 72) {
    errors[key] = `${label}: whole or half hours from 0 to 72, for example 8 or 2.5`;
    return undefined;
  }
  return Number(raw);
}

function wholeField(form: Form, key: string, label: string, max: number, errors: Record<string, string>) {
  const raw = text(form, key);
  if (raw === '') return undefined;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > max) {
    errors[key] = `${label}: a whole number from 0 to ${max}`;
    return undefined;
  }
  return Number(raw);
}

const PHONE = /^\+?[0-9 ().-]{7,20}$/;

/**
 * The answers a posted checklist gives for the items asked: `answers` when every given value is possible, otherwise
 * `errors` by field name. Items not asked are ignored whatever the form holds.
 */
export function answersFromForm(
  form: Form,
  asked: ReadonlySet<ChecklistItem>,
): { answers: CheckinAnswers } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const a: CheckinAnswers = {};
  if (asked.has('identity') && form.identity === 'yes') a.identity = true;
  if (asked.has('fasting')) {
    const food = hoursField(form, 'food_hours', 'Hours since solid food', errors);
    const fluid = hoursField(form, 'fluid_hours', 'Hours since clear fluids', errors);
    if (food !== undefined) a.foodHours = food;
    if (fluid !== undefined) a.fluidHours = fluid;
    if (food !== undefined && fluid !== undefined && fluid > food)
      errors.fluid_hours = 'Hours since clear fluids: food counts as fluid too, so at most the hours since food';
  }
  if (asked.has('escort')) {
    const kind = text(form, 'escort');
    if (kind === 'escort') {
      const name = text(form, 'escort_name');
      const phone = text(form, 'escort_phone');
      if (name.length < 2 || name.length > 120) errors.escort_name = 'Escort’s name: 2 to 120 characters';
      if (!PHONE.test(phone)) errors.escort_phone = 'Escort’s phone: 7 to 20 digits, spaces, +, ( ) or -';
      if (!errors.escort_name && !errors.escort_phone) a.escort = { kind: 'escort', name, phone };
    } else if (kind === 'ride') {
      const detail = text(form, 'ride_detail');
      if (detail.length < 3 || detail.length > 300)
        errors.ride_detail = 'Ride home: say who or what takes the patient home (3 to 300 characters)';
      else a.escort = { kind: 'ride', detail };
    } else if (kind !== '') errors.escort = 'Going home: an escort, or a ride home';
  }
  if (asked.has('pregnancy')) {
    const p = text(form, 'pregnancy');
    if (p === 'negative' || p === 'positive') a.pregnancy = p;
    else if (p !== '') errors.pregnancy = 'Pregnancy test: negative or positive';
  }
  if (asked.has('medication_changes')) {
    const m = text(form, 'med_changes');
    if (m === 'none') a.medicationChanges = { changed: false };
    else if (m === 'changed') {
      const detail = text(form, 'med_changes_detail');
      if (detail.length < 3 || detail.length > 1000)
        errors.med_changes_detail = 'Medication changes: say what changed (3 to 1,000 characters)';
      else a.medicationChanges = { changed: true, detail };
    } else if (m !== '') errors.med_changes = 'Medication changes: none, or what changed';
  }
  if (asked.has('pain')) {
    const pain = wholeField(form, 'pain', 'Pain now', 10, errors);
    if (pain !== undefined) a.pain = pain;
  }
  if (asked.has('phq9_item9')) {
    const item9 = wholeField(form, 'item9', 'Thoughts of self-harm', 3, errors);
    if (item9 !== undefined) a.item9 = item9;
  }
  if (asked.has('urinary')) {
    const urinary: Record<string, boolean> = {};
    for (const q of URINARY_QUESTIONS) {
      const v = text(form, q.key);
      if (v === 'yes' || v === 'no') urinary[q.key] = v === 'yes';
      else if (v !== '') errors[q.key] = 'Urinary question: yes or no';
    }
    if (Object.keys(urinary).length > 0) a.urinary = urinary;
  }
  return Object.keys(errors).length > 0 ? { errors } : { answers: a };
}

/** The form's values for saved answers (to fill the checklist again). */
export function formOfAnswers(a: CheckinAnswers): Form {
  const f: Form = {};
  if (a.identity) f.identity = 'yes';
  if (a.foodHours !== undefined) f.food_hours = String(a.foodHours);
  if (a.fluidHours !== undefined) f.fluid_hours = String(a.fluidHours);
  if (a.escort?.kind === 'escort')
    Object.assign(f, { escort: 'escort', escort_name: a.escort.name, escort_phone: a.escort.phone });
  if (a.escort?.kind === 'ride') Object.assign(f, { escort: 'ride', ride_detail: a.escort.detail });
  if (a.pregnancy) f.pregnancy = a.pregnancy;
  if (a.medicationChanges)
    Object.assign(
      f,
      a.medicationChanges.changed
        ? { med_changes: 'changed', med_changes_detail: a.medicationChanges.detail }
        : { med_changes: 'none' },
    );
  if (a.pain !== undefined) f.pain = String(a.pain);
  if (a.item9 !== undefined) f.item9 = String(a.item9);
  for (const [k, v] of Object.entries(a.urinary ?? {})) f[k] = v ? 'yes' : 'no';
  return f;
}
