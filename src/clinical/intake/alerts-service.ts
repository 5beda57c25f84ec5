/**
 * Safety alerts and the clinicians' worklist. An alert is raised in the transaction of what raised it (an intake
 * answer today; check-in and outcomes later), emails the providers of the patient's location with no PHI, and stays
 * open until a clinician records an assessment and the action taken. The database keeps alerts forever and a resolved one unchanged.
 */
import type { Kysely } from 'kysely';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { enqueue } from '../../kernel/outbox/outbox.ts';
import { notFound, type Refusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { closeAlert } from '../safety/close-alert.ts';
import {
  countOpenAlerts,
  escalateAlertRow,
  findAlert,
  insertAlert,
  openAlertFor,
  openAlertRows,
  providersAt,
  type AlertRow,
} from './repository.ts';

export type AlertLevel = AlertRow['level'];

export interface NewAlert {
  patientId: string;
  locationId: string;
  /** What raised it, e.g. 'phq9_item9'. */
  kind: string;
  /** Where, e.g. 'intake', 'check-in'. */
  source: string;
  /** The record that raised it: the same record raises one open alert, however often it is saved. */
  sourceId: string | null;
  level: AlertLevel;
  now: number;
  /** A safety flag that holds further infusions while open (migration 033), and its rule's codes and figures. */
  holds?: boolean;
  detail?: Record<string, string | number>;
}

/**
 * Raises an alert inside the caller's transaction and queues the email to each provider of the location. An open
 * alert of the same kind from the same record is kept, so the worklist shows the patient once; an urgent answer
 * raises it to urgent (never lowered) and tells the providers again. Returns the open alert's id.
 */
export async function raiseAlert(
  trx: Kysely<DB>,
  alert: NewAlert,
): Promise<{ id: string; raised: boolean; escalated: boolean }> {
  const open = await openAlertFor(trx, alert);
  if (open) {
    const escalated = alert.level === 'urgent' && (await escalateAlertRow(trx, open.id));
    if (escalated) await tellProviders(trx, open.id, alert, 'urgent');
    return { id: open.id, raised: false, escalated };
  }
  const id = timeOrderedId(alert.now);
  await insertAlert(trx, {
    id,
    patient_id: alert.patientId,
    location_id: alert.locationId,
    kind: alert.kind,
    source: alert.source,
    source_id: alert.sourceId,
    level: alert.level,
    raised_at: alert.now,
    holds: alert.holds ? 1 : 0,
    detail: alert.detail ? JSON.stringify(alert.detail) : null,
  });
  await tellProviders(trx, id, alert, alert.level);
  return { id, raised: true, escalated: false };
}

/** The email to each provider of the location, once per alert and level. */
async function tellProviders(trx: Kysely<DB>, id: string, alert: NewAlert, level: AlertLevel): Promise<void> {
  const providers = await providersAt(trx, alert.locationId);
  await enqueue(
    trx,
    providers.map((userId) => ({
      kind: 'safety_review' as const,
      refId: `${userId} ${id}`,
      runAt: alert.now,
      dedupeKey: `safety_review:${id}:${level}:${userId}`,
      locationId: alert.locationId,
    })),
    alert.now,
  );
}

/** Open alerts at these locations, oldest first, with the patient's name and the location. */
export const openAlerts = (db: Kysely<DB>, locationIds: readonly string[]) => openAlertRows(db, locationIds);

/** The count in the workspace's navigation: open alerts at the person's locations (clinicians only). */
export async function worklistCount(
  db: Kysely<DB>,
  staff: { role: string; locationIds: readonly string[] },
): Promise<number | undefined> {
  if (!CLINICAL_RECORD_ROLES.some((r) => r === staff.role)) return undefined;
  return countOpenAlerts(db, staff.locationIds);
}

/** The worklist page: the open alerts at the person's own locations, the look audited. */
export async function worklist(database: Database, actor: Actor) {
  const alerts = await openAlerts(database.db, actor.staff.locationIds);
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'worklist.view',
      'success',
      { locationId: null, patientRef: null },
      {
        open: alerts.length,
      },
    ),
  );
  return alerts;
}

/**
 * Closes an alert from the clinicians' worklist, by the one closing rule (safety/close-rule.ts): an assessment and
 * the action taken. An alert at another location is 404, as if it did not exist; one closed a moment ago is 409.
 */
export async function resolveAlert(
  database: Database,
  actor: Actor,
  alertId: string,
  body: unknown,
): Promise<{ ok: true; patientId: string } | Refusal> {
  const alert = /^[0-9a-f-]{36}$/.test(alertId) ? await findAlert(database.db, alertId) : undefined;
  if (!alert || !actor.staff.locationIds.includes(alert.location_id)) return notFound('That alert');
  return closeAlert(database, actor, alert, body, 'alert.resolve');
}
