import type { Kysely, Selectable } from 'kysely';
import type { DB, LocationTable, OpeningHoursTable } from '../db/schema.ts';

export interface Clinic {
  name: string;
  tagline: string;
  phone: string;
  email: string;
  reminderOffsetsMin: number[];
  cancelCutoffMin: number;
  bookingHorizonDays: number;
  bookingLinkDays: number;
}

export type Location = Selectable<LocationTable>;
export type OpeningHours = Selectable<OpeningHoursTable>;
export interface LocationWithHours extends Location {
  hours: OpeningHours[];
}

export async function getClinic(db: Kysely<DB>): Promise<Clinic | undefined> {
  const row = await db.selectFrom('clinic').selectAll().where('id', '=', 'clinic').executeTakeFirst();
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
  };
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
