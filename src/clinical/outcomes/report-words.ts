/** The words of the outcome pages, charts and export for time points and classes (one place, so they agree). */
import type { ImmpactClass } from './responder.ts';

export const TIMEPOINT_ORDER = [
  'pre_session',
  'end_of_induction',
  'week_1',
  'week_4',
  'week_12',
  'pre_booster',
  'visit',
] as const;

const TIMEPOINT_LABELS: Record<string, string> = {
  pre_session: 'Before session',
  end_of_induction: 'End of induction',
  week_1: 'Week 1',
  week_4: 'Week 4',
  week_12: 'Week 12',
  pre_booster: 'Before booster',
  visit: 'At a visit',
};

/** "Before session 3", "Week 4"; an unknown name is shown as it is stored. */
export function timepointLabel(timepoint: string, number?: number | null): string {
  const label = TIMEPOINT_LABELS[timepoint] ?? timepoint;
  return number ? `${label} ${number}` : label;
}

export const IMMPACT_LABELS: Record<ImmpactClass, string> = {
  not_applicable: 'Not applicable (baseline 0)',
  none: 'No meaningful change',
  minimal: 'Minimal',
  moderate: 'Moderate',
  substantial: 'Substantial',
};

/** 33.333 → "33 %", -12.5 → "−13 %" (a minus sign, not a hyphen). */
export const pctWords = (pct: number | null): string =>
  pct === null ? 'not applicable' : `${pct < 0 ? '−' : ''}${Math.abs(Math.round(pct))} %`;

/** Points of relief as signed words: 3 → "3 lower", −1 → "1 higher", 0 → "no change". */
export const pointsWords = (points: number): string => {
  const n = Math.round(Math.abs(points) * 10) / 10;
  return points > 0 ? `${n} lower` : points < 0 ? `${n} higher` : 'no change';
};
