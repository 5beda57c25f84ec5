import { z } from 'zod';
import type { Refusal } from '../kernel/refusal.ts';
import { canonicalZone, errorsOf, invalidForm, phone, plain, valuesOf, type Errors, type Values } from './forms.ts';
import { COMMON_ZONES, OTHER_ZONE } from './location-views.tsx';
import type { Location } from './repository.ts';

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

const SLUG_MESSAGE = 'Use lower-case letters, digits and single hyphens only, with no spaces, e.g. river-north.';

const locationForm = z.object({
  name: plain('location name', 2, 100),
  slug: z
    .string({ error: 'Enter a short name for web addresses.' })
    .trim()
    .min(2, 'Enter a short name for web addresses (at least 2 characters).')
    .max(40, 'Use at most 40 characters.')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, SLUG_MESSAGE),
  address_line: plain('street address', 2, 200),
  city: plain('city', 1, 100),
  region: plain('state', 2, 50),
  postal_code: z
    .string({ error: 'Enter the ZIP code.' })
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/, 'Enter a ZIP code like 60654.'),
  phone,
  directions_url: z
    .string({ error: 'Enter a directions link.' })
    .trim()
    .max(500, 'Use at most 500 characters.')
    .refine(isWebUrl, 'Enter a web address starting with https:// (or http://).'),
});

export type LocationInput = z.infer<typeof locationForm> & { time_zone: string };

/** Validates the form; the zone comes from the list, or from the text box when "another zone" is chosen. */
export function parseLocation(body: unknown): LocationInput | Refusal {
  const values = valuesOf(body);
  const parsed = locationForm.safeParse(body ?? {});
  const errors: Errors = parsed.success ? {} : errorsOf(parsed.error);
  const choice = values.time_zone ?? '';
  const typed = choice === OTHER_ZONE ? (values.time_zone_other ?? '').trim() : choice;
  const zone = canonicalZone(typed);
  if (!zone) {
    if (choice === OTHER_ZONE)
      errors.time_zone_other = typed
        ? `“${typed.slice(0, 60)}” is not a time zone we know. Type an IANA name like America/Chicago.`
        : 'Type the time zone, like America/Chicago.';
    else errors.time_zone = 'Choose a time zone from the list, or choose “Another zone” and type its name.';
  }
  if (!parsed.success || !zone) return invalidForm(errors);
  return { ...parsed.data, time_zone: zone };
}

/** A saved location as form values; a zone not in the list shows as “another zone” with its name typed. */
export function locationValues(l: Location): Values {
  const common = COMMON_ZONES.some(([z]) => z === l.time_zone);
  return {
    name: l.name,
    slug: l.slug,
    address_line: l.address_line,
    city: l.city,
    region: l.region,
    postal_code: l.postal_code,
    phone: l.phone,
    time_zone: common ? l.time_zone : OTHER_ZONE,
    time_zone_other: common ? '' : l.time_zone,
    directions_url: l.directions_url,
  };
}
