import { DateTime } from 'luxon';
import type { Database } from '../kernel/db/database.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { addDays, today, wallInstant, weekStart } from '../kernel/time/wall-clock.ts';
import { loadAvailability, typeOfKind, type AppointmentType } from '../scheduling/availability.ts';
import type { TypeKind } from '../kernel/db/schema.ts';
import { TYPE_KINDS } from '../scheduling/type-needs.ts';
import { insertAppointment, parseLane } from '../scheduling/repository.ts';
import { withBuffers } from '../scheduling/slots.ts';
import { makeDemoPatientsReady } from './demo-clinical.ts';

const MINUTE = 60_000;
const H = (hour: number, minute = 0) => hour * 60 + minute;

/**
 * A day's plan at a location: the kind of visit and its local start (minutes past midnight). By kind, not by a type's
 * code: types are the clinic's data, and each visit takes the type of its kind that is in use.
 */
type Plan = Array<[kind: TypeKind, at: number]>;
// Infusions start when a provider is on site to supervise them to the end (Chicago: Dr. Okafor 09:00–16:00; Denver:
// Dr. Lindqvist 09:00–15:00 on Mondays, Wednesdays and Fridays, Dr. Reyes from 12:00), so Denver's Tuesday and
// Thursday mornings have none: the slot engine skips them.

const WEEKDAY_PLANS: Record<string, Plan> = {
  'loc-chicago': [
    ['infusion', H(9)],
    ['infusion', H(9, 15)],
    ['consultation', H(9)],
    ['follow-up', H(10)],
    ['infusion', H(10, 30)],
    ['consultation', H(11)],
    ['consultation', H(11, 15)],
    ['infusion', H(11, 45)],
    ['follow-up', H(13, 30)],
    ['booster', H(13, 45)],
    ['consultation', H(14, 30)],
    ['follow-up', H(15, 15)],
  ],
  'loc-denver': [
    ['infusion', H(9)],
    ['consultation', H(9, 30)],
    ['infusion', H(10)],
    ['follow-up', H(11)],
    ['booster', H(12, 30)],
    ['consultation', H(13)],
    ['follow-up', H(14, 30)],
  ],
};
const SATURDAY_PLAN: Plan = [
  ['infusion', H(9)],
  ['follow-up', H(10)],
];

/** Kinds of visit for patients in treatment (screened and planned); the others are new patients' consultations. */
const IN_TREATMENT: ReadonlySet<TypeKind> = new Set(['infusion', 'booster', 'follow-up']);
/** Of each location's dozen demo patients, this many are in treatment: enough for a day's infusions and follow-ups. */
const TREATED = 8;

const FIRST = ['Maya', 'Luis', 'Grace', 'Omar', 'Hannah', 'Jon', 'Priscilla', 'Tomás', 'Ruth', 'Kenji', 'Alma', 'Dev'];
const LAST = ['Alvarez', 'Brennan', 'Chen', 'Dube', 'Eriksen', 'Fofana', 'Gallo', 'Haddad', 'Iyer', 'Jansen', 'Kowal'];

/**
 * Fills the current and the next week of the demo clinic (relative to `now`, in each location's zone) with visits,
 * so a newcomer's first calendar is not empty. Every visit is placed by the slot engine (within opening and working
 * hours, with a free nurse lane and chair or room) and written through the scheduling repository, so the database's
 * overlap rules hold; a plan entry that finds nothing free is skipped. Visits already over are marked arrived, with
 * a few no-shows. Written directly rather than through the booking service: demo patients get no email. Returns the
 * number of visits written. Infusions and boosters go to patients in treatment, whom the seed screens and plans first
 * (the database refuses an infusion for anyone else); without a provider account or a protocol, the demo has none.
 */
export async function seedDemoVisits(database: Database, now: number): Promise<number> {
  const db = database.db;
  const locations = await db.selectFrom('locations').select(['id', 'time_zone']).orderBy('sort_order').execute();
  const types = new Map<TypeKind, AppointmentType>();
  for (const kind of TYPE_KINDS) {
    const type = await typeOfKind(db, kind);
    // Staff place visits at any 5-minute start; the seed does too.
    if (type) types.set(kind, { ...type, min_notice_min: 0, step_min: 5 });
  }
  let written = 0;
  for (const [li, location] of locations.entries()) {
    const plan = WEEKDAY_PLANS[location.id];
    if (!plan) continue;
    const everyone = await demoPatients(database, location.id, li, now);
    const treated = everyone.slice(0, TREATED);
    const ready = await makeDemoPatientsReady(
      database,
      treated.map((id) => ({ id, locationId: location.id })),
      now,
    );
    const pools = { treated, new: everyone.slice(TREATED) };
    const zone = location.time_zone;
    const monday = weekStart(today(now, zone));
    // The engine offers nothing in the past: ask it as if it were the start of this week.
    const asOf = wallInstant(zone, monday, 0) - MINUTE;
    for (let d = 0; d < 14; d++) {
      const date = addDays(monday, d);
      const weekday = DateTime.fromISO(date).weekday;
      const day = weekday === 6 ? SATURDAY_PLAN : weekday <= 5 ? plan : [];
      const n = { treated: 0, new: 0 };
      for (const [i, [kind, at]] of day.entries()) {
        // Some gaps, different each day, so the days do not look stamped out.
        if ((i + d) % 5 === 4) continue;
        const type = types.get(kind);
        if (!type || (!ready && (kind === 'infusion' || kind === 'booster'))) continue;
        const pool = IN_TREATMENT.has(kind) ? 'treated' : 'new';
        const start = wallInstant(zone, date, at);
        const slots = await loadAvailability(db, {
          locationId: location.id,
          zone,
          type,
          from: start,
          to: start + 1,
          now: asOf,
        });
        const option = slots.find((s) => s.start === start)?.options[0];
        if (!option) continue;
        const end = start + type.duration_min * MINUTE;
        const busy = withBuffers({ start, end }, type.buffer_before_min, type.buffer_after_min);
        const lane = option.nurseId === null ? null : parseLane(option.nurseId);
        const supervision = option.supervisorId === undefined ? null : parseLane(option.supervisorId);
        // One visit per patient per day, so no one is in two places at once (each pool outnumbers its day's visits).
        const patient = pools[pool][(n[pool] + d * 3) % pools[pool].length]!;
        const over = end <= now;
        await database.transact((trx) =>
          insertAppointment(trx, {
            id: timeOrderedId(),
            location_id: location.id,
            type_id: type.id,
            request_id: null,
            provider_id: option.providerId,
            nurse_id: lane?.nurseId ?? null,
            nurse_lane: lane?.number ?? null,
            room_id: option.roomId,
            supervisor_id: supervision?.nurseId ?? null,
            supervisor_lane: supervision?.number ?? null,
            starts_at: start,
            ends_at: end,
            busy_from: busy.start,
            busy_to: busy.end,
            status: 'booked',
            created_at: now,
            updated_at: now,
            patient_id: patient,
            ...(over ? { attendance: (written + d) % 7 === 3 ? 'no_show' : 'arrived' } : {}),
          }),
        );
        n[pool]++;
        written++;
      }
    }
  }
  return written;
}

/** A dozen demo patients at a location (fictional names, example.com addresses, 555 numbers). */
async function demoPatients(database: Database, locationId: string, index: number, now: number): Promise<string[]> {
  const rows = FIRST.map((first, i) => ({
    id: timeOrderedId(),
    first_name: first,
    last_name: LAST[(i + index * 5) % LAST.length]!,
    email: `${first
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}.${index}${i}@example.com`,
    phone: `+1312555${String(2000 + index * 100 + i).padStart(4, '0')}`,
    contact_method: 'email',
    location_id: locationId,
    created_at: now,
    updated_at: now,
  }));
  await database.transact((trx) => trx.insertInto('patients').values(rows).execute());
  return rows.map((r) => r.id);
}
