/**
 * The independent double check: a second clinician (a nurse, or a provider who is not the orderer) re-enters the
 * weight and the bag without seeing the order's figures; Relief compares them with the order's and keeps the check
 * (match or not) in the same transaction. A match verifies the order, a mismatch leaves it unverified and blocked
 * until someone checks again or a provider voids it. The orderer is refused here, and by the database itself.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES, clinicalPatient } from '../patient-access.ts';
import { compareVerification, figure, KG_PER_LB, toKg, type VerificationEntry } from './dose.ts';
import { findOrder, insertCheck, markVerified, patientSession } from './order-repository.ts';
import { dosingSettings } from './settings.ts';
import { settleOrders } from './void-dose.ts';
import { raiseFlags } from '../safety/flags-raise.ts';

export const ORDERER_MAY_NOT_VERIFY =
  'You ordered this dose, so you cannot check it: the double check is done by another clinician.';

export async function verifyDose(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  orderId: string,
  entry: VerificationEntry,
): Promise<{ ok: true; match: boolean; mismatches: Array<'weight' | 'concentration'> } | Refusal> {
  if (!CLINICAL_RECORD_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'Only a nurse or a provider may check a dose order.');
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'dose_order.verify');
  return database.transact(async (trx) => {
    // A change since the page was loaded voids the order first; the refusal below then says so.
    await settleOrders(trx, database, actor, patient.id, where);
    const order = await findOrder(trx, patient.id, orderId);
    const session = order && (await patientSession(trx, patient.id, order.appointment_id));
    if (!order || !session || !canSeeLocation(actor.staff, session.location_id, actor.now))
      return refuse('not_found', 'That dose order could not be found.');
    if (order.status === 'void')
      return refuse('conflict', `This order is void: ${order.void_reason ?? 'it was voided'} Nothing was checked.`);
    if (order.status === 'verified') return refuse('conflict', 'This order has already been verified.');
    if (order.ordered_by === actor.staff.userId) {
      await auditStaff(trx, database, actor, 'dose_order.verify', 'denied', where, {
        order: order.id,
        reason: 'orderer',
      });
      return refuse('forbidden', ORDERER_MAY_NOT_VERIFY);
    }
    const settings = (await dosingSettings(trx)).body;
    const { min, max } = settings.weightRangeKg;
    const kg = toKg(entry.weight);
    if (!(kg >= min && kg <= max))
      return refuse('invalid_request', 'The check was not recorded: please check the weight.', {
        weight: `Weight: between ${figure(min)} and ${figure(max)} kg (${figure(min / KG_PER_LB, 0)}–${figure(max / KG_PER_LB, 0)} lb).`,
      });
    const result = compareVerification(
      settings,
      { weightKg: order.weight_kg, bag: { drugMg: order.bag_mg, volumeMl: order.bag_ml } },
      entry,
    );
    await insertCheck(trx, {
      id: timeOrderedId(actor.now),
      order_id: order.id,
      ordered_by: order.ordered_by,
      nurse_id: actor.staff.userId,
      entered: JSON.stringify({ ...entry, mismatches: result.mismatches }),
      match: result.match ? 1 : 0,
      checked_at: actor.now,
    });
    // Thrown, not returned: the check just written must not stand without its order.
    if (result.match && !(await markVerified(trx, order.id, actor.staff.userId, actor.now)))
      throw refuse('conflict', 'This order changed while it was being checked: open it again.');
    await auditStaff(trx, database, actor, 'dose_order.verify', result.match ? 'success' : 'failure', where, {
      order: order.id,
      match: result.match,
      weight: !result.mismatches.includes('weight'),
      concentration: !result.mismatches.includes('concentration'),
    });
    if (result.match)
      await raiseFlags(trx, {
        database,
        actor,
        patientId: patient.id,
        locationId: session.location_id,
        now: actor.now,
        kinds: ['dose_escalation'],
      });
    return { ok: true as const, match: result.match, mismatches: result.mismatches };
  });
}
