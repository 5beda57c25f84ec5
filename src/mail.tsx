import { h, Fragment } from './kernel/ui/jsx.ts';
import type { Kysely } from 'kysely';
import type { AppointmentLinkColumns, DB } from './kernel/db/schema.ts';
import { findLocation, getClinic, type Clinic, type Location } from './kernel/clinic.ts';
import { findRequest, type ConsultationRequest } from './requests/repository.ts';
import { findAppointment, type Appointment } from './scheduling/repository.ts';
import { findPatient } from './patients/repository.ts';
import { visitParts } from './scheduling/visit-mail.tsx';
import { appointmentIcs } from './scheduling/ics.ts';
import { calendarEvent } from './scheduling/calendar-event.ts';
import { formatDateTime, untilCutoff, zoneName } from './kernel/time/format.ts';
import { renderDocument } from './kernel/ui/jsx.ts';
import type { Tokens } from './kernel/tokens.ts';
import type { OutboxJob } from './kernel/outbox/outbox.ts';
import { authLinkToken } from './staff/users.ts';
import { sha256 } from './kernel/http/sessions.ts';
import { findOffer } from './waitlist/repository.ts';
import type { OutgoingMail } from './kernel/outbox/transport.ts';
import { EmailButton, EmailLayout, VisitDetails } from './kernel/outbox/email-frame.tsx';
import { logoPath } from './kernel/ui/brand/brand.ts';

const DAY = 24 * 3_600_000;

export interface RenderDeps {
  db: Kysely<DB>;
  tokens: Tokens;
  publicUrl: string;
  /** Host part of Message-IDs. */
  messageDomain: string;
  /** Rebuilds staff enrolment/reset link tokens from their row ids. */
  secret: string;
  now: () => number;
}

interface Parts {
  subject: string;
  preheader: string;
  body: JSX.Element;
  text: string;
}

/**
 * Builds each email at send time from the current records, so the outbox holds only ids (no personal data)
 * and a job for a visit that has since changed is dropped instead of sending stale news.
 * Emails carry the first name only: no last name, reason for visit or other health details.
 */
/** The footer's reason for writing, by kind of message. */
function whySent(kind: string): string {
  if (kind === 'staff_password_reset' || kind === 'staff_enrolment')
    return 'This message was sent about your staff account.';
  if (kind === 'booking_link' || kind === 'waitlist_offer')
    return 'This message was sent because you asked us about a consultation.';
  return 'This message was sent because you have an appointment with us.';
}

export function createRenderer(deps: RenderDeps) {
  const link = (request: ConsultationRequest, locationId: string, expiresAt: number) =>
    `${deps.publicUrl}/book/${deps.tokens.sign({ purpose: 'book', ref: request.id, location: locationId, expiresAt })}`;

  function finish(job: OutboxJob, clinic: Clinic, to: string, parts: Parts, ics?: OutgoingMail['ics']): OutgoingMail {
    // Emails are read away from the site, so the logo's URL is absolute (PUBLIC_URL).
    const logo = logoPath(clinic.brand);
    const html = renderDocument(
      <EmailLayout
        clinic={clinic}
        preheader={parts.preheader}
        reason={whySent(job.kind)}
        logoUrl={logo ? `${deps.publicUrl}${logo}` : undefined}
      >
        {parts.body}
      </EmailLayout>,
    );
    const text = `${parts.text}\n\n--\n${clinic.name} · ${clinic.phone}\n${whySent(job.kind)} In an emergency call 911; for a mental health crisis call or text 988.\n`;
    return {
      to,
      subject: parts.subject,
      html,
      text,
      messageId: `<${job.id}@${deps.messageDomain}>`,
      ...(ics ? { ics } : {}),
    };
  }

  async function bookingLink(job: OutboxJob, clinic: Clinic): Promise<OutgoingMail | null> {
    const request = await findRequest(deps.db, job.ref_id);
    if (!request) return null;
    const location = await findLocation(deps.db, request.location_id);
    if (!location) return null;
    const url = link(request, location.id, deps.now() + clinic.bookingLinkDays * DAY);
    return finish(job, clinic, request.email, {
      subject: `Book your consultation with ${clinic.name}`,
      preheader: 'Choose a consultation time online. It takes a minute.',
      body: (
        <Fragment>
          <p>Hello {request.first_name},</p>
          <p>
            Thank you for contacting us. You can choose a consultation time online now; your visit is booked as soon as
            you pick a time.
          </p>
          <EmailButton accent={clinic.brand.accent} href={url}>
            Choose a consultation time
          </EmailButton>
          <p>
            The link opens the times at {location.name}, and you can switch to another location there. It is private to
            you and stays valid for {clinic.bookingLinkDays} days.
          </p>
          <p>If you did not ask us for a consultation, you can ignore this email.</p>
        </Fragment>
      ),
      text:
        `Hello ${request.first_name},\n\nThank you for contacting us. Choose a consultation time online; your visit is booked as soon as you pick a time:\n\n${url}\n\n` +
        `The link opens the times at ${location.name}; you can switch location there. It is private to you and stays valid for ${clinic.bookingLinkDays} days.\n\n` +
        'If you did not ask us for a consultation, you can ignore this email.',
    });
  }

  async function appointmentMail(job: OutboxJob, clinic: Clinic): Promise<OutgoingMail | null> {
    const appt = await findAppointment(deps.db, job.ref_id);
    if (!appt) return null;
    const cancelled = job.kind === 'booking_cancelled';
    if (cancelled !== (appt.status === 'cancelled')) return null;
    if (job.kind === 'appointment_reminder' && appt.starts_at <= deps.now()) return null;
    if (!appt.request_id) return patientVisitMail(job, clinic, appt);
    const [request, location] = await Promise.all([
      findRequest(deps.db, appt.request_id),
      findLocation(deps.db, appt.location_id),
    ]);
    if (!request || !location) return null;
    const manageUrl = link(
      request,
      location.id,
      Math.max(appt.ends_at + 7 * DAY, deps.now() + clinic.bookingLinkDays * DAY),
    );
    const when = `${formatDateTime(appt.starts_at, location.time_zone)} (${zoneName(location.time_zone, appt.starts_at)})`;
    const ics = {
      method: cancelled ? ('CANCEL' as const) : ('PUBLISH' as const),
      content: appointmentIcs(calendarEvent(clinic, location, appt, deps.now(), manageUrl)),
    };
    // Rendered when sent: a reminder two hours ahead is already inside the online cutoff, and says to call instead.
    const changeable = appt.starts_at - clinic.cancelCutoffMin * 60_000 >= deps.now();
    const parts = appointmentParts(job.kind, request.first_name, when, location, manageUrl, clinic, changeable);
    if (!parts) return null;
    return finish(job, clinic, request.email, parts, ics);
  }

  /** A visit the clinic booked for a known patient: to the patient's own address, without a self-service link. */
  async function patientVisitMail(
    job: OutboxJob,
    clinic: Clinic,
    appt: Appointment & AppointmentLinkColumns,
  ): Promise<OutgoingMail | null> {
    if (!appt.patient_id) return null;
    const [patient, location] = await Promise.all([
      findPatient(deps.db, appt.patient_id),
      findLocation(deps.db, appt.location_id),
    ]);
    if (!patient || !location) return null;
    const when = `${formatDateTime(appt.starts_at, location.time_zone)} (${zoneName(location.time_zone, appt.starts_at)})`;
    const parts = visitParts(job.kind, patient.first_name, when, location);
    if (!parts) return null;
    // Named by place, not by clinic: a clinic's name can itself say what is treated there.
    const event = {
      ...calendarEvent(clinic, location, appt, deps.now(), undefined, 'Appointment'),
      summary: `Appointment at ${location.name}`,
    };
    return finish(job, clinic, patient.email, parts, {
      method: appt.status === 'cancelled' ? 'CANCEL' : 'PUBLISH',
      content: appointmentIcs(event),
    });
  }

  /** Enrolment and password-reset links for staff; the token is rebuilt from the row id (see staff/users.ts). */
  async function staffLink(job: OutboxJob, clinic: Clinic): Promise<OutgoingMail | null> {
    const token = authLinkToken(deps.secret, job.ref_id);
    const row = await deps.db
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .select(['users.email', 'users.name', 'auth_tokens.used_at', 'auth_tokens.expires_at'])
      .where('auth_tokens.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.used_at !== null || row.expires_at <= deps.now()) return null;
    const firstName = row.name.split(' ')[0] ?? '';
    const enrol = job.kind === 'staff_enrolment';
    const url = `${deps.publicUrl}/staff/${enrol ? 'welcome' : 'reset'}/${token}`;
    const lines = enrol
      ? [
          `An account has been created for you in ${clinic.name}'s Relief workspace. Choose your password with the link below (valid 72 hours, works once); next you will set up two-step sign-in with an authenticator app.`,
          'Set up my account',
        ]
      : [
          'Someone, hopefully you, asked to reset your staff password. The link below is valid for one hour and works once. You will still need your verification code to sign in. If you did not ask for this, tell your administrator.',
          'Choose a new password',
        ];
    return finish(job, clinic, row.email, {
      subject: enrol ? `Your ${clinic.name} staff account` : `Reset your ${clinic.name} staff password`,
      preheader: enrol ? 'Set up your staff account.' : 'A link to choose a new password, valid for one hour.',
      body: (
        <Fragment>
          <p>Hello {firstName},</p>
          <p>{lines[0]}</p>
          <EmailButton accent={clinic.brand.accent} href={url}>
            {lines[1]}
          </EmailButton>
        </Fragment>
      ),
      text: `Hello ${firstName},\n\n${lines[0]}\n\n${url}`,
    });
  }

  async function waitlistOffer(job: OutboxJob, clinic: Clinic): Promise<OutgoingMail | null> {
    const offer = await findOffer(deps.db, job.ref_id);
    if (!offer || offer.status !== 'waiting' || offer.accepted_at !== null || offer.expires_at <= deps.now())
      return null;
    const [request, location] = await Promise.all([
      findRequest(deps.db, offer.request_id),
      findLocation(deps.db, offer.location_id),
    ]);
    if (!request || !location) return null;
    const url = `${deps.publicUrl}/waitlist/offer/${deps.tokens.sign({ purpose: 'offer', ref: offer.id, location: location.id, expiresAt: offer.expires_at })}`;
    const when = `${formatDateTime(offer.slot_start, location.time_zone)} (${zoneName(location.time_zone, offer.slot_start)})`;
    return finish(job, clinic, request.email, {
      subject: `A consultation time opened up at ${location.name}`,
      preheader: `${when}: the first to accept gets it.`,
      body: (
        <Fragment>
          <p>Hello {request.first_name},</p>
          <p>
            A consultation time has opened up at {location.name}: {when}. We offered it to a few people on the waitlist;
            the first to accept gets it.
          </p>
          <EmailButton accent={clinic.brand.accent} href={url}>
            See and book this time
          </EmailButton>
        </Fragment>
      ),
      text: `Hello ${request.first_name},\n\nA consultation time has opened up at ${location.name}: ${when}. The first person on the waitlist to accept gets it:\n\n${url}`,
    });
  }

  return async function render(job: OutboxJob): Promise<OutgoingMail | null> {
    const clinic = await getClinic(deps.db);
    if (!clinic) throw new Error('clinic is not set up');
    if (job.kind === 'booking_link') return bookingLink(job, clinic);
    if (job.kind === 'staff_password_reset' || job.kind === 'staff_enrolment') return staffLink(job, clinic);
    if (job.kind === 'waitlist_offer') return waitlistOffer(job, clinic);
    return appointmentMail(job, clinic);
  };
}

function appointmentParts(
  kind: string,
  firstName: string,
  when: string,
  location: Location,
  manageUrl: string,
  clinic: Clinic,
  changeable: boolean,
): Parts | null {
  const until = untilCutoff(clinic.cancelCutoffMin);
  const call = `Your visit is too close to change online now. To change or cancel, please call ${location.name} at ${location.phone}.`;
  const changeText = changeable ? `Need to change plans? Reschedule or cancel online ${until}: ${manageUrl}` : call;
  const details = <VisitDetails when={when} location={location} />;
  const whereText = `When: ${when}\nWhere: ${location.name}, ${location.address_line}, ${location.city}, ${location.region} ${location.postal_code}\nPhone: ${location.phone}`;
  // Emails can be read by others: the visit is described without the person's condition or treatment.
  const expectLine =
    'please arrive 10 minutes early with a photo ID, your insurance card if you have one, and a list of your medicines. ' +
    'The visit is a conversation with a physician; no treatment is given at it.';
  const expect = (
    <p>
      <strong>What to expect:</strong> {expectLine}
    </p>
  );
  const expectText = `What to expect: ${expectLine}`;
  const manage = changeable ? (
    <Fragment>
      <EmailButton accent={clinic.brand.accent} href={manageUrl}>
        Manage my booking
      </EmailButton>
      <p>You can reschedule or cancel online {until}. A calendar invitation is attached.</p>
    </Fragment>
  ) : (
    <p>{call} A calendar invitation is attached.</p>
  );
  switch (kind) {
    case 'booking_confirmed':
      return {
        subject: `Your consultation at ${location.name} is booked`,
        preheader: `See you ${when}.`,
        body: (
          <Fragment>
            <p>Hello {firstName},</p>
            <p>Your consultation is booked.</p>
            {details}
            {expect}
            {manage}
          </Fragment>
        ),
        text: `Hello ${firstName},\n\nYour consultation is booked.\n\n${whereText}\n\n${expectText}\n\n${changeText}`,
      };
    case 'booking_rescheduled':
      return {
        subject: `New time for your consultation at ${location.name}`,
        preheader: `Your consultation is now ${when}.`,
        body: (
          <Fragment>
            <p>Hello {firstName},</p>
            <p>Your consultation has been moved. This is the new time:</p>
            {details}
            {manage}
          </Fragment>
        ),
        text: `Hello ${firstName},\n\nYour consultation has been moved. The new time:\n\n${whereText}\n\n${changeText}`,
      };
    case 'booking_cancelled':
      return {
        subject: `Your consultation at ${location.name} is cancelled`,
        preheader: 'Your consultation has been cancelled.',
        body: (
          <Fragment>
            <p>Hello {firstName},</p>
            <p>
              Your consultation on {when} has been cancelled. If you would like another time, you can book one with your
              link:
            </p>
            <EmailButton accent={clinic.brand.accent} href={manageUrl}>
              Book a new time
            </EmailButton>
          </Fragment>
        ),
        text: `Hello ${firstName},\n\nYour consultation on ${when} has been cancelled. If you would like another time, you can book one here:\n\n${manageUrl}`,
      };
    case 'appointment_reminder':
      return {
        subject: `Reminder: your consultation at ${location.name}`,
        preheader: `Your consultation is ${when}.`,
        body: (
          <Fragment>
            <p>Hello {firstName},</p>
            <p>This is a reminder of your upcoming consultation.</p>
            {details}
            {expect}
            {manage}
          </Fragment>
        ),
        text: `Hello ${firstName},\n\nA reminder of your upcoming consultation.\n\n${whereText}\n\n${expectText}\n\n${changeText}`,
      };
    default:
      return null;
  }
}
