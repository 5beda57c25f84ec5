import { DateTime, IANAZone } from 'luxon';

/**
 * The one place instants become words, so pages, emails and calendar files always agree. Pure: every function is
 * given the instant it describes.
 */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function zoned(instant: number, zone: string): DateTime {
  return DateTime.fromMillis(instant, { zone });
}

const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

/** "Central Time" style long generic name, falling back to the IANA id. */
export function zoneName(zone: string, at: number): string {
  // A formatter costs ~0.3 ms to build and every email about a visit and several pages name the zone: one per zone.
  let format = zoneNameFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longGeneric' });
    if (zoneNameFormats.size >= 100) zoneNameFormats.clear();
    zoneNameFormats.set(zone, format);
  }
  return format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

const zoneAbbreviations = new Map<string, string>();

/**
 * "CST", "CDT": the short name of the zone at this moment. Luxon works it out through Intl on every call, which was a
 * seventh of a clinical page's time (a page shows dozens of times); the name follows from the zone, its offset then
 * and the year, so each is worked out once.
 */
function abbreviation(dt: DateTime): string {
  const key = `${dt.zoneName ?? ''}|${dt.offset}|${dt.year}`;
  let name = zoneAbbreviations.get(key);
  if (name === undefined) {
    name = dt.toFormat('ZZZZ');
    if (zoneAbbreviations.size >= 1000) zoneAbbreviations.clear();
    zoneAbbreviations.set(key, name);
  }
  return name;
}

/** "9:00 AM CST" */
const clockWithZone = (dt: DateTime): string => `${dt.toFormat('h:mm a')} ${abbreviation(dt)}`;

export function formatTime(instant: number, zone: string): string {
  return zoned(instant, zone).toFormat('h:mm a');
}

/** "Tuesday, March 10, 2026" */
export function formatDay(instant: number, zone: string): string {
  return zoned(instant, zone).toFormat('cccc, LLLL d, yyyy');
}

/** "Tuesday, March 10, 2026 at 9:00 AM CDT" */
export function formatDateTime(instant: number, zone: string): string {
  const dt = zoned(instant, zone);
  return `${dt.toFormat('cccc, LLLL d, yyyy')} at ${clockWithZone(dt)}`;
}

/** Minutes since local midnight as "9:00 AM". */
export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  const suffix = h < 12 ? 'AM' : 'PM';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${String(m).padStart(2, '0')} ${suffix}`;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** A self-service cutoff in words: "24 hours", "1 hour", "90 minutes". */
export function cutoffSpan(cutoffMin: number): string {
  if (cutoffMin % 60 === 0) return cutoffMin === 60 ? '1 hour' : `${cutoffMin / 60} hours`;
  return cutoffMin === 1 ? '1 minute' : `${cutoffMin} minutes`;
}

/** "until 24 hours before your visit", or, with no cutoff, "until your visit starts". */
export function untilCutoff(cutoffMin: number): string {
  return cutoffMin <= 0 ? 'until your visit starts' : `until ${cutoffSpan(cutoffMin)} before your visit`;
}

/** "Mar 2, 2026, 9:00 AM CST" in the location's zone. */
export function shortDateTime(instant: number, zone: string): string {
  const dt = zoned(instant, zone);
  return `${dt.toFormat('LLL d, yyyy,')} ${clockWithZone(dt)}`;
}

/** "Tue, Mar 3, 2026, 9:00 AM CST" for a consultation. */
export function consultationTime(instant: number, zone: string): string {
  const dt = zoned(instant, zone);
  return `${dt.toFormat('ccc, LLL d, yyyy,')} ${clockWithZone(dt)}`;
}

const clockCache = new Map<string, { short: string; full: string }>();
/**
 * "9:00" and "9:00 AM" for an instant in a zone. A busy week shows hundreds of appointments that share a few dozen
 * start and end times, and each Luxon conversion costs tens of microseconds, so results are kept (bounded).
 */
export function clockLabels(instant: number, zone: string): { short: string; full: string } {
  const key = `${zone}|${instant}`;
  let hit = clockCache.get(key);
  if (!hit) {
    const local = DateTime.fromMillis(instant, { zone });
    hit = { short: local.toFormat('h:mm'), full: local.toFormat('h:mm a') };
    if (clockCache.size >= 20_000) clockCache.clear();
    clockCache.set(key, hit);
  }
  return hit;
}

/**
 * A visit's times, "9:00–9:45 AM"; across a clock change (a visit in the repeated hour of fall-back, or over the
 * spring-forward gap) both ends carry their own zone, "1:30 AM CDT – 1:15 AM CST", so the start is never read in the
 * end's offset.
 */
export function visitTimes(start: number, end: number, zone: string, spaced = false): string {
  const a = DateTime.fromMillis(start, { zone });
  const b = DateTime.fromMillis(end, { zone });
  if (a.offset !== b.offset) return `${clockWithZone(a)} – ${clockWithZone(b)}`;
  return spaced
    ? `${a.toFormat('h:mm a')} – ${clockWithZone(b)}`
    : `${clockLabels(start, zone).short}–${clockLabels(end, zone).full}`;
}

/**
 * A visit's times written out in full for the calendar, "9:00 AM – 1:00 PM"; across a clock change each end carries
 * its zone, as in visitTimes.
 */
export function timeRange(start: number, end: number, zone: string): string {
  const a = DateTime.fromMillis(start, { zone });
  const b = DateTime.fromMillis(end, { zone });
  if (a.offset !== b.offset) return `${clockWithZone(a)} – ${clockWithZone(b)}`;
  return `${clockLabels(start, zone).full} – ${clockLabels(end, zone).full}`;
}

/**
 * A local date ('YYYY-MM-DD', already in the location's zone) in words: "Tuesday, March 3, 2026" (long), "Tue"
 * (weekday), "March" (monthName), "March 2026" (month). Dates carry no zone, so they are read as they are.
 */
export function formatDate(day: string, style: 'long' | 'weekday' | 'monthName' | 'month' = 'long'): string {
  const date = DateTime.fromISO(day, { zone: 'UTC' });
  const pattern = { long: 'cccc, LLLL d, yyyy', weekday: 'ccc', monthName: 'LLLL', month: 'LLLL yyyy' }[style];
  return date.toFormat(pattern);
}
