/**
 * The reads behind the session pages, each audited in its transaction: one session with everything recorded on it,
 * and a patient's sessions in the order they happened (the clinical record's "Infusion sessions" tab).
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { notFound } from '../../kernel/refusal.ts';
import type { Patient } from '../../patients/service.ts';
import { clinicalPatient } from '../patient-access.ts';
import { sessionFor } from './access.ts';
import { controlledPart, type ControlledPart } from './controlled-part.ts';
import { loadSessionAlerts, type SessionAlertsView } from './alerts-read.ts';
import { dischargePart, type DischargePart } from './discharge-read.ts';
import { recordOfSession } from './record-repository.ts';
import { checkinPart, type CheckinPart } from './checkin-read.ts';
import { patientSessions, type SessionRow } from './repository.ts';
import { sessionVisit, type SessionVisit } from './visit.ts';
import { infusionPart, type InfusionView } from './infusion-read.ts';

export interface SessionView {
  patient: Patient;
  session: SessionRow;
  visit: SessionVisit;
  /** The server's clock when read: the page's "time since start" and due times are worked out from it. */
  now: number;
  /** The controlled-substance part: each bag dispensed, given, wasted, and the waste form's witnesses. */
  controlled?: ControlledPart;
  /** Open and acknowledged alerts, the chart and the limits in force (raised and escalated as the page is read). */
  alerts?: SessionAlertsView;
  /** From recovery on: what discharge still needs, the assessment, the signed record. */
  discharge?: DischargePart | undefined;
  /** Check-in: the checklist, readiness to start, the readings. */
  checkin?: CheckinPart;
  /** The bag, the pump's timeline and total, side effects and medications (infusion-views.tsx). */
  infusion?: InfusionView;
}

export async function sessionView(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
): Promise<SessionView> {
  const { patient, session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.view');
  return database.transact(async (trx) => {
    const visit = await sessionVisit(trx, session.appointment_id);
    if (!visit) throw notFound('That session');
    const controlled = await controlledPart(trx, actor, session);
    await auditStaff(trx, database, actor, 'session.view', 'success', where, { session: session.id });
    const alerts = await loadSessionAlerts(trx, database, actor, session, visit);
    const discharge = await dischargePart(trx, session, actor.now);
    const checkin = await checkinPart(trx, session, actor.now);
    const infusion = await infusionPart(trx, session, actor.staff.userId, actor.now);
    return { patient, session, visit, now: actor.now, checkin, infusion, controlled, alerts, discharge };
  });
}

export interface PatientSessions {
  patient: Patient;
  /** record: null before discharge; else whether the supervising provider has co-signed it. */
  sessions: Array<{ session: SessionRow; visit: SessionVisit; record: { cosigned: boolean } | null }>;
}

/** The patient's sessions at locations this person may see, oldest first. */
export async function patientSessionList(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
): Promise<PatientSessions> {
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'session.list');
  return database.transact(async (trx) => {
    const rows = (await patientSessions(trx, patient.id)).filter((s) =>
      canSeeLocation(actor.staff, s.location_id, actor.now),
    );
    const sessions: PatientSessions['sessions'] = [];
    for (const session of rows) {
      const visit = await sessionVisit(trx, session.appointment_id);
      const record = await recordOfSession(trx, session.id);
      if (visit) sessions.push({ session, visit, record: record ? { cosigned: record.cosigned_at !== null } : null });
    }
    await auditStaff(trx, database, actor, 'session.list', 'success', where, { count: sessions.length });
    return { patient, sessions };
  });
}
