/**
 * The nurse board of a location's day: one card per chair in use. Nurses and providers see the clinical part (time
 * since start, next vitals due, latest reading, open alerts) and open each session from its card; the front desk and
 * administrators see chair status only (chair, time, name, state) and no clinical values. Every read is audited.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { findLocation } from '../../kernel/clinic.ts';
import { refuse, notFound } from '../../kernel/refusal.ts';
import { dayBounds, today } from '../../kernel/time/wall-clock.ts';
import { auditAlone, visibleLocations, type StaffLocation } from '../../patients/service.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { boardCards, type ChairCard } from './board-cards.ts';
import { boardStamp, boardVisits, latestReadings, openAlerts } from './board-repository.ts';

export interface BoardView {
  location: StaffLocation;
  /** Every location this person may see, for the switcher. */
  visible: StaffLocation[];
  /** The location's day, YYYY-MM-DD in its zone. */
  date: string;
  now: number;
  /** True for nurses and providers: the cards carry clinical values and link to the sessions. */
  clinical: boolean;
  cards: ChairCard[];
}

const LOCATION_KEY = /^[a-z0-9-]{1,64}$/i;

/**
 * The location asked for (slug or id) if this person may see it, else their first. One they may not see, or none
 * such, is the plain 404 (a 'denied' event when it exists): the board does not say which locations exist.
 */
export async function boardLocation(
  database: Database,
  actor: Actor,
  key: unknown,
): Promise<{ location: StaffLocation; visible: StaffLocation[] }> {
  const visible = await visibleLocations(database.db, actor);
  if (key === undefined || key === '') {
    const first = visible[0];
    if (!first) throw refuse('no_location', 'You are not assigned to a location yet. Please ask an administrator.');
    return { location: first, visible };
  }
  if (typeof key !== 'string' || !LOCATION_KEY.test(key)) throw notFound('That board');
  const found = visible.find((l) => l.slug === key || l.id === key);
  if (found) return { location: found, visible };
  const elsewhere = await findLocation(database.db, key);
  if (elsewhere) {
    await auditAlone(database, actor, 'board.view', 'denied', { locationId: elsewhere.id, patientRef: null });
  }
  throw notFound('That board');
}

export const seesClinical = (actor: Actor): boolean =>
  (CLINICAL_RECORD_ROLES as readonly string[]).includes(actor.staff.role);

/** The board of a location's day as this person may see it, audited ('board.view', the number of cards). */
export async function boardView(database: Database, actor: Actor, key: unknown): Promise<BoardView> {
  const { location, visible } = await boardLocation(database, actor, key);
  const date = today(actor.now, location.time_zone);
  const { start, end } = dayBounds(location.time_zone, date);
  const clinical = seesClinical(actor);
  const db = database.db;
  const rows = await boardVisits(db, location.id, start, end, clinical);
  let cards: ChairCard[];
  if (clinical) {
    const sessionIds = [...new Set(rows.flatMap((r) => (r.sessionId === null ? [] : [r.sessionId])))];
    const [readings, alerts] = await Promise.all([latestReadings(db, sessionIds), openAlerts(db, sessionIds)]);
    cards = boardCards(rows, actor.now, { readings, alerts });
  } else {
    cards = boardCards(rows, actor.now);
  }
  await auditAlone(
    database,
    actor,
    'board.view',
    'success',
    { locationId: location.id, patientRef: null },
    { cards: cards.length, clinical },
  );
  return { location, visible, date, now: actor.now, clinical, cards };
}

/**
 * What the live board polls: a function giving the stamp of `location`'s day as of `now` (the day moves on at
 * midnight in the location's zone), plus the minute, so the cards' clocks (time since start, overdue) move on too.
 */
export function boardChanges(database: Database, location: StaffLocation): (now: number) => Promise<string> {
  return async (now) => {
    const { start, end } = dayBounds(location.time_zone, today(now, location.time_zone));
    const stamp = await boardStamp(database.db, location.id, start, end);
    return `${stamp}|${Math.floor(now / 60_000)}`;
  };
}
