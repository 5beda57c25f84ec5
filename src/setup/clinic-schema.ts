import { z } from 'zod';
import type { Clinic } from '../kernel/clinic.ts';
import { ACCENT_FORMAT_MESSAGE, accentProblem } from '../kernel/ui/brand/palette.ts';
import { phone, plain, whole, type Values } from './forms.ts';

const reminders = z
  .string({ error: 'Enter the reminder times.' })
  .trim()
  .transform((text, ctx) => {
    if (text === '') return [];
    const parts = text.split(',').map((p) => p.trim());
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (parts.some((p) => !/^\d{1,4}$/.test(p))) return fail('Write whole hours separated by commas, like 48, 2.');
    const hours = parts.map(Number);
    if (hours.some((n) => n < 1 || n > 336)) return fail('Each reminder must be from 1 to 336 hours before the visit.');
    if (new Set(hours).size !== hours.length) return fail('List each reminder time once.');
    if (hours.length > 5) return fail('Send at most 5 reminders.');
    return hours.sort((a, b) => b - a).map((n) => n * 60);
  });

/** '#rrggbb' (any case), then readable wherever it is used: see src/kernel/ui/brand/palette.ts for the places and ratios. */
const accent = z
  .string({ error: 'Enter the accent color.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter the accent color.')
  .regex(/^#[0-9a-f]{6}$/, ACCENT_FORMAT_MESSAGE)
  .superRefine((value, ctx) => {
    const problem = accentProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const clinicForm = z.object({
  name: plain('clinic name', 2, 100),
  tagline: plain('tagline', 2, 120),
  accent,
  phone,
  email: z
    .string({ error: 'Enter the clinic email address.' })
    .trim()
    .toLowerCase()
    .max(254, 'Use at most 254 characters.')
    .pipe(z.email('Enter an email address like hello@clinic.org.')),
  reminders,
  cancel_cutoff: whole('cancellation cutoff', 0, 168, 'hours'),
  horizon: whole('booking horizon', 7, 180, 'days'),
  link_days: whole('booking-link lifetime', 1, 60, 'days'),
});
export type ClinicInput = z.infer<typeof clinicForm>;

const hoursText = (minutes: number) => String(Math.round((minutes / 60) * 100) / 100);

/** The saved settings as form values. */
export const clinicValues = (c: Clinic): Values => ({
  name: c.name,
  tagline: c.tagline,
  accent: c.brand.accent,
  phone: c.phone,
  email: c.email,
  reminders: c.reminderOffsetsMin.map(hoursText).join(', '),
  cancel_cutoff: hoursText(c.cancelCutoffMin),
  horizon: String(c.bookingHorizonDays),
  link_days: String(c.bookingLinkDays),
});
