import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import type { ClinicalPatient } from '../patient-access.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { protocolVersions } from './repository.ts';
import { protocolSchema } from './protocol.ts';
import { figuresOf, pastLimits, planDefinition, type Deviation } from './plan-rules.ts';
import { eligibleScreening, insertPlan, openPlan } from './plan-repository.ts';

/** A figure typed in, or empty for the protocol's own. */
const figure = (label: string, pattern: RegExp, example: string, min: number, max: number, unit: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .string()
        .regex(pattern, `${label}: a number such as ${example}`)
        .transform(Number)
        .refine((n) => n >= min && n <= max, `${label}: from ${min} to ${max} ${unit}`)
        .optional(),
    );

export const createPlanForm = z.object({
  protocol: z.string({ error: 'Choose a protocol' }).regex(/^[a-z0-9-]{2,40}$/, 'Choose a protocol'),
  sessions: figure('Sessions', /^\d{1,2}$/, '10', 1, 30, 'sessions'),
  hours: figure('Hours per session', /^\d{1,2}(\.\d{1,2})?$/, '4', 0.5, 12, 'hours'),
  rate: figure('Starting rate', /^\d{1,2}(\.\d{1,3})?$/, '0.35', 0.01, 7, 'mg/kg/h'),
  reason: z.string().trim().max(500, 'Reason: at most 500 characters').optional().default(''),
});

export const FORM_FIELDS: Record<string, string> = {
  protocol: 'protocol',
  sessions: 'sessions',
  hours: 'hours',
  rate: 'rate',
  reason: 'reason',
};

const DEVIATION_FIELD = { sessions: 'sessions', hoursPerSession: 'hours', startMgPerKgPerHour: 'rate' } as const;

/**
 * A provider drafts a plan for a patient from one protocol version: only from a signed, eligible, unexpired
 * screening, only when the patient has no other plan open, and with a reason for any figure past the protocol's
 * limits. The draft is audited in its transaction; it takes effect when signed.
 */
export async function createPlan(
  database: Database,
  actor: Actor,
  { patient, where }: ClinicalPatient,
  body: unknown,
): Promise<{ ok: true; planId: string } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'Only a provider writes a treatment plan.');
  const parsed = createPlanForm.safeParse(body ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'protocol')] ??= issue.message;
    return refuse('invalid_request', 'Some of the plan’s figures are missing or not valid.', fields);
  }
  const form = parsed.data;
  const row = (await protocolVersions(database.db, form.protocol)).find((r) => r.retired_at === null);
  if (!row) return refuse('invalid_request', 'Choose a protocol from the list.', { protocol: 'Choose a protocol' });
  const protocol = protocolSchema.parse(JSON.parse(row.definition));
  const own = figuresOf(protocol);
  const figures = {
    sessions: form.sessions ?? own.sessions,
    hoursPerSession: form.hours ?? own.hoursPerSession,
    startMgPerKgPerHour: form.rate ?? own.startMgPerKgPerHour,
  };
  const past = pastLimits(protocol, figures);
  if (past.length > 0 && form.reason.length === 0) {
    const fields: Record<string, string> = {};
    for (const d of past)
      fields[DEVIATION_FIELD[d.field]] = `Past the protocol’s limit of ${d.limit}: give the reason below`;
    fields.reason = 'Give the reason for going past the protocol’s limits';
    return refuse('invalid_request', 'A figure past the protocol’s limits needs a reason.', fields);
  }
  const deviations: Deviation[] = past.map((d) => ({ ...d, reason: form.reason }));
  const definition = planDefinition(protocol, figures);
  const checked = protocolSchema.safeParse(definition);
  if (!checked.success)
    return refuse('invalid_request', 'These figures do not make a valid series.', {
      sessions: checked.error.issues[0]!.message,
    });

  return database.transact(async (trx) => {
    const screening = await eligibleScreening(trx, patient.id, actor.now);
    if (!screening) {
      await auditStaff(trx, database, actor, 'plan.create', 'failure', where, { reason: 'no_screening' });
      return refuse(
        'conflict',
        'A plan needs a signed screening with an eligible outcome that has not expired. Sign the screening first.',
      );
    }
    const open = await openPlan(trx, patient.id);
    if (open) {
      await auditStaff(trx, database, actor, 'plan.create', 'failure', where, { reason: 'plan_open', planId: open.id });
      return refuse(
        'conflict',
        `${patient.first_name} already has a plan that is ${open.status}. Stop or complete it before writing a new one.`,
      );
    }
    const id = timeOrderedId(actor.now);
    await insertPlan(trx, {
      id,
      patient_id: patient.id,
      location_id: screening.location_id,
      protocol_id: row.id,
      screening_id: screening.id,
      definition: JSON.stringify(definition),
      deviations: JSON.stringify(deviations),
      status: 'draft',
      status_reason: null,
      version: 1,
      created_by: actor.staff.userId,
      created_at: actor.now,
      updated_at: actor.now,
      signed_by: null,
      signed_at: null,
    });
    await auditStaff(trx, database, actor, 'plan.create', 'success', where, {
      planId: id,
      protocol: row.code,
      protocolVersion: row.version,
      deviations: deviations.length,
    });
    return { ok: true as const, planId: id };
  });
}
