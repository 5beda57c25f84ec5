import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import type { StaffContext } from '../http/policy.ts';
import { appendAudit, type AuditDetail, type AuditOutcome } from './audit.ts';

/** Who is acting, from where and when: everything an audit event needs besides the action. */
export interface Actor {
  staff: StaffContext;
  ip: string;
  now: number;
}

/**
 * One audit event for a staff action, inside the caller's transaction. Success outside the person's own locations
 * can only come from emergency access, so it is flagged in the trail. Details are ids, counts and choices: never
 * text typed by staff or patients.
 */
export function auditStaff(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  action: string,
  outcome: AuditOutcome,
  about: { locationId: string | null; patientRef: string | null },
  detail?: AuditDetail,
): Promise<void> {
  const { staff } = actor;
  const breakGlass =
    outcome !== 'denied' &&
    about.locationId !== null &&
    staff.role !== 'admin' &&
    !staff.locationIds.includes(about.locationId);
  const full = breakGlass ? { ...detail, breakGlass: true } : detail;
  return appendAudit(
    trx,
    database,
    {
      actorId: staff.userId,
      actorRole: staff.role,
      ...about,
      action,
      outcome,
      ip: actor.ip,
      ...(full ? { detail: full } : {}),
    },
    actor.now,
  );
}
