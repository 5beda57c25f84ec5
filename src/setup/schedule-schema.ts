import type { Refusal } from '../kernel/refusal.ts';
import { exactWallMinute } from '../kernel/time/wall-clock.ts';
import {
  errorsOf,
  invalidForm,
  isDay,
  parseClock,
  parseWeek,
  plain,
  WEEKDAY_NUMBERS,
  type Errors,
  type Values,
  type WeekWords,
} from './forms.ts';
import type { ClinicianHours } from './repository.ts';

export const SCHEDULE_WORDS: WeekWords = { off: 'Not working', from: 'start', to: 'end' };

/** Week-form field prefix for one location on a provider's schedule. */
export const schedulePrefix = (locationId: string) => `${locationId}-`;

/** One week of hours per location, read from the schedule form; every wrong day gets a message naming its place. */
export function parseSchedule(
  values: Values,
  locations: Array<{ id: string; name: string }>,
): { rows: ClinicianHours[]; errors: Errors } {
  const rows: ClinicianHours[] = [];
  const errors: Errors = {};
  for (const l of locations) {
    const parsed = parseWeek(values, schedulePrefix(l.id), SCHEDULE_WORDS, l.name);
    Object.assign(errors, parsed.errors);
    for (const wd of WEEKDAY_NUMBERS) {
      const span = parsed.week[wd];
      if (span) rows.push({ location_id: l.id, weekday: wd, from_min: span.from, to_min: span.to });
    }
  }
  return { rows, errors };
}

const DAY_MS = 86_400_000;
const reasonField = plain('note', 0, 100);

/**
 * A date and time typed on the time-off form as an instant, in the zone of the location chosen; 24:00 is the end
 * of the day. The time module's rule for typed times (src/kernel/time/wall-clock.ts): a repeated time is its first
 * occurrence, a skipped one is refused (undefined).
 */
export const localInstant = (date: string, minutes: number, zone: string): number | undefined =>
  exactWallMinute(zone, date, minutes);

export type TimeOffInput = { start: number; end: number; reason: string; locationId: string };

/** The time-off form: from and to as local date and time in the chosen location's zone, and an optional note. */
export function parseTimeOff(
  values: Values,
  locations: Array<{ id: string; time_zone: string }>,
  now: number,
): TimeOffInput | Refusal {
  const errors: Errors = {};
  const location = locations.find((l) => l.id === values.location);
  if (!location) errors.location = 'Choose the location whose local time you are using.';
  const instant = (dateKey: string, timeKey: string, label: string) => {
    const date = (values[dateKey] ?? '').trim();
    const minutes = parseClock(values[timeKey], timeKey === 'end_time');
    if (!isDay(date))
      errors[dateKey] = `Write the ${label} date as YYYY-MM-DD, e.g. 2026-03-10, and use a day that exists.`;
    if (minutes === undefined) errors[timeKey] = `Write the ${label} time as HH:MM in 24-hour time, e.g. 08:00.`;
    if (!location || errors[dateKey] || minutes === undefined) return undefined;
    const at = localInstant(date, minutes, location.time_zone);
    if (at === undefined)
      errors[timeKey] =
        `That time does not exist on ${date} in ${location.time_zone} (the clocks go forward). Choose another time.`;
    return at;
  };
  const start = instant('start_date', 'start_time', 'start');
  const end = instant('end_date', 'end_time', 'end');
  const reason = reasonField.safeParse(values.reason ?? '');
  if (!reason.success) errors.reason = errorsOf(reason.error).form ?? 'Check the note.';
  if (start !== undefined && end !== undefined) {
    if (end <= start) errors.end_time = 'The end must be after the start.';
    else if (end <= now) errors.end_date = 'This time off has already ended.';
    else if (end - start > 366 * DAY_MS) errors.end_date = 'Add time off of at most a year at a time.';
  }
  if (Object.keys(errors).length || start === undefined || end === undefined || !location || !reason.success)
    return invalidForm(errors);
  return { start, end, reason: reason.data, locationId: location.id };
}
