/**
 * The series planner: places a protocol's induction sessions on days and times that the scheduling floor says are
 * free, within the protocol's spacing (the fewest and most days between sessions) and its window, as near the
 * preferred time of day as each day allows. Pure: the caller gathers the free starts for the whole window first (one
 * availability query), and the planner only chooses; the booking of the chosen starts is one transaction elsewhere.
 *
 * Rules, in order:
 * - The first session goes on the start day or, failing that, the first day with a free start after it, at most the
 *   protocol's most-days-between later (a series does not silently drift weeks away).
 * - Each next session goes on the earliest day from (previous + fewest days) to (previous + most days) that has a
 *   free start, at the start nearest the preferred time (the earlier of two equally near).
 * - A session that cannot be placed is reported with the nearest free starts after the previous session's day as
 *   alternatives, and the next one is planned from where it should have been (its earliest day), so one gap does not
 *   hide the rest of the plan. Picking an alternative re-plans the sessions after it from the day picked (the caller
 *   plans again with the remaining sessions), so an alternative may share a day with the current proposal's later
 *   sessions.
 * - A session placed past the window (counted from the first session's day) is reported as outside it.
 */
import { DateTime } from 'luxon';
import type { Induction, Maintenance } from './protocol.ts';

/** A free start on a local day, with whatever the caller needs to book it (chair, nurse lane, supervisor). */
export interface Candidate<T = unknown> {
  /** 'YYYY-MM-DD' in the location's zone. */
  day: string;
  /** Minutes after local midnight, for nearness to the preferred time. */
  minute: number;
  /** The instant (epoch ms) it starts. */
  start: number;
  resources: T;
}

export type Spacing = Pick<Induction, 'sessions' | 'minDaysBetween' | 'maxDaysBetween' | 'windowDays'>;

export interface PlannedSession<T> {
  /** 1 for the first session. */
  number: number;
  /** The days it could go on, by the spacing rules. */
  earliestDay: string;
  latestDay: string;
  placed: Candidate<T> | null;
  /** For an unplaced session, the free starts nearest its earliest day at the preferred time (at most five). */
  alternatives: Array<Candidate<T>>;
  outsideWindow: boolean;
}

export interface SeriesPlan<T> {
  sessions: Array<PlannedSession<T>>;
  /** True when every session is placed within the window. */
  complete: boolean;
}

const ALTERNATIVES = 5;

export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

function plusDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
}

/** Nearest to the preferred minute, then the earlier start: a total order, so the plan is deterministic. */
function nearer<T>(preferred: number) {
  return (a: Candidate<T>, b: Candidate<T>) =>
    Math.abs(a.minute - preferred) - Math.abs(b.minute - preferred) || a.start - b.start;
}

export function planSeries<T>(
  spacing: Spacing,
  startDay: string,
  preferredMinute: number,
  candidates: ReadonlyArray<Candidate<T>>,
): SeriesPlan<T> {
  const byDay = new Map<string, Array<Candidate<T>>>();
  for (const c of candidates) {
    const list = byDay.get(c.day);
    if (list) list.push(c);
    else byDay.set(c.day, [c]);
  }
  const order = nearer<T>(preferredMinute);
  for (const list of byDay.values()) list.sort(order);

  const sessions: Array<PlannedSession<T>> = [];
  let anchor: string | null = null; // the day the previous session went on (or should have)
  let firstDay: string | null = null;
  const used = new Set<number>();
  for (let number = 1; number <= spacing.sessions; number += 1) {
    const earliestDay: string = anchor === null ? startDay : plusDays(anchor, spacing.minDaysBetween);
    const latestDay =
      anchor === null ? plusDays(startDay, spacing.maxDaysBetween) : plusDays(anchor, spacing.maxDaysBetween);
    let placed: Candidate<T> | null = null;
    for (let day: string = earliestDay; day <= latestDay && !placed; day = plusDays(day, 1)) {
      placed = byDay.get(day)?.find((c) => !used.has(c.start)) ?? null;
    }
    const previousDay = anchor;
    const alternatives = placed
      ? []
      : nearestTo(
          candidates.filter((c) => !used.has(c.start) && (previousDay === null || c.day > previousDay)),
          earliestDay,
          preferredMinute,
        );
    if (placed) used.add(placed.start);
    const day: string = placed?.day ?? earliestDay;
    const first: string = (firstDay ??= day);
    sessions.push({
      number,
      earliestDay,
      latestDay,
      placed,
      alternatives,
      outsideWindow: placed !== null && daysBetween(first, placed.day) >= spacing.windowDays,
    });
    anchor = day;
  }
  return { sessions, complete: sessions.every((s) => s.placed !== null && !s.outsideWindow) };
}

/** The free starts nearest a day at a time of day, by whole days first and then minutes. */
function nearestTo<T>(
  candidates: ReadonlyArray<Candidate<T>>,
  day: string,
  preferredMinute: number,
): Array<Candidate<T>> {
  const distance = (c: Candidate<T>) => Math.abs(daysBetween(day, c.day)) * 1440 + Math.abs(c.minute - preferredMinute);
  return candidates
    .map((c) => ({ c, d: distance(c) }))
    .sort((a, b) => a.d - b.d || a.c.start - b.c.start)
    .slice(0, ALTERNATIVES)
    .map((x) => x.c);
}

export interface SpacingProblem {
  /** The session (1-based) the problem is found at. */
  number: number;
  kind: 'too_close' | 'too_far' | 'outside_window' | 'out_of_order';
  /** Days from the previous session (or from the first, for the window). */
  days: number;
  /** The rule's figure it breaks. */
  limit: number;
}

/**
 * Checks a series' days against the spacing rules: what a move must keep, or says which rule it breaks. The days
 * are the sessions in their numbered order (a cancelled one left out).
 */
export function checkSpacing(spacing: Spacing, days: readonly string[]): SpacingProblem[] {
  const problems: SpacingProblem[] = [];
  for (let i = 1; i < days.length; i += 1) {
    const gap = daysBetween(days[i - 1]!, days[i]!);
    const number = i + 1;
    if (gap <= 0) problems.push({ number, kind: 'out_of_order', days: gap, limit: spacing.minDaysBetween });
    else if (gap < spacing.minDaysBetween)
      problems.push({ number, kind: 'too_close', days: gap, limit: spacing.minDaysBetween });
    else if (gap > spacing.maxDaysBetween)
      problems.push({ number, kind: 'too_far', days: gap, limit: spacing.maxDaysBetween });
    const fromFirst = daysBetween(days[0]!, days[i]!);
    if (fromFirst >= spacing.windowDays) {
      problems.push({ number, kind: 'outside_window', days: fromFirst + 1, limit: spacing.windowDays });
    }
  }
  return problems;
}

/** The booster days a plan proposes once its induction ends: one per interval, counted from the last session. */
export function proposeBoosters(maintenance: Maintenance, lastInductionDay: string): string[] {
  if (maintenance.kind === 'on_response') return [];
  return maintenance.intervalsDays.map((days) => plusDays(lastInductionDay, days));
}
