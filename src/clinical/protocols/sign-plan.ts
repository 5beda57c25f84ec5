import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { confirmSecondFactor } from '../../staff/service.ts';
import type { ClinicalPatient } from '../patient-access.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { eligibleScreening, findPlan, openPlan, updatePlanStatus } from './plan-repository.ts';
import { staleMessage } from './plan-stale.ts';

const signForm = z.object({
  version: z.coerce.number().int().min(1),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'Code: the 6 digits your authenticator app shows'),
});

/**
 * A provider signs a draft plan, which makes it active: their authenticator code is re-checked inside the signing
 * transaction, the screening it rests on must still be signed, eligible and unexpired, and the draft must be as the
 * page showed it. From then on the database keeps the plan's figures as signed.
 */
export async function signPlan(
  database: Database,
  deps: { secret: string },
  actor: Actor,
  { patient, where }: ClinicalPatient,
  planId: string,
  body: unknown,
): Promise<{ ok: true } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) return refuse('forbidden', 'Only a provider signs a plan.');
  const parsed = signForm.safeParse(body ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    return refuse('invalid_request', 'Type the code from your authenticator app to sign.', fields);
  }
  const { version, code } = parsed.data;
  return database.transact(async (trx) => {
    const plan = await findPlan(trx, planId);
    if (!plan || plan.patient_id !== patient.id) return refuse('not_found', 'That plan could not be found.');
    if (plan.version !== version || plan.status !== 'draft') {
      const message = staleMessage(plan);
      return refuse('conflict', message, { version: message });
    }
    const confirmed = await confirmSecondFactor(
      trx,
      { database, secret: deps.secret },
      { userId: actor.staff.userId, ip: actor.ip },
      code,
      actor.now,
      'plan.sign',
    );
    if (confirmed !== true) return confirmed;
    const screening = await eligibleScreening(trx, patient.id, actor.now);
    if (!screening || screening.id !== plan.screening_id) {
      await auditStaff(trx, database, actor, 'plan.sign', 'failure', where, { planId, reason: 'no_screening' });
      return refuse(
        'conflict',
        'The screening this plan rests on is no longer signed, eligible and current. Write a new plan from a current screening.',
      );
    }
    const open = await openPlan(trx, patient.id);
    if (open && open.id !== plan.id) return refuse('conflict', 'Another plan of this patient is open.');
    if (
      !(await updatePlanStatus(trx, plan, {
        status: 'active',
        reason: null,
        now: actor.now,
        signedBy: actor.staff.userId,
      }))
    ) {
      const message = 'Someone changed this plan at the same moment. Reload to see it; nothing was signed.';
      return refuse('conflict', message, { version: message });
    }
    await auditStaff(trx, database, actor, 'plan.sign', 'success', where, { planId, version: version + 1 });
    return { ok: true as const };
  });
}
