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
  // Luxon caches IANAZone.create per name (validity checked once), while IANAZone.isValidZone builds a new
  // Intl.DateTimeFormat on every call, which costs about a millisecond.
  if (typeof zone !== 'string' || zone === '') return null;
  const tz = IANAZone.create(zone);
  if (!tz.isValid) return null;

  const anchor = DateTime.fromMillis(around, { zone: 'utc' });
  const from = Math.floor(anchor.minus({ years: 1 }).toMillis() / MINUTE) * MINUTE;
  const to = Math.ceil(anchor.plus({ years: 2 }).toMillis() / MINUTE) * MINUTE;

  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  let changes = 0;
  // The offset changes in (from, to], from the per-year cache (see changesInYear).
  for (let year = utcYear(from); year <= utcYear(to); year++) {
    for (const change of changesInYear(tz, year)) {
      if (change.at <= from || change.at > to) continue;
      lines.push(...change.lines);
      changes++;
    }
  }
  if (changes === 0) {
    const offset = tz.offset(from);
    lines.push(
      'BEGIN:STANDARD',
      `DTSTART:${localStamp(from, offset)}`,
      `TZOFFSETFROM:${formatOffset(offset)}`,
      `TZOFFSETTO:${formatOffset(offset)}`,
      `TZNAME:${escapeText(shortName(tz, from))}`,
      'END:STANDARD',
    );
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/** One offset change and its rendered STANDARD/DAYLIGHT sub-component. */
interface RenderedChange {
  at: number;
  lines: readonly string[];
}

/**
 * Every .ics of a booking needs its zone's VTIMEZONE, and scanning three years of offsets for it cost tens of
 * milliseconds of CPU per file (about a thousand Intl look-ups), which the confirmation email of each booking spent
 * on the server's one thread. A zone's changes in a year are a pure function of (zone, year) and the runtime's tz data,
 * so they are found and rendered once and kept: a bounded map (a clinic uses a handful of zones, a file four years).
 */
const YEAR_CACHE_LIMIT = 256;
const yearCache = new Map<string, readonly RenderedChange[]>();

/** The offset changes of `tz` with instants in (1 Jan `year`, 1 Jan `year + 1`] UTC, rendered. */
function changesInYear(tz: IANAZone, year: number): readonly RenderedChange[] {
  const key = `${tz.name}\n${year}`;
  const cached = yearCache.get(key);
  if (cached) return cached;
  const changes = findTransitions(tz, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1)).map((t) => {
    const kind = DateTime.fromMillis(t.at, { zone: tz }).isInDST ? 'DAYLIGHT' : 'STANDARD';
    return {
      at: t.at,
      lines: [
        `BEGIN:${kind}`,
        // RFC 5545 3.6.5: the onset is local time in the offset in effect *before* the change.
        `DTSTART:${localStamp(t.at, t.from)}`,
        `TZOFFSETFROM:${formatOffset(t.from)}`,
        `TZOFFSETTO:${formatOffset(t.to)}`,
        `TZNAME:${escapeText(shortName(tz, t.at))}`,
        `END:${kind}`,
      ],
    };
  });
  if (yearCache.size >= YEAR_CACHE_LIMIT) yearCache.delete(yearCache.keys().next().value!);
  yearCache.set(key, changes);
  return changes;
}

function utcYear(instant: number): number {
  return new Date(instant).getUTCFullYear();
}

/** Offset changes in (from, to], found by scanning and then bisecting down to the minute. */
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
