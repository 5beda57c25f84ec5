import type { InferResult, Kysely } from 'kysely';
import { MAX_BUSY_MS } from '../scheduling/availability.ts';
import type { DB } from '../kernel/db/schema.ts';

export interface CalendarColumn {
  id: string;
  name: string;
  kind: 'provider' | 'nurse' | 'chair' | 'room';
}

/** One appointment as every calendar view shows it: the row type of appointmentsShown(). */
export type CalendarAppointment = InferResult<ReturnType<typeof appointmentsShown>>[number];

/** Opening spans (minutes past local midnight) by ISO weekday, and closures by date, of one location. */
export async function locationHours(db: Kysely<DB>, locationId: string) {
  const [opening, closures] = await Promise.all([
    db
      .selectFrom('opening_hours')
      .select(['weekday', 'opens_min', 'closes_min'])
      .where('location_id', '=', locationId)
      .orderBy('opens_min')
      .execute(),
    db.selectFrom('closures').select(['date', 'reason']).where('location_id', '=', locationId).execute(),
  ]);
  const byWeekday = new Map<number, Array<{ from: number; to: number }>>();
  for (const o of opening)
    byWeekday.set(o.weekday, [...(byWeekday.get(o.weekday) ?? []), { from: o.opens_min, to: o.closes_min }]);
  return { byWeekday, closures: new Map(closures.map((c) => [c.date, c.reason])) };
}

/**
 * Appointments with what every calendar view shows of them: time, state, type, provider, nurse, place, and the
 * person's name (from the patient record, or from the request for bookings made before patients existed).
 */
function appointmentsShown(db: Kysely<DB>) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .leftJoin('clinicians as p', 'p.id', 'a.provider_id')
    .leftJoin('clinicians as n', 'n.id', 'a.nurse_id')
    .leftJoin('patients as pt', 'pt.id', 'a.patient_id')
    .leftJoin('consultation_requests as r', 'r.id', 'a.request_id')
    .select((eb) => [
      'a.id',
      'a.starts_at',
      'a.ends_at',
      'a.status',
      'a.attendance',
      'a.provider_id',
      'p.name as provider_name',
      'a.nurse_id',
      'n.name as nurse_name',
      'a.room_id',
      't.kind as type_kind',
      't.name as type_name',
      eb.fn.coalesce('pt.first_name', 'r.first_name').as('first_name'),
      eb.fn.coalesce('pt.last_name', 'r.last_name').as('last_name'),
    ]);
}

/** Appointments at a location starting in [from, to) (and any running into it); cancelled ones only when asked for. */
export async function appointmentsBetween(
  db: Kysely<DB>,
  locationId: string,
  from: number,
  to: number,
  withCancelled: boolean,
): Promise<CalendarAppointment[]> {
  let query = appointmentsShown(db)
    .where('a.location_id', '=', locationId)
    // Bounded on both sides of the (location_id, starts_at) index; an appointment is never longer than a day.
    .where('a.starts_at', '>=', from - MAX_BUSY_MS)
    .where('a.starts_at', '<', to)
    .where('a.ends_at', '>', from);
  if (!withCancelled) query = query.where('a.status', '=', 'booked');
  const rows = await query.orderBy('a.starts_at').orderBy('a.id').execute();
  return rows.map((r) => ({ ...r, starts_at: Number(r.starts_at), ends_at: Number(r.ends_at) }));
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en', { numeric: true });

/**
 * The grid's columns: active providers, then nurses, who work at the location (on `weekday` when given), then active
 * chairs, then rooms; plus any clinician or room that has one of `shown` (so no appointment is left without its column).
 */
export async function calendarColumns(
  db: Kysely<DB>,
  locationId: string,
  weekday: number | undefined,
  shown: CalendarAppointment[],
) {
  const extraProviders = [
    ...new Set(shown.flatMap((a) => [a.provider_id, a.nurse_id].filter((id): id is string => id !== null))),
  ];
  const extraRooms = [...new Set(shown.flatMap((a) => (a.room_id ? [a.room_id] : [])))];
  const [providers, rooms] = await Promise.all([
    db
      .selectFrom('clinicians as p')
      .select(['p.id', 'p.name', 'p.kind'])
      .where((eb) => {
        let working = eb
          .selectFrom('clinician_hours as h')
          .select('h.clinician_id')
          .whereRef('h.clinician_id', '=', 'p.id')
          .where('h.location_id', '=', locationId);
        if (weekday !== undefined) working = working.where('h.weekday', '=', weekday);
        const active = eb.and([eb('p.active', '=', 1), eb.exists(working)]);
        return extraProviders.length ? eb.or([active, eb('p.id', 'in', extraProviders)]) : active;
      })
      .execute(),
    db
      .selectFrom('rooms')
      .select(['id', 'name', 'kind'])
      .where('location_id', '=', locationId)
      .where((eb) =>
        extraRooms.length ? eb.or([eb('active', '=', 1), eb('id', 'in', extraRooms)]) : eb('active', '=', 1),
      )
      .execute(),
  ]);
  return {
    providers: providers
      .filter((p) => p.kind === 'provider')
      .sort(byName)
      .map((p): CalendarColumn => ({ id: p.id, name: p.name, kind: 'provider' })),
    nurses: providers
      .filter((p) => p.kind === 'nurse')
      .sort(byName)
      .map((p): CalendarColumn => ({ id: p.id, name: p.name, kind: 'nurse' })),
    rooms: [
      ...rooms.filter((r) => r.kind === 'chair').sort(byName),
      ...rooms.filter((r) => r.kind === 'room').sort(byName),
    ].map((r): CalendarColumn => ({ id: r.id, name: r.name, kind: r.kind })),
  };
}

/** One appointment with everything its page shows. */
export async function appointmentDetail(db: Kysely<DB>, id: string) {
  const row = await appointmentsShown(db)
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .leftJoin('rooms as rm', 'rm.id', 'a.room_id')
    .leftJoin('consultation_requests as req', 'req.id', 'a.request_id')
    .leftJoin('clinicians as sv', 'sv.id', 'a.supervisor_id')
    .select([
      'sv.name as supervisor_name',
      'a.location_id',
      'a.request_id',
      'req.location_id as request_location_id',
      'a.patient_id',
      'rm.name as room_name',
      'rm.kind as room_kind',
      't.id as type_id',
      'l.name as location_name',
      'l.slug as location_slug',
      'l.time_zone',
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
  return row && { ...row, starts_at: Number(row.starts_at), ends_at: Number(row.ends_at) };
}
export type AppointmentDetail = NonNullable<Awaited<ReturnType<typeof appointmentDetail>>>;

/** Requests at the location that can be booked now: not finished, and without a live booking. */
export async function bookableRequests(db: Kysely<DB>, locationId: string) {
  const rows = await db
    .selectFrom('consultation_requests as r')
    .select(['r.id', 'r.first_name', 'r.last_name', 'r.created_at'])
    .where('r.location_id', '=', locationId)
    .where('r.status', 'in', ['new', 'contacted', 'cancelled'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('appointments as a')
            .select('a.id')
            .whereRef('a.request_id', '=', 'r.id')
            .where('a.status', '=', 'booked'),
        ),
      ),
    )
    .orderBy('r.created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}
export type BookableRequest = Awaited<ReturnType<typeof bookableRequests>>[number];

/** Active providers who work at the location (any day), for the booking form. */
export async function locationProviders(db: Kysely<DB>, locationId: string) {
  const { providers } = await calendarColumns(db, locationId, undefined, []);
  return providers;
}

/** Active providers and nurses who work at the location (any day), and its chairs and rooms in use. */
export function locationResources(db: Kysely<DB>, locationId: string) {
  return calendarColumns(db, locationId, undefined, []);
}

/** Every type still in use, by name, for the patient booking form (retired types are not offered). */
export async function appointmentTypes(db: Kysely<DB>) {
  return db.selectFrom('appointment_types').selectAll().where('retired_at', 'is', null).orderBy('name').execute();
}

/** The first of `ids` away (time off) over [from, to), if any. */
export const clinicianAway = (db: Kysely<DB>, ids: string[], from: number, to: number) =>
  db
    .selectFrom('clinician_time_off')
    .select('clinician_id')
    .where('clinician_id', 'in', ids)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from)
    .executeTakeFirst();

/** The working spans of `ids` at a location on a weekday, and which of them are active. */
export async function clinicianDay(db: Kysely<DB>, ids: string[], locationId: string, weekday: number) {
  const [hours, active] = await Promise.all([
    db
      .selectFrom('clinician_hours')
      .select(['clinician_id', 'from_min', 'to_min'])
      .where('clinician_id', 'in', ids)
      .where('location_id', '=', locationId)
      .where('weekday', '=', weekday)
      .execute(),
    db.selectFrom('clinicians').select('id').where('id', 'in', ids).where('active', '=', 1).execute(),
  ]);
  return { hours, active: new Set(active.map((a) => a.id)) };
}

/** How many infusions a nurse watches at once (1 when the nurse is unknown). */
export async function watchesAtOnce(db: Kysely<DB>, nurseId: string): Promise<number> {
  const row = await db.selectFrom('clinicians').select('watches_at_once').where('id', '=', nurseId).executeTakeFirst();
  return row?.watches_at_once ?? 1;
}

/** A room or chair (its kind and whether in use), and the location's others of that kind in use, by name. */
export async function placesOfKind(db: Kysely<DB>, roomId: string, locationId: string) {
  const own = await db.selectFrom('rooms').select(['kind', 'active']).where('id', '=', roomId).executeTakeFirst();
  if (!own) return { own, others: [] };
  const others = await db
    .selectFrom('rooms')
    .select('id')
    .where('location_id', '=', locationId)
    .where('kind', '=', own.kind)
    .where('active', '=', 1)
    .where('id', '!=', roomId)
    .orderBy('name')
    .execute();
  return { own, others: others.map((r) => r.id) };
}
