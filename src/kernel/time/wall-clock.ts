/**
 * Wall-clock arithmetic for the calendar, in the location's zone, by the slot engine's rule (src/scheduling/slots.ts):
 * a local time on a date becomes the first instant at which the clock shows that time or later. A repeated time
 * (fall back) is its first occurrence; a skipped one (spring forward) is the moment the gap ends. Rows are then
 * stepped in elapsed time from the opening instant, so a skipped hour has no rows and a repeated hour has two sets,
 * each labelled with its own offset.
 */
import { DateTime, IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
export const ROW_MIN = 15;

/** Days as 'YYYY-MM-DD' that exist. */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

export function zoneOf(zone: string): IANAZone {
  const z = IANAZone.create(zone);
  if (!z.isValid) throw new RangeError(`Unknown time zone: ${zone}`);
  return z;
}

/** The instant for `minute` (0..1440) past local midnight of `day` in `zone`, by the rule above. */
export function wallInstant(zone: string, day: string, minute: number): number {
  const z = zoneOf(zone);
  const [y, m, d] = day.split('-').map(Number);
  const naive = Date.UTC(y!, m! - 1, d) + minute * MINUTE; // the wall time read as if it were UTC
  const offsets = [...new Set([z.offset(naive - DAY_MS), z.offset(naive), z.offset(naive + DAY_MS)])];
  const valid = offsets.map((o) => naive - o * MINUTE).filter((t) => z.offset(t) * MINUTE === naive - t);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: the first instant whose local clock reads `naive` or later (the clock is monotone across a gap).
  let lo = naive - Math.max(...offsets) * MINUTE,
    hi = naive - Math.min(...offsets) * MINUTE;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + z.offset(mid) * MINUTE >= naive) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instant of a local date and 'HH:MM', or undefined when that time does not exist that day (clocks go forward). */
export function exactWallInstant(zone: string, day: string, time: string): number | undefined {
  const [hh, mm] = time.split(':').map(Number);
  const instant = wallInstant(zone, day, hh! * 60 + mm!);
  const back = DateTime.fromMillis(instant, { zone });
  return back.toISODate() === day && back.hour === hh && back.minute === mm ? instant : undefined;
}

/** ISO weekday (1 = Monday) of a date. */
export function weekdayOf(day: string): number {
  return DateTime.fromISO(day, { zone: 'UTC' }).weekday;
}

export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
}

/** Monday of the week containing `day`. */
export function weekStart(day: string): string {
  return addDays(day, 1 - weekdayOf(day));
}

export function today(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).toISODate()!;
}

/** [start, end) of a local day as instants. */
export function dayBounds(zone: string, day: string): { start: number; end: number } {
  return { start: wallInstant(zone, day, 0), end: wallInstant(zone, addDays(day, 1), 0) };
}

export interface Row {
  start: number;
  end: number;
  /** "9:15 AM", with the zone abbreviation on days when the offset changes ("1:00 AM CDT", "1:00 AM CST"). */
  label: string;
  /** Outside every opening span (shown only because an appointment lies there). */
  closed: boolean;
}

/**
 * Rows every 15 minutes of elapsed time over the day's opening hours (minutes past midnight, [from, to)), widened
 * to cover `extra` intervals (appointments outside the hours) so that nothing booked is ever hidden.
 */
export function dayRows(
  zone: string,
  day: string,
  spans: Array<{ from: number; to: number }>,
  extra: Array<{ start: number; end: number }>,
): Row[] {
  const open = spans
    .map((s) => ({ start: wallInstant(zone, day, s.from), end: wallInstant(zone, day, s.to) }))
    .filter((s) => s.start < s.end);
  const bounds = dayBounds(zone, day);
  const step = ROW_MIN * MINUTE;
  const anchor = open.length > 0 ? Math.min(...open.map((s) => s.start)) : bounds.start;
  let first = open.length > 0 ? anchor : Infinity;
  let last = open.length > 0 ? Math.max(...open.map((s) => s.end)) : -Infinity;
  for (const x of extra) {
    first = Math.min(first, Math.max(x.start, bounds.start));
    last = Math.max(last, Math.min(x.end, bounds.end));
  }
  if (!(first < last)) return [];
  first = anchor - Math.ceil((anchor - first) / step) * step;
  const z = zoneOf(zone);
  const changes = z.offset(bounds.start) !== z.offset(bounds.end - 1);
  const rows: Row[] = [];
  for (let t = first; t < last; t += step) {
    const local = DateTime.fromMillis(t, { zone });
    rows.push({
      start: t,
      end: t + step,
      label: local.toFormat(changes ? 'h:mm a ZZZZ' : 'h:mm a'),
      closed: !open.some((s) => t >= s.start && t < s.end),
    });
  }
  return rows;
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
  if (a.offset !== b.offset) return `${a.toFormat('h:mm a ZZZZ')} – ${b.toFormat('h:mm a ZZZZ')}`;
  return spaced
    ? `${a.toFormat('h:mm a')} – ${b.toFormat('h:mm a ZZZZ')}`
    : `${clockLabels(start, zone).short}–${clockLabels(end, zone).full}`;
}
