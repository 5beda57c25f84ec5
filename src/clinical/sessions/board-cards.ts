/**
 * The nurse board's cards, pure: the day's visits per chair (from board-repository's rows) become one card per chair
 * in use, each showing the visit that matters now, with the chair's other visits of the day listed small. The
 * clinical part of a card (next vitals due, latest reading, open alerts) is only built for people who may see it.
 */
import { z } from 'zod';
import { nextVitalsDue } from './alerts.ts';
import type { BoardAlert, BoardReading, BoardVisitRow } from './board-repository.ts';
import { isClosed, type SessionState } from './state.ts';

/** A visit's place in the day: the session's state, or booked (no session yet), or a no-show marked on the visit. */
export type BoardState = SessionState | 'booked' | 'no_show';

export interface BoardVisit {
  appointmentId: string;
  startsAt: number;
  endsAt: number;
  patientId: string | null;
  /** As the clinic shows names on shared screens: first name and last initial (the calendar's choice too). */
  name: string;
  state: BoardState;
  sessionId: string | null;
  checkedInAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
}

export interface BoardClinical {
  /** When the next reading falls due while the infusion runs; null when none is (not started, stopped). */
  nextDue: number | null;
  /** Minutes past due (0 when not overdue). */
  overdueMinutes: number;
  /** The monitoring schedule could not be read from the plan: the card says so rather than guessing. */
  scheduleUnknown: boolean;
  latest: BoardReading | null;
  alerts: { count: number; worst: BoardAlert | null };
}

export interface ChairCard {
  chairId: string;
  chair: string;
  current: BoardVisit;
  clinical: BoardClinical | null;
  /** The chair's other visits today, in time order. */
  others: BoardVisit[];
}

export const boardName = (first: string | null, last: string | null): string =>
  first === null ? 'Patient not named' : last ? `${first} ${[...last][0]!.toUpperCase()}.` : first;

const monitoringOf = z.object({
  monitoring: z.object({ firstHourEveryMinutes: z.number().positive(), thenEveryMinutes: z.number().positive() }),
});

function visitOf(row: BoardVisitRow): BoardVisit {
  const state: BoardState = row.state ?? (row.attendance === 'no_show' ? 'no_show' : 'booked');
  return {
    appointmentId: row.appointmentId,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    patientId: row.patientId,
    name: boardName(row.firstName, row.lastName),
    state,
    sessionId: row.sessionId,
    checkedInAt: row.checkedInAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
  };
}

/**
 * The visit a chair's card is about: an open session first (a patient is in the chair), else the next booked visit
 * not yet over, else the day's last visit (the chair is done for the day).
 */
function currentOf(visits: BoardVisit[], now: number): BoardVisit {
  const open = visits.find((v) => v.sessionId !== null && !isClosed(v.state as SessionState));
  if (open) return open;
  const next = visits.find((v) => v.state === 'booked' && v.endsAt > now);
  return next ?? visits[visits.length - 1]!;
}

// Which open alert a card names when there are several: escalated first, then by kind, then the oldest.
const KIND_RANK: Record<string, number> = { absolute: 0, sustained: 1, rise: 2, overdue: 3 };
const rank = (a: BoardAlert) => (a.escalated ? 0 : 10) + (KIND_RANK[a.kind] ?? 4);

export function worstAlert(alerts: readonly BoardAlert[]): BoardAlert | null {
  let worst: BoardAlert | null = null;
  for (const a of alerts) {
    if (!worst || rank(a) < rank(worst) || (rank(a) === rank(worst) && a.raisedAt < worst.raisedAt)) worst = a;
  }
  return worst;
}

function clinicalOf(
  visit: BoardVisit,
  row: BoardVisitRow,
  latest: BoardReading | undefined,
  alerts: readonly BoardAlert[],
  now: number,
): BoardClinical {
  let nextDue: number | null = null;
  let scheduleUnknown = false;
  const running = visit.state === 'infusing' || visit.state === 'paused';
  if (running && visit.startedAt !== null) {
    const parsed = row.planDefinition ? monitoringOf.safeParse(JSON.parse(row.planDefinition)) : null;
    if (parsed?.success) {
      const readings =
        latest && latest.phase !== 'pre' && latest.takenAt >= visit.startedAt
          ? [{ takenAt: latest.takenAt, vitals: readingVitals(latest) }]
          : [];
      nextDue = nextVitalsDue({ startedAt: visit.startedAt, endedAt: null, ...parsed.data.monitoring }, readings);
    } else scheduleUnknown = true;
  }
  return {
    nextDue,
    overdueMinutes: nextDue !== null && now > nextDue ? Math.floor((now - nextDue) / 60_000) || 1 : 0,
    scheduleUnknown,
    latest: latest ?? null,
    alerts: { count: alerts.length, worst: worstAlert(alerts) },
  };
}

const readingVitals = (r: BoardReading) => ({
  systolic: r.systolic,
  diastolic: r.diastolic,
  heartRate: r.heartRate,
  spo2: r.spo2,
  respiratoryRate: r.respiratoryRate,
  temperatureC: null,
  sedation: r.sedation,
  dissociation: null,
});

/**
 * One card per chair, in the rows' order (chair name). `readings`/`alerts` are only given for people who may see
 * clinical values; without them no card has a clinical part.
 */
export function boardCards(
  rows: readonly BoardVisitRow[],
  now: number,
  clinical?: { readings: Map<string, BoardReading>; alerts: readonly BoardAlert[] },
): ChairCard[] {
  const byChair = new Map<string, BoardVisitRow[]>();
  for (const row of rows) {
    const list = byChair.get(row.chairId);
    if (list) list.push(row);
    else byChair.set(row.chairId, [row]);
  }
  const alertsBySession = new Map<string, BoardAlert[]>();
  for (const a of clinical?.alerts ?? []) {
    const list = alertsBySession.get(a.sessionId);
    if (list) list.push(a);
    else alertsBySession.set(a.sessionId, [a]);
  }
  const cards: ChairCard[] = [];
  for (const chairRows of byChair.values()) {
    const visits = chairRows.map(visitOf);
    const current = currentOf(visits, now);
    const row = chairRows[visits.indexOf(current)]!;
    const sessionId = current.sessionId;
    cards.push({
      chairId: row.chairId,
      chair: row.chair,
      current,
      clinical:
        clinical && sessionId !== null
          ? clinicalOf(current, row, clinical.readings.get(sessionId), alertsBySession.get(sessionId) ?? [], now)
          : null,
      others: visits.filter((v) => v !== current),
    });
  }
  return cards;
}
