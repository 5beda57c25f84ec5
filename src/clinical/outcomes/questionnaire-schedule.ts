/**
 * What a treatment plan owes in questionnaires, from its sessions and the schedule's rows. Pure: no I/O, no clock.
 *
 * Windows are counted in calendar days in the location's zone, so "the day before" stays a day across a change of
 * clock. A cancelled appointment owes nothing; a stopped or draft plan owes nothing. Where a session would be asked
 * the same thing twice (a booster's full set already asks pain now and average), only the fuller one is owed.
 */
import type { PlanStatus } from '../../kernel/db/schema.ts';
import { zoned } from '../../kernel/time/format.ts';
import { askedInstruments, type AskedInstrument } from './questionnaire-instruments.ts';
import { scheduleFor, type ScheduleRow } from './questionnaire-settings.ts';

export interface SchedulePlan {
  id: string;
  protocolCode: string | null;
  status: PlanStatus;
}

export interface ScheduleSession {
  appointmentId: string;
  kind: 'induction' | 'booster';
  startsAt: number;
  endsAt: number;
  cancelled: boolean;
}

export interface OwedQuestionnaire {
  /** Unique: scheduling the same plan twice owes nothing twice. */
  scheduleKey: string;
  timepoint: string;
  appointmentId: string | null;
  opensAt: number;
  closesAt: number;
  instruments: AskedInstrument[];
}

/** Statuses a questionnaire can still be answered in (within its window). */
export const OPEN_STATUSES = ['scheduled', 'sent', 'partial'] as const;

/** Whether staff (or the patient) can still answer it now. */
export const isOpen = (q: { status: string; opens_at: number; closes_at: number }, now: number): boolean =>
  (OPEN_STATUSES as readonly string[]).includes(q.status) && q.opens_at <= now && now < q.closes_at;

/** Plans whose patients are still followed: a completed series keeps its follow-ups. */
export const FOLLOWED_PLAN_STATUSES: readonly PlanStatus[] = ['active', 'paused', 'completed'];

function windowOf(anchor: number, row: ScheduleRow, zone: string) {
  const opens = zoned(anchor, zone).plus({ days: row.offsetDays });
  return { opensAt: opens.toMillis(), closesAt: opens.plus({ days: row.windowDays }).toMillis() };
}

/** Whether `a` asks nothing that `b` does not. */
function covered(a: AskedInstrument[], b: AskedInstrument[]): boolean {
  return a.every((x) => {
    const y = b.find((i) => i.id === x.id);
    return y !== undefined && (x.measures ?? []).every((m) => (y.measures ?? []).includes(m));
  });
}

export function owedQuestionnaires(
  plan: SchedulePlan,
  sessions: readonly ScheduleSession[],
  rows: readonly ScheduleRow[],
  zone: string,
): OwedQuestionnaire[] {
  if (!FOLLOWED_PLAN_STATUSES.includes(plan.status)) return [];
  // Two sessions at the same time (rare, but data allows it) keep one order whatever order they came in.
  const booked = sessions
    .filter((s) => !s.cancelled)
    .sort((a, b) => a.startsAt - b.startsAt || a.appointmentId.localeCompare(b.appointmentId));
  const lastInduction = booked.filter((s) => s.kind === 'induction').at(-1);
  const owed: OwedQuestionnaire[] = [];
  for (const row of scheduleFor(rows, plan.protocolCode)) {
    const instruments = askedInstruments(row.instruments, row.painMeasures);
    if (row.anchor === 'end_of_induction') {
      if (!lastInduction) continue;
      owed.push({
        scheduleKey: `plan:${plan.id}:${row.timepoint}`,
        timepoint: row.timepoint,
        appointmentId: null,
        ...windowOf(lastInduction.endsAt, row, zone),
        instruments,
      });
      continue;
    }
    for (const s of booked) {
      if (row.anchor === 'each_booster' && s.kind !== 'booster') continue;
      owed.push({
        scheduleKey: `appointment:${s.appointmentId}:${row.timepoint}`,
        timepoint: row.timepoint,
        appointmentId: s.appointmentId,
        ...windowOf(s.startsAt, row, zone),
        instruments,
      });
    }
  }
  return owed.filter(
    (q, i) =>
      q.appointmentId === null ||
      !owed.some(
        (o, j) =>
          j !== i &&
          o.appointmentId === q.appointmentId &&
          covered(q.instruments, o.instruments) &&
          // Of two that ask the same, the first row's is kept.
          (!covered(o.instruments, q.instruments) || j < i),
      ),
  );
}
