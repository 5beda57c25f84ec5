import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Engine } from '../kernel/db/database.ts';
import type {
  AppointmentTypeTable,
  ClinicLogoTable,
  ClinicTable,
  DB,
  LocationTable,
  ClinicianHoursTable,
} from '../kernel/db/schema.ts';

/**
 * The set-up tables: locations with their opening hours, closures and rooms; clinicians (providers and nurses)
 * with their weekly hours and time off; appointment types; the clinic's settings and logo. Functions take the
 * database or the caller's transaction.
 */

export type Location = Selectable<LocationTable>;
export type LocationInput = Omit<Insertable<LocationTable>, 'id' | 'sort_order'>;

// ---- Locations ----

export const findLocation = (db: Kysely<DB>, id: string) =>
  db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();

export const listLocationNames = (db: Kysely<DB>) =>
  db
    .selectFrom('locations')
    .select(['id', 'name', 'slug', 'city', 'time_zone'])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();

export type LocationName = Awaited<ReturnType<typeof listLocationNames>>[number];

export async function slugTaken(db: Kysely<DB>, slug: string, exceptId: string | null): Promise<boolean> {
  let q = db.selectFrom('locations').select('id').where('slug', '=', slug);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** A new location, last in the list. */
export async function insertLocation(trx: Kysely<DB>, engine: Engine, id: string, input: LocationInput): Promise<void> {
  // Read-then-insert of the next place in the list: PostgreSQL (read committed) would let two at once read the
  // same maximum, so creators take turns there; SQLite has one writer at a time already.
  if (engine === 'postgres') await sql`lock table locations in share row exclusive mode`.execute(trx);
  const last = await trx
    .selectFrom('locations')
    .select((eb) => eb.fn.max('sort_order').as('max'))
    .executeTakeFirst();
  await trx
    .insertInto('locations')
    .values({ id, ...input, sort_order: Number(last?.max ?? 0) + 1 })
    .execute();
}

export async function updateLocation(trx: Kysely<DB>, id: string, input: LocationInput): Promise<void> {
  await trx.updateTable('locations').set(input).where('id', '=', id).execute();
}

// ---- Opening hours and closures ----

export const openingHoursOf = (db: Kysely<DB>, locationId: string) =>
  db.selectFrom('opening_hours').selectAll().where('location_id', '=', locationId).execute();

export interface WeekdaySpan {
  weekday: number;
  from: number;
  to: number;
}

export async function replaceOpeningHours(trx: Kysely<DB>, locationId: string, spans: WeekdaySpan[]): Promise<void> {
  await trx.deleteFrom('opening_hours').where('location_id', '=', locationId).execute();
  const rows = spans.map((s) => ({ location_id: locationId, weekday: s.weekday, opens_min: s.from, closes_min: s.to }));
  if (rows.length) await trx.insertInto('opening_hours').values(rows).execute();
}

/** Closures on `fromDate` ('YYYY-MM-DD') and later, in date order. */
export const closuresFrom = (db: Kysely<DB>, locationId: string, fromDate: string) =>
  db
    .selectFrom('closures')
    .select(['date', 'reason'])
    .where('location_id', '=', locationId)
    .where('date', '>=', fromDate)
    .orderBy('date')
    .execute();

export async function insertClosure(trx: Kysely<DB>, locationId: string, date: string, reason: string) {
  await trx.insertInto('closures').values({ location_id: locationId, date, reason }).execute();
}

/** How many closures were removed (0 or 1). */
export async function deleteClosure(trx: Kysely<DB>, locationId: string, date: string): Promise<number> {
  const res = await trx
    .deleteFrom('closures')
    .where('location_id', '=', locationId)
    .where('date', '=', date)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

// ---- Rooms and chairs ----

export const roomsOf = (db: Kysely<DB>, locationId: string) =>
  db
    .selectFrom('rooms')
    .select(['id', 'name', 'kind', 'active'])
    .where('location_id', '=', locationId)
    .orderBy('kind', 'desc')
    .orderBy('name')
    .execute();

export const findRoom = (db: Kysely<DB>, locationId: string, roomId: string) =>
  db.selectFrom('rooms').selectAll().where('id', '=', roomId).where('location_id', '=', locationId).executeTakeFirst();

export async function insertRoom(
  trx: Kysely<DB>,
  room: { id: string; locationId: string; name: string; kind: 'room' | 'chair' },
): Promise<void> {
  await trx
    .insertInto('rooms')
    .values({ id: room.id, location_id: room.locationId, name: room.name, kind: room.kind, active: 1 })
    .execute();
}

export async function updateRoom(trx: Kysely<DB>, id: string, change: { name: string } | { active: number }) {
  await trx.updateTable('rooms').set(change).where('id', '=', id).execute();
}

// ---- Clinicians (providers and nurses), their weekly hours and time off ----

export const findClinician = (db: Kysely<DB>, id: string) =>
  db.selectFrom('clinicians').selectAll().where('id', '=', id).executeTakeFirst();

export const listClinicians = (db: Kysely<DB>) =>
  db
    .selectFrom('clinicians')
    .select(['id', 'name', 'credentials', 'active', 'kind', 'watches_at_once', 'supervises_at_once'])
    .orderBy('kind')
    .orderBy('name')
    .execute();

export type ClinicianSummary = Awaited<ReturnType<typeof listClinicians>>[number];

export async function insertClinician(
  trx: Kysely<DB>,
  c: { id: string; name: string; credentials: string; kind: 'provider' | 'nurse' },
): Promise<void> {
  await trx
    .insertInto('clinicians')
    .values({ ...c, active: 1 })
    .execute();
}

export async function updateClinician(
  trx: Kysely<DB>,
  id: string,
  change: { name: string; credentials: string; active: number; watches_at_once: number; supervises_at_once: number },
): Promise<void> {
  await trx.updateTable('clinicians').set(change).where('id', '=', id).execute();
}

export type ClinicianHours = Omit<Selectable<ClinicianHoursTable>, 'clinician_id'>;

export const clinicianHoursOf = (db: Kysely<DB>, clinicianId: string) =>
  db.selectFrom('clinician_hours').selectAll().where('clinician_id', '=', clinicianId).execute();

export async function replaceClinicianHours(trx: Kysely<DB>, clinicianId: string, rows: ClinicianHours[]) {
  await trx.deleteFrom('clinician_hours').where('clinician_id', '=', clinicianId).execute();
  if (rows.length)
    await trx
      .insertInto('clinician_hours')
      .values(rows.map((r) => ({ clinician_id: clinicianId, ...r })))
      .execute();
}

/** Time off that has not ended by `now`, in start order. */
export async function timeOffAfter(db: Kysely<DB>, clinicianId: string, now: number) {
  const rows = await db
    .selectFrom('clinician_time_off')
    .select(['id', 'starts_at', 'ends_at', 'reason'])
    .where('clinician_id', '=', clinicianId)
    .where('ends_at', '>', now)
    .orderBy('starts_at')
    .execute();
  return rows.map((t) => ({ ...t, starts_at: Number(t.starts_at), ends_at: Number(t.ends_at) }));
}

export async function insertTimeOff(
  trx: Kysely<DB>,
  off: { id: string; clinicianId: string; start: number; end: number; reason: string },
): Promise<void> {
  await trx
    .insertInto('clinician_time_off')
    .values({ id: off.id, clinician_id: off.clinicianId, starts_at: off.start, ends_at: off.end, reason: off.reason })
    .execute();
}

/** How many were removed (0 or 1). */
export async function deleteTimeOff(trx: Kysely<DB>, clinicianId: string, id: string): Promise<number> {
  const res = await trx
    .deleteFrom('clinician_time_off')
    .where('id', '=', id)
    .where('clinician_id', '=', clinicianId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

// ---- Appointment types ----

export type AppointmentType = Selectable<AppointmentTypeTable>;

/** Types in use first, then retired ones; each by name. */
export const listAppointmentTypes = (db: Kysely<DB>) =>
  db
    .selectFrom('appointment_types')
    .selectAll()
    .orderBy(sql`case when retired_at is null then 0 else 1 end`)
    .orderBy('name')
    .execute();

export const findAppointmentType = (db: Kysely<DB>, code: string) =>
  db.selectFrom('appointment_types').selectAll().where('code', '=', code).executeTakeFirst();

export async function insertAppointmentType(trx: Kysely<DB>, row: Insertable<AppointmentTypeTable>): Promise<void> {
  await trx.insertInto('appointment_types').values(row).execute();
}

export async function updateAppointmentType(trx: Kysely<DB>, id: string, change: Updateable<AppointmentTypeTable>) {
  await trx.updateTable('appointment_types').set(change).where('id', '=', id).execute();
}

/** Deletes a type; the database refuses (ON DELETE RESTRICT) when a visit or waitlist entry has it. */
export async function deleteAppointmentType(trx: Kysely<DB>, id: string): Promise<void> {
  await trx.deleteFrom('appointment_types').where('id', '=', id).execute();
}

/** How many visits (any status) and waitlist entries have the type: any at all, and it can only be retired. */
export async function typeUses(db: Kysely<DB>, id: string): Promise<number> {
  const [visits, waiting] = await Promise.all([
    db
      .selectFrom('appointments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type_id', '=', id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('waitlist_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type_id', '=', id)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(visits.n) + Number(waiting.n);
}

/** Short names and names already used (retired types included), to keep both unique. */
export const typeNames = (db: Kysely<DB>) =>
  db.selectFrom('appointment_types').select(['id', 'code', 'name', 'kind', 'online_bookable', 'retired_at']).execute();

// ---- The clinic's settings and logo ----

/** The clinic's one row (`relief init`, once). */
export async function insertClinic(trx: Kysely<DB>, row: Insertable<ClinicTable>): Promise<void> {
  await trx.insertInto('clinic').values(row).execute();
}

export const clinicExists = async (db: Kysely<DB>) =>
  (await db.selectFrom('clinic').select('id').executeTakeFirst()) !== undefined;

/** How many rows were updated: 0 when the clinic row is missing. */
export async function updateClinic(trx: Kysely<DB>, change: Updateable<ClinicTable>): Promise<number> {
  const res = await trx.updateTable('clinic').set(change).where('id', '=', 'clinic').executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function saveLogo(trx: Kysely<DB>, row: Omit<Insertable<ClinicLogoTable>, 'clinic_id'>): Promise<void> {
  await trx
    .insertInto('clinic_logo')
    .values({ clinic_id: 'clinic', ...row })
    .onConflict((oc) => oc.column('clinic_id').doUpdateSet(row))
    .execute();
}

/** True when there was a logo to remove. */
export async function deleteLogo(trx: Kysely<DB>): Promise<boolean> {
  const res = await trx.deleteFrom('clinic_logo').where('clinic_id', '=', 'clinic').executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
