import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { voidOrdersAfterChange } from '../dosing/void-dose.ts';
import { recordLimits } from './definitions.ts';
import { parseWeight, type Values } from './forms.ts';
import { insertWeight } from './repository.ts';
import { recordWrite } from './write.ts';

/** A measured weight, stored in kg with the value and unit as entered; its range is the record limits in force. */
export function addWeight(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.weight.add', async (trx, context) => {
    const parsed = parseWeight(values, await recordLimits(trx), context.today);
    if (!parsed.ok) return parsed;
    const id = timeOrderedId(actor.now);
    await insertWeight(trx, {
      id,
      patient_id: context.patientId,
      kg: parsed.data.kg,
      entered_value: parsed.data.value,
      entered_unit: parsed.data.unit,
      measured_at: context.instantOf(parsed.data.day),
      measured_by: actor.staff.userId,
      created_at: actor.now,
    });
    // A dose order is worked out from one weight: a new one voids the orders of sessions still to come.
    const voided = await voidOrdersAfterChange(trx, context.patientId, 'weight_changed', actor.now);
    return { detail: { weightId: id, unit: parsed.data.unit, ordersVoided: voided.length } };
  });
}
