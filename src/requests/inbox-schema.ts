import { DateTime } from 'luxon';
import { z } from 'zod';
import { LEAD_STATUSES, NOTE_KINDS } from '../kernel/ui/labels.ts';

// The role group and the words for stored values live in the kernel, shared with other features' pages.
export { LEAD_ROLES } from '../kernel/http/policy.ts';
export { LEAD_STATUSES, NOTE_KINDS };
export type LeadStatus = keyof typeof LEAD_STATUSES;

/**
 * Statuses staff may set by hand: 'booked' is set by booking (and undone by cancelling) only, 'cancelled' when the
 * patient cancels online (staff then move it on by hand, or a new booking does).
 */
export const MANUAL_STATUSES = ['new', 'contacted', 'not_candidate', 'closed'] as const;
/** Statuses that may replace 'booked' by hand (the lead is finished; the appointment is left alone). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['not_candidate', 'closed']);

export type NoteKind = keyof typeof NOTE_KINDS;

export const OWNER_FILTERS = { anyone: 'Anyone', me: 'Me', unassigned: 'Unassigned' } as const;
/** The inbox's booking-link filter: every lead, or those whose link could not be delivered (a call to make). */
export const LINK_FILTERS = { any: 'Any', undelivered: 'Not delivered' } as const;

export const LEADS_PAGE_SIZE = 50;
export const NOTE_MAX = 2000;
export const DEFAULT_PERIOD_DAYS = 30;

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const leadId = z.uuid();

/** A calendar day, YYYY-MM-DD, that exists. */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

const day = z.preprocess(blank, z.string().trim().refine(isDay, 'Dates look like 2026-03-10.').optional());

export const listQuery = z.object({
  location: z.preprocess(
    blank,
    z.string({ error: 'Choose a location from the list.' }).max(64, 'Choose a location from the list.').optional(),
  ),
  status: z.preprocess(blank, z.enum(keys(LEAD_STATUSES), { error: 'Choose a status from the list.' }).optional()),
  owner: z.preprocess(
    blank,
    z.enum(keys(OWNER_FILTERS), { error: 'Choose an owner from the list.' }).default('anyone'),
  ),
  link: z.preprocess(
    blank,
    z.enum(keys(LINK_FILTERS), { error: 'Choose a booking link filter from the list.' }).default('any'),
  ),
  from: day,
  to: day,
  page: z.preprocess(
    blank,
    z.coerce.number({ error: 'Pages are numbered 1, 2, 3…' }).int().min(1).max(10_000).default(1),
  ),
  /** When the first page was read: later pages list requests received up to then (see the inbox). */
  upto: z.preprocess(blank, z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()),
});
export type ListQuery = z.infer<typeof listQuery>;

export const statusForm = z.object({
  status: z
    .string({ error: 'Choose a status from the list.' })
    .refine((v) => v !== 'booked', 'Booked is set when a consultation is booked; it cannot be chosen by hand.')
    .refine(
      (v) => v !== 'cancelled',
      'Cancelled by the patient is set when a patient cancels online; it cannot be chosen by hand.',
    )
    .pipe(z.enum(MANUAL_STATUSES, { error: 'Choose a status from the list.' })),
});

export const ownerForm = z.object({
  owner: z
    .string({ error: 'Choose someone from the list.' })
    .refine((v) => v === '' || leadId.safeParse(v).success, 'Choose someone from the list.'),
});

/** "Mark as contacted by phone": which undelivered booking link was followed up. */
export const phoneContactForm = z.object({
  message: z.uuid({ error: 'That booking link could not be found. Reload the page and try again.' }),
});

export const noteForm = z.object({
  kind: z.enum(keys(NOTE_KINDS), { error: 'Choose what kind of entry this is.' }),
  body: z
    .string({ error: 'Write the note.' })
    .trim()
    .min(1, 'Write the note.')
    .max(NOTE_MAX, `Keep the note to ${NOTE_MAX.toLocaleString('en-US')} characters or fewer.`),
});

export type FormErrors = Partial<Record<'status' | 'owner' | 'kind' | 'body' | 'resend' | 'phone' | 'message', string>>;
export type FormValues = Partial<Record<'status' | 'owner' | 'kind' | 'body', string>>;

/** The first message per field of a failed parse. */
export function formErrors(error: z.ZodError): FormErrors {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? 'form')] ??= issue.message;
  return out;
}

/** Only the string fields of a posted form, cut to a sane length, to show again after an error. */
export function typedValues(body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: FormValues = {};
  for (const key of ['status', 'owner', 'kind', 'body'] as const) {
    const v = b[key];
    if (typeof v === 'string') out[key] = v.slice(0, NOTE_MAX * 2);
  }
  return out;
}

/** The reporting period: the days given, or the last 30 days ending today in `zone`. */
export function period(q: Pick<ListQuery, 'from' | 'to'>, now: number, zone: string): { from: string; to: string } {
  const today = DateTime.fromMillis(now, { zone });
  const to = q.to ?? today.toISODate()!;
  const from =
    q.from ??
    DateTime.fromISO(to, { zone })
      .minus({ days: DEFAULT_PERIOD_DAYS - 1 })
      .toISODate()!;
  return { from, to };
}

/** [start, end) in epoch ms of the days from..to (both included) in `zone`. */
export function periodBounds(p: { from: string; to: string }, zone: string): { start: number; end: number } {
  const start = DateTime.fromISO(p.from, { zone }).startOf('day').toMillis();
  const end = DateTime.fromISO(p.to, { zone }).startOf('day').plus({ days: 1 }).toMillis();
  return { start, end };
}
