import type { Database } from '../kernel/db/database.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import { badRequest, notFound, Refusal } from '../kernel/refusal.ts';
import { addYears, today } from '../kernel/time/wall-clock.ts';
import { isDay, WEEKDAY_NUMBERS, type Week } from './forms.ts';
import { bookingConflicts, type ConflictRow, conflictAudit } from './impact.ts';
import {
  closuresFrom,
  deleteClosure,
  insertClosure,
  openingHoursOf,
  replaceOpeningHours,
  type WeekdaySpan,
} from './repository.ts';
import { locationOr404, saveSetup, type Actor } from './service.ts';

/** A location and its weekly opening hours. */
export async function openingHours(database: Database, locationId: unknown) {
  const location = await locationOr404(database.db, locationId);
  const rows = await openingHoursOf(database.db, location.id);
  const spans: WeekdaySpan[] = rows.map((r) => ({ weekday: r.weekday, from: r.opens_min, to: r.closes_min }));
  return { location, spans };
}

/** Replaces the week's hours; returns the booked visits that no longer fit. */
export async function saveOpeningHours(
  database: Database,
  actor: Actor,
  locationId: unknown,
  week: Week,
): Promise<ConflictRow[]> {
  const location = await locationOr404(database.db, locationId);
  return saveSetup(database, actor, { thing: 'opening_hours', locationId: location.id }, async (trx) => {
    const spans = WEEKDAY_NUMBERS.flatMap((weekday) => {
      const span = week[weekday];
      return span ? [{ weekday, from: span.from, to: span.to }] : [];
    });
    await replaceOpeningHours(trx, location.id, spans);
    const found = await bookingConflicts(trx, { locationId: location.id }, actor.now);
    return { result: found, detail: { location: location.id, openDays: spans.length, ...conflictAudit(found) } };
  });
}

/** A location and its closures from today (its local date) on. */
export async function upcomingClosures(database: Database, locationId: unknown, now: number) {
  const location = await locationOr404(database.db, locationId);
  const closures = await closuresFrom(database.db, location.id, today(now, location.time_zone));
  return { location, closures };
}

/** Closes the location all day on `date`, from today to three years ahead in its local calendar. */
export async function addClosure(
  database: Database,
  actor: Actor,
  locationId: unknown,
  closure: { date: string; reason: string },
): Promise<ConflictRow[] | Refusal> {
  const location = await locationOr404(database.db, locationId);
  const { date, reason } = closure;
  const local = today(actor.now, location.time_zone);
  if (date < local) return dateRefused('Choose today or a later date.');
  if (date > addYears(local, 3)) return dateRefused('Choose a date within the next three years.');
  try {
    return await saveSetup(database, actor, { thing: 'closure_add', locationId: location.id }, async (trx) => {
      await insertClosure(trx, location.id, date, reason);
      const found = await bookingConflicts(trx, { locationId: location.id }, actor.now);
      return { result: found, detail: { location: location.id, date, ...conflictAudit(found) } };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return dateRefused('The location is already closed on that day.');
  }
}

const dateRefused = (message: string) => new Refusal('invalid_request', message, { date: message });

/** Reopens the location on `date`, one of its closures. */
/** The upcoming closure a removal names, checked before asking to confirm it (400 for a malformed date, 404 for none). */
export async function closureToRemove(database: Database, locationId: unknown, date: string, now: number) {
  if (!isDay(date)) throw badRequest('Choose a closure from the list to remove.');
  const { closures } = await upcomingClosures(database, locationId, now);
  const closure = closures.find((c) => c.date === date);
  if (!closure) throw notFound('That closure');
  return closure;
}

export async function removeClosure(
  database: Database,
  actor: Actor,
  locationId: unknown,
  date: string,
): Promise<ConflictRow[]> {
  const location = await locationOr404(database.db, locationId);
  if (!isDay(date)) throw badRequest('Choose a closure from the list to remove.');
  return saveSetup(database, actor, { thing: 'closure_remove', locationId: location.id }, async (trx) => {
    if ((await deleteClosure(trx, location.id, date)) !== 1) throw notFound('That closure');
    const found = await bookingConflicts(trx, { locationId: location.id }, actor.now);
    return { result: found, detail: { location: location.id, date, ...conflictAudit(found) } };
  });
}
