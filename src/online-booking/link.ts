import { findLocation, getClinic, type Clinic } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import type { Tokens } from '../kernel/tokens.ts';
import type { AuditDetail } from '../kernel/audit/audit.ts';
import { linkRefusals, tooManyRefusals } from '../kernel/http/refusals.ts';
import {
  aboutRequest,
  aboutRequestId,
  auditPatientAlone,
  NOBODY,
  refusedLinkRef,
  type About,
  type Visitor,
} from '../kernel/audit/patient-audit.ts';
import { consultationType } from '../scheduling/availability.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { BookingContext } from '../scheduling/booking-service.ts';
import { latestAppointmentForRequest, type Appointment } from '../scheduling/repository.ts';
import { findRequest, type ConsultationRequest } from '../requests/service.ts';

/**
 * What the booking link pages need from the app. Refused links are counted per address in the database's rate
 * store (kernel/http/refusals.ts), and booking links and waitlist offers share that count.
 */
export interface LinkDeps {
  database: Database;
  tokens: Tokens;
  now: () => number;
  config: { publicUrl: string };
  /** Nudges the outbox worker after a commit. */
  onOutbox?: () => void;
}

/** An opened booking link: the request behind it, its latest booking, and who holds it. */
export interface LinkContext {
  clinic: Clinic;
  request: ConsultationRequest;
  appointment: Appointment | undefined;
  defaultLocationId: string;
  base: string;
  visitor: Visitor;
}

/** A link that does not open: the page offers a new one (or, for a closed request, says to call). */
export interface LinkProblem {
  page: 'problem';
  clinic: Clinic;
  reason: 'invalid' | 'expired' | 'unknown' | 'closed';
}

export async function clinicOf(deps: LinkDeps): Promise<Clinic> {
  const clinic = await getClinic(deps.database.db);
  if (!clinic) throw new Error('clinic is not set up');
  return clinic;
}

/**
 * Resolves a booking link, or says why it does not open. A refused link is recorded as a failure of `action` (what
 * the person tried), naming the person only when the link is authentic.
 */
export async function openLink(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  action: string,
): Promise<LinkContext | LinkProblem> {
  const { database, tokens } = deps;
  const db = database.db;
  const clinic = await clinicOf(deps);
  await tooManyRefusals(deps, visitor);
  const refused = async (about: About, reason: LinkProblem['reason']): Promise<LinkProblem> => {
    if (reason !== 'closed') await linkRefusals(deps).note(visitor.ip, visitor.now);
    await auditPatientAlone(database, visitor, action, 'failure', about, { reason });
    return { page: 'problem', clinic, reason };
  };
  const check = tokens.verify(token, 'book', visitor.now);
  if (!check.ok) return refused(await aboutRequestId(db, refusedLinkRef(tokens, token, 'book', check)), check.reason);
  const request = await findRequest(db, check.claims.ref);
  if (!request) return refused(NOBODY, 'unknown');
  const appointment = await latestAppointmentForRequest(db, request.id);
  // The clinic closed this request after talking with the person: online booking stops, a call still works.
  if ((request.status === 'not_candidate' || request.status === 'closed') && appointment?.status !== 'booked')
    return refused(aboutRequest(request), 'closed');
  return { clinic, request, appointment, defaultLocationId: check.claims.location, base: `/book/${token}`, visitor };
}

/** An appointment's events are filed under its location and the person (patient once known, else request). */
export const aboutAppointment = (
  link: LinkContext,
  appt: { location_id: string; patient_id?: string | null },
): About => ({
  locationId: appt.location_id,
  patientRef: appt.patient_id ?? link.request.patient_id ?? link.request.id,
});

/** Records a refused self-service action (which rule refused it, never what was typed). */
export const refuse = (
  deps: LinkDeps,
  link: LinkContext,
  action: string,
  reason: string,
  detail: AuditDetail = {},
  about = aboutRequest(link.request),
) => auditPatientAlone(deps.database, link.visitor, action, 'failure', about, { reason, ...detail });

/**
 * Every page of a link shows the person's record (at least the first name; the manage, cancel and .ics pages
 * the appointment's time and place), to whoever holds the link, without signing in. As staff looks are, each view
 * is recorded before the page is sent (if the event cannot be written, the page is not shown): one small write,
 * and the trail then answers "who opened this person's link, from where, when" if a link leaks.
 */
export function viewed(
  deps: LinkDeps,
  link: LinkContext,
  page: 'book' | 'manage' | 'reschedule' | 'cancel' | 'ics',
  appt?: Appointment,
) {
  const about = appt ? aboutAppointment(link, appt) : aboutRequest(link.request);
  return auditPatientAlone(deps.database, link.visitor, 'booking.view', 'success', about, {
    page,
    ...(appt ? { appointmentId: appt.id } : {}),
  });
}

/** Consultations at a location (id or slug), now; undefined for an unknown location. */
export async function bookingContext(
  deps: LinkDeps,
  clinic: Clinic,
  locationKey: string,
): Promise<BookingContext | undefined> {
  const { database } = deps;
  const [location, type] = await Promise.all([findLocation(database.db, locationKey), consultationType(database.db)]);
  if (!location) return undefined;
  // A clinic that has retired its last consultation type books by phone until it adds one.
  if (!type) throw pausedOnline(location);
  return { database, clinic, location, type, now: deps.now() };
}

export const pausedOnline = (location: { name: string; phone: string }) =>
  new Refusal(
    'not_online',
    `Online booking is paused at the moment. Please call ${location.name} at ${location.phone} to book your consultation.`,
  );
