/**
 * Bulk history for the benchmark: N booked appointments over ~3 years around `now`, inside each location's
 * opening hours, for the providers who work there that weekday, each in a consult room; never overlapping
 * per provider or per room. Also consultation requests for later bookings.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../src/kernel/db/database.ts';
import type { Appointment } from '../src/scheduling/repository.ts';
import type { ConsultationRequestTable } from '../src/kernel/db/schema.ts';
import { prng, shuffle } from './stats.ts';

const MINUTE = 60_000;
const STEP = 30 * MINUTE;

interface Site {
  id: string;
  zone: string;
  opening: Map<number, Array<{ from: number; to: number }>>;
  rooms: string[];
  providers: Map<number, string[]>;
}

async function loadSites(database: Database): Promise<Site[]> {
  const db = database.db;
  const [locations, opening, rooms, hours] = await Promise.all([
    db.selectFrom('locations').select(['id', 'time_zone']).orderBy('sort_order').execute(),
    db.selectFrom('opening_hours').selectAll().orderBy('opens_min').execute(),
    db
      .selectFrom('rooms')
      .select(['id', 'location_id'])
      .where('kind', '=', 'room')
      .where('active', '=', 1)
      .orderBy('id')
      .execute(),
    // Consultations and follow-ups are the providers' (nurses run infusions).
    db
      .selectFrom('provider_hours')
      .innerJoin('providers', 'providers.id', 'provider_hours.provider_id')
      .select(['provider_id', 'location_id', 'weekday'])
      .where('providers.kind', '=', 'provider')
      .orderBy('provider_id')
      .execute(),
  ]);
  return locations.map((l) => {
    const site: Site = {
      id: l.id,
      zone: l.time_zone,
      opening: new Map(),
      rooms: rooms.filter((r) => r.location_id === l.id).map((r) => r.id),
      providers: new Map(),
    };
    for (const o of opening.filter((o) => o.location_id === l.id)) {
      site.opening.set(o.weekday, [...(site.opening.get(o.weekday) ?? []), { from: o.opens_min, to: o.closes_min }]);
    }
    for (const h of hours.filter((h) => h.location_id === l.id)) {
      const list = site.providers.get(h.weekday) ?? [];
      if (!list.includes(h.provider_id)) list.push(h.provider_id);
      site.providers.set(h.weekday, list);
    }
    return site;
  });
}

/** Greedy random fill (then thinned to exactly `count`), widening the date range until there is enough. */
export async function generateAppointments(database: Database, now: number, count: number): Promise<Appointment[]> {
  const sites = await loadSites(database);
  const types = await database.db
    .selectFrom('appointment_types')
    .selectAll()
    .where('code', 'in', ['consultation', 'follow-up'])
    .execute();
  if (types.length !== 2) throw new Error('demo appointment types missing');
  for (let halfDays = 548; halfDays < 3650; halfDays += 30) {
    const rand = prng(20260302);
    const freeAt = new Map<string, number>();
    const out: Appointment[] = [];
    for (let d = -halfDays; d <= halfDays; d++) {
      for (const site of sites) {
        const date = DateTime.fromMillis(now, { zone: site.zone }).startOf('day').plus({ days: d });
        const providers = site.providers.get(date.weekday) ?? [];
        for (const span of site.opening.get(date.weekday) ?? []) {
          const at = (m: number) => date.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis();
          const close = at(span.to);
          for (let t = at(span.from); t < close; t += STEP) {
            for (const room of site.rooms) {
              if ((freeAt.get(room) ?? 0) > t || rand() > 0.95) continue;
              const type = types[rand() < 0.5 ? 0 : 1]!;
              const busyTo = t + (type.buffer_before_min + type.duration_min + type.buffer_after_min) * MINUTE;
              if (busyTo > close) continue;
              const free = providers.filter((p) => (freeAt.get(p) ?? 0) <= t);
              const provider = free[Math.floor(rand() * free.length)];
              if (!provider) continue;
              freeAt.set(room, busyTo);
              freeAt.set(provider, busyTo);
              const startsAt = t + type.buffer_before_min * MINUTE;
              const created = Math.min(startsAt, now) - Math.floor(rand() * 30) * 24 * 60 * MINUTE;
              out.push({
                id: randomUUID(),
                location_id: site.id,
                type_id: type.id,
                request_id: null,
                nurse_id: null,
                nurse_seat: null,
                provider_id: provider,
                room_id: room,
                starts_at: startsAt,
                ends_at: startsAt + type.duration_min * MINUTE,
                busy_from: t,
                busy_to: busyTo,
                status: 'booked',
                created_at: created,
                updated_at: created,
              });
            }
          }
        }
      }
    }
    if (out.length >= count)
      return shuffle(out, rand)
        .slice(0, count)
        .sort((a, b) => a.busy_from - b.busy_from);
  }
  throw new Error(`the demo clinic's hours cannot hold ${count} appointments`);
}

/** Inserts rows in multi-row statements inside one transaction per call. */
async function insertBatched<T extends 'appointments' | 'consultation_requests'>(
  database: Database,
  table: T,
  rows: Array<T extends 'appointments' ? Appointment : Insertable<ConsultationRequestTable>>,
  batch: number,
): Promise<void> {
  await database.transact(async (trx) => {
    for (let i = 0; i < rows.length; i += batch) {
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + batch) as never)
        .execute();
    }
  });
}

/** Appointments as history (the database checks each against the others, as for any booking). */
export async function insertHistory(database: Database, appointments: Appointment[]): Promise<void> {
  await insertBatched(database, 'appointments', appointments, 1000);
  // A live PostgreSQL database has long been vacuumed and analyzed by autovacuum; do it now rather than let
  // autovacuum wake up in the middle of a measurement. SQLite is left as the app leaves it (no ANALYZE).
  if (database.engine === 'postgres') await sql`vacuum analyze`.execute(database.db);
}

/** Consultation requests waiting to be booked, one per planned booking (locationIds[i] is where request i asks to go). */
export async function insertRequests(database: Database, locationIds: string[], now: number): Promise<string[]> {
  const rows: Insertable<ConsultationRequestTable>[] = locationIds.map((locationId, i) => ({
    id: randomUUID(),
    idempotency_key: `bench-${i}-${randomUUID()}`,
    body_hash: randomUUID().replace(/-/g, ''),
    location_id: locationId,
    first_name: 'Ana',
    last_name: `Moreno ${i}`,
    email: `patient${i}@example.com`,
    phone: '+13125550147',
    contact_method: 'email',
    reason: 'crps',
    heard_from: 'physician',
    message: 'My left hand has hurt since a fracture.',
    consent_at: now,
    status: 'new',
    created_at: now - i * 1000,
  }));
  await insertBatched(database, 'consultation_requests', rows, 500);
  return rows.map((r) => r.id);
}
