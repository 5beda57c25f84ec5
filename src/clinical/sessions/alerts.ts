/**
 * The alert engine of a monitored infusion: (thresholds, baseline, readings so far, schedule, now) → alerts. Pure.
 *
 * Convention, everywhere in this file: a HIGH limit alerts at value ≥ limit, a LOW limit (and the sedation limit) at
 * value ≤ limit. A source's "SpO₂ < 92 %" is therefore stored as spo2Low 91. A limit set to null is off.
 *
 * Each alert has a stable `key` so the service can store alerts by key and raise each once however often it runs:
 * - absolute and rise alerts: one per reading past the limit (each such reading needs a look);
 * - sustained: one per run of readings in a row past the limit, raised at the run's second reading (later readings
 *   of the run are already covered by their own absolute alerts); an in-range reading ends the run;
 * - overdue: one per missed due time.
 * Readings are taken in time order whatever order they come in (a late entry may be recorded for an earlier time).
 */
import { z } from 'zod';
import type { Vitals } from './vitals.ts';

const MINUTE = 60_000;

type Limit = number | null;

export interface VitalsThresholds {
  systolicHigh: Limit;
  systolicLow: Limit;
  diastolicHigh: Limit;
  diastolicLow: Limit;
  heartRateHigh: Limit;
  heartRateLow: Limit;
  spo2Low: Limit;
  respiratoryRateHigh: Limit;
  respiratoryRateLow: Limit;
  /** RASS at or below this (more sedated) alerts. */
  sedationAtOrBelow: Limit;
  /** Two readings in a row past one of these alert. */
  sustained: { systolicHigh: Limit; diastolicHigh: Limit; heartRateHigh: Limit; spo2Low: Limit };
  /** mmHg above the pre-infusion reading at which a reading alerts. */
  rise: { systolic: Limit; diastolic: Limit };
  /** Minutes after a reading falls due before it is overdue. */
  overdueGraceMinutes: number;
  source: string;
  unverified: boolean;
}

export type AbsoluteCode = Exclude<
  keyof VitalsThresholds,
  'sustained' | 'rise' | 'overdueGraceMinutes' | 'source' | 'unverified'
>;
export type SustainedCode = keyof VitalsThresholds['sustained'];

type Measured = 'systolic' | 'diastolic' | 'heartRate' | 'spo2' | 'respiratoryRate' | 'sedation';

/** Each limit: what it measures and which side alerts. */
const ABSOLUTE: readonly { code: AbsoluteCode; measure: Measured; high: boolean }[] = [
  { code: 'systolicHigh', measure: 'systolic', high: true },
  { code: 'systolicLow', measure: 'systolic', high: false },
  { code: 'diastolicHigh', measure: 'diastolic', high: true },
  { code: 'diastolicLow', measure: 'diastolic', high: false },
  { code: 'heartRateHigh', measure: 'heartRate', high: true },
  { code: 'heartRateLow', measure: 'heartRate', high: false },
  { code: 'spo2Low', measure: 'spo2', high: false },
  { code: 'respiratoryRateHigh', measure: 'respiratoryRate', high: true },
  { code: 'respiratoryRateLow', measure: 'respiratoryRate', high: false },
  { code: 'sedationAtOrBelow', measure: 'sedation', high: false },
];
const SUSTAINED: readonly { code: SustainedCode; measure: Measured; high: boolean }[] = [
  { code: 'systolicHigh', measure: 'systolic', high: true },
  { code: 'diastolicHigh', measure: 'diastolic', high: true },
  { code: 'heartRateHigh', measure: 'heartRate', high: true },
  { code: 'spo2Low', measure: 'spo2', high: false },
];

const DEL_SANT =
  'Del Sant LC et al., J Psychopharmacol 2020 (SBP >180 and/or DBP >110 = treatment-emergent hypertension)';
const MO_2020 = 'Mo H et al., West J Emerg Med 2020;21:272 (do not give if SBP >180, HR >150, RR <10 or >30)';
const SCIRP = 'an ED low-dose ketamine protocol (scirp.org): SBP <90 or >180, HR <50 or >150, RR <10 or >30';
const SPRAVATO = 'Spravato label: a rise of ≥40 mmHg systolic and/or ≥25 mmHg diastolic in 8–19 % of patients';

/**
 * The shipped thresholds. No ketamine-for-pain guideline gives numbers (clinical-facts.md §5), so each is borrowed
 * from the sources named and the set is marked unverified as a consensus for the medical director to confirm.
 */
export const DEFAULT_VITALS_THRESHOLDS: VitalsThresholds = {
  systolicHigh: 180,
  systolicLow: 89,
  diastolicHigh: 110,
  // No source gives one: ketamine raises pressure, so a low diastolic alone is left to the systolic limit.
  diastolicLow: null,
  heartRateHigh: 151,
  heartRateLow: 49,
  spo2Low: 89,
  respiratoryRateHigh: 31,
  respiratoryRateLow: 9,
  sedationAtOrBelow: -3,
  sustained: { systolicHigh: 180, diastolicHigh: 110, heartRateHigh: 120, spo2Low: 91 },
  rise: { systolic: 40, diastolic: 25 },
  overdueGraceMinutes: 5,
  source: [
    `systolic ≥180, diastolic ≥110: the suggested defaults of clinical-facts.md §5, after ${DEL_SANT}`,
    `systolic ≤89, heart rate ≤49 or ≥151, respiratory rate ≤9 or ≥31: ${SCIRP} and ${MO_2020}`,
    'SpO₂ ≤89 at once (below 90 %, the Modified Aldrete score’s lowest band) or ≤91 twice in a row (below 92 % on room air)',
    'sustained heart rate ≥120 and blood pressure ≥180/110 twice in a row: one esketamine clinic (studentdoctor.net, low authority)',
    `rise from the pre-infusion reading: ${SPRAVATO}`,
    'RASS −3 (moderate sedation) or deeper, and 5 minutes’ grace for a reading: this product’s choice',
  ].join('; '),
  unverified: true,
};

/** Limits on the pre-infusion reading: one past a limit blocks the start unless a provider overrides it. */
export interface StartThresholds {
  systolicHigh: Limit;
  diastolicHigh: Limit;
  heartRateHigh: Limit;
  heartRateLow: Limit;
  respiratoryRateHigh: Limit;
  respiratoryRateLow: Limit;
  spo2Low: Limit;
  source: string;
  unverified: boolean;
}

export type StartCode = Exclude<keyof StartThresholds, 'source' | 'unverified'>;

const START: readonly { code: StartCode; measure: Measured; high: boolean }[] = [
  { code: 'systolicHigh', measure: 'systolic', high: true },
  { code: 'diastolicHigh', measure: 'diastolic', high: true },
  { code: 'heartRateHigh', measure: 'heartRate', high: true },
  { code: 'heartRateLow', measure: 'heartRate', high: false },
  { code: 'respiratoryRateHigh', measure: 'respiratoryRate', high: true },
  { code: 'respiratoryRateLow', measure: 'respiratoryRate', high: false },
  { code: 'spo2Low', measure: 'spo2', high: false },
];

export const START_THRESHOLDS: StartThresholds = {
  systolicHigh: 180,
  diastolicHigh: 110,
  heartRateHigh: 151,
  heartRateLow: 49,
  respiratoryRateHigh: 31,
  respiratoryRateLow: 9,
  spo2Low: 91,
  source: [
    `systolic ≥180 or diastolic ≥110: the suggested defaults of clinical-facts.md §5, after ${DEL_SANT}`,
    `heart rate ≥151 or ≤49, respiratory rate ≥31 or ≤9: ${MO_2020} and ${SCIRP}`,
    'SpO₂ ≤91: below the 92 % on room air the Modified Aldrete score asks for',
  ].join('; '),
  unverified: true,
};
/** The same defaults under the name the vitals thresholds' defaults use. */
export const DEFAULT_START_THRESHOLDS = START_THRESHOLDS;

function past(value: number | null, limit: Limit, high: boolean): boolean {
  if (value === null || limit === null) return false;
  return high ? value >= limit : value <= limit;
}

export interface StartBlocker {
  code: StartCode;
  measure: Measured;
  value: number;
  limit: number;
}

/** The pre-infusion readings past a start limit, in the limits' order; empty when the start may go ahead. */
export function startBlockers(thresholds: StartThresholds, vitals: Vitals): StartBlocker[] {
  const blockers: StartBlocker[] = [];
  for (const { code, measure, high } of START) {
    const limit = thresholds[code];
    const value = vitals[measure];
    if (past(value, limit, high)) blockers.push({ code, measure, value: value!, limit: limit! });
  }
  return blockers;
}

export interface Reading {
  takenAt: number;
  vitals: Vitals;
}

export interface VitalsSchedule {
  startedAt: number;
  firstHourEveryMinutes: number;
  thenEveryMinutes: number;
  /** When the infusion stopped: nothing falls due after it. */
  endedAt: number | null;
}

/**
 * When the next reading is due: the latest reading taken since the start (or the start itself) plus the interval in
 * force then — the first hour's within 60 minutes of the start, the later one after. Null once the next due time
 * would fall after the infusion's end. A reading missed before the end stays due until one is entered.
 */
export function nextVitalsDue(schedule: VitalsSchedule, readings: readonly Reading[]): number | null {
  let last = schedule.startedAt;
  for (const r of readings) if (r.takenAt > last) last = r.takenAt;
  const every = last < schedule.startedAt + 60 * MINUTE ? schedule.firstHourEveryMinutes : schedule.thenEveryMinutes;
  const due = last + every * MINUTE;
  return schedule.endedAt !== null && due > schedule.endedAt ? null : due;
}

export type AlertKind = 'absolute' | 'sustained' | 'rise' | 'overdue';

export interface Alert {
  key: string;
  code: AbsoluteCode | SustainedCode | 'systolicRise' | 'diastolicRise' | 'vitalsOverdue';
  kind: AlertKind;
  measure: Measured | 'schedule';
  /**
   * The reading's value; for a rise, the reading's value too (the limit is baseline + rise); for overdue, the whole
   * minutes since the reading fell due.
   */
  value: number;
  /** The limit passed; for a rise, the pressure at which it alerts; for overdue, the grace in minutes. */
  limit: number;
  /** The reading that raised it; for overdue, when the reading fell due. */
  at: number;
  /** A rise's pre-infusion reading. */
  baseline?: number;
}

export interface AlertInput {
  thresholds: VitalsThresholds;
  baseline: Vitals | null;
  readings: readonly Reading[];
  schedule: VitalsSchedule;
  now: number;
}

/** Every alert the readings so far and the clock raise, in time order (absolute, sustained, rise within a reading). */
export function evaluateAlerts({ thresholds, baseline, readings, schedule, now }: AlertInput): Alert[] {
  const ordered = [...readings].sort((a, b) => a.takenAt - b.takenAt);
  const alerts: Alert[] = [];
  const runStart = new Map<SustainedCode, number | null>();
  const runLength = new Map<SustainedCode, number>();

  for (const { takenAt: at, vitals } of ordered) {
    for (const { code, measure, high } of ABSOLUTE) {
      const limit = thresholds[code];
      const value = vitals[measure];
      if (past(value, limit, high))
        alerts.push({
          key: `absolute:${code}:${at}`,
          code,
          kind: 'absolute',
          measure,
          value: value!,
          limit: limit!,
          at,
        });
    }
    for (const { code, measure, high } of SUSTAINED) {
      const limit = thresholds.sustained[code];
      const value = vitals[measure];
      if (!past(value, limit, high)) {
        runStart.set(code, null);
        runLength.set(code, 0);
        continue;
      }
      const length = (runLength.get(code) ?? 0) + 1;
      runLength.set(code, length);
      if (length === 1) runStart.set(code, at);
      if (length === 2)
        alerts.push({
          key: `sustained:${code}:${runStart.get(code)}`,
          code,
          kind: 'sustained',
          measure,
          value: value!,
          limit: limit!,
          at,
        });
    }
    if (baseline !== null)
      for (const measure of ['systolic', 'diastolic'] as const) {
        const rise = thresholds.rise[measure];
        if (rise === null) continue;
        const limit = baseline[measure] + rise;
        if (vitals[measure] >= limit)
          alerts.push({
            key: `rise:${measure}:${at}`,
            code: `${measure}Rise`,
            kind: 'rise',
            measure,
            value: vitals[measure],
            limit,
            at,
            baseline: baseline[measure],
          });
      }
  }

  const due = nextVitalsDue(schedule, ordered);
  const grace = thresholds.overdueGraceMinutes;
  if (due !== null && now > due + grace * MINUTE)
    alerts.push({
      key: `overdue:${due}`,
      code: 'vitalsOverdue',
      kind: 'overdue',
      measure: 'schedule',
      value: Math.floor((now - due) / MINUTE),
      limit: grace,
      at: due,
    });
  return alerts;
}

const limit = (field: string) =>
  z
    .number({ error: `${field}: a whole number, or leave it off` })
    .int(`${field}: a whole number`)
    .min(-5, `${field}: at least -5`)
    .max(300, `${field}: at most 300`)
    .nullable();
const sourced = {
  source: z.string().trim().min(1, 'source: name where the limits come from').max(2000),
  unverified: z.boolean({ error: 'unverified: true or false' }),
};

/** An edited set of thresholds, each field named in its message. */
export const vitalsThresholdsSchema: z.ZodType<VitalsThresholds> = z.strictObject({
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
  sustained: z.strictObject({
    systolicHigh: limit('sustained.systolicHigh'),
    diastolicHigh: limit('sustained.diastolicHigh'),
    heartRateHigh: limit('sustained.heartRateHigh'),
    spo2Low: limit('sustained.spo2Low'),
  }),
  rise: z.strictObject({ systolic: limit('rise.systolic'), diastolic: limit('rise.diastolic') }),
  overdueGraceMinutes: z
    .number({ error: 'overdueGraceMinutes: a number of minutes' })
    .int('overdueGraceMinutes: whole minutes')
    .min(0, 'overdueGraceMinutes: 0 or more')
    .max(60, 'overdueGraceMinutes: at most 60'),
  ...sourced,
});

export const startThresholdsSchema: z.ZodType<StartThresholds> = z.strictObject({
  systolicHigh: limit('systolicHigh'),
  diastolicHigh: limit('diastolicHigh'),
  heartRateHigh: limit('heartRateHigh'),
  heartRateLow: limit('heartRateLow'),
  respiratoryRateHigh: limit('respiratoryRateHigh'),
  respiratoryRateLow: limit('respiratoryRateLow'),
  spo2Low: limit('spo2Low'),
  ...sourced,
});
