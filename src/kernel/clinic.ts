import type { Kysely, Selectable } from 'kysely';
import type { Brand } from './ui/brand/brand.ts';
import type { DB, LocationTable, OpeningHoursTable } from './db/schema.ts';

export interface Clinic {
  name: string;
  tagline: string;
  phone: string;
  email: string;
  reminderOffsetsMin: number[];
  cancelCutoffMin: number;
  bookingHorizonDays: number;
  bookingLinkDays: number;
  brand: Brand;
}

export type Location = Selectable<LocationTable>;
export type OpeningHours = Selectable<OpeningHoursTable>;
export interface LocationWithHours extends Location {
  hours: OpeningHours[];
}

export async function getClinic(db: Kysely<DB>): Promise<Clinic | undefined> {
  // The logo's type and hash only: its bytes are read when the image itself is asked for.
  const row = await db
    .selectFrom('clinic')
    .leftJoin('clinic_logo', 'clinic_logo.clinic_id', 'clinic.id')
    .selectAll('clinic')
    .select(['clinic_logo.content_type as logo_type', 'clinic_logo.sha256 as logo_sha256'])
    .where('clinic.id', '=', 'clinic')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    name: row.name,
    tagline: row.tagline,
    phone: row.phone,
    email: row.email,
    reminderOffsetsMin: parseOffsets(row.reminder_offsets_min),
    cancelCutoffMin: row.cancel_cutoff_min,
    bookingHorizonDays: row.booking_horizon_days,
    bookingLinkDays: row.booking_link_days,
    brand: {
      accent: row.accent_color,
      logo: row.logo_type && row.logo_sha256 ? { type: row.logo_type, sha256: row.logo_sha256 } : null,
    },
  };
}

/** The logo itself, bytes and all: only the image's own URL asks for it. */
export function clinicLogo(db: Kysely<DB>) {
  return db
    .selectFrom('clinic_logo')
    .select(['content_type', 'sha256', 'bytes'])
    .where('clinic_id', '=', 'clinic')
    .executeTakeFirst();
}

function parseOffsets(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is number => Number.isInteger(v) && v > 0) : [];
  } catch {
    return [];
  }
}

export async function listLocations(db: Kysely<DB>): Promise<LocationWithHours[]> {
  const [locations, hours] = await Promise.all([
    db.selectFrom('locations').selectAll().orderBy('sort_order').orderBy('name').execute(),
    db.selectFrom('opening_hours').selectAll().orderBy('weekday').orderBy('opens_min').execute(),
  ]);
  return locations.map((l) => ({ ...l, hours: hours.filter((h) => h.location_id === l.id) }));
}

export async function findLocation(db: Kysely<DB>, idOrSlug: string): Promise<LocationWithHours | undefined> {
  const location = await db
    .selectFrom('locations')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
    .executeTakeFirst();
  if (!location) return undefined;
  const hours = await db
    .selectFrom('opening_hours')
    .selectAll()
    .where('location_id', '=', location.id)
    .orderBy('weekday')
    .orderBy('opens_min')
    .execute();
  return { ...location, hours };
}
