/**
 * Reading dose orders: the patient's sessions with each one's order status, and one order as the person asking may
 * see it. Each read first settles the orders (voids those a change has overtaken) and is audited, in one
 * transaction. Until an order is verified only its orderer sees its figures (a void order never verified included):
 * whoever checks it, or the order that replaces it, enters the weight and the bag without them.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { refuse } from '../../kernel/refusal.ts';
import type { Patient } from '../../patients/service.ts';
import { clinicalPatient } from '../patient-access.ts';
import type { DoseLine } from './dose.ts';
import {
  findOrder,
  latestChecks,
  patientOrders,
  patientSession,
  patientSessions,
  staffNames,
  type DoseCheckRow,
  type DoseOrderRow,
  type PlanSessionRow,
} from './order-repository.ts';
import { settleOrders } from './void-dose.ts';

/** Where an order stands, as the pages say it. 'mismatch' is an order whose last check did not match. */
export type OrderState = 'none' | 'ordered' | 'mismatch' | 'verified';

export interface SessionSummary {
  session: PlanSessionRow;
  state: OrderState;
  orderId: string | null;
}

export interface VoidedSummary {
  orderId: string;
  session: PlanSessionRow | undefined;
  orderedAt: number;
  voidedAt: number;
  reason: string;
}

const stateOf = (order: DoseOrderRow | undefined, check: DoseCheckRow | undefined): OrderState =>
  !order ? 'none' : order.status === 'verified' ? 'verified' : check && check.match === 0 ? 'mismatch' : 'ordered';

/** The patient's sessions to come (or under way) with the state of each one's order, and the orders voided. */
export async function doseOrdersOverview(database: Database, actor: Actor, rawPatientId: unknown) {
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'dose_orders.view');
  return database.transact(async (trx) => {
    await settleOrders(trx, database, actor, patient.id, where);
    const sessions = (await patientSessions(trx, patient.id, actor.now)).filter((s) =>
      canSeeLocation(actor.staff, s.location_id, actor.now),
    );
    const orders = await patientOrders(trx, patient.id);
    const live = new Map(orders.filter((o) => o.status !== 'void').map((o) => [o.appointment_id, o]));
    const checks = await latestChecks(
      trx,
      [...live.values()].map((o) => o.id),
    );
    const summaries: SessionSummary[] = sessions.map((session) => {
      const order = live.get(session.appointment_id);
      return { session, state: stateOf(order, order && checks.get(order.id)), orderId: order?.id ?? null };
    });
    const voided: VoidedSummary[] = [];
    for (const o of orders.filter((x) => x.status === 'void')) {
      const session = await patientSession(trx, patient.id, o.appointment_id);
      if (session && !canSeeLocation(actor.staff, session.location_id, actor.now)) continue;
      voided.push({
        orderId: o.id,
        session,
        orderedAt: o.ordered_at,
        voidedAt: o.voided_at ?? o.ordered_at,
        reason: o.void_reason ?? '',
      });
    }
    await auditStaff(trx, database, actor, 'dose_orders.view', 'success', where, {
      sessions: summaries.length,
      orders: orders.length,
    });
    return { patient, sessions: summaries, voided };
  });
}

export interface OrderDetail {
  patient: Patient;
  order: DoseOrderRow;
  session: PlanSessionRow;
  state: OrderState | 'void';
  lastCheck: { match: boolean; mismatches: string[]; at: number; by: string } | null;
  orderedBy: string;
  verifiedBy: string | null;
  /** The figures and the working, or null while this person may not see them (the check is still to do). */
  figures: { lines: DoseLine[] } | null;
  /** This person may enter the independent check now. */
  mayVerify: boolean;
  /** This person is the orderer (who may never check their own order). */
  isOrderer: boolean;
}

/** One order as this person may see it; 404 for an order not of this patient or of a location they do not see. */
export async function doseOrderDetail(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  orderId: string,
): Promise<OrderDetail> {
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'dose_order.view');
  return database.transact(async (trx) => {
    await settleOrders(trx, database, actor, patient.id, where);
    const order = await findOrder(trx, patient.id, orderId);
    const session = order && (await patientSession(trx, patient.id, order.appointment_id));
    if (!order || !session || !canSeeLocation(actor.staff, session.location_id, actor.now))
      throw refuse('not_found', 'That dose order could not be found.');
    const check = (await latestChecks(trx, [order.id])).get(order.id);
    const names = await staffNames(trx, [order.ordered_by, order.verified_by ?? '', check?.nurse_id ?? '']);
    const isOrderer = order.ordered_by === actor.staff.userId;
    const state = order.status === 'void' ? 'void' : stateOf(order, check);
    // A void order that was never verified stays closed too: it may be ordered again with the same figures.
    const figuresShown = isOrderer || order.verified_at !== null;
    await auditStaff(trx, database, actor, 'dose_order.view', 'success', where, {
      order: order.id,
      status: order.status,
      figures: figuresShown,
    });
    let lastCheck: OrderDetail['lastCheck'] = null;
    if (check) {
      const entered = JSON.parse(check.entered) as { mismatches?: string[] };
      lastCheck = {
        match: check.match === 1,
        mismatches: entered.mismatches ?? [],
        at: check.checked_at,
        by: names.get(check.nurse_id) ?? 'A colleague',
      };
    }
    const calculation = JSON.parse(order.calculation) as { dose?: { lines?: DoseLine[] } };
    return {
      patient,
      order,
      session,
      state,
      lastCheck,
      orderedBy: names.get(order.ordered_by) ?? 'A provider',
      verifiedBy: order.verified_by ? (names.get(order.verified_by) ?? 'A colleague') : null,
      figures: figuresShown ? { lines: calculation.dose?.lines ?? [] } : null,
      mayVerify: order.status === 'ordered' && !isOrderer,
      isOrderer,
    };
  });
}
