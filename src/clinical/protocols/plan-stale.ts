import type { PlanRow } from './plan-repository.ts';
import { STATUS_LABEL } from './plan-rules.ts';

/** The 409 of a form sent from an older page: what the plan is now, so the person knows what changed. */
export function staleMessage(plan: Pick<PlanRow, 'status' | 'version'>): string {
  return `This plan changed since the page was loaded: it is now ${STATUS_LABEL[plan.status].toLowerCase()} (version ${plan.version}). Reload to see it; nothing was changed.`;
}
