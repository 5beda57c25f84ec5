import { h, Fragment } from '../kernel/ui/jsx.ts';
import { greeting } from '../kernel/ui/text.ts';
import type { Location } from '../kernel/clinic.ts';
import { VisitDetails } from '../kernel/outbox/email-frame.tsx';

export interface VisitParts {
  subject: string;
  preheader: string;
  body: JSX.Element;
  text: string;
}

/**
 * Emails for visits the clinic booked for a known patient (infusions, boosters, follow-ups). They name neither the
 * kind of visit nor the treatment: an email can be read by others, so it says "appointment", the time and the
 * place. There is no self-service link for these visits; changes go through the clinic by phone.
 */
export function visitParts(
  kind: string,
  firstName: string,
  when: string,
  location: Location,
  preparation?: Preparation,
): VisitParts | null {
  const details = <VisitDetails when={when} location={location} />;
  const prep = preparation && preparation.text.trim() ? preparationLines(preparation) : [];
  const call = `To change or cancel, please call ${location.name} at ${location.phone}.`;
  const where = `When: ${when}\nWhere: ${location.name}, ${location.address_line}, ${location.city}, ${location.region} ${location.postal_code}\nPhone: ${location.phone}`;
  const mail = (subject: string, preheader: string, lead: string, withDetails: boolean): VisitParts => ({
    subject,
    preheader,
    body: (
      <Fragment>
        <p>{greeting(firstName)}</p>
        <p>{lead}</p>
        {withDetails ? details : null}
        {withDetails && prep.length > 0 ? (
          <Fragment>
            <p>
              <strong>Before your appointment</strong>
            </p>
            {prep.map((line) => (
              <p>{line}</p>
            ))}
          </Fragment>
        ) : null}
        <p>
          {call}{' '}
          {kind === 'booking_cancelled'
            ? 'A calendar update removing the appointment is attached.'
            : 'A calendar invitation is attached.'}
        </p>
      </Fragment>
    ),
    text: `${greeting(firstName)}\n\n${lead}\n\n${withDetails ? `${where}\n\n` : ''}${withDetails && prep.length > 0 ? `Before your appointment\n${prep.join('\n')}\n\n` : ''}${call}`,
  });
  switch (kind) {
    case 'booking_confirmed':
      return mail(
        `Your appointment at ${location.name} is booked`,
        `See you ${when}.`,
        'Your appointment is booked.',
        true,
      );
    case 'booking_rescheduled':
      return mail(
        `New time for your appointment at ${location.name}`,
        `Your appointment is now ${when}.`,
        'Your appointment has been moved. This is the new time:',
        true,
      );
    case 'booking_cancelled':
      return mail(
        `Your appointment at ${location.name} is cancelled`,
        'Your appointment has been cancelled.',
        `Your appointment on ${when} has been cancelled.`,
        false,
      );
    case 'appointment_reminder':
      return mail(
        `Reminder: your appointment at ${location.name}`,
        `Your appointment is ${when}.`,
        'This is a reminder of your upcoming appointment.',
        true,
      );
    default:
      return null;
  }
}

/** What a visit's type tells the patient beforehand, and how long the visit takes with the time after it. */
export interface Preparation {
  text: string;
  /** The visit and the rest after it, in minutes: said as how long to allow. */
  allowMin: number;
}

/** The clinic's lines as typed (blank lines dropped), then how long to allow, to the half hour above. */
function preparationLines(p: Preparation): string[] {
  const halves = Math.ceil(p.allowMin / 30);
  const hours = Math.floor(halves / 2);
  const half = halves % 2 === 1;
  const span =
    hours === 0 ? 'half an hour' : `${hours}${half ? ' and a half' : ''} hour${hours === 1 && !half ? '' : 's'}`;
  const lines = p.text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return [...lines, `Please allow about ${span} for your visit, including time to rest before you leave.`];
}
