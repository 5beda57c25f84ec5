/**
 * The one place where wall-clock times (a local date and time in a location's IANA zone) and instants (epoch ms,
 * UTC) meet: slots, the calendar and set-up all convert through here. Pure: no I/O, no clock reads.
 *
 * Local → instant follows one rule: a local time on a date becomes the first instant at which the clock shows that
 * time or later. So a repeated time (fall back) is its first occurrence, and a skipped one (spring forward) is the
 * moment the gap ends. The rule is monotone, so disjoint hours stay disjoint, and a clinic that "closes at 02:30" on
 * a night when 02:00–03:00 is skipped closes when the clock reaches 03:00. Where a skipped time must be refused
 * instead (a time typed by a person), the exact* functions return undefined. Luxon alone would pick a repeated
 * time's occurrence by the offset in force on the machine's own today, so results would depend on when code runs.
 *
 * Callers then step in elapsed time from such instants: a skipped hour has no calendar rows or slots, and a
 * repeated hour has two sets, each labelled with its own offset, never two at one instant.
 */
import { DateTime, IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const DAY_MIN = 1440;

/** Days as 'YYYY-MM-DD' that exist. */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

export function zoneOf(zone: string): IANAZone {
  const z = IANAZone.create(zone);
  if (!z.isValid) throw new RangeError(`Unknown time zone: ${zone}`);
  return z;
}

/**
 * The rule, for `naive`: a wall time read as if it were a UTC instant. Zones never change offset twice within a
 * day, so the offsets a day either side are the only candidates.
 */
function firstInstantShowing(z: IANAZone, naive: number): number {
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

/** Local midnight of a 'YYYY-MM-DD' read as if it were UTC. */
const naiveMidnight = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d);
};

/** The instant for `minute` (0..1440, fractions allowed) past local midnight of `day` in `zone`, by the rule above. */
export function wallInstant(zone: string, day: string, minute: number): number {
  return firstInstantShowing(zoneOf(zone), naiveMidnight(day) + minute * MINUTE);
}

/**
 * The instant of `minute` (0..1440) past local midnight of `day`, or undefined when the clocks skip that time that
 * day. 1440 is the end of the day: the next day's start, by the rule.
 */
export function exactWallMinute(zone: string, day: string, minute: number): number | undefined {
  if (minute === DAY_MIN) return wallInstant(zone, addDays(day, 1), 0);
  if (!(minute >= 0 && minute < DAY_MIN)) return undefined;
  const instant = wallInstant(zone, day, minute);
  const back = wallClockAt(instant, zone);
  return back.date === day && back.minute === minute ? instant : undefined;
}

/** The instant of a local date and 'HH:MM', or undefined when that time does not exist that day (clocks go forward). */
export function exactWallInstant(zone: string, day: string, time: string): number | undefined {
  const [hh, mm] = time.split(':').map(Number);
  if (!(hh! >= 0 && hh! < 24 && mm! >= 0 && mm! < 60)) return undefined;
  return exactWallMinute(zone, day, hh! * 60 + mm!);
}

/** What a clock in `zone` shows at an instant: its local date, ISO weekday (1 = Monday) and minutes past midnight. */
export interface WallClock {
  date: string;
  weekday: number;
  /** Minutes since local midnight, with seconds and milliseconds as fractions. */
  minute: number;
}

export function wallClockAt(instant: number, zone: string): WallClock {
  const local = DateTime.fromMillis(instant, { zone: zoneOf(zone) });
  return {
    date: local.toISODate()!,
    weekday: local.weekday,
    minute: local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000,
  };
}

/** The local date at an instant. */
export function today(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).toISODate()!;
}

/** [start, end) of a local day as instants. */
export function dayBounds(zone: string, day: string): { start: number; end: number } {
  return { start: wallInstant(zone, day, 0), end: wallInstant(zone, addDays(day, 1), 0) };
}

// ---- Dates without a zone: calendar arithmetic on 'YYYY-MM-DD' ----

/** ISO weekday (1 = Monday) of a date. */
export function weekdayOf(day: string): number {
  return DateTime.fromISO(day, { zone: 'UTC' }).weekday;
}

export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
}

/** The same date `n` years on; 29 February becomes 28 February in a year without one. */
export function addYears(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ years: n }).toISODate()!;
}

/** Monday of the week containing `day`. */
export function weekStart(day: string): string {
  return addDays(day, 1 - weekdayOf(day));
}

/** A local calendar day that places its wall-clock minutes [0, 1440] as instants, by the rule. */
export interface LocalDay {
  date: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  at: (minute: number) => number;
}

/** Calendar arithmetic on epoch day numbers is zone-free; only the mapping to instants needs the zone. */
function civil(epochDay: number) {
  const d = new Date(epochDay * DAY_MS);
  return { weekday: d.getUTCDay() || 7, date: d.toISOString().slice(0, 10) };
}

/** Local calendar days from the one containing `lo` to the one containing `hi`, in order. */
export function localDays(zone: string, lo: number, hi: number): LocalDay[] {
  const z = zoneOf(zone);
  const first = DateTime.fromMillis(lo, { zone: z });
  const last = DateTime.fromMillis(hi, { zone: z });
  /** The rule for `minute` past the local midnight of `epochDay` (milliseconds rounded, as stored times are). */
  const exact = (epochDay: number, minute: number) =>
    firstInstantShowing(z, epochDay * DAY_MS + Math.round(minute * MINUTE));

  const firstDay = Date.UTC(first.year, first.month - 1, first.day) / DAY_MS;
  const lastDay = Date.UTC(last.year, last.month - 1, last.day) / DAY_MS;
  const days: LocalDay[] = [];
  let midnight = exact(firstDay, 0);
  let offset = z.offset(midnight);
  let clean = z.offset(midnight - 1) === offset; // false when this midnight is a transition
  for (let epochDay = firstDay; epochDay <= lastDay; epochDay++) {
    // A conversion costs microseconds, too slow for every boundary of an 8-week window. A day with the same offset
    // at both midnights and no transition at its own midnight has no transition at all (zones never change twice
    // within a day), so its wall-clock minutes are elapsed minutes from its midnight. Only transition days (two or
    // three a year) convert each boundary by the rule.
    const start = midnight;
    const nextOffset = z.offset(start + DAY_MS);
    const regular = clean && nextOffset === offset;
    const next = regular ? start + DAY_MS : exact(epochDay + 1, 0);
    const { weekday, date } = civil(epochDay);
    const at = regular ? (m: number) => start + m * MINUTE : (m: number) => (m >= DAY_MIN ? next : exact(epochDay, m));
    days.push({ date, weekday, at });
    midnight = next;
    offset = regular ? nextOffset : z.offset(next);
    clean = regular || z.offset(next - 1) === offset;
  }
  return days;
}
