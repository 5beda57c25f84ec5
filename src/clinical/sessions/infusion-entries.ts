/**
 * Side effects and medications given during a session: observations appended beside the others, so they are kept
 * even when the page was a version behind (not strict). A medication comes only from the plan's protocol orders and
 * within that order's numeric limits: the largest single dose, and the most in a session counting every dose of that
 * drug already recorded.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { exactWallInstant, today } from '../../kernel/time/wall-clock.ts';
import { currentDefinition } from '../definitions/store.ts';
import { figure } from '../dosing/dose.ts';
import { planForAppointment } from '../protocols/plans.ts';
import { orderLimits } from '../protocols/protocol.ts';
import { sessionFor, type SessionAccess } from './access.ts';
import { changeSession } from './change.ts';
import { insertMedication, insertSideEffect, sessionMedications } from './infusion-repository.ts';
import { SIDE_EFFECTS } from './infusion-settings.ts';
import { sessionVisit } from './visit.ts';

const MINUTE = 60_000;

/**
 * When an entry happened: now, or a time typed today ('HH:MM', in the location's zone) for an entry written late.
 * Not in the future, not before check-in.
 */
async function entryTime(
  access: SessionAccess,
  database: Database,
  actor: Actor,
  typed: string,
  field: string,
): Promise<number | Refusal> {
  if (typed.trim() === '') return actor.now;
  const visit = await sessionVisit(database.db, access.session.appointment_id);
  const zone = visit?.timeZone ?? 'UTC';
  const at = /^\d{1,2}:\d{2}$/.test(typed.trim())
    ? exactWallInstant(zone, today(actor.now, zone), typed.trim().padStart(5, '0'))
    : undefined;
  if (at === undefined)
    return refuse('invalid_request', 'Check the time.', {
      [field]: 'Time: a time today such as 10:45, or leave it empty.',
    });
  if (at > actor.now)
    return refuse('invalid_request', 'A time in the future cannot be recorded.', {
      [field]: 'Time: not later than now.',
    });
  if (at < Math.floor(access.session.checked_in_at / MINUTE) * MINUTE)
    return refuse('invalid_request', 'A time before check-in cannot be recorded.', {
      [field]: 'Time: not before the patient checked in.',
    });
  return at;
}

export interface SideEffectInput {
  version: number;
  effect: string;
  grade: number;
  action: string;
  at: string;
}

export async function recordSideEffect(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  input: SideEffectInput,
): Promise<{ ok: true } | Refusal> {
  const access = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.side_effect');
  const at = await entryTime(access, database, actor, input.at, 'se_at');
  if (typeof at !== 'number') return at;
  return database.transact(async (trx) => {
    const list = (await currentDefinition(trx, SIDE_EFFECTS)).body;
    if (!list.some((e) => e.code === input.effect))
      return refuse('invalid_request', 'Choose the side effect from the list.', {
        se_effect: 'Side effect: choose one from the list.',
      });
    const moved = await changeSession(trx, database, actor, {
      sessionId: access.session.id,
      basedOn: input.version,
      strict: false,
      audit: 'session.side_effect',
      where: access.where,
      detail: { effect: input.effect, grade: input.grade },
    });
    if (isRefusal(moved)) return moved;
    await insertSideEffect(trx, {
      id: timeOrderedId(actor.now),
      session_id: access.session.id,
      effect: input.effect,
      grade: input.grade,
      action: input.action,
      at,
      recorded_by: actor.staff.userId,
      recorded_at: actor.now,
    });
    return { ok: true as const };
  });
}

export interface MedicationInput {
  version: number;
  drug: string;
  doseMg: number;
  route: string;
  reason: string;
  at: string;
}

export async function giveMedication(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  input: MedicationInput,
): Promise<{ ok: true } | Refusal> {
  const access = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.medication');
  const at = await entryTime(access, database, actor, input.at, 'med_at');
  if (typeof at !== 'number') return at;
  try {
    return await database.transact(async (trx): Promise<{ ok: true } | Refusal> => {
      const plan = await planForAppointment(trx, access.session.appointment_id);
      const order = plan?.definition.extraOrders.find((o) => o.drug.toLowerCase() === input.drug.toLowerCase());
      if (!order)
        return refuse('invalid_request', 'Only the plan’s protocol orders may be given.', {
          med_drug: 'Medication: choose one of the protocol’s orders.',
        });
      const limits = orderLimits(order);
      if (!limits)
        return refuse('invalid_request', `${order.drug} has no dose limits in this plan’s protocol.`, {
          med_drug: `Medication: ${order.drug} cannot be given until its largest dose and session maximum are set in the protocol library.`,
        });
      const route = limits.routes.find((r) => r.toLowerCase() === input.route.toLowerCase());
      if (!route)
        return refuse('invalid_request', 'Give it by a route the order names.', {
          med_route: `Route: ${limits.routes.join(' or ')}.`,
        });
      if (input.doseMg > limits.doseMg + 1e-9)
        return refuse('invalid_request', 'That dose is above the order’s single dose.', {
          med_dose: `Dose: at most ${figure(limits.doseMg, 3)} mg at a time.`,
        });
      // The version moves first: on PostgreSQL that locks the session row, so two nurses giving the same drug at
      // once are counted one after the other, never both against the same total.
      const moved = await changeSession(trx, database, actor, {
        sessionId: access.session.id,
        basedOn: input.version,
        strict: false,
        audit: 'session.medication',
        where: access.where,
        detail: { drug: order.drug.toLowerCase(), as_needed: order.asNeeded },
      });
      if (isRefusal(moved)) return moved;
      const given = (await sessionMedications(trx, access.session.id))
        .filter((m) => m.drug.toLowerCase() === order.drug.toLowerCase())
        .reduce((sum, m) => sum + m.dose_mg, 0);
      // Thrown: the version and audit event written above go with it.
      if (given + input.doseMg > limits.maxMgPerSession + 1e-9)
        throw refuse('invalid_request', `That dose would take ${order.drug} above its session maximum.`, {
          med_dose: `Dose: ${figure(given, 3)} mg given so far this session; at most ${figure(limits.maxMgPerSession, 3)} mg a session, so at most ${figure(Math.max(0, limits.maxMgPerSession - given), 3)} mg more.`,
        });
      await insertMedication(trx, {
        id: timeOrderedId(actor.now),
        session_id: access.session.id,
        drug: order.drug,
        dose_mg: input.doseMg,
        route,
        reason: input.reason,
        at,
        recorded_by: actor.staff.userId,
        recorded_at: actor.now,
      });
      return { ok: true };
    });
  } catch (e) {
    if (isRefusal(e)) return e;
    throw e;
  }
}
