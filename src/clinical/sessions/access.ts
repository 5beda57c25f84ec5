/**
 * The session behind a session page or command: the patient's clinical access (role, location scoping, the 'denied'
 * event, from clinicalPatient) and then the session itself, which must be that patient's and at a location the person
 * may see. Every session command starts here, so none forgets the check.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { notFound } from '../../kernel/refusal.ts';
import type { Patient } from '../../patients/service.ts';
import { clinicalPatient } from '../patient-access.ts';
import { findSession, type SessionRow } from './repository.ts';

export interface SessionAccess {
  patient: Patient;
  session: SessionRow;
  /** Where the access is filed in the audit trail: the session's location. */
  where: { locationId: string; patientRef: string };
}

const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The session if this person may see it; otherwise the plain 404 (with a 'denied' event when the session exists at a
 * location they may not see). `action` names the audit event of what follows.
 */
export async function sessionFor(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  action: string,
): Promise<SessionAccess> {
  const { patient } = await clinicalPatient(database, actor, rawPatientId, action);
  if (typeof rawSessionId !== 'string' || !SESSION_ID.test(rawSessionId)) throw notFound('That session');
  const session = await findSession(database.db, rawSessionId);
  if (!session || session.patient_id !== patient.id) throw notFound('That session');
  const where = { locationId: session.location_id, patientRef: patient.id };
  if (!canSeeLocation(actor.staff, session.location_id, actor.now)) {
    await database.transact((trx) =>
      auditStaff(trx, database, actor, action, 'denied', where, { session: session.id }),
    );
    throw notFound('That session');
  }
  return { patient, session, where };
}

/** The session again inside a transaction, as it is now (another nurse may have changed it since it was read). */
export async function freshSession(trx: Kysely<DB>, id: string): Promise<SessionRow> {
  const session = await findSession(trx, id);
  if (!session) throw notFound('That session');
  return session;
}
