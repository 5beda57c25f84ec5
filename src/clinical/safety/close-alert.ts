/**
 * Closing an alert or a flag: the one command behind both worklists. The rule (close-rule.ts) decides who may and
 * what they must record; the closing columns are written once, by `closeAlertRow`, and the audit event names the
 * alert, its kind, the action code and whether a hold was lifted (the assessment's text stays on the alert).
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { closedByProviderOnly, mayClose, readClose, type ClosableAlert } from './close-rule.ts';
import { closeAlertRow } from './worklist-repository.ts';

export interface AlertToClose extends ClosableAlert {
  id: string;
  patient_id: string;
  location_id: string;
}

/** `audit` is the page's own action name ('alert.resolve' on the clinicians' worklist, 'safety.flag_close'). */
export async function closeAlert(
  database: Database,
  actor: Actor,
  alert: AlertToClose,
  body: unknown,
  audit: 'alert.resolve' | 'safety.flag_close',
): Promise<{ ok: true; patientId: string; holds: boolean } | Refusal> {
  const where = { locationId: alert.location_id, patientRef: alert.patient_id };
  if (!mayClose(actor.staff.role, alert)) {
    await database.transact((trx) =>
      auditStaff(trx, database, actor, audit, 'denied', where, { alertId: alert.id, kind: alert.kind }),
    );
    return refuse('forbidden', closedByProviderOnly);
  }
  const read = readClose(actor.staff.role, alert, body);
  if (!read.ok) return refuse('invalid_request', 'Not closed: please check the form.', read.fields);
  return database.transact(async (trx) => {
    const closed = await closeAlertRow(trx, alert.id, { by: actor.staff.userId, ...read.data, now: actor.now });
    if (!closed) {
      await auditStaff(trx, database, actor, audit, 'failure', where, { alertId: alert.id, reason: 'closed' });
      return refuse('conflict', 'Someone closed this a moment ago; it stays closed as they recorded it.');
    }
    await auditStaff(trx, database, actor, audit, 'success', where, {
      alertId: alert.id,
      kind: alert.kind,
      action: read.data.action,
      holdLifted: alert.holds,
    });
    return { ok: true as const, patientId: alert.patient_id, holds: alert.holds };
  });
}
