/** What a session says when its dose order cannot be started from: the start's refusal and the page's notice. */
import type { OrderProblem } from './infusion-context.ts';

export const ORDER_PROBLEMS: Record<OrderProblem, string> = {
  none: 'There is no dose order for this visit: a provider orders the dose before the infusion can start.',
  void: 'The dose order for this visit was voided: a provider orders the dose again, and another clinician checks it.',
  unverified:
    'The dose order for this visit has not been double-checked yet: another clinician verifies it before the start.',
};
