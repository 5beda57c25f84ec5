import { z } from 'zod';
import { safeNext } from './sign-in-rules.ts';

/**
 * The sign-in forms as zod schemas. Every field is text cut to a length, and missing or non-text values read as
 * empty: a hostile body gets the same answer as an empty form, never an error page.
 */

/** Per address: sign-in steps and password links, and (stricter, as each may send mail) reset requests. */
export const SIGN_IN_LIMIT = { max: 20, timeWindow: 15 * 60_000 };
export const FORGOT_LIMIT = { max: 5, timeWindow: 15 * 60_000 };

const text = (max = 1024) =>
  z
    .string()
    .catch('')
    .transform((v) => v.slice(0, max));
const email = text(254).transform((v) => v.trim().toLowerCase());
const next = text(300).transform(safeNext);

export const csrfField = z.object({ _csrf: text(100) });
export const signInForm = z.object({ email, password: text(1024), next });
export const codeForm = z.object({ code: text(40).transform((v) => v.trim()), next });
export const enrolForm = z.object({ code: text(40) });
export const passwordForm = z.object({ password: text(), confirm: text() });
export const forgotForm = z.object({ email });
export const signInQuery = z.object({ next: z.unknown().optional().transform(safeNext), reason: z.string().catch('') });
export const linkParams = z.object({ token: z.string().max(100) });

/** Parses a form body; a body that is not an object (none, an array, a string) reads as an empty form. */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  return schema.parse(body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {});
}
