/**
 * The report's filters as typed in the address: a protocol (its code) or all, a location or all of this person's,
 * and a period of whole days. Each bad value is named by its field, for a 400 that says what to change.
 */
import { addYears, isDay, today } from '../../kernel/time/wall-clock.ts';

export const MAX_PERIOD_YEARS = 5;

export interface ReportFilters {
  /** A protocol's code, or null for every protocol. */
  protocol: string | null;
  /** A location's id, or null for every location this person works at. */
  locationId: string | null;
  from: string;
  to: string;
}

/** What was typed, to show back in the form (strings, bounded). */
export type RawFilters = Partial<Record<'protocol' | 'location' | 'from' | 'to', string>>;

const str = (v: unknown, max = 64) => (typeof v === 'string' ? v.trim().slice(0, max) : undefined);

export function rawFilters(query: unknown): RawFilters {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: RawFilters = {};
  for (const key of ['protocol', 'location', 'from', 'to'] as const) {
    const v = str(q[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * The filters, or the fields that are wrong. An absent period is the last 12 months to today in `zone`; the end may
 * not be before the start, nor more than five years after it.
 */
export function parseFilters(
  raw: RawFilters,
  known: { protocols: readonly string[]; locations: readonly string[] },
  now: number,
  zone: string,
): { ok: true; filters: ReportFilters } | { ok: false; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const protocol = raw.protocol ? raw.protocol : null;
  if (protocol !== null && !known.protocols.includes(protocol)) fields.protocol = 'Choose a protocol from the list.';
  const locationId = raw.location ? raw.location : null;
  if (locationId !== null && !known.locations.includes(locationId))
    fields.location = 'Choose one of your locations from the list.';
  const end = raw.to || today(now, zone);
  const start = raw.from || addYears(end, -1);
  if (!isDay(start)) fields.from = 'Give the start as a date (YYYY-MM-DD).';
  if (!isDay(end)) fields.to = 'Give the end as a date (YYYY-MM-DD).';
  if (!fields.from && !fields.to) {
    if (end < start) fields.to = 'The end is before the start: choose an end on or after the start.';
    else if (end > addYears(start, MAX_PERIOD_YEARS))
      fields.to = `The period is longer than ${MAX_PERIOD_YEARS} years: choose an end at most ${MAX_PERIOD_YEARS} years after the start.`;
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, filters: { protocol, locationId, from: start, to: end } };
}
