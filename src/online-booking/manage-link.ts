import type { Clinic } from '../kernel/clinic.ts';
import type { Tokens } from '../kernel/tokens.ts';
import { bookingUrl } from '../requests/service.ts';

const DAY = 24 * 3_600_000;

/**
 * The "Manage my booking" link of a booked consultation, as the emails and the web page's calendar file carry it.
 * It lives until a week after the visit (at least the clinic's usual link lifetime), because a visit booked weeks
 * ahead outlives the booking link it was made with, and a calendar entry is opened long after it was saved.
 */
export function manageUrl(
  links: { publicUrl: string; tokens: Tokens },
  clinic: Clinic,
  requestId: string,
  appt: { location_id: string; ends_at: number },
  now: number,
): string {
  const expiresAt = Math.max(appt.ends_at + 7 * DAY, now + clinic.bookingLinkDays * DAY);
  return bookingUrl(links, requestId, appt.location_id, expiresAt);
}
