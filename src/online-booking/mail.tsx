import { h, Fragment } from '../kernel/ui/jsx.ts';
import { greeting } from '../kernel/ui/text.ts';
import type { Clinic, Location } from '../kernel/clinic.ts';
import { EmailButton, VisitDetails } from '../kernel/outbox/email-frame.tsx';
import type { MailContext, RenderedMail } from '../kernel/outbox/templates.tsx';
import { untilCutoff } from '../kernel/time/format.ts';
import { findRequest } from '../requests/service.ts';
import { changeableAt } from '../scheduling/booking-service.ts';
import { calendarEvent } from '../scheduling/calendar-event.ts';
import { appointmentIcs } from '../scheduling/ics.ts';
import { VISIT_REASON, type VisitMail } from '../scheduling/mail.tsx';
import { manageUrl as manageLink } from './manage-link.ts';

/**
 * The emails about a consultation booked with a requester's link (scheduling's visit templates hand them here):
 * to the address the request gave, with a "Manage my booking" link back to the booking pages and the visit as an
 * .ics. First name only; the visit is described without the person's condition or treatment.
 */
export async function consultationVisitMail(
  { job, appt, location, when }: VisitMail,
  ctx: MailContext,
  requestId: string,
): Promise<RenderedMail | null> {
  const { clinic, now } = ctx;
  const request = await findRequest(ctx.db, requestId);
  if (!request) return null;
  const manageUrl = manageLink(ctx, clinic, request.id, appt, now());
  const ics = {
    method: job.kind === 'booking_cancelled' ? ('CANCEL' as const) : ('PUBLISH' as const),
    content: appointmentIcs(calendarEvent(clinic, location, appt, now(), manageUrl)),
  };
  // Rendered when sent: a reminder two hours ahead is already inside the online cutoff, and says to call instead.
  const changeable = changeableAt(clinic, appt.starts_at, now());
  const parts = consultationParts(job.kind, request.first_name, when, location, manageUrl, clinic, changeable);
  if (!parts) return null;
  return { to: request.email, ...parts, reason: VISIT_REASON, ics };
}

type Parts = Pick<RenderedMail, 'subject' | 'preheader' | 'body' | 'text'>;

function consultationParts(
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
            <p>{greeting(firstName)}</p>
            <p>Your consultation is booked.</p>
            {details}
            {expect}
            {manage}
          </Fragment>
        ),
        text: `${greeting(firstName)}\n\nYour consultation is booked.\n\n${whereText}\n\n${expectText}\n\n${changeText}`,
      };
    case 'booking_rescheduled':
      return {
        subject: `New time for your consultation at ${location.name}`,
        preheader: `Your consultation is now ${when}.`,
        body: (
          <Fragment>
            <p>{greeting(firstName)}</p>
            <p>Your consultation has been moved. This is the new time:</p>
            {details}
            {manage}
          </Fragment>
        ),
        text: `${greeting(firstName)}\n\nYour consultation has been moved. The new time:\n\n${whereText}\n\n${changeText}`,
      };
    case 'booking_cancelled':
      return {
        subject: `Your consultation at ${location.name} is cancelled`,
        preheader: 'Your consultation has been cancelled.',
        body: (
          <Fragment>
            <p>{greeting(firstName)}</p>
            <p>
              Your consultation on {when} has been cancelled. If you would like another time, you can book one with your
              link:
            </p>
            <EmailButton accent={clinic.brand.accent} href={manageUrl}>
              Book a new time
            </EmailButton>
          </Fragment>
        ),
        text: `${greeting(firstName)}\n\nYour consultation on ${when} has been cancelled. If you would like another time, you can book one here:\n\n${manageUrl}`,
      };
    case 'appointment_reminder':
      return {
        subject: `Reminder: your consultation at ${location.name}`,
        preheader: `Your consultation is ${when}.`,
        body: (
          <Fragment>
            <p>{greeting(firstName)}</p>
            <p>This is a reminder of your upcoming consultation.</p>
            {details}
            {expect}
            {manage}
          </Fragment>
        ),
        text: `${greeting(firstName)}\n\nA reminder of your upcoming consultation.\n\n${whereText}\n\n${expectText}\n\n${changeText}`,
      };
    default:
      return null;
  }
}
