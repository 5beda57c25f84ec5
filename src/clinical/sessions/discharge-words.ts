/** What each unmet discharge condition says on the page and in a refusal: plain words, no abbreviations. */
import { formatTime } from '../../kernel/time/format.ts';
import type { DischargeMissing } from './discharge-rules.ts';

const MEASURES = { systolic: 'Systolic pressure', diastolic: 'Diastolic pressure', heartRate: 'Heart rate' } as const;

export function missingText(m: DischargeMissing, zone: string): string {
  switch (m.code) {
    case 'not_stopped':
      return 'The infusion has not stopped yet.';
    case 'recovery_time':
      return `Recovery time: ${m.minutesLeft} more minute${m.minutesLeft === 1 ? '' : 's'} (until ${formatTime(m.readyAt, zone)}).`;
    case 'aldrete_missing':
      return 'No Aldrete assessment yet.';
    case 'aldrete_low':
      return `Aldrete score ${m.score}: at least ${m.atLeast} is needed.`;
    case 'vitals_missing':
      return 'No pre-infusion and recovery vitals to compare.';
    case 'vitals_before_stop':
      return 'The latest vitals were taken before the infusion stopped: take a recovery reading.';
    case 'vitals_outside':
      return `${MEASURES[m.measure]} ${m.value} is more than ${m.withinPct} % from the pre-infusion ${m.baseline}.`;
    case 'escort_unconfirmed':
      return 'The escort has not been confirmed at the door.';
    case 'drug_unbalanced':
      return 'The controlled-substance record does not balance yet (dispensed = infused + wasted).';
    case 'open_alerts':
      return `${m.count} alert${m.count === 1 ? ' is' : 's are'} not acknowledged.`;
  }
}

export const missingList = (missing: readonly DischargeMissing[], zone: string): string =>
  missing.map((m) => missingText(m, zone)).join(' ');
