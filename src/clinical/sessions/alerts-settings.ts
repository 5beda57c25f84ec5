/**
 * The alert limits of a monitored infusion as a versioned definition, one row per protocol (`*` for every protocol
 * without a row of its own): the alert engine's thresholds and how many minutes an alert may wait unacknowledged
 * before it escalates to the supervising provider. Rows are flat (one figure a cell) so the settings page edits them
 * like any list; `alertRulesFor` turns a protocol's row back into the engine's VitalsThresholds.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition, type DefinitionKind } from '../definitions/store.ts';
import { DEFAULT_VITALS_THRESHOLDS, type VitalsThresholds } from './alerts.ts';

export const EVERY_PROTOCOL = '*';

export interface AlertLimitsRow {
  /** A protocol's code, or `*`. */
  protocol: string;
  systolicHigh: number | null;
  systolicLow: number | null;
  diastolicHigh: number | null;
  diastolicLow: number | null;
  heartRateHigh: number | null;
  heartRateLow: number | null;
  spo2Low: number | null;
  respiratoryRateHigh: number | null;
  respiratoryRateLow: number | null;
  sedationAtOrBelow: number | null;
  sustainedSystolicHigh: number | null;
  sustainedDiastolicHigh: number | null;
  sustainedHeartRateHigh: number | null;
  sustainedSpo2Low: number | null;
  riseSystolic: number | null;
  riseDiastolic: number | null;
  overdueGraceMinutes: number;
  escalationMinutes: number;
}

/** A blank cell is a limit turned off. */
const limit = (field: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    z
      .number({ error: `${field}: a whole number, or leave it blank for none` })
      .int(`${field}: a whole number`)
      .min(-5, `${field}: at least -5`)
      .max(300, `${field}: at most 300`)
      .nullable(),
  );
const minutes = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field}: a number of minutes` })
    .int(`${field}: whole minutes`)
    .min(min, `${field}: at least ${min}`)
    .max(max, `${field}: at most ${max}`);

const rowSchema = z.strictObject({
  protocol: z
    .string({ error: 'protocol: a protocol code, or * for every other protocol' })
    .trim()
    .regex(/^(\*|[a-z0-9-]{2,40})$/, 'protocol: a protocol code, or * for every other protocol'),
  systolicHigh: limit('systolicHigh'),
  systolicLow: limit('systolicLow'),
  diastolicHigh: limit('diastolicHigh'),
  diastolicLow: limit('diastolicLow'),
  heartRateHigh: limit('heartRateHigh'),
  heartRateLow: limit('heartRateLow'),
  spo2Low: limit('spo2Low'),
  respiratoryRateHigh: limit('respiratoryRateHigh'),
  respiratoryRateLow: limit('respiratoryRateLow'),
  sedationAtOrBelow: limit('sedationAtOrBelow'),
  sustainedSystolicHigh: limit('sustainedSystolicHigh'),
  sustainedDiastolicHigh: limit('sustainedDiastolicHigh'),
  sustainedHeartRateHigh: limit('sustainedHeartRateHigh'),
  sustainedSpo2Low: limit('sustainedSpo2Low'),
  riseSystolic: limit('riseSystolic'),
  riseDiastolic: limit('riseDiastolic'),
  overdueGraceMinutes: minutes('overdueGraceMinutes', 0, 60),
  // Escalation at 0 would page the provider before the nurse could look.
  escalationMinutes: minutes('escalationMinutes', 1, 60),
});

export const alertLimitsSchema: z.ZodType<AlertLimitsRow[]> = z
  .array(rowSchema)
  .max(100, 'at most 100 rows')
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, i) => {
      if (seen.has(row.protocol))
        ctx.addIssue({ code: 'custom', path: [i, 'protocol'], message: `protocol: ${row.protocol} is listed twice` });
      seen.add(row.protocol);
    });
    if (!seen.has(EVERY_PROTOCOL))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Keep one row for * (every protocol without a row of its own), so no infusion goes unwatched.',
      });
  });

const d = DEFAULT_VITALS_THRESHOLDS;
const DEFAULT_ROW: AlertLimitsRow = {
  protocol: EVERY_PROTOCOL,
  systolicHigh: d.systolicHigh,
  systolicLow: d.systolicLow,
  diastolicHigh: d.diastolicHigh,
  diastolicLow: d.diastolicLow,
  heartRateHigh: d.heartRateHigh,
  heartRateLow: d.heartRateLow,
  spo2Low: d.spo2Low,
  respiratoryRateHigh: d.respiratoryRateHigh,
  respiratoryRateLow: d.respiratoryRateLow,
  sedationAtOrBelow: d.sedationAtOrBelow,
  sustainedSystolicHigh: d.sustained.systolicHigh,
  sustainedDiastolicHigh: d.sustained.diastolicHigh,
  sustainedHeartRateHigh: d.sustained.heartRateHigh,
  sustainedSpo2Low: d.sustained.spo2Low,
  riseSystolic: d.rise.systolic,
  riseDiastolic: d.rise.diastolic,
  overdueGraceMinutes: d.overdueGraceMinutes,
  escalationMinutes: 5,
};

export const ALERT_LIMITS: DefinitionKind<AlertLimitsRow[]> = {
  kind: 'session-alert-limits',
  label: 'Infusion alert limits',
  schema: alertLimitsSchema,
  defaults: [DEFAULT_ROW],
  source: `${d.source}; escalation to the supervising provider after 5 minutes unacknowledged: issue 12's example, this product's choice`,
  unverified: true,
};

export interface AlertRules {
  thresholds: VitalsThresholds;
  escalationMinutes: number;
  /** The row applied: the protocol's own or `*`. */
  row: string;
}

/** The rules of one protocol: its own row, else the `*` row (the schema keeps one), else the shipped row. */
export function alertRulesFor(
  rows: readonly AlertLimitsRow[],
  protocol: string | null,
  provenance: { source: string; unverified: boolean },
): AlertRules {
  const r =
    rows.find((x) => protocol !== null && x.protocol === protocol) ??
    rows.find((x) => x.protocol === EVERY_PROTOCOL) ??
    DEFAULT_ROW;
  return {
    row: r.protocol,
    escalationMinutes: r.escalationMinutes,
    thresholds: {
      systolicHigh: r.systolicHigh,
      systolicLow: r.systolicLow,
      diastolicHigh: r.diastolicHigh,
      diastolicLow: r.diastolicLow,
      heartRateHigh: r.heartRateHigh,
      heartRateLow: r.heartRateLow,
      spo2Low: r.spo2Low,
      respiratoryRateHigh: r.respiratoryRateHigh,
      respiratoryRateLow: r.respiratoryRateLow,
      sedationAtOrBelow: r.sedationAtOrBelow,
      sustained: {
        systolicHigh: r.sustainedSystolicHigh,
        diastolicHigh: r.sustainedDiastolicHigh,
        heartRateHigh: r.sustainedHeartRateHigh,
        spo2Low: r.sustainedSpo2Low,
      },
      rise: { systolic: r.riseSystolic, diastolic: r.riseDiastolic },
      overdueGraceMinutes: r.overdueGraceMinutes,
      source: provenance.source,
      unverified: provenance.unverified,
    },
  };
}

/** The rules in force for a protocol (by code; null when the session's plan cannot be found: the `*` row). */
export async function currentAlertRules(db: Kysely<DB>, protocol: string | null): Promise<AlertRules> {
  const definition = await currentDefinition(db, ALERT_LIMITS);
  return alertRulesFor(definition.body, protocol, definition);
}

/** The settings page's columns, in the order a nurse reads a reading. */
export const ALERT_LIMITS_COLUMNS: ReadonlyArray<{ key: keyof AlertLimitsRow; label: string }> = [
  { key: 'protocol', label: 'Protocol (* for the rest)' },
  { key: 'systolicHigh', label: 'Systolic at or above' },
  { key: 'systolicLow', label: 'Systolic at or below' },
  { key: 'diastolicHigh', label: 'Diastolic at or above' },
  { key: 'diastolicLow', label: 'Diastolic at or below' },
  { key: 'heartRateHigh', label: 'Heart rate at or above' },
  { key: 'heartRateLow', label: 'Heart rate at or below' },
  { key: 'spo2Low', label: 'SpO₂ at or below' },
  { key: 'respiratoryRateHigh', label: 'Respiratory rate at or above' },
  { key: 'respiratoryRateLow', label: 'Respiratory rate at or below' },
  { key: 'sedationAtOrBelow', label: 'RASS at or below' },
  { key: 'sustainedSystolicHigh', label: 'Twice in a row: systolic at or above' },
  { key: 'sustainedDiastolicHigh', label: 'Twice in a row: diastolic at or above' },
  { key: 'sustainedHeartRateHigh', label: 'Twice in a row: heart rate at or above' },
  { key: 'sustainedSpo2Low', label: 'Twice in a row: SpO₂ at or below' },
  { key: 'riseSystolic', label: 'Systolic rise from pre-infusion (mmHg)' },
  { key: 'riseDiastolic', label: 'Diastolic rise from pre-infusion (mmHg)' },
  { key: 'overdueGraceMinutes', label: 'A reading is overdue after (minutes past due)' },
  { key: 'escalationMinutes', label: 'Escalate to the supervising provider after (minutes)' },
];
