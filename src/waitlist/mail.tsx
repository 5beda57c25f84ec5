import { h, Fragment } from '../kernel/ui/jsx.ts';
import { greeting } from '../kernel/ui/text.ts';
import { findLocation } from '../kernel/clinic.ts';
import { EmailButton } from '../kernel/outbox/email-frame.tsx';
import type { MailTemplate, MailTemplates } from '../kernel/outbox/templates.tsx';
import { formatDateTime, zoneName } from '../kernel/time/format.ts';
import { findRequest } from '../requests/service.ts';
import { findOffer } from './repository.ts';

declare module '../kernel/outbox/outbox.ts' {
  interface JobKinds {
    /** ref: a waitlist offer. */
    waitlist_offer: true;
  }
}

/** A freed time offered to a few people on the waitlist; sent only while the offer is open. */
const waitlistOffer: MailTemplate = async (job, { db, clinic, now, publicUrl, tokens }) => {
  const offer = await findOffer(db, job.ref_id);
  if (!offer || offer.status !== 'waiting' || offer.accepted_at !== null || offer.expires_at <= now()) return null;
  const [request, location] = await Promise.all([
    findRequest(db, offer.request_id),
    findLocation(db, offer.location_id),
  ]);
  if (!request || !location) return null;
  const url = `${publicUrl}/waitlist/offer/${tokens.sign({ purpose: 'offer', ref: offer.id, location: location.id, expiresAt: offer.expires_at })}`;
  const when = `${formatDateTime(offer.slot_start, location.time_zone)} (${zoneName(location.time_zone, offer.slot_start)})`;
  return {
    to: request.email,
    subject: `A consultation time opened up at ${location.name}`,
    preheader: `${when}: the first to accept gets it.`,
    body: (
      <Fragment>
        <p>{greeting(request.first_name)}</p>
        <p>
          A consultation time has opened up at {location.name}: {when}. We offered it to a few people on the waitlist;
          the first to accept gets it.
        </p>
        <EmailButton accent={clinic.brand.accent} href={url}>
          See and book this time
        </EmailButton>
      </Fragment>
    ),
    text: `${greeting(request.first_name)}\n\nA consultation time has opened up at ${location.name}: ${when}. The first person on the waitlist to accept gets it:\n\n${url}`,
    reason: 'This message was sent because you asked us about a consultation.',
  };
};

export const waitlistEmails = { waitlist_offer: waitlistOffer } satisfies MailTemplates;
