import type { Kysely } from 'kysely';
import { findLocation, type Location } from '../kernel/clinic.ts';
import type { AppointmentLinkColumns, DB } from '../kernel/db/schema.ts';
import type { OutboxJob } from '../kernel/outbox/outbox.ts';
import type { MailContext, MailTemplate, RenderedMail } from '../kernel/outbox/templates.tsx';
import { formatDateTime, zoneName } from '../kernel/time/format.ts';
import { findAppointmentTypeById } from './availability.ts';
import { calendarEvent } from './calendar-event.ts';
import { appointmentIcs } from './ics.ts';
import { findAppointment, type Appointment } from './repository.ts';
import { visitParts } from './visit-mail.tsx';

declare module '../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: an appointment, for each of these four. */
    booking_confirmed: true;
    booking_rescheduled: true;
    booking_cancelled: true;
    appointment_reminder: true;
  }
}

/** The footer's reason for every email about a visit. */
export const VISIT_REASON = 'This message was sent because you have an appointment with us.';

/** A visit an email is about, still as the job expects it (found, booked or cancelled as the kind says, not past). */
export interface VisitMail {
  job: OutboxJob;
  appt: Appointment & AppointmentLinkColumns;
  location: Location;
  /** When it is, in the location's zone, e.g. "Thursday, March 5, 2026 at 9:00 AM CST (Central Time)". */
  when: string;
}

/** Who a patient is for their visit's emails: the first name and the address, nothing else. */
export type PatientContact = (
  db: Kysely<DB>,
  patientId: string,
) => Promise<{ first_name: string; email: string } | undefined>;

/**
 * The emails about a visit: confirmed, moved, cancelled, and the reminders. Scheduling owns appointments but knows
 * no feature, so the composition root hands it what it cannot know:
 * - `request`: the whole email for a visit booked from a consultation request (the requesting feature's own copy,
 *   with its self-service link);
 * - `patient`: the contact of a patient the clinic booked a visit for; that email is scheduling's (visit-mail.tsx),
 *   and names neither the kind of visit nor the treatment.
 */
export function visitEmails(by: {
  request: (visit: VisitMail, ctx: MailContext, requestId: string) => Promise<RenderedMail | null>;
  patient: PatientContact;
}) {
  const template: MailTemplate = async (job, ctx) => {
    const appt = await findAppointment(ctx.db, job.ref_id);
    if (!appt) return null;
    const cancelled = job.kind === 'booking_cancelled';
    if (cancelled !== (appt.status === 'cancelled')) return null;
    if (job.kind === 'appointment_reminder' && appt.starts_at <= ctx.now()) return null;
    const location = await findLocation(ctx.db, appt.location_id);
    if (!location) return null;
    const when = `${formatDateTime(appt.starts_at, location.time_zone)} (${zoneName(location.time_zone, appt.starts_at)})`;
    const visit = { job, appt, location, when };
    if (appt.request_id) return by.request(visit, ctx, appt.request_id);
    if (appt.patient_id) return patientVisitMail(visit, ctx, by.patient, appt.patient_id);
    return null;
  };
  return {
    booking_confirmed: template,
    booking_rescheduled: template,
    booking_cancelled: template,
    appointment_reminder: template,
  };
}

/** A visit the clinic booked for a known patient: to the patient's own address, without a self-service link. */
async function patientVisitMail(
  { job, appt, location, when }: VisitMail,
  ctx: MailContext,
  contact: PatientContact,
  patientId: string,
): Promise<RenderedMail | null> {
  const patient = await contact(ctx.db, patientId);
  if (!patient) return null;
  const type = await findAppointmentTypeById(ctx.db, appt.type_id);
  // The visit's own length, not the type's: a treatment plan books its sessions for the plan's hours.
  const preparation = type?.preparation
    ? { text: type.preparation, allowMin: (appt.ends_at - appt.starts_at) / 60_000 + type.buffer_after_min }
    : undefined;
  const parts = visitParts(job.kind, patient.first_name, when, location, preparation);
  if (!parts) return null;
  // Named by place, not by clinic: a clinic's name can itself say what is treated there.
  const event = {
    ...calendarEvent(ctx.clinic, location, appt, ctx.now(), undefined, 'Appointment'),
    summary: `Appointment at ${location.name}`,
  };
  return {
    to: patient.email,
    ...parts,
    reason: VISIT_REASON,
    ics: { method: appt.status === 'cancelled' ? 'CANCEL' : 'PUBLISH', content: appointmentIcs(event) },
  };
}
