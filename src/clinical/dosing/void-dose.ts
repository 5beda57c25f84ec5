/**
 * Voiding dose orders. An order is valid for its session, its weight and its plan only: a new weight, a plan that
 * changed or stopped, or a cancelled session voids it. That happens two ways, so that no path can leave a stale
 * order standing: the service that changes the weight or the plan calls `voidOrdersAfterChange` in its own
 * transaction, and every read of orders runs `settleOrders` first (the lazy check) in the read's transaction.
 * Orders of sessions that have already started are left as they were: they are the record of what was given.
 * A provider may also void an order, with a reason.
 */
import type { Kysely } from 'kysely';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { clinicalPatient, PRESCRIBER_ROLES } from '../patient-access.ts';
import { latestWeight } from '../record/repository.ts';
import { findOrder, liveOrdersBefore, markVoid, patientSession, type DoseOrderRow } from './order-repository.ts';

export type VoidCause = 'weight_changed' | 'plan_changed' | 'bag_changed' | 'session_cancelled';

/** What the order page says for an order voided by a change (the stored void_reason). */
export const VOID_CAUSES: Record<VoidCause, string> = {
  weight_changed: 'A new weight was recorded after this order was placed.',
  plan_changed: 'The treatment plan changed after this order was placed.',
  bag_changed: 'The bag changed after this order was placed.',
  session_cancelled: 'The session was cancelled.',
};

/**
 * Voids the patient's live orders of sessions still to come, in the caller's transaction: for the services that
 * record a weight or change a plan. Returns the ids voided, for the caller's audit event.
 */
export function voidOrdersAfterChange(
  trx: Kysely<DB>,
  patientId: string,
  cause: VoidCause,
  now: number,
): Promise<string[]> {
  return liveOrdersBefore(trx, patientId, now).then((orders) =>
    markVoid(
      trx,
      orders.map((o) => o.id),
      VOID_CAUSES[cause],
      now,
    ),
  );
}

/** Why a live order no longer holds, or null when it still does. */
async function staleCause(
  trx: Kysely<DB>,
  order: DoseOrderRow,
  latestWeightId: string | undefined,
): Promise<VoidCause | null> {
  if (order.weight_id !== latestWeightId) return 'weight_changed';
  const session = await patientSession(trx, order.patient_id, order.appointment_id);
  if (!session || session.appointment_status !== 'booked') return 'session_cancelled';
  if (session.plan_id !== order.plan_id || session.plan_version !== order.plan_version) return 'plan_changed';
  if (session.plan_status !== 'active') return 'plan_changed';
  return null;
}

/**
 * The lazy check, in the caller's transaction: voids each live order of a session still to come whose weight,
 * plan or session changed, and audits each as voided by the change (the actor is whoever's read found it).
 */
export async function settleOrders(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  patientId: string,
  where: { locationId: string; patientRef: string },
): Promise<number> {
  const live = await liveOrdersBefore(trx, patientId, actor.now);
  if (live.length === 0) return 0;
  const weight = await latestWeight(trx, patientId);
  let voided = 0;
  for (const order of live) {
    const cause = await staleCause(trx, order, weight?.id);
    if (!cause) continue;
    const done = await markVoid(trx, [order.id], VOID_CAUSES[cause], actor.now);
    if (done.length === 0) continue;
    voided += 1;
    await auditStaff(trx, database, actor, 'dose_order.void', 'success', where, {
      order: order.id,
      cause,
      automatic: true,
    });
  }
  return voided;
}

/** A provider voids a live order, with a reason (kept as typed, shown as text). */
export async function voidDose(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  orderId: string,
  reason: string,
): Promise<{ ok: true } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'Only a provider may void a dose order.');
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'dose_order.void');
  const order = await findOrder(database.db, patient.id, orderId);
  if (!order) return refuse('not_found', 'That dose order could not be found.');
  const text = reason.trim();
  if (text.length < 3 || text.length > 500)
    return refuse('invalid_request', 'Please give a reason.', {
      reason: 'Reason: say why the order is voided, in 3 to 500 characters.',
    });
  return database.transact(async (trx) => {
    const voided = await markVoid(trx, [order.id], text, actor.now);
    if (voided.length === 0) return refuse('conflict', 'This order was already void.');
    await auditStaff(trx, database, actor, 'dose_order.void', 'success', where, { order: order.id, cause: 'provider' });
    return { ok: true as const };
  });
}
