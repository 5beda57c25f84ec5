import { z } from 'zod';
import { MAX_DETAIL_STRING } from '../kernel/audit/audit.ts';

/** The viewer's query string: filters, page, and the newest event the first page showed. */

export const MAX_PAGE = 10_000;

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = (max: number) => z.preprocess(blank, z.string().trim().max(max, `At most ${max} characters.`).optional());

/** The instant a UTC day (2026-03-10) starts, in epoch milliseconds; undefined for a date that does not exist. */
export function dayStart(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : undefined;
}

const utcDay = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates look like 2026-03-10.')
    .refine((v) => dayStart(v) !== undefined, 'That date does not exist.')
    .optional(),
);

export const auditQuery = z.object({
  person: text(MAX_DETAIL_STRING),
  patient_ref: text(100),
  action: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .max(64)
      .regex(/^[a-z0-9_.-]+$/i, 'Actions look like lead.view or sign_in.')
      .transform((v) => v.toLowerCase())
      .optional(),
  ),
  from: utcDay,
  to: utcDay,
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(MAX_PAGE).optional()),
  /** The newest event the first page showed: later pages read the trail as it stood then (see the viewer). */
  upto: z.preprocess(blank, z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** The filters as the form shows them (absent ones undefined); dates are UTC days like 2026-03-10. */
export interface AuditFilterValues {
  person?: string | undefined;
  patient_ref?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export function filterValues(q: AuditQuery): AuditFilterValues {
  return { person: q.person, patient_ref: q.patient_ref, action: q.action, from: q.from, to: q.to };
}

export const PATIENT_SEARCH_MIN = 2;

/**
 * The patient search beside the filters: posted, not put in the address, since a name is patient data (as on the
 * patients page); the filters already chosen come along as hidden fields, so a match keeps them.
 */
export const auditPatientSearch = auditQuery.omit({ page: true, upto: true }).extend({
  q: z
    .string({ error: 'Enter a name, email address or phone number.' })
    .trim()
    .min(
      PATIENT_SEARCH_MIN,
      `Enter at least ${PATIENT_SEARCH_MIN} characters of a name, email address or phone number.`,
    )
    .max(100, 'Use at most 100 characters.'),
});
