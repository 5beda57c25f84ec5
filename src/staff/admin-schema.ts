import { z } from 'zod';
import type { Role } from '../kernel/db/schema.ts';
import { ROLES } from '../kernel/http/policy.ts';

/** The new-account form. Locations are checked against the clinic's by the service. */
export const newUserSchema = z.object({
  name: z
    .string({ error: 'Enter the full name.' })
    .trim()
    .min(2, 'Enter the full name.')
    .max(100, 'Use at most 100 characters.'),
  email: z
    .string({ error: 'Enter a work email.' })
    .trim()
    .toLowerCase()
    .max(254)
    .pipe(z.email('Enter an email address like name@clinic.org.')),
  role: z.enum(ROLES as [Role, ...Role[]], { error: 'Choose a role.' }),
  locations: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});
export type NewAccount = z.infer<typeof newUserSchema>;

/** The first message for each field, keyed by the field's name. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const i of error.issues) errors[String(i.path[0])] ??= i.message;
  return errors;
}

export const userActionParams = z.object({ id: z.uuid(), action: z.enum(['disable', 'enable']) });

/** Session ids in URLs are the stored SHA-256 hex. */
export const sessionParams = z.object({ idHash: z.string().regex(/^[0-9a-f]{64}$/) });

/** The emergency-access form: its reason, trimmed (the service checks its length). */
export const breakGlassReason = z.string().trim().catch('');
