import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import { laneId, parseLane } from './repository.ts';
import { DateTime } from 'luxon';
import type { AppointmentTypeTable, ClinicianKind, DB, TypeKind } from '../kernel/db/schema.ts';
import { findSlots, type Interval, type Slot, type SlotPerson, type WeeklyHours } from './slots.ts';
import { needsSupervisor } from './type-needs.ts';

export type AppointmentType = Selectable<AppointmentTypeTable>;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3_600_000;
/** Longest busy span an appointment may have (a CHECK constraint holds appointments to it). */
export const MAX_BUSY_MS = DAY_MS;
/** Busy keys of supervision lanes, apart from a nurse's lanes and a provider's own (consultation) busy time. */
const SUPERVISION_KEY = 'supervise:';
/** Busy keys of time off, which blocks a person in every role (seeing patients, watching, supervising). */
const TIME_OFF_KEY = 'off:';

export interface AvailabilityQuery {
  locationId: string;
  zone: string;
  type: AppointmentType;
  from: number;
  to: number;
  now: number;
  /** When moving an appointment, its own time does not block the new one. */
  excludeAppointmentId?: string;
  /** Only this nurse or this room or chair (staff booking from a calendar column); unknown ids leave nothing free. */
  only?: ResourceChoice;
}

/** A nurse or a place staff chose for a booking: the slot engine considers that one alone of its kind. */
export interface ResourceChoice {
  nurseId?: string;
  roomId?: string;
}

/** A type that can still be booked, by its short name: retired types are not. */
export async function findAppointmentType(db: Kysely<DB>, code: string): Promise<AppointmentType | undefined> {
  return db
    .selectFrom('appointment_types')
    .selectAll()
    .where('code', '=', code)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The type of `kind` that bookings of that kind take when nobody names one: the one offered online, else the first
 * still in use by name. Undefined when the clinic has none of the kind in use.
 */
export async function typeOfKind(db: Kysely<DB>, kind: TypeKind): Promise<AppointmentType | undefined> {
  return db
    .selectFrom('appointment_types')
    .selectAll()
    .where('kind', '=', kind)
    .where('retired_at', 'is', null)
    .orderBy('online_bookable', 'desc')
    .orderBy('name')
    .orderBy('id')
    .executeTakeFirst();
}

/**
 * The type consultation requests are booked as, online and by staff: the one consultation offered online, else
 * (online booking paused) the first consultation still in use. Undefined when the clinic has none.
 */
export const consultationType = (db: Kysely<DB>) => typeOfKind(db, 'consultation');

export async function findAppointmentTypeById(db: Kysely<DB>, id: string): Promise<AppointmentType | undefined> {
  return db.selectFrom('appointment_types').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether an appointment of the type could be booked at exactly `start` at the location now. */
export async function bookableAt(
  db: Kysely<DB>,
  locationId: string,
  type: AppointmentType,
  start: number,
  now: number,
): Promise<boolean> {
  const location = await db
    .selectFrom('locations')
    .select('time_zone')
    .where('id', '=', locationId)
    .executeTakeFirstOrThrow();
  const slots = await loadAvailability(db, {
    locationId,
    zone: location.time_zone,
    type,
    from: start,
    to: start + 1,
    now,
  });
  return slots.some((s) => s.start === start);
}

function pushInterval(map: Map<string, Interval[]>, id: string, interval: Interval) {
  const list = map.get(id);
  if (list) list.push(interval);
  else map.set(id, [interval]);
}

type Hours = Array<{
  clinician_id: string;
  weekday: number;
  from_min: number;
  to_min: number;
  watches_at_once: number;
  supervises_at_once: number;
}>;

interface LocationSetup {
  opening: Array<{ weekday: number; opens_min: number; closes_min: number }>;
  closures: string[];
  /** Weekly hours of the active clinicians at the location, providers and nurses apart, in name order. */
  hours: Record<ClinicianKind, Hours>;
  places: Record<'room' | 'chair', string[]>;
  expires: number;
}

/**
 * Opening hours, closures, provider hours and rooms change rarely but are needed by every availability check,
 * including each booking: keep them per database and location for a few seconds. Set-up changes made through
 * the app call forgetLocationSetup() so they apply at once; the expiry covers changes made elsewhere.
 */
const SETUP_TTL_MS = 5_000;
const setupCache = new WeakMap<Kysely<DB>, Map<string, LocationSetup>>();

export function forgetLocationSetup(db: Kysely<DB>): void {
  setupCache.delete(db);
}

async function locationSetup(db: Kysely<DB>, locationId: string): Promise<LocationSetup> {
  let perDb = setupCache.get(db);
  if (!perDb) setupCache.set(db, (perDb = new Map<string, LocationSetup>()));
  const cached = perDb.get(locationId);
  const now = Date.now();
  if (cached && cached.expires > now) return cached;
  const [opening, closures, clinicianHours, rooms] = await Promise.all([
    db
      .selectFrom('opening_hours')
      .select(['weekday', 'opens_min', 'closes_min'])
      .where('location_id', '=', locationId)
      .execute(),
    db.selectFrom('closures').select('date').where('location_id', '=', locationId).execute(),
    db
      .selectFrom('clinician_hours')
      .innerJoin('clinicians', 'clinicians.id', 'clinician_hours.clinician_id')
      .select([
        'clinicians.kind',
        'clinicians.watches_at_once',
        'clinicians.supervises_at_once',
        'clinician_hours.clinician_id',
        'clinician_hours.weekday',
        'clinician_hours.from_min',
        'clinician_hours.to_min',
      ])
      .where('clinician_hours.location_id', '=', locationId)
      .where('clinicians.active', '=', 1)
      .orderBy('clinicians.name')
      .orderBy('clinician_hours.clinician_id')
      .execute(),
    db
      .selectFrom('rooms')
      .select(['id', 'kind'])
      .where('location_id', '=', locationId)
      .where('active', '=', 1)
      .orderBy('name')
      .execute(),
  ]);
  const setup: LocationSetup = {
    opening,
    closures: closures.map((c) => c.date),
    hours: {
      provider: clinicianHours.filter((h) => h.kind === 'provider'),
      nurse: clinicianHours.filter((h) => h.kind === 'nurse'),
    },
    places: {
      room: rooms.filter((r) => r.kind === 'room').map((r) => r.id),
      chair: rooms.filter((r) => r.kind === 'chair').map((r) => r.id),
    },
    expires: now + SETUP_TTL_MS,
  };
  perDb.set(locationId, setup);
  return setup;
}

/**
 * Loads everything that decides availability at a location for a window: the location's set-up (cached), then one
 * bounded, indexed query per kind of busy time (appointments by provider and by room, time off); the pure slot
 * engine does the rest in memory.
 */
export async function loadAvailability(db: Kysely<DB>, q: AvailabilityQuery): Promise<Slot[]> {
  const fromDate = DateTime.fromMillis(q.from, { zone: q.zone }).minus({ days: 1 }).toISODate()!;
  const toDate = DateTime.fromMillis(q.to, { zone: q.zone }).plus({ days: 1 }).toISODate()!;
  const setup = await locationSetup(db, q.locationId);
  const closures = setup.closures.filter((d) => d >= fromDate && d <= toDate);
  const idsOf = (hours: Hours) => [...new Set(hours.map((h) => h.clinician_id))];
  // null = the type does not need that kind of resource; an empty list = it does, and the location has none.
  const providerIds = q.type.needs_provider ? idsOf(setup.hours.provider) : null;
  const narrow = (ids: string[] | null, id: string | undefined) =>
    ids === null || id === undefined ? ids : ids.filter((x) => x === id);
  const nurseIds = narrow(q.type.needs_nurse ? idsOf(setup.hours.nurse) : null, q.only?.nurseId);
  const placeIds = narrow(q.type.place === 'none' ? null : setup.places[q.type.place], q.only?.roomId);
  // Any provider working here may supervise an infusion, whoever the patient's prescriber is.
  const supervisorIds = needsSupervisor(q.type) ? idsOf(setup.hours.provider) : null;
  if ([providerIds, nurseIds, placeIds, supervisorIds].some((ids) => ids !== null && ids.length === 0)) return [];

  // Busy time is looked up by resource, not by location: a clinician who works at two locations is busy at both.
  // One round trip: appointments by each kind of resource (each on its own index, bounded on both ends so the
  // read never runs on to the end of the calendar) and the clinicians' time off. Only what a start in [from, to)
  // can touch is read: from its buffer before the first start to the end of its buffer after the last.
  const reachFrom = q.from - q.type.buffer_before_min * MINUTE_MS;
  const reachTo = q.to + (q.type.duration_min + q.type.buffer_after_min) * MINUTE_MS;
  const appointmentsBy = (column: 'provider_id' | 'nurse_id' | 'room_id', ids: string[]) => {
    // A nurse's appointments are busy time of the lane they hold (see laneId), not of the whole nurse.
    const resource =
      column === 'nurse_id'
        ? sql<string>`nurse_id || '#' || coalesce(nurse_lane, 1)`.as('resource')
        : sql.ref<string>(column).as('resource');
    let query = db
      .selectFrom('appointments')
      .select([resource, 'busy_from as start', 'busy_to as end'])
      .where(column, 'in', ids)
      .where('status', '=', 'booked')
      .where('busy_to', '>', reachFrom)
      .where('busy_to', '<', reachTo + MAX_BUSY_MS)
      .where('busy_from', '<', reachTo);
    if (q.excludeAppointmentId) query = query.where('id', '!=', q.excludeAppointmentId);
    return query;
  };
  // Supervision holds a lane for the visit itself (migration 025), read on the (supervisor_id, starts_at) index:
  // bounded on both ends since a visit is never longer than a day.
  const supervisedBy = (ids: string[]) => {
    let query = db
      .selectFrom('appointments')
      .select([
        sql<string>`${sql.lit(SUPERVISION_KEY)} || supervisor_id || '#' || coalesce(supervisor_lane, 1)`.as('resource'),
        'starts_at as start',
        'ends_at as end',
      ])
      .where('supervisor_id', 'in', ids)
      .where('status', '=', 'booked')
      .where('starts_at', '>', q.from - MAX_BUSY_MS)
      .where('starts_at', '<', q.to + q.type.duration_min * MINUTE_MS)
      .where('ends_at', '>', q.from);
    if (q.excludeAppointmentId) query = query.where('id', '!=', q.excludeAppointmentId);
    return query;
  };
  const people = [...new Set([...(providerIds ?? []), ...(nurseIds ?? []), ...(supervisorIds ?? [])])];
  type BusyRow = { resource: string | null; start: number; end: number };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each part selects from a different join; only the row shape is shared
  const parts: Array<SelectQueryBuilder<DB, any, BusyRow>> = [
    ...(providerIds ? [appointmentsBy('provider_id', providerIds)] : []),
    ...(nurseIds ? [appointmentsBy('nurse_id', nurseIds)] : []),
    ...(placeIds ? [appointmentsBy('room_id', placeIds)] : []),
    ...(supervisorIds ? [supervisedBy(supervisorIds)] : []),
    ...(people.length
      ? [
          db
            .selectFrom('clinician_time_off')
            .select([
              sql<string>`${sql.lit(TIME_OFF_KEY)} || clinician_id`.as('resource'),
              'starts_at as start',
              'ends_at as end',
            ])
            .where('clinician_id', 'in', people)
            .where('ends_at', '>', reachFrom)
            .where('starts_at', '<', reachTo),
        ]
      : []),
  ];
  const busy = new Map<string, Interval[]>();
  if (parts.length) {
    const [first, ...rest] = parts;
    const rows = await rest.reduce((acc, part) => acc.unionAll(part), first!).execute();
    for (const row of rows) if (row.resource) pushInterval(busy, row.resource, { start: row.start, end: row.end });
  }

  const openingHours: WeeklyHours = {};
  for (const o of setup.opening) (openingHours[o.weekday] ??= []).push({ from: o.opens_min, to: o.closes_min });
  const weeklyOf = (hours: Hours, id: string) => {
    const weekly: WeeklyHours = {};
    for (const h of hours)
      if (h.clinician_id === id) (weekly[h.weekday] ??= []).push({ from: h.from_min, to: h.to_min });
    return weekly;
  };
  const away = (id: string) => busy.get(TIME_OFF_KEY + id) ?? [];
  const person =
    (hours: Hours) =>
    (id: string): SlotPerson => ({ id, hours: weeklyOf(hours, id), busy: [...(busy.get(id) ?? []), ...away(id)] });
  // Each nurse's lanes, lane by lane across nurses (every nurse's first lane before anyone's second), so infusions
  // spread over the nurses before one nurse takes a second; a nurse's time off blocks all of their lanes.
  // Visits left in a lane above a lowered number still take the nurse's attention: they block every lane, which is
  // cautious (a nurse down from three to two with one such visit is offered nothing at that time) but never over.
  // Supervision lanes are the same with the providers' supervises_at_once, their busy keys prefixed.
  const lanes = (ids: string[], hours: Hours, size: (h: Hours[number]) => number, prefix = ''): SlotPerson[] => {
    const capacity = new Map(hours.map((h) => [h.clinician_id, size(h)]));
    // Each person's own blocking time, once: their time off, and visits in lanes above their number.
    const blocking = new Map<string, Interval[]>(ids.map((id) => [id, [...away(id)]]));
    for (const [key, intervals] of busy) {
      if (!key.includes('#') || !key.startsWith(prefix) || (prefix === '' && key.startsWith(SUPERVISION_KEY))) continue;
      const { nurseId, number } = parseLane(key.slice(prefix.length));
      if (number > (capacity.get(nurseId) ?? 1)) blocking.get(nurseId)?.push(...intervals);
    }
    const out: SlotPerson[] = [];
    for (let number = 1; number <= Math.max(...ids.map((id) => capacity.get(id)!)); number++) {
      for (const id of ids) {
        if (number > capacity.get(id)!) continue;
        const lane = laneId(id, number);
        out.push({
          id: lane,
          hours: weeklyOf(hours, id),
          busy: [...(busy.get(prefix + lane) ?? []), ...blocking.get(id)!],
        });
      }
    }
    return out;
  };

  return findSlots({
    zone: q.zone,
    from: q.from,
    to: q.to,
    now: q.now,
    opening: openingHours,
    closures,
    providers: providerIds?.map(person(setup.hours.provider)) ?? null,
    nurses: nurseIds ? lanes(nurseIds, setup.hours.nurse, (h) => h.watches_at_once) : null,
    supervisors: supervisorIds
      ? lanes(supervisorIds, setup.hours.provider, (h) => h.supervises_at_once, SUPERVISION_KEY)
      : null,
    rooms: placeIds?.map((id) => ({ id, busy: busy.get(id) ?? [] })) ?? null,
    durationMin: q.type.duration_min,
    bufferBeforeMin: q.type.buffer_before_min,
    bufferAfterMin: q.type.buffer_after_min,
    minNoticeMin: q.type.min_notice_min,
    stepMin: q.type.step_min,
  });
}

/**
 * The first free supervision lane (`<provider id>#<lane>`) for a supervised visit of exactly [start, end) at the
 * location, or undefined when no provider working there all that time has one free: for staff moving a visit to a
 * time of their choosing, off the booking grid. The same reads and rule as loadAvailability, with a one-minute grid
 * and no buffers (supervision covers the visit itself); the caller has checked opening hours and the visit's own
 * nurse and chair.
 */
export async function freeSupervisionLane(
  db: Kysely<DB>,
  q: { locationId: string; zone: string; start: number; end: number; now: number; excludeAppointmentId: string },
): Promise<string | undefined> {
  const type: AppointmentType = {
    ...SUPERVISION_ONLY,
    duration_min: Math.max(1, Math.round((q.end - q.start) / MINUTE_MS)),
  };
  const slots = await loadAvailability(db, {
    locationId: q.locationId,
    zone: q.zone,
    type,
    from: q.start,
    to: q.start + 1,
    now: Math.min(q.now, q.start),
    excludeAppointmentId: q.excludeAppointmentId,
  });
  return slots.find((s) => s.start === q.start)?.options[0]?.supervisorId;
}

/** A type that needs a supervisor and nothing else, for freeSupervisionLane. */
const SUPERVISION_ONLY: AppointmentType = {
  id: '',
  code: '',
  kind: 'infusion',
  name: '',
  duration_min: 1,
  buffer_before_min: 0,
  buffer_after_min: 0,
  min_notice_min: 0,
  step_min: 1,
  needs_provider: 0,
  needs_nurse: 0,
  place: 'none',
  online_bookable: 0,
  preparation: '',
  retired_at: null,
};
