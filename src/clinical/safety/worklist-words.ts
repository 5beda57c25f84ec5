/** The worklist's words for flag kinds, sources, states and the actions a provider records when closing. */
import { FLAG_RULES, type FlagKind } from './flags-settings.ts';

export const FLAG_KIND_LABELS: Record<string, string> = Object.fromEntries(
  (Object.keys(FLAG_RULES) as FlagKind[]).map((k) => [k, FLAG_RULES[k].label]),
);

export const SOURCE_LABELS: Record<string, string> = {
  intake: 'intake',
  check_in: 'check-in',
  'check-in': 'check-in',
  questionnaire: 'questionnaire',
  'dose order': 'dose order',
  'lab result': 'lab result',
  appointment: 'visit not attended',
  'PDMP check': 'PDMP check',
};

export const STATE_LABELS = { open: 'Open', in_review: 'In review', closed: 'Closed' } as const;

export const CLOSE_ACTIONS: Record<string, string> = {
  no_change: 'Assessed: treatment continues unchanged',
  dose_adjusted: 'Dose or protocol adjusted',
  plan_paused: 'Treatment plan paused',
  treatment_stopped: 'Treatment stopped',
  referred: 'Referred for specialist care',
  follow_up_arranged: 'Follow-up arranged with the patient',
};
