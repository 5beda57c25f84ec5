import { randomUUID } from 'node:crypto';
import type { Database } from '../kernel/db/database.ts';
import { isRefusal, notFound, type Refusal } from '../kernel/refusal.ts';
import { invalidForm, isId, type Values } from './forms.ts';
import { bookingConflicts, type ConflictRow, conflictAudit } from './impact.ts';
import {
  clinicianHoursOf,
  deleteTimeOff,
  insertTimeOff,
  listLocationNames,
  replaceClinicianHours,
  timeOffAfter,
} from './repository.ts';
import { parseSchedule, parseTimeOff } from './schedule-schema.ts';
import { clinicianOr404, saveSetup, type Actor } from './service.ts';

/** Whose set-up was saved, and the booked visits that no longer fit it. */
export interface Saved {
  name: string;
  conflicts: ConflictRow[];
}

/** A clinician's weekly hours at every location. */
export async function weeklySchedule(database: Database, clinicianId: unknown) {
  const clinician = await clinicianOr404(database.db, clinicianId);
  const locations = await listLocationNames(database.db);
  const hours = await clinicianHoursOf(database.db, clinician.id);
  return { clinician, locations, hours };
}

/** Replaces the clinician's weekly hours with those of the form (one week per location). */
export async function saveWeeklySchedule(
  database: Database,
  actor: Actor,
  clinicianId: unknown,
  values: Values,
): Promise<Saved | Refusal> {
  const clinician = await clinicianOr404(database.db, clinicianId);
  const { rows, errors } = parseSchedule(values, await listLocationNames(database.db));
  if (Object.keys(errors).length) return invalidForm(errors);
  const conflicts = await saveSetup(database, actor, { thing: 'clinician_hours', locationId: null }, async (trx) => {
    await replaceClinicianHours(trx, clinician.id, rows);
    const found = await bookingConflicts(trx, { clinicianId: clinician.id }, actor.now);
    return { result: found, detail: { clinician: clinician.id, days: rows.length, ...conflictAudit(found) } };
  });
  return { name: clinician.name, conflicts };
}

/** Time off not yet over, shown in the zone of the clinician's first location (by the list's order). */
export async function timeOffOf(database: Database, clinicianId: unknown, now: number) {
  const clinician = await clinicianOr404(database.db, clinicianId);
  const locations = await listLocationNames(database.db);
  const works = await clinicianHoursOf(database.db, clinician.id);
  const main = locations.find((l) => works.some((w) => w.location_id === l.id)) ?? locations[0];
  const timeOff = await timeOffAfter(database.db, clinician.id, now);
  return { clinician, locations, main, timeOff };
}

/** Adds time off typed in a location's local time; the clinician is then offered nowhere during it. */
export async function addTimeOff(
  database: Database,
  actor: Actor,
  clinicianId: unknown,
  values: Values,
): Promise<Saved | Refusal> {
  const clinician = await clinicianOr404(database.db, clinicianId);
  const parsed = parseTimeOff(values, await listLocationNames(database.db), actor.now);
  if (isRefusal(parsed)) return parsed;
  const { start, end, reason, locationId } = parsed;
  const id = randomUUID();
  const conflicts = await saveSetup(database, actor, { thing: 'time_off_add', locationId: null }, async (trx) => {
    await insertTimeOff(trx, { id, clinicianId: clinician.id, start, end, reason });
    const found = await bookingConflicts(trx, { clinicianId: clinician.id }, actor.now);
    return {
      result: found,
      detail: {
        clinician: clinician.id,
        timeOff: id,
        zoneOf: locationId,
        startsAt: start,
        endsAt: end,
        ...conflictAudit(found),
      },
    };
  });
  return { name: clinician.name, conflicts };
}

export async function removeTimeOff(
  database: Database,
  actor: Actor,
  clinicianId: unknown,
  offId: unknown,
): Promise<ConflictRow[]> {
  const clinician = await clinicianOr404(database.db, clinicianId);
  if (!isId(offId)) throw notFound('That time off');
  return saveSetup(database, actor, { thing: 'time_off_remove', locationId: null }, async (trx) => {
    if ((await deleteTimeOff(trx, clinician.id, offId)) !== 1) throw notFound('That time off');
    const found = await bookingConflicts(trx, { clinicianId: clinician.id }, actor.now);
    return { result: found, detail: { clinician: clinician.id, timeOff: offId, ...conflictAudit(found) } };
  });
}
