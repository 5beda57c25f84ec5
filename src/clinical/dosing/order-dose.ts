/**
 * Ordering a dose for one session of an active plan: the calculator on the plan's dosing rule, the patient's latest
 * weight and the bag, shown line by line; then the provider signs with their authenticator code, re-checked in the
 * transaction that writes the order with every figure and the working. The form carries the weight and the plan
 * version it was worked out from: if either changed before it is signed, it is refused naming what changed.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import type { Patient } from '../../patients/service.ts';
import { confirmSecondFactor } from '../../staff/service.ts';
import type { Definition } from '../definitions/store.ts';
import { clinicalPatient, PRESCRIBER_ROLES } from '../patient-access.ts';
import { latestWeight, type WeightRow } from '../record/repository.ts';
import { calculateDose, type DoseCalculation, type DoseProblem, type DosingSettings } from './dose.ts';
import { liveOrderFor, insertOrder, patientSession, type PlanSessionRow } from './order-repository.ts';
import { planDosing, type PlanDosing } from './plan-dosing.ts';
import { dosingSettings } from './settings.ts';
import { settleOrders } from './void-dose.ts';

/** What the provider may set on an order; anything left out is the plan's. */
export interface OrderChoices {
  bagMg?: number;
  bagMl?: number;
  mgPerKgPerHour?: number;
  bolusMgPerKg?: number;
}

export interface OrderSession {
  patient: Patient;
  session: PlanSessionRow;
  dosing: PlanDosing;
  settings: Definition<DosingSettings>;
  weight: WeightRow | undefined;
  sessionHours: number;
  /** The order already standing for this session, if any. */
  liveOrderId: string | null;
  /** Why no order can be placed now (each with the field it concerns), or none. */
  blocks: Array<{ field: string; message: string }>;
  /** The working, when the figures allow one. */
  dose: DoseCalculation | null;
  /** The calculator's refusals of the choices made. */
  problems: DoseProblem[];
  choices: Required<Pick<OrderChoices, 'bagMg' | 'bagMl' | 'mgPerKgPerHour'>> & { bolusMgPerKg: number };
}

/** A problem's field as the order form names it. */
export const FORM_FIELD: Record<DoseProblem['field'], string> = {
  weight: 'weight',
  measuredAt: 'weight',
  bag: 'bag_mg',
  sessionHours: 'bag_mg',
  mgPerKgPerHour: 'rate',
  bolusMgPerKg: 'bolus',
};

/**
 * The session and everything its order is worked out from, for a provider or nurse of its location; 404 when the
 * appointment is not a session of this patient's plans or is at a location this person does not see.
 */
export async function orderSession(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  appointmentId: string,
  choices: OrderChoices = {},
  /** False when a command reads it on the way to its own audited write. */
  audited = true,
): Promise<OrderSession> {
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'dose_order.view');
  return database.transact(async (trx) => {
    await settleOrders(trx, database, actor, patient.id, where);
    const session = await patientSession(trx, patient.id, appointmentId);
    if (!session || !canSeeLocation(actor.staff, session.location_id, actor.now))
      throw refuse('not_found', 'That session could not be found.');
    const dosing = planDosing(session.plan_definition);
    if (!dosing)
      throw refuse('conflict', 'This plan’s dosing rule cannot be read: ask the provider to review the plan.');
    const settings = await dosingSettings(trx);
    const weight = await latestWeight(trx, patient.id);
    const live = await liveOrderFor(trx, appointmentId);
    const sessionHours = session.kind === 'booster' ? dosing.hours.booster : dosing.hours.induction;
    const blocks: OrderSession['blocks'] = [];
    if (session.plan_status !== 'active')
      blocks.push({ field: 'plan', message: 'The treatment plan is not active: doses are ordered on an active plan.' });
    if (session.appointment_status !== 'booked' || session.ends_at <= actor.now)
      blocks.push({ field: 'session', message: 'This session is over or cancelled: a dose is ordered before it.' });
    if (!weight) blocks.push({ field: 'weight', message: 'No weight is on record: weigh the patient first.' });
    const picked = {
      bagMg: choices.bagMg ?? dosing.bag.drugMg,
      bagMl: choices.bagMl ?? dosing.bag.volumeMl,
      mgPerKgPerHour: choices.mgPerKgPerHour ?? dosing.rule.startMgPerKgPerHour,
      bolusMgPerKg: choices.bolusMgPerKg ?? 0,
    };
    let dose: DoseCalculation | null = null;
    let problems: DoseProblem[] = [];
    if (weight) {
      const result = calculateDose({
        rule: dosing.rule,
        settings: settings.body,
        weight: { value: weight.entered_value, unit: weight.entered_unit, measuredAt: weight.measured_at },
        bag: { drugMg: picked.bagMg, volumeMl: picked.bagMl },
        sessionHours,
        mgPerKgPerHour: picked.mgPerKgPerHour,
        bolusMgPerKg: picked.bolusMgPerKg,
        now: actor.now,
      });
      if (result.ok) dose = result.dose;
      else {
        // An old or implausible weight blocks the order whatever is chosen; the rest are the choices' problems.
        for (const p of result.problems)
          if (p.field === 'weight' || p.field === 'measuredAt') blocks.push({ field: 'weight', message: p.message });
        problems = result.problems.filter((p) => p.field !== 'weight' && p.field !== 'measuredAt');
      }
    }
    if (audited)
      await auditStaff(trx, database, actor, 'dose_order.view', 'success', where, {
        appointment: appointmentId,
        blocked: blocks.length > 0,
      });
    return {
      patient,
      session,
      dosing,
      settings,
      weight,
      sessionHours,
      liveOrderId: live?.id ?? null,
      blocks,
      // With an order standing, the working stays hidden here too: whoever checks it must not see its figures.
      dose: blocks.length > 0 || live ? null : dose,
      problems,
      choices: picked,
    };
  });
}

export interface OrderInput extends OrderChoices {
  /** The weight and plan version the page showed: a change since is refused, naming it. */
  weightId: string;
  planId: string;
  planVersion: number;
  code: string;
}

/** A provider orders the dose for a session and signs it; every figure and the working are stored. */
export async function orderDose(
  database: Database,
  secret: string,
  actor: Actor,
  rawPatientId: unknown,
  appointmentId: string,
  input: OrderInput,
): Promise<{ ok: true; orderId: string } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) return refuse('forbidden', 'Only a provider may order a dose.');
  const ctx = await orderSession(database, actor, rawPatientId, appointmentId, input, false);
  const stale = staleness(ctx, input);
  if (stale) return stale;
  if (ctx.liveOrderId)
    return refuse('conflict', 'This session already has a dose order: void it before ordering again.');
  if (ctx.blocks.length > 0)
    return refuse(
      'conflict',
      'No dose can be ordered for this session yet.',
      Object.fromEntries(ctx.blocks.map((b) => [b.field, b.message])),
    );
  if (!ctx.dose || !ctx.weight) {
    const fields: Record<string, string> = {};
    for (const p of ctx.problems) fields[FORM_FIELD[p.field]] ??= p.message;
    return refuse('invalid_request', 'The order was not placed: please check it.', fields);
  }
  const { dose, weight, session } = ctx;
  const orderId = timeOrderedId(actor.now);
  const where = { locationId: session.location_id, patientRef: ctx.patient.id };
  try {
    return await database.transact(async (trx) => {
      const signed = await confirmSecondFactor(
        trx,
        { database, secret },
        { userId: actor.staff.userId, ip: actor.ip },
        input.code,
        actor.now,
        'dose_order',
      );
      // Returned, not thrown: the failed attempt's count and audit event commit, and nothing else is written.
      if (signed !== true) return signed;
      // The weight again, inside the transaction: one recorded since the page was checked above voids nothing yet.
      const latest = await latestWeight(trx, ctx.patient.id);
      if (latest?.id !== weight.id)
        return refuse('conflict', 'The weight changed since this page was loaded.', { weight: WEIGHT_CHANGED });
      await insertOrder(trx, {
        id: orderId,
        plan_id: session.plan_id,
        plan_version: session.plan_version,
        appointment_id: session.appointment_id,
        patient_id: ctx.patient.id,
        weight_id: weight.id,
        weight_kg: dose.weightKg,
        bag_mg: ctx.choices.bagMg,
        bag_ml: ctx.choices.bagMl,
        session_hours: ctx.sessionHours,
        mg_per_kg_h: dose.ordered.mgPerKgPerHour,
        bolus_mg_per_kg: dose.bolus?.mgPerKg ?? 0,
        pump_rate_ml_h: dose.ordered.pumpRateMlPerHour,
        mg_per_hour: dose.ordered.mgPerHour,
        session_total_mg: dose.sessionTotalMg,
        calculation: JSON.stringify({
          settingsVersion: ctx.settings.version,
          settingsId: ctx.settings.id,
          rule: ctx.dosing.rule,
          weight: { value: weight.entered_value, unit: weight.entered_unit, measuredAt: weight.measured_at },
          dose,
        }),
        ordered_by: actor.staff.userId,
        ordered_at: actor.now,
        verified_by: null,
        verified_at: null,
        voided_at: null,
        void_reason: null,
      });
      await auditStaff(trx, database, actor, 'dose_order.order', 'success', where, {
        order: orderId,
        appointment: session.appointment_id,
        limit: dose.ordered.limit,
      });
      return { ok: true as const, orderId };
    });
  } catch (err) {
    // Two providers signing for one session at once: the database keeps one live order per appointment.
    if (isUniqueViolation(err))
      return refuse('conflict', 'This session already has a dose order: void it before ordering again.');
    throw err;
  }
}

const WEIGHT_CHANGED = 'A new weight was recorded since this page was loaded: check the working again and sign.';
const PLAN_CHANGED = 'The treatment plan changed since this page was loaded: check the working again and sign.';

function staleness(ctx: OrderSession, input: OrderInput): Refusal | null {
  if ((ctx.weight?.id ?? '') !== input.weightId)
    return refuse('conflict', 'The weight changed since this page was loaded.', { weight: WEIGHT_CHANGED });
  if (ctx.session.plan_id !== input.planId || ctx.session.plan_version !== input.planVersion)
    return refuse('conflict', 'The treatment plan changed since this page was loaded.', { plan: PLAN_CHANGED });
  return null;
}
