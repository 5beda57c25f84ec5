/**
 * Bulk history for the benchmark: N booked appointments over ~3 years around `now`, inside each location's
 * opening hours, for the providers who work there that weekday, each in a consult room; never overlapping
 * per provider or per room. Also consultation requests for later bookings.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../src/kernel/db/database.ts';
import type { Appointment } from '../src/scheduling/repository.ts';
import type { AppointmentTypeTable, ConsultationRequestTable } from '../src/kernel/db/schema.ts';
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
      .selectFrom('clinician_hours')
      .innerJoin('clinicians', 'clinicians.id', 'clinician_hours.clinician_id')
      .select(['clinician_id', 'location_id', 'weekday'])
      .where('clinicians.kind', '=', 'provider')
      .orderBy('clinician_id')
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
      if (!list.includes(h.clinician_id)) list.push(h.clinician_id);
      site.providers.set(h.weekday, list);
    }
    return site;
  });
}

type TypeRow = Selectable<AppointmentTypeTable>;

async function loadPlan(database: Database): Promise<{ sites: Site[]; types: TypeRow[] }> {
  const sites = await loadSites(database);
  const types = await database.db
    .selectFrom('appointment_types')
    .selectAll()
    .where('code', 'in', ['consultation', 'follow-up'])
    .execute();
  if (types.length !== 2) throw new Error('demo appointment types missing');
  return { sites, types };
}

/**
 * Greedy random fill of whole days (day 0 is now's local day at each location): every 30 minutes, each consult room
 * takes a consultation or follow-up with 95 % chance when it and a provider working there that weekday are free.
 * Appointments never cross a day's closing, so days are independent of each other.
 */
function fillDays(
  plan: { sites: Site[]; types: TypeRow[] },
  now: number,
  days: Iterable<number>,
  rand: () => number,
  limit = Infinity,
): Appointment[] {
  const { sites, types } = plan;
  const out: Appointment[] = [];
  for (const d of days) {
    const freeAt = new Map<string, number>();
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
              nurse_lane: null,
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
    if (out.length >= limit) break;
  }
  return out;
}

function* range(from: number, to: number, step = 1): Generator<number> {
  for (let d = from; step > 0 ? d < to : d > to; d += step) yield d;
}

/** `count` appointments drawn at random from the fill of days [fromDay, toDay), oldest first. */
function thinned(all: Appointment[], count: number, rand: () => number): Appointment[] {
  return shuffle(all, rand)
    .slice(0, count)
    .sort((a, b) => a.busy_from - b.busy_from);
}

/** Greedy random fill (then thinned to exactly `count`), widening the date range around now until there is enough. */
export async function generateAppointments(database: Database, now: number, count: number): Promise<Appointment[]> {
  const plan = await loadPlan(database);
  for (let halfDays = 548; halfDays < 3650; halfDays += 30) {
    const rand = prng(20260302);
    const out = fillDays(plan, now, range(-halfDays, halfDays + 1), rand);
    if (out.length >= count) return thinned(out, count, rand);
  }
  throw new Error(`the demo clinic's hours cannot hold ${count} appointments`);
}

/** Exactly `count` appointments in the days [fromDay, toDay) around now, thinned at random from the greedy fill. */
export async function generateWindow(
  database: Database,
  now: number,
  count: number,
  fromDay: number,
  toDay: number,
): Promise<Appointment[]> {
  const rand = prng(20260302);
  const out = fillDays(await loadPlan(database), now, range(fromDay, toDay), rand);
  if (out.length < count) throw new Error(`days ${fromDay}..${toDay} hold only ${out.length} of ${count} appointments`);
  return thinned(out, count, rand);
}

/** Exactly `count` appointments filling whole days backwards from the day before `beforeDay`: older history. */
export async function generateBefore(
  database: Database,
  now: number,
  count: number,
  beforeDay: number,
): Promise<Appointment[]> {
  const out = fillDays(await loadPlan(database), now, range(beforeDay - 1, -Infinity, -1), prng(20260303), count);
  return out.slice(0, count).sort((a, b) => a.busy_from - b.busy_from);
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
