/**
 * Staff calendar render time: a busy week at Chicago (8 chairs, 4 providers), then GET /staff/calendar week and day
 * views through app.inject as a signed-in admin, each next to the bare read of the same appointments.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { Database } from '../src/kernel/db/database.ts';
import type { DB } from '../src/kernel/db/schema.ts';
import type { Insertable } from 'kysely';
import { appointmentsBetween } from '../src/calendar/repository.ts';
import { dayBounds } from '../src/kernel/time/wall-clock.ts';
import { createSession } from '../src/kernel/http/sessions.ts';
import { insertUser } from '../src/staff/users.ts';
import { makeDemoPatientsReady } from '../src/seed/demo-clinical.ts';
import { SESSION_COOKIE } from '../src/kernel/http/guard.ts';
import { latencyOf, sample, collectGarbage, type Latency } from './stats.ts';

const MINUTE = 60_000;
const LOCATION = 'loc-chicago';
const ZONE = 'America/Chicago';
const DAYS = 7;
const INFUSIONS_PER_CHAIR = 8;
const CONSULTS_PER_PROVIDER = 10;

export interface BusyWeek {
  monday: string;
  day: string;
  inserted: number;
  chairs: number;
  providers: number;
}
export interface CalendarResult {
  week: Latency;
  day: Latency;
  weekRead: Latency;
  dayRead: Latency;
  weekShown: number;
  dayShown: number;
  weekBytes: number;
  dayBytes: number;
}

/**
 * The bench's own set-up: 2 more chairs, 2 more consult rooms, 2 more providers and 2 more nurses at Chicago (8, 4, 4
 * and 4; nurses watch two chairs at once), then, for the 7 days of the week after next (cleared of the seeded history
 * first), one-hour infusions every 75 minutes from 8:00 in every chair (8 a day), each with a nurse in turn, and a
 * consultation every hour from 8:00 for every provider (10 a day), in the consult rooms in turn. Rows go in directly;
 * the database checks them for overlap like any booking.
 */
/** The bench's providers, who supervise its infusions (four each, their default supervises_at_once). */
const SUPERVISORS = ['bench-prov-adeyemi', 'bench-prov-novak'];

export async function seedBusyWeek(database: Database, now: number): Promise<BusyWeek> {
  const db = database.db;
  const monday = DateTime.fromMillis(now, { zone: ZONE }).startOf('week').plus({ weeks: 2 });
  await database.transact(async (trx) => {
    await trx
      .insertInto('rooms')
      .values([
        ...[7, 8].map((n) => ({
          id: `bench-chair-chi-${n}`,
          location_id: LOCATION,
          name: `Chair ${n}`,
          kind: 'chair' as const,
          active: 1,
        })),
        ...[3, 4].map((n) => ({
          id: `bench-room-chi-${n}`,
          location_id: LOCATION,
          name: `Consult room ${n}`,
          kind: 'room' as const,
          active: 1,
        })),
      ])
      .execute();
    await trx
      .insertInto('clinicians')
      .values([
        {
          id: 'bench-prov-adeyemi',
          name: 'Dr. Tola Adeyemi',
          credentials: 'MD',
          active: 1,
          kind: 'provider',
          watches_at_once: 1,
        },
        {
          id: 'bench-prov-novak',
          name: 'Dr. Ivana Novak',
          credentials: 'DO',
          active: 1,
          kind: 'provider',
          watches_at_once: 1,
        },
        { id: 'bench-nurse-osei', name: 'Ama Osei', credentials: 'RN', active: 1, kind: 'nurse', watches_at_once: 2 },
        { id: 'bench-nurse-lund', name: 'Siri Lund', credentials: 'RN', active: 1, kind: 'nurse', watches_at_once: 2 },
      ])
      .execute();
    await trx
      .insertInto('clinician_hours')
      .values(
        ['bench-prov-adeyemi', 'bench-prov-novak', 'bench-nurse-osei', 'bench-nurse-lund'].flatMap((clinician_id) =>
          [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
            clinician_id,
            location_id: LOCATION,
            weekday,
            from_min: 8 * 60,
            to_min: 18 * 60,
          })),
        ),
      )
      .execute();
  });
  const clinicians = (kind: 'provider' | 'nurse') =>
    db
      .selectFrom('clinician_hours')
      .innerJoin('clinicians', 'clinicians.id', 'clinician_hours.clinician_id')
      .select('clinician_id')
      .distinct()
      .where('location_id', '=', LOCATION)
      .where('clinicians.kind', '=', kind)
      .orderBy('clinician_id')
      .execute();
  const [chairs, rooms, providers, nurses, types] = await Promise.all([
    db
      .selectFrom('rooms')
      .select('id')
      .where('location_id', '=', LOCATION)
      .where('kind', '=', 'chair')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('rooms')
      .select('id')
      .where('location_id', '=', LOCATION)
      .where('kind', '=', 'room')
      .orderBy('id')
      .execute(),
    clinicians('provider'),
    clinicians('nurse'),
    db.selectFrom('appointment_types').select(['id', 'code']).execute(),
  ]);
  const typeId = (code: string) => types.find((t) => t.code === code)!.id;

  const patients: Insertable<DB['patients']>[] = Array.from({ length: 120 }, (_, i) => ({
    id: randomUUID(),
    first_name: `Pat${i}`,
    last_name: `Bench${i}`,
    email: `bench.patient${i}@example.com`,
    phone: `+1312555${String(1000 + i)}`,
    contact_method: 'email',
    location_id: LOCATION,
    created_at: now,
    updated_at: now,
  }));
  const rows: Insertable<DB['appointments']>[] = [];
  const add = (
    type: string,
    provider: string | null,
    nurse: string | null,
    seat: number | null,
    room: string | null,
    start: number,
    minutes: number,
    before: number,
    after: number,
    supervisor: [id: string, lane: number] | null = null,
  ) => {
    const patient = patients[rows.length % patients.length]!;
    rows.push({
      id: randomUUID(),
      location_id: LOCATION,
      type_id: typeId(type),
      request_id: null,
      provider_id: provider,
      nurse_id: nurse,
      nurse_lane: seat,
      room_id: room,
      supervisor_id: supervisor?.[0] ?? null,
      supervisor_lane: supervisor?.[1] ?? null,
      starts_at: start,
      ends_at: start + minutes * MINUTE,
      busy_from: start - before * MINUTE,
      busy_to: start + (minutes + after) * MINUTE,
      status: rows.length % 25 === 0 ? 'cancelled' : 'booked',
      attendance: rows.length % 7 === 0 ? 'arrived' : null,
      patient_id: patient.id,
      created_at: now,
      updated_at: now,
    });
  };
  for (let d = 0; d < DAYS; d++) {
    const date = monday.plus({ days: d });
    const at = (h: number, m: number) => date.set({ hour: h, minute: m }).toMillis();
    chairs.forEach((chair, c) => {
      for (let k = 0; k < INFUSIONS_PER_CHAIR; k++)
        add(
          'infusion',
          null,
          nurses[(c + k) % nurses.length]!.clinician_id,
          Math.floor(c / nurses.length) + 1,
          chair.id,
          at(8, 0) + k * 75 * MINUTE,
          60,
          15,
          0,
          // The bench's two providers work every day 08:00–18:00: chair c takes lane c/2 of one of them.
          [SUPERVISORS[c % SUPERVISORS.length]!, Math.floor(c / SUPERVISORS.length) + 1],
        );
    });
    providers.forEach((p, i) => {
      for (let k = 0; k < CONSULTS_PER_PROVIDER; k++)
        add('consultation', p.clinician_id, null, null, rooms[(i + k) % rooms.length]!.id, at(8 + k, 0), 45, 0, 15);
    });
  }
  const weekStart = monday.toMillis(),
    weekEnd = monday.plus({ days: DAYS }).toMillis();
  await database.transact(async (trx) => {
    await trx
      .deleteFrom('appointments')
      .where('busy_to', '>', weekStart - 86_400_000)
      .where('busy_from', '<', weekEnd + 86_400_000)
      .execute();
    await trx.insertInto('patients').values(patients).execute();
  });
  // Infusion patients are screened and planned first, as the database's infusion gate requires (migration 024).
  await ensureProvider(database, now);
  if (
    !(await makeDemoPatientsReady(
      database,
      patients.map((p) => ({ id: p.id, locationId: LOCATION })),
      now,
    ))
  )
    throw new Error('the bench could not make its infusion patients ready');
  await database.transact(async (trx) => {
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('appointments')
        .values(rows.slice(i, i + 200))
        .execute();
  });
  return {
    monday: monday.toISODate()!,
    day: monday.plus({ days: 1 }).toISODate()!,
    inserted: rows.length,
    chairs: chairs.length,
    providers: providers.length,
  };
}

/** A provider account to sign the bench patients' screenings and plans (the bench seeds no staff). */
async function ensureProvider(database: Database, now: number): Promise<void> {
  const found = await database.db.selectFrom('users').select('id').where('role', '=', 'provider').executeTakeFirst();
  if (!found)
    await insertUser(
      database.db,
      { email: 'bench.provider@relief.example', name: 'Bench Provider', role: 'provider', locationIds: [LOCATION] },
      now,
    );
}

/** An active admin session for the requests, made directly (the bench seeds no staff and needs no password step). */
export async function adminCookie(app: FastifyInstance, database: Database): Promise<string> {
  const t = Date.now();
  const userId = await insertUser(
    database.db,
    { email: 'bench.admin@relief.example', name: 'Bench Admin', role: 'admin', locationIds: [LOCATION, 'loc-denver'] },
    t,
  );
  const settings = { idleMs: app.deps.config.sessionIdleMs, absoluteMs: app.deps.config.sessionMaxMs };
  const { token } = await createSession(
    database.db,
    { userId, stage: 'active', ip: '127.0.0.1', userAgent: 'relief-bench' },
    t,
    settings,
  );
  return `${SESSION_COOKIE}=${token}`;
}

export async function measureCalendar(
  app: FastifyInstance,
  database: Database,
  week: BusyWeek,
  runs: number,
): Promise<CalendarResult> {
  const cookie = await adminCookie(app, database);
  const render = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
    return res.body;
  };
  const weekUrl = `/staff/calendar?location=chicago&view=week&date=${week.monday}`;
  const dayUrl = `/staff/calendar?location=chicago&view=day&date=${week.day}`;
  const weekSpan = {
    start: dayBounds(ZONE, week.monday).start,
    end: dayBounds(
      ZONE,
      DateTime.fromISO(week.monday)
        .plus({ days: DAYS - 1 })
        .toISODate()!,
    ).end,
  };
  const daySpan = dayBounds(ZONE, week.day);
  const read = (span: { start: number; end: number }) => () =>
    appointmentsBetween(database.db, LOCATION, span.start, span.end, false);

  const [weekBody, dayBody] = [await render(weekUrl), await render(dayUrl)];
  const shown = (body: string) => body.split('class="appt appt-type-').length - 1;
  const weekShown = shown(weekBody),
    dayShown = shown(dayBody);
  // Every live appointment once per day in the week list; in the day grid once per provider, nurse, and chair or room it holds.
  const weekLive = (await read(weekSpan)()).length,
    dayLive = await read(daySpan)();
  if (weekShown !== weekLive) throw new Error(`week view shows ${weekShown} of ${weekLive} appointments`);
  const dayCells = dayLive.reduce(
    (n, a) => n + [a.provider_id, a.nurse_id, a.room_id].filter((x) => x !== null).length,
    0,
  );
  if (dayShown !== dayCells)
    throw new Error(`day view shows ${dayShown} links for ${dayLive.length} appointments (${dayCells} cells)`);

  collectGarbage();
  const samples = { week: [] as number[], day: [] as number[], weekRead: [] as number[], dayRead: [] as number[] };
  for (const fn of [() => render(weekUrl), () => render(dayUrl), read(weekSpan), read(daySpan)]) await sample(0, 5, fn);
  // Interleaved in blocks so that drift hits all sides alike.
  for (let block = 0; block < 5; block++) {
    samples.week.push(...(await sample(runs / 5, 0, () => render(weekUrl))));
    samples.day.push(...(await sample(runs / 5, 0, () => render(dayUrl))));
    samples.weekRead.push(...(await sample(runs / 5, 0, read(weekSpan))));
    samples.dayRead.push(...(await sample(runs / 5, 0, read(daySpan))));
  }
  return {
    week: latencyOf(samples.week),
    day: latencyOf(samples.day),
    weekRead: latencyOf(samples.weekRead),
    dayRead: latencyOf(samples.dayRead),
    weekShown,
    dayShown,
    weekBytes: Buffer.byteLength(weekBody),
    dayBytes: Buffer.byteLength(dayBody),
  };
}
