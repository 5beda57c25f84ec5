/**
 * Checking a patient in for an infusion: the moment the session begins. Only a booked infusion or booster with a
 * patient, today in the location's zone, at a location the nurse or provider may see. The session is created and
 * the appointment marked arrived (through scheduling's own writer) in one transaction with the audit event; a
 * second check-in of the same appointment leads to the session that already exists.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { notFound, refuse, type Refusal } from '../../kernel/refusal.ts';
import { today } from '../../kernel/time/wall-clock.ts';
import type { Patient } from '../../patients/service.ts';
import { markAttendance } from '../../scheduling/repository.ts';
import { GATED_KINDS } from '../gate/repository.ts';
import { clinicalPatient } from '../patient-access.ts';
import { checkinAppointment, type CheckinAppointment } from './checkin-appointment.ts';
import { insertSession, sessionOfAppointment } from './repository.ts';

const APPOINTMENT_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface CheckInContext {
  appointment: CheckinAppointment;
  patient: Patient;
  /** The session already begun for this appointment, if any. */
  sessionId: string | null;
  /** Why this appointment cannot be checked in now, if it cannot. */
  problem: Refusal | null;
}

/** Why `appt` cannot be checked in at `now`, or null when it can. */
function notNow(appt: CheckinAppointment, now: number): Refusal | null {
  if (!GATED_KINDS.has(appt.typeKind))
    return refuse('conflict', 'Only an infusion or a booster is checked in here; mark other visits on the calendar.');
  if (appt.status !== 'booked') return refuse('not_active', 'This appointment was cancelled: it cannot be checked in.');
  if (today(appt.startsAt, appt.timeZone) !== today(now, appt.timeZone))
    return refuse('conflict', 'A patient is checked in on the day of their appointment only.');
  return null;
}

/**
 * The appointment behind a check-in page if this person may see it: a 404 for an unknown id, one at a location they
 * may not see (with a 'denied' event), or one without a patient.
 */
async function appointmentFor(
  database: Database,
  actor: Actor,
  rawId: unknown,
  action: string,
): Promise<{ appt: CheckinAppointment; patient: Patient; where: { locationId: string; patientRef: string } }> {
  if (typeof rawId !== 'string' || !APPOINTMENT_ID.test(rawId)) throw notFound('That appointment');
  const appt = await checkinAppointment(database.db, rawId);
  if (!appt || appt.patientId === null) throw notFound('That appointment');
  const where = { locationId: appt.locationId, patientRef: appt.patientId };
  if (!canSeeLocation(actor.staff, appt.locationId, actor.now)) {
    await database.transact((trx) =>
      auditStaff(trx, database, actor, action, 'denied', where, { appointmentId: appt.id }),
    );
    throw notFound('That appointment');
  }
  const { patient } = await clinicalPatient(database, actor, appt.patientId, action);
  return { appt, patient, where };
}

/** The check-in page: the visit, the patient, and whether they can be checked in now (the look audited). */
export async function checkInContext(database: Database, actor: Actor, rawId: unknown): Promise<CheckInContext> {
  const { appt, patient, where } = await appointmentFor(database, actor, rawId, 'session.check_in_view');
  return database.transact(async (trx) => {
    const session = await sessionOfAppointment(trx, appt.id);
    await auditStaff(trx, database, actor, 'session.check_in_view', 'success', where, { appointmentId: appt.id });
    return {
      appointment: appt,
      patient,
      sessionId: session?.id ?? null,
      problem: session ? null : notNow(appt, actor.now),
    };
  });
}

/** Checks the patient in: the new session's id (or the one already begun), or why not. */
export async function checkIn(
  database: Database,
  actor: Actor,
  rawId: unknown,
): Promise<{ ok: true; patientId: string; sessionId: string; existed: boolean } | Refusal> {
  const { appt, where } = await appointmentFor(database, actor, rawId, 'session.check_in');
  const existing = async () => {
    const session = await sessionOfAppointment(database.db, appt.id);
    return session && { ok: true as const, patientId: session.patient_id, sessionId: session.id, existed: true };
  };
  const before = await existing();
  if (before) return before;
  const problem = notNow(appt, actor.now);
  if (problem) {
    await database.transact((trx) =>
      auditStaff(trx, database, actor, 'session.check_in', 'failure', where, {
        appointmentId: appt.id,
        reason: problem.code,
      }),
    );
    return problem;
  }
  try {
    return await database.transact(async (trx) => {
      const id = timeOrderedId(actor.now);
      await insertSession(trx, {
        id,
        appointment_id: appt.id,
        patient_id: appt.patientId!,
        location_id: appt.locationId,
        dose_order_id: null,
        checked_in_at: actor.now,
        checked_in_by: actor.staff.userId,
        started_at: null,
        stopped_at: null,
        stop_reason: null,
        discharged_at: null,
        discharged_by: null,
        not_given_reason: null,
        updated_at: actor.now,
        updated_by: actor.staff.userId,
      });
      // Cancelled between the read and now: nothing is written.
      if (!(await markAttendance(trx, appt.id, 'arrived', actor.now)))
        throw refuse('not_active', 'This appointment was cancelled meanwhile: it cannot be checked in.');
      await auditStaff(trx, database, actor, 'session.check_in', 'success', where, {
        appointmentId: appt.id,
        session: id,
      });
      return { ok: true as const, patientId: appt.patientId!, sessionId: id, existed: false };
    });
  } catch (err) {
    // Two nurses pressed at once: the other one's session stands, and this one goes to it.
    if (isUniqueViolation(err)) {
      const after = await existing();
      if (after) return after;
    }
    throw err;
  }
}
