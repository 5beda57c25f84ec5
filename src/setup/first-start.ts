import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Engine } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { clinicForm } from './clinic-schema.ts';
import { CLINIC_DEFAULTS, DEFAULT_TYPES } from './defaults.ts';
import { canonicalZone, plain } from './forms.ts';
import { parseLocation, type LocationInput } from './location-schema.ts';
import { insertAppointmentType, insertClinic, insertLocation } from './repository.ts';

/**
 * A real clinic's first start (`relief init`): the clinic, its first location, and the default appointment types
 * if the person accepts them. The same rules as the set-up pages check every value (the pages' own schemas), so
 * init cannot store what an administrator could not type there.
 */

/** The answers, by the command's option names (without the dashes). */
export interface FirstStartAnswers {
  'clinic-name'?: string | undefined;
  'clinic-email'?: string | undefined;
  tagline?: string | undefined;
  'location-name'?: string | undefined;
  'location-slug'?: string | undefined;
  timezone?: string | undefined;
  address?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  zip?: string | undefined;
  phone?: string | undefined;
  'admin-email'?: string | undefined;
  'admin-name'?: string | undefined;
}
export type FirstStartField = keyof FirstStartAnswers;

export interface FirstStart {
  clinic: { name: string; tagline: string; phone: string; email: string };
  location: LocationInput;
  admin: { name: string; email: string };
}

/** Each set-up page field, and the option that answers it. */
const LOCATION_FIELDS: Record<string, FirstStartField> = {
  name: 'location-name',
  slug: 'location-slug',
  address_line: 'address',
  city: 'city',
  region: 'state',
  postal_code: 'zip',
  phone: 'phone',
  time_zone: 'timezone',
  directions_url: 'address',
};

export const DEFAULT_TAGLINE = 'Ketamine infusion therapy';

const clinicPart = clinicForm.pick({ name: true, tagline: true, email: true });
const adminPart = z.object({
  name: plain('full name', 2, 100),
  email: z
    .string({ error: 'Enter a work email.' })
    .trim()
    .toLowerCase()
    .max(254, 'Use at most 254 characters.')
    .pipe(z.email('Enter an email address like name@clinic.org.')),
});

/** "River North" → river-north: the location's short name in addresses, unless one is given. */
export const slugOf = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');

function parsedLocation(a: FirstStartAnswers) {
  const address = [a.address, a.city, a.state, a.zip].map((p) => (p ?? '').trim()).join(', ');
  return parseLocation({
    name: a['location-name'],
    slug: a['location-slug'] ?? slugOf(a['location-name'] ?? ''),
    address_line: a.address,
    city: a.city,
    region: a.state,
    postal_code: a.zip,
    phone: a.phone,
    time_zone: a.timezone,
    // Patients get a map link with every confirmation; an administrator can put the clinic's own later.
    directions_url: `https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`,
  });
}

/** The answers checked; or each wrong answer's message, keyed by its option. */
export function parseFirstStart(
  a: FirstStartAnswers,
): { ok: true; value: FirstStart } | { ok: false; errors: Partial<Record<FirstStartField, string>> } {
  const errors: Partial<Record<FirstStartField, string>> = {};
  const clinic = clinicPart.safeParse({
    name: a['clinic-name'],
    tagline: a.tagline ?? DEFAULT_TAGLINE,
    email: a['clinic-email'] ?? a['admin-email'],
  });
  if (!clinic.success)
    for (const issue of clinic.error.issues) {
      const key = ({ name: 'clinic-name', tagline: 'tagline', email: 'clinic-email' } as const)[
        issue.path[0] as 'name' | 'tagline' | 'email'
      ];
      errors[key] ??= issue.message;
    }
  const location = parsedLocation(a);
  if ('code' in location) {
    for (const [field, message] of Object.entries(location.fields ?? {})) {
      const key = LOCATION_FIELDS[field] ?? 'location-name';
      errors[key] ??=
        key === 'timezone' ? 'Use an IANA time zone name like America/Chicago or Europe/London.' : message;
    }
  }
  const admin = adminPart.safeParse({ name: a['admin-name'], email: a['admin-email'] });
  if (!admin.success)
    for (const issue of admin.error.issues)
      errors[issue.path[0] === 'name' ? 'admin-name' : 'admin-email'] ??= issue.message;
  // A value derived from another answer is not the person's mistake: the answer it came from is.
  if (a['clinic-email'] === undefined && errors['admin-email']) delete errors['clinic-email'];
  if (a['location-slug'] === undefined && errors['location-name']) delete errors['location-slug'];
  if (!clinic.success || 'code' in location || !admin.success) return { ok: false, errors };
  return {
    ok: true,
    value: { clinic: { ...clinic.data, phone: location.phone }, location, admin: admin.data },
  };
}

/** Whether a typed zone is one we know (for prompting again at once, before the other questions). */
export const knownZone = (zone: string) => canonicalZone(zone) !== undefined;

/** Writes the clinic, its first location and (if accepted) the default types, in the caller's transaction. */
export async function createClinic(
  trx: Kysely<DB>,
  engine: Engine,
  input: FirstStart,
  withDefaultTypes: boolean,
): Promise<{ locationId: string; types: string[] }> {
  await insertClinic(trx, { id: 'clinic', ...input.clinic, ...CLINIC_DEFAULTS });
  const locationId = randomUUID();
  await insertLocation(trx, engine, locationId, input.location);
  const types = withDefaultTypes ? DEFAULT_TYPES : [];
  for (const t of types) await insertAppointmentType(trx, { id: randomUUID(), ...t, retired_at: null });
  return { locationId, types: types.map((t) => t.code) };
}
