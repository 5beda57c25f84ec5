/**
 * Which booked visits no longer fit the clinic's set-up. Pure: no I/O and no clock reads; the caller loads the
 * visits (booked, in the future) and the rules, and shows the result so that staff can contact those people.
 * Nothing is cancelled here or anywhere else because of a set-up change.
 *
 * A visit is judged by its own time [starts_at, ends_at), not by its buffers: preparation or clean-up time that
 * runs past closing, or into time off, does not stop the visit itself from happening.
 * Wall-clock rules are read in the location's zone: the visit's local date and weekday are those of its start,
 * and it fits a day's hours when [local start, local end] lies within one (merged) span of that day.
 */
import { addDays, wallClockAt } from '../kernel/time/wall-clock.ts';

/** Minutes since local midnight, half-open [from, to); `to` may be 1440 (midnight at the end of the day). */
export interface Span {
  from: number;
  to: number;
}
/** ISO weekday 1 (Monday) .. 7 (Sunday) → spans of that day. A missing or empty day is closed. */
export type Weekly = Partial<Record<number, Span[]>>;
/** An instant interval [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export interface BookedVisit {
  id: string;
  locationId: string;
  /** The provider and nurse booked for it, when its type needs them. */
  providerId: string | null;
  nurseId?: string | null;
  /** The nurse's lane (1 … their watches_at_once). */
  nurseLane?: number | null;
  /** The provider supervising an infusion or booster on site, and which of their lanes it holds (migration 025). */
  supervisorId?: string | null;
  supervisorLane?: number | null;
  roomId: string | null;
  startsAt: number;
  endsAt: number;
}

export interface LocationRules {
  zone: string;
  opening: Weekly;
  /** Local dates 'YYYY-MM-DD' when the location is closed all day. */
  closures: readonly string[];
  /** Each clinician's (provider's or nurse's) hours at this location; one without an entry does not work here. */
  clinicianHours: Readonly<Record<string, Weekly>>;
  /** Rooms and chairs of this location that are no longer in use. */
  inactiveRoomIds: readonly string[];
}

export interface ConflictRules {
  locations: Readonly<Record<string, LocationRules>>;
  /** Time off per clinician (any location: someone away is away everywhere). */
  timeOff: Readonly<Record<string, readonly Interval[]>>;
  /** Clinicians no longer offered for booking. */
  inactiveClinicianIds?: readonly string[];
  /** How many infusions each nurse now watches at once (absent: as many as booked). */
  nurseCapacity?: Readonly<Record<string, number>>;
  /** How many infusions each provider now supervises at once (absent: as many as booked). */
  supervisorCapacity?: Readonly<Record<string, number>>;
}

export type ConflictReason =
  | 'outside_opening_hours'
  | 'closure'
  | 'outside_clinician_hours'
  | 'time_off'
  | 'outside_nurse_hours'
  | 'nurse_time_off'
  | 'clinician_inactive'
  | 'nurse_over_capacity'
  | 'outside_supervisor_hours'
  | 'supervisor_time_off'
  | 'supervisor_over_capacity'
  | 'room_inactive';

export const REASON_TEXT: Record<ConflictReason, string> = {
  outside_opening_hours: 'outside the opening hours',
  closure: 'the location is closed that day',
  outside_clinician_hours: "outside the provider's working hours",
  time_off: "during the provider's time off",
  outside_nurse_hours: "outside the nurse's working hours",
  nurse_time_off: "during the nurse's time off",
  clinician_inactive: 'the provider or nurse is no longer active',
  nurse_over_capacity: 'the nurse now watches fewer infusions at once',
  outside_supervisor_hours: "outside the supervising provider's working hours",
  supervisor_time_off: "during the supervising provider's time off",
  supervisor_over_capacity: 'the supervising provider now supervises fewer infusions at once',
  room_inactive: 'the room is no longer in use',
};

export interface Conflict<V extends BookedVisit = BookedVisit> {
  visit: V;
  /** Local date of the visit's start, 'YYYY-MM-DD'. */
  localDate: string;
  reasons: ConflictReason[];
}

const DAY_MIN = 1440;

/** Sorted and merged: 09:00–12:00 and 12:00–17:00 make one span, so a visit from 11:30 to 12:30 fits. */
function merge(spans: readonly Span[] | undefined): Span[] {
  const sorted = (spans ?? [])
    .filter((s) => s.from < s.to)
    .map((s) => ({ ...s }))
    .sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push(s);
  }
  return out;
}

function fits(spans: readonly Span[] | undefined, from: number, to: number): boolean {
  return merge(spans).some((s) => s.from <= from && to <= s.to);
}

/** The visit's local date, weekday and wall-clock minutes [from, to]; `to` is Infinity when it runs past midnight. */
export function localPlacement(visit: Pick<BookedVisit, 'startsAt' | 'endsAt'>, zone: string) {
  const start = wallClockAt(visit.startsAt, zone);
  const end = wallClockAt(visit.endsAt, zone);
  const from = start.minute;
  let to: number;
  if (end.date === start.date) to = end.minute;
  else if (end.date === addDays(start.date, 1) && end.minute === 0) to = DAY_MIN;
  else to = Number.POSITIVE_INFINITY;
  // When clocks fall back the wall-clock end can come before the start; elapsed time then gives the end.
  to = Math.max(to, from + (visit.endsAt - visit.startsAt) / 60_000);
  return { date: start.date, weekday: start.weekday, from, to };
}

/** How many of the nurse's (or supervisor's) visits, this one included, run at the busiest moment of this visit. */
function heldAt(visit: BookedVisit, all: readonly BookedVisit[], who: 'nurseId' | 'supervisorId'): number {
  const same = all.filter((v) => v[who] === visit[who] && v.startsAt < visit.endsAt && visit.startsAt < v.endsAt);
  // The busiest moment starts with one of the visits: count at each start inside this visit.
  const moments = [visit.startsAt, ...same.map((v) => v.startsAt).filter((t) => t > visit.startsAt)];
  return Math.max(...moments.map((t) => same.filter((v) => v.startsAt <= t && t < v.endsAt).length));
}

/** Why this visit no longer fits; empty when it still does. */
export function conflictReasons(
  visit: BookedVisit,
  rules: ConflictRules,
  others: readonly BookedVisit[] = [visit],
): { localDate: string; reasons: ConflictReason[] } {
  const location = rules.locations[visit.locationId];
  if (!location) return { localDate: '', reasons: [] };
  const { date, weekday, from, to } = localPlacement(visit, location.zone);
  const reasons: ConflictReason[] = [];
  if (location.closures.includes(date)) reasons.push('closure');
  if (!fits(location.opening[weekday], from, to)) reasons.push('outside_opening_hours');
  const away = (id: string) =>
    (rules.timeOff[id] ?? []).some((off) => off.start < visit.endsAt && visit.startsAt < off.end);
  if (visit.providerId != null) {
    if (!fits(location.clinicianHours[visit.providerId]?.[weekday], from, to)) reasons.push('outside_clinician_hours');
    if (away(visit.providerId)) reasons.push('time_off');
  }
  if (visit.nurseId != null) {
    if (!fits(location.clinicianHours[visit.nurseId]?.[weekday], from, to)) reasons.push('outside_nurse_hours');
    if (away(visit.nurseId)) reasons.push('nurse_time_off');
    const capacity = rules.nurseCapacity?.[visit.nurseId];
    if (capacity !== undefined && (visit.nurseLane ?? 1) > capacity && heldAt(visit, others, 'nurseId') > capacity)
      reasons.push('nurse_over_capacity');
  }
  // The supervisor is judged like a nurse: on site for the visit's own time (their hours at this location, no time
  // off), and the visits in lanes past a lowered number listed only while more run at once than they now supervise.
  if (visit.supervisorId != null) {
    if (!fits(location.clinicianHours[visit.supervisorId]?.[weekday], from, to))
      reasons.push('outside_supervisor_hours');
    if (away(visit.supervisorId)) reasons.push('supervisor_time_off');
    const capacity = rules.supervisorCapacity?.[visit.supervisorId];
    if (
      capacity !== undefined &&
      (visit.supervisorLane ?? 1) > capacity &&
      heldAt(visit, others, 'supervisorId') > capacity
    )
      reasons.push('supervisor_over_capacity');
  }
  const people = [visit.providerId, visit.nurseId, visit.supervisorId];
  if (people.some((id) => id != null && rules.inactiveClinicianIds?.includes(id))) reasons.push('clinician_inactive');
  if (visit.roomId !== null && location.inactiveRoomIds.includes(visit.roomId)) reasons.push('room_inactive');
  return { localDate: date, reasons };
}

/** The visits that conflict with the rules, in time order. */
export function findConflicts<V extends BookedVisit>(visits: readonly V[], rules: ConflictRules): Conflict<V>[] {
  const out: Conflict<V>[] = [];
  for (const visit of visits) {
    const { localDate, reasons } = conflictReasons(visit, rules, visits);
    if (reasons.length) out.push({ visit, localDate, reasons });
  }
  return out.sort((a, b) => a.visit.startsAt - b.visit.startsAt || a.visit.id.localeCompare(b.visit.id));
}
