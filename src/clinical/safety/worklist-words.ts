/** The worklist's words for flag kinds, sources, states and the actions recorded when closing. */
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
  screening: 'screening',
};

export const STATE_LABELS = { open: 'Open', in_review: 'In review', closed: 'Closed' } as const;

export { CLOSE_ACTIONS } from './close-rule.ts';
