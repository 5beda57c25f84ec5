import { z } from 'zod';
import { CONTACT_METHODS, REASONS } from '../kernel/ui/labels.ts';

// The words for stored values live in the kernel, shared with the patient's page; re-exported for this feature.
export { CONTACT_METHODS, REASONS };
export const HEARD_FROM = {
  physician: 'My doctor or another clinician',
  search: 'Searching online',
  support_group: 'A CRPS or pain support group',
  friend: 'A friend or family member',
  social: 'Social media',
  other: 'Somewhere else',
} as const;

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const required = (message: string) => z.string({ error: message }).trim().min(1, message);

/**
 * The first name greets the person in the email sent to the address typed in, and anyone can type any address: a
 * name must not carry line breaks (invisible formatting included) or a web address into that email. Markup needs no
 * rule here: pages and emails render every name as text.
 */
const personName = (missing: string) =>
  required(missing)
    .max(80, 'Use at most 80 characters.')
    .refine((name) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name), 'Enter your name on one line.')
    .refine(
      (name) => !/:\/\/|www\.|@|\.\p{L}{2,}/iu.test(name),
      'Enter just your name, without a web or email address.',
    );

/** Only digits and a leading +; US numbers become +1XXXXXXXXXX. */
export function normalizePhone(input: string): string | null {
  const digits = input.replace(/[^\d]/g, '');
  if (/[^\d\s().+-]/.test(input)) return null;
  if (input.trim().startsWith('+')) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return null;
}

/** One schema serves the HTML form, the JSON API and the TypeScript types. */
export const consultationRequestSchema = z.object({
  // The first name is the one the clinic's emails greet with: a name has no digits (a phone number does).
  first_name: personName('Enter your first name.').refine(
    (name) => !/\p{Nd}/u.test(name),
    'Enter your name without digits.',
  ),
  last_name: personName('Enter your last name.'),
  email: required('Enter your email address.')
    .max(254, 'Use at most 254 characters.')
    .pipe(z.email('Enter an email address like name@example.com.'))
    .transform((v) => v.toLowerCase()),
  phone: required('Enter a mobile phone number.')
    .max(32, 'Enter a mobile phone number like (312) 555-0147.')
    .transform((v, ctx) => {
      const normalized = normalizePhone(v);
      if (!normalized) {
        ctx.addIssue({ code: 'custom', message: 'Enter a mobile phone number like (312) 555-0147.' });
        return z.NEVER;
      }
      return normalized;
    }),
  location: required('Choose the location you would like to visit.').max(64, 'Choose a location from the list.'),
  contact_method: z.enum(keys(CONTACT_METHODS), { error: 'Choose how you would like us to contact you.' }),
  reason: z.enum(keys(REASONS), { error: 'Choose what you would like help with.' }),
  heard_from: z
    .union([z.enum(keys(HEARD_FROM)), z.literal('')], { error: 'Choose an answer from the list.' })
    .default(''),
  message: z
    .string({ error: 'Enter your message as text.' })
    .trim()
    .max(2000, 'Keep your message under 2,000 characters.')
    .default(''),
  consent: z.literal(['yes', 'on', true], { error: 'Please agree to be contacted so that we can reply.' }),
  form_key: z
    .string({ error: 'This form is missing its key. Please reload the page and try again.' })
    .regex(/^[A-Za-z0-9_-]{16,64}$/, 'This form is missing its key. Please reload the page and try again.'),
  /** Honeypot: people never see it, form-filling robots fill it in. */
  website: z.string().max(500).optional(),
});

export type ConsultationRequestInput = z.infer<typeof consultationRequestSchema>;
export type FieldErrors = Partial<Record<keyof ConsultationRequestInput, string>>;
/** What was typed into the form (to show it again), or chosen in advance by the link that led to it. */
export type FormValues = Partial<Record<string, string>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}
