import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

/**
 * RFC 5545 VTIMEZONE components built from Luxon's (i.e. the runtime's Intl/ICU) zone rules.
 *
 * Used as ical-generator's `timezone.generator`: it is called with a TZID and must return the
 * VTIMEZONE text (or null to leave it out). ical-generator normalises the line endings, trims the
 * string and appends CRLF itself, then folds the whole calendar, so the result here is CRLF-joined
 * lines without a trailing CRLF and without folding.
 */

const MINUTE = 60_000;
/** Scan step when looking for offset changes. Real zones never change offset twice within a day. */
const STEP = 24 * 60 * MINUTE;
/** TZNAME is informational; prefer a real abbreviation ("BST", "AEDT", "IST") over "GMT+1". */
const NAME_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ', 'en-CA', 'en-IE', 'en-ZA'] as const;
const NUMERIC_NAME = /^(?:GMT|UTC)[+\-\u2212]/;

interface Transition {
  /** First instant (epoch ms, whole minute) at which the new offset applies. */
  at: number;
  /** Offsets in minutes east of UTC, as Luxon reports them. */
  from: number;
  to: number;
}

/**
 * VTIMEZONE for the IANA `zone` with one STANDARD/DAYLIGHT sub-component per offset change from one
 * year before to two years after `around` (epoch ms); a single STANDARD for a zone with no change in
 * that window (e.g. America/Phoenix, Asia/Kolkata). Returns null when `zone` is not a valid IANA zone.
 */
export function vtimezone(zone: string, around: number): string | null {
  if (!Number.isFinite(around)) throw new RangeError(`vtimezone: 'around' must be a finite epoch ms, got ${around}`);
  if (typeof zone !== 'string' || zone === '' || !IANAZone.isValidZone(zone)) return null;
  const tz = IANAZone.create(zone);
  if (!tz.isValid) return null;

  const anchor = DateTime.fromMillis(around, { zone: 'utc' });
  const from = Math.floor(anchor.minus({ years: 1 }).toMillis() / MINUTE) * MINUTE;
  const to = Math.ceil(anchor.plus({ years: 2 }).toMillis() / MINUTE) * MINUTE;
  const transitions = findTransitions(tz, from, to);

  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  if (transitions.length === 0) {
    const offset = tz.offset(from);
    lines.push(
      'BEGIN:STANDARD',
      `DTSTART:${localStamp(from, offset)}`,
      `TZOFFSETFROM:${formatOffset(offset)}`,
      `TZOFFSETTO:${formatOffset(offset)}`,
      `TZNAME:${escapeText(shortName(tz, from))}`,
      'END:STANDARD',
    );
  } else {
    for (const t of transitions) {
      const kind = DateTime.fromMillis(t.at, { zone: tz }).isInDST ? 'DAYLIGHT' : 'STANDARD';
      lines.push(
        `BEGIN:${kind}`,
        // RFC 5545 3.6.5: the onset is local time in the offset in effect *before* the change.
        `DTSTART:${localStamp(t.at, t.from)}`,
        `TZOFFSETFROM:${formatOffset(t.from)}`,
        `TZOFFSETTO:${formatOffset(t.to)}`,
        `TZNAME:${escapeText(shortName(tz, t.at))}`,
        `END:${kind}`,
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/** Offset changes in [from, to], found by scanning and then bisecting down to the minute. */
function findTransitions(tz: IANAZone, from: number, to: number): Transition[] {
  const out: Transition[] = [];
  let lo = from;
  let off = tz.offset(lo);
  while (lo < to) {
    const hi = Math.min(lo + STEP, to);
    const offHi = tz.offset(hi);
    if (offHi === off) {
      lo = hi;
      continue;
    }
    // Invariant: offset(a) === off, offset(b) !== off. Find the first minute with a different offset.
    let a = lo / MINUTE;
    let b = hi / MINUTE;
    while (b - a > 1) {
      const m = Math.floor((a + b) / 2);
      if (tz.offset(m * MINUTE) === off) a = m;
      else b = m;
    }
    const at = b * MINUTE;
    const next = tz.offset(at);
    out.push({ at, from: off, to: next });
    // Continue from the change itself so a second change inside the same step is not skipped.
    lo = at;
    off = next;
  }
  return out;
}

/** Wall-clock time of `instant` at a fixed `offset` (minutes), as an RFC 5545 local DATE-TIME. */
function localStamp(instant: number, offset: number): string {
  return DateTime.fromMillis(instant, { zone: FixedOffsetZone.instance(offset) }).toFormat("yyyyLLdd'T'HHmmss");
}

/** RFC 5545 utc-offset: +hhmm[ss]; zero is "+0000" ("-0000" is not allowed). */
function formatOffset(minutes: number): string {
  const totalSeconds = Math.round(minutes * 60);
  const sign = totalSeconds < 0 ? '-' : '+';
  const abs = Math.abs(totalSeconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60;
  return `${sign}${hh}${mm}${ss ? String(ss).padStart(2, '0') : ''}`;
}

function shortName(tz: IANAZone, instant: number): string {
  let fallback: string | null = null;
  for (const locale of NAME_LOCALES) {
    const name = tz.offsetName(instant, { format: 'short', locale });
    if (!name) continue;
    if (!NUMERIC_NAME.test(name)) return name;
    fallback ??= name;
  }
  return fallback ?? formatOffset(tz.offset(instant));
}

function escapeText(s: string): string {
  return s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}
