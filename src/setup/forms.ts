import { z } from 'zod';
import { Refusal } from '../kernel/refusal.ts';
import { isValidZone, WEEKDAYS } from '../kernel/time/format.ts';
import { isDay } from '../kernel/time/wall-clock.ts';

export { isDay };

/** Form values as typed (strings), to show again after a refusal; and messages per field. */
export type { Errors, Values } from '../kernel/ui/form.tsx';
import type { Errors, Values } from '../kernel/ui/form.tsx';

export function valuesOf(body: unknown): Values {
  const out: Values = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === '_csrf') continue;
      const first: unknown = Array.isArray(value) ? value[0] : value;
      out[key] = typeof first === 'string' ? first.slice(0, 500) : '';
    }
  }
  return out;
}

/** A form that does not pass: the page shows it again with each field's message. */
export const invalidForm = (errors: Errors) =>
  new Refusal('invalid_request', 'Some of the information entered is not valid.', errors);

/** The first message per field (path joined with dots). */
export function errorsOf(error: z.ZodError): Errors {
  const out: Errors = {};
  for (const issue of error.issues) out[issue.path.map(String).join('.') || 'form'] ??= issue.message;
  return out;
}

/** Markup characters and control characters have no place in names, addresses or reasons. */
// Markup signs, control characters, and invisible format characters such as U+202E, which reverses how the rest
// of a line reads (a clinic name shown in every email and page must read as typed).
const UNSAFE = /[<>\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
export const PLAIN_MESSAGE =
  'Use plain text only: no < or > signs. No invisible or direction-changing characters either.';

export const plain = (label: string, min: number, max: number) =>
  z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(min, min <= 1 ? `Enter the ${label}.` : `Enter the ${label} (at least ${min} characters).`)
    .max(max, `Use at most ${max} characters.`)
    .refine((v) => !UNSAFE.test(v), PLAIN_MESSAGE);

export const phone = z
  .string({ error: 'Enter a phone number.' })
  .trim()
  .regex(/^\+?[0-9 ().-]{7,25}$/, 'Enter a phone number like (312) 555-0140.')
  .refine((v) => (v.match(/\d/g) ?? []).length >= 7, 'Enter a phone number like (312) 555-0140.');

/** A whole number typed into a text box, within bounds, with the bounds in the message. */
export const whole = (label: string, min: number, max: number, unit: string) =>
  z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(1, `Enter the ${label}.`)
    .regex(/^\d{1,7}$/, `Enter the ${label} as a whole number of ${unit}.`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `The ${label} must be from ${min} to ${max} ${unit}.`);

/** Minutes that must sit on the 5-minute grid the database enforces. */
export const fiveMinutes = (label: string, min: number, max: number) =>
  whole(label, min, max, 'minutes').refine(
    (n) => n % 5 === 0,
    `The ${label} must be a multiple of 5 minutes (for example 30 or 45).`,
  );

export const checkbox = z
  .preprocess((v: unknown): unknown => (Array.isArray(v) ? v[0] : v), z.string().optional())
  .transform((v) => v === 'yes');

/** 'HH:MM' (24-hour; ':00' seconds tolerated) to minutes since midnight; '24:00' only when allowed. */
export function parseClock(value: string | undefined, allowMidnightEnd = false): number | undefined {
  const m = /^(\d{2}):(\d{2})(?::00)?$/.exec((value ?? '').trim());
  if (!m) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && allowMidnightEnd) return 1440;
  return hours <= 23 ? hours * 60 + minutes : undefined;
}

export const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The IANA name in its canonical spelling ('america/chicago' → 'America/Chicago'), or undefined if unknown. */
export function canonicalZone(value: string): string | undefined {
  const zone = value.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone) || !isValidZone(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface DaySpan {
  from: number;
  to: number;
}
/** ISO weekday 1..7 → hours of that day, or null when closed / not working. */
export type Week = Record<number, DaySpan | null>;
export const WEEKDAY_NUMBERS = [1, 2, 3, 4, 5, 6, 7] as const;

export interface WeekWords {
  /** The checkbox that means "no hours this day", e.g. 'Closed' or 'Not working'. */
  off: string;
  from: string;
  to: string;
}

/** Field names of one weekday in a week form: `${prefix}d${weekday}-off|from|to`; errors are keyed `${prefix}d${weekday}`. */
export const dayKey = (prefix: string, weekday: number) => `${prefix}d${weekday}`;

/** Reads one week of hours (one span per day) from form values; every wrong day gets a message naming it (and `where`). */
export function parseWeek(
  values: Values,
  prefix: string,
  words: WeekWords,
  where?: string,
): { week: Week; errors: Errors } {
  const week: Week = {};
  const errors: Errors = {};
  for (const wd of WEEKDAY_NUMBERS) {
    const key = dayKey(prefix, wd);
    if (values[`${key}-off`] === 'yes') {
      week[wd] = null;
      continue;
    }
    const rawFrom = (values[`${key}-from`] ?? '').trim();
    const rawTo = (values[`${key}-to`] ?? '').trim();
    const from = parseClock(rawFrom);
    const to = parseClock(rawTo, true);
    week[wd] = null;
    if (!rawFrom && !rawTo) errors[key] = `Enter the ${words.from} and ${words.to} times, or tick ${words.off}.`;
    else if (from === undefined) errors[key] = `Enter the ${words.from} time as HH:MM in 24-hour time, like 08:30.`;
    else if (to === undefined) errors[key] = `Enter the ${words.to} time as HH:MM in 24-hour time, like 17:00.`;
    else if (from % 5 !== 0 || to % 5 !== 0) errors[key] = 'Use times on 5-minute marks, like 08:30 or 13:05.';
    else if (to <= from) errors[key] = `The ${words.to} time must be after the ${words.from} time.`;
    else week[wd] = { from, to };
    if (errors[key]) errors[key] = `${where ? `${where}, ` : ''}${WEEKDAYS[wd - 1]}: ${errors[key]}`;
  }
  return { week, errors };
}

/** Form values showing a week from the database (first span of each day). */
export function weekValues(prefix: string, spans: Array<{ weekday: number; from: number; to: number }>): Values {
  const out: Values = {};
  for (const wd of WEEKDAY_NUMBERS) {
    const key = dayKey(prefix, wd);
    const span = spans.filter((s) => s.weekday === wd).sort((a, b) => a.from - b.from)[0];
    if (span) {
      out[`${key}-from`] = clock(span.from);
      out[`${key}-to`] = clock(span.to);
    } else out[`${key}-off`] = 'yes';
  }
  return out;
}

/** Ids in paths and forms: anything else is not ours and cannot be found. */
export const isId = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
