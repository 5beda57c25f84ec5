import { z } from 'zod';
import type { Role } from '../kernel/db/schema.ts';
import { isDay } from '../kernel/time/wall-clock.ts';
import { STAFF_TIME_STEP_MIN } from '../scheduling/grid.ts';

/** Everyone sees the calendar and may mark arrivals and no-shows (nurses receive patients in the infusion suite). */
export const CALENDAR_ROLES: readonly Role[] = ['admin', 'front_desk', 'nurse', 'provider'];
// The role group and the words for stored values live in the kernel, shared with the patient's page.
export { SCHEDULING_ROLES } from '../kernel/http/policy.ts';
export { ATTENDANCE_LABELS, STATUS_LABELS } from '../kernel/ui/labels.ts';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const day = (message: string) => z.string({ error: message }).trim().refine(isDay, message);
export { STAFF_TIME_STEP_MIN };

const clock = z
  .string({ error: 'Enter a time like 09:30.' })
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a time like 09:30.')
  .refine(
    (t) => Number(t.slice(3)) % STAFF_TIME_STEP_MIN === 0,
    `Use minutes in steps of ${STAFF_TIME_STEP_MIN}, like 09:30 or 09:35.`,
  );

export const calendarQuery = z.object({
  location: z.preprocess(blank, z.string().max(64, 'Choose a location from the list.').optional()),
  view: z.preprocess(blank, z.enum(['day', 'week'], { error: 'Choose the day or week view.' }).default('day')),
  date: z.preprocess(blank, day('Dates look like 2026-03-10.').optional()),
  cancelled: z.preprocess(
    blank,
    z.enum(['show', 'hide'], { error: 'Show or hide cancelled appointments.' }).default('hide'),
  ),
});
export type CalendarQuery = z.infer<typeof calendarQuery>;

export const appointmentId = z.uuid();

export const attendanceForm = z.object({
  attendance: z.enum(['arrived', 'no_show', 'none'], { error: 'Choose arrived, no-show or not marked.' }),
});

export const rescheduleForm = z.object({
  date: day('Enter the new date like 2026-03-10.'),
  time: clock,
});

/** "Any" lets a staff booking take the first free provider, as online booking does. */
export const ANY_PROVIDER = 'any';
/** "Any" (or nothing) for a nurse or a chair or room: the first free one. */
const anyOne = (v: unknown) => (v === ANY_PROVIDER ? undefined : blank(v));

/** What both staff booking forms ask: where, with whom (a provider's id or "any"), and when. */
const staffBookingFields = {
  location: z.string({ error: 'Choose a location.' }).max(64, 'Choose a location.'),
  provider: z
    .string({ error: 'Choose a provider.' })
    .min(1, 'Choose a provider.')
    .max(64, 'Choose a provider.')
    .default(ANY_PROVIDER),
  date: day('Enter the date like 2026-03-10.'),
  time: clock,
  // A nurse or a chair or room chosen on the form (or from the calendar's column); blank is "any free one".
  nurse: z.preprocess(anyOne, z.string({ error: 'Choose a nurse.' }).max(64, 'Choose a nurse.').optional()),
  room: z.preprocess(
    anyOne,
    z.string({ error: 'Choose a chair or room.' }).max(64, 'Choose a chair or room.').optional(),
  ),
};

/**
 * What a calendar cell links to a booking form with: its time, location and column (a provider, a nurse, or a chair
 * or room). Each is checked again against the location when the form is shown and when it is posted.
 */
export const bookPrefill = z.object({
  location: z.preprocess(blank, z.string().max(64, 'Choose a location from the list.').optional()),
  date: z.preprocess(blank, day('Enter the date like 2026-03-10.').optional()),
  time: z.preprocess(blank, clock.optional()),
  provider: z.preprocess(blank, z.string().max(64, 'Choose a provider from the list.').optional()),
  nurse: z.preprocess(blank, z.string().max(64, 'Choose a nurse from the list.').optional()),
  room: z.preprocess(blank, z.string().max(64, 'Choose a chair or room from the list.').optional()),
  /** From a lead's page: its request, chosen in the list when it is one of the location's open requests. */
  request: z.preprocess(blank, z.string().max(64, 'Choose a consultation request from the list.').optional()),
});
export type BookPrefill = z.infer<typeof bookPrefill>;

/** A patient search from the calendar's booking page (as on the patients page). */
export const patientSearch = z.object({
  q: z.string().trim().max(100).default(''),
});

/** A consultation for a request (from the leads inbox or the calendar). */
export const bookForm = z.object({
  ...staffBookingFields,
  request: z.uuid({ error: 'Choose a consultation request from the list.' }),
});

/** Any kind of appointment for a known patient (from the patient's page). */
export const patientBookForm = z.object({
  ...staffBookingFields,
  // A type's short name; whether it exists and is still offered is the service's question.
  type: z
    .string({ error: 'Choose the kind of appointment.' })
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Choose the kind of appointment.')
    .max(40, 'Choose the kind of appointment.'),
});

export type FormErrors = Record<string, string>;

export function formErrors(error: z.ZodError): FormErrors {
  const out: FormErrors = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? 'form')] ??= issue.message;
  return out;
}

/** The posted string fields, cut short, to show again after a refusal. */
export function typedValues(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ['location', 'request', 'type', 'provider', 'nurse', 'room', 'date', 'time']) {
    const v = b[key];
    if (typeof v === 'string') out[key] = v.slice(0, 100);
  }
  return out;
}
