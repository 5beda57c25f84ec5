import { h, Fragment } from '../kernel/ui/jsx.ts';
import { greeting, greetingName } from '../kernel/ui/text.ts';
import { findLocation } from '../kernel/clinic.ts';
import { EmailButton } from '../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../kernel/outbox/templates.tsx';
import { bookingUrl } from './links.ts';
import { findRequest } from './repository.ts';

declare module '../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: a consultation request. */
    booking_link: true;
    /** ref: "<staff user id> <consultation request id>": the patient cancelled their consultation online. */
    lead_cancelled: true;
  }
}

const DAY = 24 * 3_600_000;

/** The booking link sent when someone asks for a consultation (first name only, nothing of why they asked). */
const bookingLink: MailTemplate = async (job, ctx) => {
  const { db, clinic, now } = ctx;
  const request = await findRequest(db, job.ref_id);
  if (!request) return null;
  const location = await findLocation(db, request.location_id);
  if (!location) return null;
  const url = bookingUrl(ctx, request.id, location.id, now() + clinic.bookingLinkDays * DAY);
  return {
    to: request.email,
    subject: `Book your consultation with ${clinic.name}`,
    preheader: 'Choose a consultation time online. It takes a minute.',
    body: (
      <Fragment>
        <p>{greeting(request.first_name)}</p>
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
      `${greeting(request.first_name)}\n\nThank you for contacting us. Choose a consultation time online; your visit is booked as soon as you pick a time:\n\n${url}\n\n` +
      `The link opens the times at ${location.name}; you can switch location there. It is private to you and stays valid for ${clinic.bookingLinkDays} days.\n\n` +
      'If you did not ask us for a consultation, you can ignore this email.',
    reason: 'This message was sent because you asked us about a consultation.',
  };
};

/**
 * Tells the lead's owner (else the location's front desk) that the patient cancelled online, so someone calls them.
 * Only the first name and a link to the lead: not the reason, the time or anything else about the person. Dropped when
 * the recipient's account is disabled, or when the lead is no longer cancelled (rebooked or closed) by send time.
 */
const leadCancelled: MailTemplate = async (job, { db, clinic, publicUrl }) => {
  const [userId, requestId] = job.ref_id.split(' ');
  if (!userId || !requestId) return null;
  const [to, request] = await Promise.all([
    db
      .selectFrom('users')
      .select(['email', 'name'])
      .where('id', '=', userId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst(),
    findRequest(db, requestId),
  ]);
  if (!to || request?.status !== 'cancelled') return null;
  const who = greetingName(request.first_name) ?? 'A patient';
  const url = `${publicUrl}/staff/leads/${request.id}`;
  const line = `${who} cancelled their consultation online. The lead is marked "Cancelled by the patient"; you may want to call them to find another time.`;
  const first = to.name.split(' ')[0];
  return {
    to: to.email,
    subject: `${who} cancelled their consultation`,
    preheader: 'A consultation was cancelled online. Open the lead to follow up.',
    body: (
      <Fragment>
        <p>{greeting(first)}</p>
        <p>{line}</p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          Open the lead
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(first)}\n\n${line}\n\n${url}`,
    reason: `This message was sent because you work this lead in ${clinic.name}'s Relief workspace.`,
  };
};

export const requestEmails = { booking_link: bookingLink, lead_cancelled: leadCancelled } satisfies MailTemplates;
