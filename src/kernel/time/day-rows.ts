/**
 * The rows of a calendar day: every 15 minutes of elapsed time from the opening instant, so a skipped hour (spring
 * forward) has no rows and a repeated hour (fall back) has two sets, each labelled with its own offset. Pure.
 */
import { DateTime } from 'luxon';
import { dayBounds, wallInstant, zoneOf } from './wall-clock.ts';

const MINUTE = 60_000;
export const ROW_MIN = 15;

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
