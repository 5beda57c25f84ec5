import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';
import { vtimezone } from '../kernel/time/vtimezone.ts';

/**
 * Calendar files (.ics, RFC 5545) attached to booking confirmations, reschedules and cancellations.
 * The file carries no personal data: no attendees, only what the caller puts in the free-text fields.
 */
export interface CalendarEvent {
  /** Stable per appointment, e.g. `${appointmentId}@relief`. */
  uid: string;
  /** Bump on every reschedule/cancel so clients replace the earlier copy. */
  sequence: number;
  method: 'PUBLISH' | 'CANCEL';
  /** Epoch ms. */
  start: number;
  end: number;
  /** Location IANA zone: DTSTART/DTEND carry TZID=<zone> and the calendar includes its VTIMEZONE. */
  zone: string;
  summary: string;
  description: string;
  location: string;
  organizerName: string;
  organizerEmail: string;
  url?: string;
  /** DTSTAMP, epoch ms. */
  now: number;
}

const PROD_ID = { company: 'Relief', product: 'Relief Booking', language: 'EN' } as const;
const MINUTE = 60_000;

/**
 * The .ics text for one appointment: CRLF line endings, lines folded at 75 octets, UTF-8.
 *
 * DTSTART/DTEND are written as `;TZID=<zone>:<local time>` with the zone's VTIMEZONE, except when the
 * local wall time is the *second* occurrence of a repeated hour (fall-back day): RFC 5545 §3.3.5 says
 * such a local time means the first occurrence, so it cannot name the instant, and both are then
 * written in UTC (`...Z`), which every client reads unambiguously.
 */
export function appointmentIcs(e: CalendarEvent): string {
  if (!Number.isFinite(e.start) || !Number.isFinite(e.end) || !Number.isFinite(e.now)) {
    throw new RangeError('appointmentIcs: start, end and now must be finite epoch ms');
  }
  if (e.end <= e.start) throw new RangeError('appointmentIcs: end must be after start');
  if (!Number.isSafeInteger(e.sequence) || e.sequence < 0) {
    throw new RangeError('appointmentIcs: sequence must be a non-negative integer');
  }
  // IANAZone.create is cached per name (validity checked once); IANAZone.isValidZone costs a new Intl formatter a call.
  if (typeof e.zone !== 'string' || e.zone === '' || !IANAZone.create(e.zone).isValid) {
    throw new RangeError(`appointmentIcs: invalid IANA zone ${JSON.stringify(e.zone)}`);
  }
  const uid = cleanText(e.uid).trim();
  if (!uid) throw new RangeError('appointmentIcs: uid is empty');
  const email = e.organizerEmail.trim();
  if (!/^[^\s@;,:"<>\\()[\]]+@[^\s@;,:"<>\\()[\]]+$/.test(email)) {
    throw new RangeError('appointmentIcs: organizerEmail is not a plain address');
  }
  const url = e.url === undefined || e.url === '' ? null : uriValue(e.url);

  const zone = IANAZone.create(e.zone);
  // A zone-local time can only be written with TZID when it names the instant (see above).
  const useTzid = !isRepeatedWallTime(zone, e.start) && !isRepeatedWallTime(zone, e.end);

  const cal = ical({
    prodId: PROD_ID,
    method: e.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
    // No calendar-level zone name: with one, ical-generator 10 writes DTSTAMP as a floating local
    // time (RFC 5545 requires UTC), does not put TZID on DTSTART/DTEND (they become floating) and
    // adds the non-standard TIMEZONE-ID. The zone is set on the event instead; the generator still
    // runs for every TZID the events use.
    timezone: { name: null, generator: (tz) => vtimezone(tz, e.start) },
  });

  cal.createEvent({
    id: uid,
    sequence: e.sequence,
    stamp: DateTime.fromMillis(e.now, { zone: 'utc' }),
    start: DateTime.fromMillis(e.start, { zone }),
    end: DateTime.fromMillis(e.end, { zone }),
    timezone: useTzid ? e.zone : null,
    summary: cleanText(e.summary),
    description: cleanText(e.description),
    location: cleanText(e.location),
    organizer: { name: paramText(e.organizerName) || email, email },
    url,
    status: e.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });

  // RFC 5545: every content line, the last included, ends with CRLF; ical-generator omits the final one.
  return cal.toString() + '\r\n';
}

/**
 * True when `instant`'s wall time in `zone` also occurred earlier (the second pass through a
 * fall-back hour). Offsets come from Luxon; candidates are the offsets in force around the instant.
 */
function isRepeatedWallTime(zone: IANAZone, instant: number): boolean {
  const current = zone.offset(instant);
  const nearby = new Set<number>();
  for (const h of [-48, -24, -12, -6, -3, -1, 1, 3, 6, 12, 24, 48]) nearby.add(zone.offset(instant + h * 60 * MINUTE));
  for (const other of nearby) {
    if (other === current) continue;
    // The instant at which the same wall time would be read under `other`.
    const candidate = instant + (current - other) * MINUTE;
    if (candidate < instant && zone.offset(candidate) === other) return true;
  }
  return false;
}

/** TEXT values: drop control characters RFC 5545 forbids (keeps TAB and line breaks, which get escaped). */
function cleanText(s: string): string {
  return String(s).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

/**
 * Parameter values (ORGANIZER;CN="...") cannot contain DQUOTE or control characters and have no
 * backslash escaping, while ical-generator backslash-escapes `\` and `"` inside them; replace those.
 */
function paramText(s: string): string {
  return String(s)
    .replace(/[\u0000-\u001F\u007F]+/g, ' ')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * URI values are not TEXT and must not be backslash-escaped, but ical-generator escapes `,` and `;`
 * in URL; percent-encode them so nothing is left to escape.
 */
function uriValue(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new RangeError('appointmentIcs: url is not an absolute URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new RangeError('appointmentIcs: url must be http(s)');
  return u.href.replace(/,/g, '%2C').replace(/;/g, '%3B');
}
