import type { Kysely, Selectable } from 'kysely';
import { DateTime } from 'luxon';
import type { AppointmentTypeTable, DB } from '../db/schema.ts';
import { findSlots, type Interval, type Slot, type SlotProvider, type SlotRoom, type WeeklyHours } from './slots.ts';

export type AppointmentType = Selectable<AppointmentTypeTable>;

export interface AvailabilityQuery {
  locationId: string;
  zone: string;
  type: AppointmentType;
  from: number;
  to: number;
  now: number;
  /** When moving an appointment, its own time does not block the new one. */
  excludeAppointmentId?: string;
}

export async function findAppointmentType(db: Kysely<DB>, code: string): Promise<AppointmentType | undefined> {
  return db.selectFrom('appointment_types').selectAll().where('code', '=', code).executeTakeFirst();
}

function pushInterval(map: Map<string, Interval[]>, id: string, interval: Interval) {
  const list = map.get(id);
  if (list) list.push(interval);
  else map.set(id, [interval]);
}

/**
 * Loads everything that decides availability at a location for a window with one indexed query per kind of
 * data (hours, closures, providers, time off, rooms, appointments), then hands it to the pure slot engine.
 */
export async function loadAvailability(db: Kysely<DB>, q: AvailabilityQuery): Promise<Slot[]> {
  const fromDate = DateTime.fromMillis(q.from, { zone: q.zone }).minus({ days: 1 }).toISODate()!;
  const toDate = DateTime.fromMillis(q.to, { zone: q.zone }).plus({ days: 1 }).toISODate()!;

  const [opening, closures, hours, rooms] = await Promise.all([
    db.selectFrom('opening_hours').select(['weekday', 'opens_min', 'closes_min']).where('location_id', '=', q.locationId).execute(),
    db
      .selectFrom('closures')
      .select('date')
      .where('location_id', '=', q.locationId)
      .where('date', '>=', fromDate)
      .where('date', '<=', toDate)
      .execute(),
    db
      .selectFrom('provider_hours')
      .innerJoin('providers', 'providers.id', 'provider_hours.provider_id')
      .select(['provider_hours.provider_id', 'provider_hours.weekday', 'provider_hours.from_min', 'provider_hours.to_min'])
      .where('provider_hours.location_id', '=', q.locationId)
      .where('providers.active', '=', 1)
      .orderBy('providers.name')
      .orderBy('provider_hours.provider_id')
      .execute(),
    q.type.needs_room
      ? db
          .selectFrom('rooms')
          .select('id')
          .where('location_id', '=', q.locationId)
          .where('kind', '=', 'room')
          .where('active', '=', 1)
          .orderBy('name')
          .execute()
      : Promise.resolve(null),
  ]);

  const providerIds = [...new Set(hours.map((h) => h.provider_id))];
  if (providerIds.length === 0 || (rooms && rooms.length === 0)) return [];
  const roomIds = rooms?.map((r) => r.id) ?? [];

  // Busy time is looked up by resource, not by location: a provider who works at two locations is busy at both.
  const busyQuery = (column: 'provider_id' | 'room_id', ids: string[]) => {
    let query = db
      .selectFrom('appointments')
      .select(['provider_id', 'room_id', 'busy_from', 'busy_to'])
      .where(column, 'in', ids)
      .where('status', '=', 'booked')
      .where('busy_to', '>', q.from)
      .where('busy_from', '<', q.to + 24 * 3_600_000);
    if (q.excludeAppointmentId) query = query.where('id', '!=', q.excludeAppointmentId);
    return query.execute();
  };
  const [providerBusy, roomBusy, timeOff] = await Promise.all([
    busyQuery('provider_id', providerIds),
    roomIds.length ? busyQuery('room_id', roomIds) : Promise.resolve([]),
    db
      .selectFrom('provider_time_off')
      .select(['provider_id', 'starts_at', 'ends_at'])
      .where('provider_id', 'in', providerIds)
      .where('ends_at', '>', q.from)
      .where('starts_at', '<', q.to + 24 * 3_600_000)
      .execute(),
  ]);

  const busy = new Map<string, Interval[]>();
  for (const a of providerBusy) pushInterval(busy, a.provider_id, { start: a.busy_from, end: a.busy_to });
  for (const a of roomBusy) if (a.room_id) pushInterval(busy, a.room_id, { start: a.busy_from, end: a.busy_to });
  for (const t of timeOff) pushInterval(busy, t.provider_id, { start: t.starts_at, end: t.ends_at });

  const openingHours: WeeklyHours = {};
  for (const o of opening) (openingHours[o.weekday] ??= []).push({ from: o.opens_min, to: o.closes_min });

  const providers: SlotProvider[] = providerIds.map((id) => {
    const weekly: WeeklyHours = {};
    for (const h of hours) if (h.provider_id === id) (weekly[h.weekday] ??= []).push({ from: h.from_min, to: h.to_min });
    return { id, hours: weekly, busy: busy.get(id) ?? [] };
  });
  const slotRooms: SlotRoom[] | null = rooms ? rooms.map((r) => ({ id: r.id, busy: busy.get(r.id) ?? [] })) : null;

  return findSlots({
    zone: q.zone,
    from: q.from,
    to: q.to,
    now: q.now,
    opening: openingHours,
    closures: closures.map((c) => c.date),
    providers,
    rooms: slotRooms,
    durationMin: q.type.duration_min,
    bufferBeforeMin: q.type.buffer_before_min,
    bufferAfterMin: q.type.buffer_after_min,
    minNoticeMin: q.type.min_notice_min,
    stepMin: q.type.step_min,
  });
}
