import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import type { ClinicalPatient } from '../patient-access.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { canMove, STATUS_LABEL } from './plan-rules.ts';
import { voidOrdersAfterChange } from '../dosing/void-dose.ts';
import { findPlan, updatePlanStatus } from './plan-repository.ts';
import { staleMessage } from './plan-stale.ts';

const statusForm = z.object({
  version: z.coerce.number().int().min(1),
  status: z.enum(['active', 'paused', 'completed', 'stopped'], { error: 'Choose what to do with the plan' }),
  reason: z
    .string({ error: 'Reason: say why' })
    .trim()
    .min(1, 'Reason: say why')
    .max(300, 'Reason: at most 300 characters'),
});

/**
 * A provider pauses, resumes, completes or stops a plan (or drops a draft, as stopped), saying why. A change that is
 * not a legal step from the plan's state is refused (409), as is a form from an older page (409 naming the state
 * now). Audited with who, the step and the plan; the reason itself stays in the plan, not in the trail.
 */
export async function changePlanStatus(
  database: Database,
  actor: Actor,
  { patient, where }: ClinicalPatient,
  planId: string,
  body: unknown,
): Promise<{ ok: true } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) return refuse('forbidden', 'Only a provider changes a plan.');
  const parsed = statusForm.safeParse(body ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    return refuse('invalid_request', 'Say what to do with the plan and why.', fields);
  }
  const { version, status, reason } = parsed.data;
  return database.transact(async (trx) => {
    const plan = await findPlan(trx, planId);
    if (!plan || plan.patient_id !== patient.id) return refuse('not_found', 'That plan could not be found.');
    if (plan.version !== version) {
      const message = staleMessage(plan);
      return refuse('conflict', message, { version: message });
    }
    if (!canMove(plan.status, status)) {
      await auditStaff(trx, database, actor, 'plan.status', 'failure', where, {
        planId,
        from: plan.status,
        to: status,
        reason: 'illegal',
      });
      const message = `A plan that is ${STATUS_LABEL[plan.status].toLowerCase()} cannot become ${STATUS_LABEL[status].toLowerCase()}.`;
      return refuse('conflict', message, { status: message });
    }
    if (!(await updatePlanStatus(trx, plan, { status, reason, now: actor.now }))) {
      const message = 'Someone changed this plan at the same moment. Reload to see it; nothing was changed.';
      return refuse('conflict', message, { version: message });
    }
    // An order holds for an active plan only: paused, completed or stopped, the orders of sessions ahead are void.
    const voided = status === 'active' ? [] : await voidOrdersAfterChange(trx, patient.id, 'plan_changed', actor.now);
    await auditStaff(trx, database, actor, 'plan.status', 'success', where, {
      planId,
      from: plan.status,
      to: status,
      ordersVoided: voided.length,
    });
    return { ok: true as const };
  });
}
