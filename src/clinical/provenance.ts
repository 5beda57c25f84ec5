/**
 * Where a clinical default comes from. Every clinical number Relief ships (bands, thresholds, counts, rules) is data
 * with its source beside it, so that a medical director can check it against the publication and an edited copy can
 * say what it departs from. `unverified` marks values that ../shared/clinical-facts.md calls UNVERIFIED or inferred:
 * pages show them as suggestions to confirm, never as settled facts.
 */
import { z } from 'zod';

export interface Provenance {
  /** Changes with any number or wording; stored beside every score, answer set and screening made with it. */
  version: string;
  /** The publication, label or clinic practice the values come from, as a reader can look it up. */
  source: string;
  /** True where the values have not been confirmed against their source. */
  unverified?: boolean;
}

/** The provenance fields of an edited definition, each refused with a message naming it. */
export const provenanceShape = {
  version: z
    .string({ error: 'version: give the version as text' })
    .trim()
    .min(1, 'version: give a version, so that results made with it can be told apart')
    .max(40, 'version: at most 40 characters'),
  source: z
    .string({ error: 'source: give the source as text' })
    .trim()
    .min(1, 'source: name where the values come from (a publication, a label or clinic practice)')
    .max(1000, 'source: at most 1,000 characters'),
  unverified: z.boolean({ error: 'unverified: true or false' }).optional(),
};

/** The texts shown to people: trimmed, never empty, bounded. */
export function text(field: string, max = 500) {
  return z
    .string({ error: `${field}: give it as text` })
    .trim()
    .min(1, `${field}: must not be empty`)
    .max(max, `${field}: at most ${max} characters`);
}

/** Keys stored in the database and named in rules: lower-case words joined by underscores. */
export function key(field: string) {
  return z
    .string({ error: `${field}: give it as text` })
    .regex(/^[a-z][a-z0-9_]{0,39}$/, `${field}: lower-case letters, digits and underscores, starting with a letter`);
}
