import type { Tokens } from '../kernel/tokens.ts';

/**
 * A requester's private booking link (online booking's /book pages): signed, bound to the request and a location,
 * expiring. Sent in the booking-link email and, as "Manage my booking", in the emails about the visit booked with it.
 */
export function bookingUrl(
  link: { publicUrl: string; tokens: Tokens },
  requestId: string,
  locationId: string,
  expiresAt: number,
): string {
  return `${link.publicUrl}/book/${link.tokens.sign({ purpose: 'book', ref: requestId, location: locationId, expiresAt })}`;
}
