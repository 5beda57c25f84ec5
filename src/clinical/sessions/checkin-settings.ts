/**
 * The check-in's numbers and lists as versioned definitions an administrator edits at /staff/clinical-settings:
 * which checklist items each protocol asks (and its fasting rule), and the limits on the pre-infusion reading that
 * block a start. Shipped defaults carry their source and are unverified until the medical director saves a version.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition, type Definition, type DefinitionKind } from '../definitions/store.ts';
import { START_THRESHOLDS, type StartThresholds } from './alerts.ts';

/** Every question the check-in can ask, in the order the page asks them. */
export const CHECKLIST_ITEMS = [
  'identity',
  'consent',
  'fasting',
  'escort',
  'pregnancy',
  'medication_changes',
  'pain',
  'phq9_item9',
  'urinary',
] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

export interface ChecklistRow {
  /** A protocol's code, or `*` for every protocol without a row of its own. */
  protocol: string;
  items: ChecklistItem[];
  /** Hours without solid food, and without clear fluids, before a start. */
  foodHours: number;
  clearFluidHours: number;
}

const hours = (field: string) =>
  z
    .number({ error: `${field}: a number of hours` })
    .min(0, `${field}: 0 or more`)
    .max(24, `${field}: at most 24`)
    .refine((v) => Number.isInteger(v * 2), `${field}: whole or half hours`);

const checklistRowSchema = z.strictObject({
  protocol: z
    .string({ error: 'protocol: a protocol code or *' })
    .trim()
    .regex(/^(\*|[a-z0-9][a-z0-9-]{0,63})$/, 'protocol: a protocol code (lower-case letters, digits, -) or *'),
  items: z
    .array(z.enum(CHECKLIST_ITEMS, { error: `items: each one of ${CHECKLIST_ITEMS.join(', ')}` }))
    // Who the patient is and their consent are never optional: the start is refused without them anyway.
    .refine(
      (items) => items.includes('identity') && items.includes('consent'),
      'items: identity and consent are always asked',
    )
    .refine((items) => new Set(items).size === items.length, 'items: each item once'),
  foodHours: hours('foodHours'),
  clearFluidHours: hours('clearFluidHours'),
});

export const checklistSchema: z.ZodType<ChecklistRow[]> = z
  .array(checklistRowSchema)
  .refine((rows) => rows.some((r) => r.protocol === '*'), 'protocol: keep one row for every protocol (*)')
  .refine((rows) => new Set(rows.map((r) => r.protocol)).size === rows.length, 'protocol: one row per protocol');

export const CHECKIN_CHECKLIST: DefinitionKind<ChecklistRow[]> = {
  kind: 'checkin-checklist',
  label: 'Check-in checklist',
  schema: checklistSchema,
  defaults: [{ protocol: '*', items: [...CHECKLIST_ITEMS], foodHours: 6, clearFluidHours: 2 }],
  source:
    'Items: issue 12 §2. Fasting: no solid food for 6 h, clear liquids until 2 h before (clinical-facts.md, "Before the visit": what clinics tell patients, UNVERIFIED as this clinic’s practice). Urinary screen for serial-infusion patients: clinical-facts.md §4 (UNVERIFIED).',
  unverified: true,
};

/** The checklist row for a protocol: its own, else the `*` row. */
export function checklistFor(rows: readonly ChecklistRow[], protocol: string | null): ChecklistRow {
  return (
    rows.find((r) => r.protocol === protocol) ?? rows.find((r) => r.protocol === '*') ?? CHECKIN_CHECKLIST.defaults[0]!
  );
}

/** The start limits as figures an administrator edits; a blank limit is off. */
export type StartLimits = Omit<StartThresholds, 'source' | 'unverified'>;

const limit = (field: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    z
      .number({ error: `${field}: a whole number, or blank for no limit` })
      .int(`${field}: a whole number`)
      .min(1, `${field}: at least 1`)
      .max(300, `${field}: at most 300`)
      .nullable(),
  );

export const startLimitsSchema: z.ZodType<StartLimits> = z.strictObject({
  systolicHigh: limit('systolicHigh'),
  diastolicHigh: limit('diastolicHigh'),
  heartRateHigh: limit('heartRateHigh'),
  heartRateLow: limit('heartRateLow'),
  respiratoryRateHigh: limit('respiratoryRateHigh'),
  respiratoryRateLow: limit('respiratoryRateLow'),
  spo2Low: limit('spo2Low'),
});

const { source: startSource, unverified: startUnverified, ...startDefaults } = START_THRESHOLDS;

export const START_LIMITS: DefinitionKind<StartLimits> = {
  kind: 'start-limits',
  label: 'Start limits on the pre-infusion reading',
  schema: startLimitsSchema,
  defaults: startDefaults,
  source: startSource,
  unverified: startUnverified,
};

/** The start thresholds in force, in the shape the pure `startBlockers` takes. */
export async function startThresholds(db: Kysely<DB>): Promise<Definition<StartThresholds>> {
  const d = await currentDefinition(db, START_LIMITS);
  return { ...d, body: { ...d.body, source: d.source, unverified: d.unverified } };
}
