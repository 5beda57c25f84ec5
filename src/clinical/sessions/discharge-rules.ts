/**
 * The discharge gate: a patient may leave only when every condition holds, and the page lists each one that does
 * not, so the nurse sees all that is left at once rather than one refusal at a time. Pure.
 *
 * Vitals "within the rule" compares the latest reading's blood pressure and heart rate with the pre-infusion
 * reading (the PADSS and Aldrete circulation items judge the same ones); SpO₂ and breathing are the Aldrete score's.
 * The latest reading must be taken after the infusion stopped: a reading from the infusion says nothing of recovery.
 */
import { withinPercent, type Vitals } from './vitals.ts';

const MINUTE = 60_000;

export const DISCHARGE_VITALS = ['systolic', 'diastolic', 'heartRate'] as const;
export type DischargeMeasure = (typeof DISCHARGE_VITALS)[number];

/** The shipped rule for "vitals within the rule", for a protocol or definition to carry and the page to show. */
export const DISCHARGE_VITALS_RULE = {
  withinPct: 20,
  source:
    'PADSS (Chung): vital signs within 20 % of the pre-procedure values for the full score; the Modified Aldrete circulation item uses the same 20 %',
  unverified: true,
} as const;

export interface DischargeInput {
  now: number;
  /** When the infusion stopped; null while it has not. */
  stoppedAt: number | null;
  minRecoveryMinutes: number;
  /** The latest complete Aldrete total and the protocol's threshold; null before one is taken. */
  aldrete: { score: number; atLeast: number } | null;
  /** The pre-infusion reading. */
  baseline: Vitals | null;
  latest: Vitals | null;
  latestTakenAt: number | null;
  withinPct: number;
  escortRequired: boolean;
  escortConfirmed: boolean;
  drugBalanced: boolean;
  openAlerts: number;
}

export type DischargeMissing =
  | { code: 'not_stopped' }
  | { code: 'recovery_time'; minutesLeft: number; readyAt: number }
  | { code: 'aldrete_missing' }
  | { code: 'aldrete_low'; score: number; atLeast: number }
  | { code: 'vitals_missing' }
  | { code: 'vitals_before_stop' }
  | { code: 'vitals_outside'; measure: DischargeMeasure; baseline: number; value: number; withinPct: number }
  | { code: 'escort_unconfirmed' }
  | { code: 'drug_unbalanced' }
  | { code: 'open_alerts'; count: number };

export interface DischargeReadiness {
  ready: boolean;
  missing: DischargeMissing[];
}

/** Every unmet condition, in the order the page lists them; ready when there is none. */
export function dischargeReadiness(input: DischargeInput): DischargeReadiness {
  const missing: DischargeMissing[] = [];
  const { now, stoppedAt } = input;

  if (stoppedAt === null) missing.push({ code: 'not_stopped' });
  else {
    const readyAt = stoppedAt + input.minRecoveryMinutes * MINUTE;
    if (now < readyAt)
      missing.push({ code: 'recovery_time', minutesLeft: Math.ceil((readyAt - now) / MINUTE), readyAt });
  }

  if (input.aldrete === null) missing.push({ code: 'aldrete_missing' });
  else if (input.aldrete.score < input.aldrete.atLeast) missing.push({ code: 'aldrete_low', ...input.aldrete });

  const { baseline, latest, latestTakenAt } = input;
  if (baseline === null || latest === null || latestTakenAt === null) missing.push({ code: 'vitals_missing' });
  else {
    if (stoppedAt !== null && latestTakenAt < stoppedAt) missing.push({ code: 'vitals_before_stop' });
    for (const measure of DISCHARGE_VITALS)
      if (!withinPercent(baseline[measure], latest[measure], input.withinPct))
        missing.push({
          code: 'vitals_outside',
          measure,
          baseline: baseline[measure],
          value: latest[measure],
          withinPct: input.withinPct,
        });
  }

  if (input.escortRequired && !input.escortConfirmed) missing.push({ code: 'escort_unconfirmed' });
  if (!input.drugBalanced) missing.push({ code: 'drug_unbalanced' });
  if (input.openAlerts > 0) missing.push({ code: 'open_alerts', count: input.openAlerts });

  return { ready: missing.length === 0, missing };
}
