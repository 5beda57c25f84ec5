/**
 * One set of vital signs taken during an infusion day, and the ranges a reading must fall in to be believed. The
 * ranges catch slips (a heart rate of 0, SpO₂ of 110, pressures swapped), not illness: a reading inside them may still
 * raise an alert (alerts.ts). Pure: types, the limits, the validating schema and a percentage helper.
 */
import { z } from 'zod';

export interface Vitals {
  /** mmHg */
  systolic: number;
  /** mmHg */
  diastolic: number;
  /** beats per minute */
  heartRate: number;
  /** % */
  spo2: number;
  /** breaths per minute */
  respiratoryRate: number;
  /** °C, one decimal; optional at every reading. */
  temperatureC: number | null;
  /** Richmond Agitation-Sedation Scale, −5 … +4. */
  sedation: number | null;
  /** The clinic's dissociation rating, 0 … 3 (DISSOCIATION_SCALE). */
  dissociation: number | null;
}

export type VitalsMeasure = keyof Vitals;

interface Limit {
  min: number;
  max: number;
  /** Decimal places a reading may have: 0 for whole numbers. */
  decimals: number;
  unit: string;
  label: string;
  /** Left blank when not taken at a reading. */
  optional: boolean;
}

/** The accepted range of each measure: the one place the schema, the forms' hints and the tests read them from. */
export const VITALS_LIMITS: Readonly<Record<VitalsMeasure, Limit>> = {
  systolic: { min: 40, max: 300, decimals: 0, unit: 'mmHg', label: 'Systolic pressure', optional: false },
  diastolic: { min: 20, max: 200, decimals: 0, unit: 'mmHg', label: 'Diastolic pressure', optional: false },
  heartRate: { min: 1, max: 300, decimals: 0, unit: 'beats/min', label: 'Heart rate', optional: false },
  spo2: { min: 50, max: 100, decimals: 0, unit: '%', label: 'SpO₂', optional: false },
  respiratoryRate: { min: 1, max: 80, decimals: 0, unit: 'breaths/min', label: 'Respiratory rate', optional: false },
  temperatureC: { min: 30, max: 45, decimals: 1, unit: '°C', label: 'Temperature', optional: true },
  sedation: { min: -5, max: 4, decimals: 0, unit: 'RASS', label: 'Sedation (RASS)', optional: true },
  dissociation: { min: 0, max: 3, decimals: 0, unit: '', label: 'Dissociation', optional: true },
};

/** The order measures are entered and shown in. */
export const VITALS_MEASURES = Object.keys(VITALS_LIMITS) as VitalsMeasure[];

export interface ScalePoint {
  value: number;
  label: string;
}

/** Richmond Agitation-Sedation Scale: the standard labels, most agitated first. */
export const RASS_SCALE: { points: readonly ScalePoint[]; source: string; unverified: boolean } = {
  points: [
    { value: 4, label: 'Combative' },
    { value: 3, label: 'Very agitated' },
    { value: 2, label: 'Agitated' },
    { value: 1, label: 'Restless' },
    { value: 0, label: 'Alert and calm' },
    { value: -1, label: 'Drowsy' },
    { value: -2, label: 'Light sedation' },
    { value: -3, label: 'Moderate sedation' },
    { value: -4, label: 'Deep sedation' },
    { value: -5, label: 'Unarousable' },
  ],
  source: 'Sessler CN et al., The Richmond Agitation-Sedation Scale, Am J Respir Crit Care Med 2002;166:1338',
  unverified: false,
};

/**
 * A quick rating a nurse gives at each reading. The published dissociation scale (CADSS, 23 items) is too long for
 * every 15 minutes, so this four-point rating is the clinic's own and is marked unverified.
 */
export const DISSOCIATION_SCALE: { points: readonly ScalePoint[]; source: string; unverified: boolean } = {
  points: [
    { value: 0, label: 'None' },
    { value: 1, label: 'Mild' },
    { value: 2, label: 'Moderate' },
    { value: 3, label: 'Severe' },
  ],
  source: 'A clinic rating, not a published scale; the full CADSS (Bremner 1998) belongs before and after the session',
  unverified: true,
};

function rangeWords(measure: VitalsMeasure): string {
  const { min, max, unit } = VITALS_LIMITS[measure];
  if (measure === 'sedation') return `${min} to +${max} on the RASS`;
  const gap = unit === '' || unit === '%' || unit === '°C' ? '' : ' ';
  return `${min} to ${max}${gap}${unit}`;
}

/** Numbers as typed into a form arrive as text: an empty box is "not given", anything else must read as a number. */
function fromForm(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : value;
}

function onePlace(value: number, decimals: number): boolean {
  const scaled = value * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-9;
}

function numberSchema(measure: VitalsMeasure) {
  const { min, max, decimals } = VITALS_LIMITS[measure];
  const range = rangeWords(measure);
  return z
    .number({ error: `${measure}: give a number from ${range}` })
    .refine((v) => onePlace(v, decimals), {
      message:
        decimals === 0 ? `${measure}: a whole number from ${range}` : `${measure}: at most one decimal, ${range}`,
    })
    .refine((v) => v >= min && v <= max, { message: `${measure}: must be from ${range}` });
}

const required = (measure: VitalsMeasure) => z.preprocess(fromForm, numberSchema(measure));
/** Left out, blank or null: not taken at this reading. */
const optional = (measure: VitalsMeasure) => z.preprocess((v) => fromForm(v) ?? null, numberSchema(measure).nullable());

/**
 * A reading, from a form's text or from JSON. Refuses each impossible value with a message naming the field and
 * its range; a systolic pressure at or below the diastolic is refused on `diastolic` (the usual slip is swapping them).
 */
export const vitalsSchema = z
  .object({
    systolic: required('systolic'),
    diastolic: required('diastolic'),
    heartRate: required('heartRate'),
    spo2: required('spo2'),
    respiratoryRate: required('respiratoryRate'),
    temperatureC: optional('temperatureC'),
    sedation: optional('sedation'),
    dissociation: optional('dissociation'),
  })
  .superRefine((v, ctx) => {
    if (typeof v.systolic === 'number' && typeof v.diastolic === 'number' && v.diastolic >= v.systolic)
      ctx.addIssue({
        code: 'custom',
        path: ['diastolic'],
        message: `diastolic: must be below the systolic pressure (${v.systolic} mmHg)`,
      });
  });

/**
 * Whether `value` is within `pct` per cent of `baseline`, either way, the edge included: within 20 % of 100 is
 * 80 … 120. Worked in whole products (no division), so integer readings meet the edge exactly.
 */
export function withinPercent(baseline: number, value: number, pct: number): boolean {
  return Math.abs(value - baseline) * 100 <= Math.abs(baseline) * pct;
}
