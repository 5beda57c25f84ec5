/**
 * Proposes a plan's induction series at a location from a start date and a preferred time: the scheduling floor says
 * which starts are free (a nurse lane and a chair for the whole session, within opening and working hours), the pure
 * planner (series.ts) chooses within the plan's spacing rules. Sessions staff picked among alternatives stay where
 * they were picked and the ones after are planned again from there.
 */
import { z } from 'zod';
import type { Clinic, Location } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { addDays, dayBounds, exactWallInstant, isDay, wallClockAt } from '../../kernel/time/wall-clock.ts';
import { typeOfKind, type AppointmentType } from '../../scheduling/availability.ts';
import { availability, type BookingContext } from '../../scheduling/booking-service.ts';
import type { SlotOption } from '../../scheduling/slots.ts';
import {
  checkSpacing,
  daysBetween,
  planSeries,
  proposeBoosters,
  type Candidate,
  type PlannedSession,
  type SpacingProblem,
} from './series.ts';
import type { Plan } from './plans.ts';

export type SeriesCandidate = Candidate<SlotOption>;

export interface SeriesForm {
  location: string;
  date: string;
  time: string;
  /** Session number → the start picked among its alternatives. */
  picks: Map<number, number>;
}

const MAX_PICKS = 30;

/** The series form as typed; each refusal names its field. */
export function parseSeriesForm(
  raw: Record<string, unknown>,
  use: 'choices' | 'every time' = 'choices',
): SeriesForm | Refusal {
  const base = z
    .object({
      location: z.string({ error: 'Choose a location' }).regex(/^[a-z0-9-]{1,60}$/, 'Choose a location'),
      date: z.string({ error: 'Start date: required' }).refine(isDay, 'Start date: a date such as 2026-03-09'),
      time: z
        .string({ error: 'Preferred time: required' })
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Preferred time: a time such as 09:00'),
    })
    .safeParse(raw);
  if (!base.success) {
    const fields: Record<string, string> = {};
    for (const issue of base.error.issues) fields[String(issue.path[0])] ??= issue.message;
    return refuse('invalid_request', 'Choose where and from when to book the series.', fields);
  }
  const picks = new Map<number, number>();
  // A form posted back from a proposal marks the sessions whose time was a person's choice (a<n>); the others were
  // the planner's and are planned again around those choices.
  const chosen = use === 'choices' ? Object.keys(raw).filter((k) => /^a\d{1,2}$/.test(k)) : [];
  for (const [key, value] of Object.entries(raw)) {
    const m = /^s(\d{1,2})$/.exec(key);
    if (!m) continue;
    const number = Number(m[1]);
    if (typeof value !== 'string' || !/^\d{10,15}$/.test(value) || number < 1 || number > MAX_PICKS)
      return refuse('invalid_request', 'Choose one of the times offered.', {
        [key]: 'Choose one of the times offered',
      });
    if (chosen.length === 0 || chosen.includes(`a${number}`)) picks.set(number, Number(value));
  }
  return { ...base.data, picks };
}

/**
 * Minutes of infusion in one of the plan's sessions: its induction or booster hours, in whole five-minute steps (the
 * booking grid's unit), rounded up so a session is never booked shorter than the plan gives.
 */
export function sessionMinutes(plan: Plan, kind: 'induction' | 'booster'): number {
  const hours =
    kind === 'induction' ? plan.definition.induction.hoursPerSession : plan.definition.maintenance.hoursPerSession;
  return Math.ceil((hours * 60) / 5) * 5;
}

/**
 * How staff book a plan's sessions: the type's grid, resources and time around the infusion (its buffers: preparing
 * the chair before, recovery after), without the online minimum notice, and the PLAN's hours as the infusion's
 * length rather than the type's, so the nurse, chair and supervising provider are held for the time the plan gives.
 */
export async function seriesContext(
  database: Database,
  clinic: Clinic,
  location: Location,
  plan: Plan,
  kind: 'induction' | 'booster',
  now: number,
): Promise<BookingContext | Refusal> {
  const typeKind = kind === 'induction' ? 'infusion' : 'booster';
  const type: AppointmentType | undefined = await typeOfKind(database.db, typeKind);
  if (!type)
    return refuse('conflict', `The clinic has no ${typeKind} appointment type in use. An administrator adds one.`);
  return {
    database,
    clinic,
    location,
    type: { ...type, duration_min: sessionMinutes(plan, kind), min_notice_min: 0 },
    now,
  };
}

/** Free starts from a day on, as the planner's candidates (the first free nurse lane and chair of each). */
export async function candidatesFrom(ctx: BookingContext, fromDay: string, days: number): Promise<SeriesCandidate[]> {
  const zone = ctx.location.time_zone;
  const from = Math.max(ctx.now, dayBounds(zone, fromDay).start);
  const to = dayBounds(zone, addDays(fromDay, days)).end;
  const slots = await availability(ctx, from, to);
  return slots.flatMap((s) => {
    const option = s.options[0];
    if (!option) return [];
    const wall = wallClockAt(s.start, zone);
    return [{ day: wall.date, minute: Math.round(wall.minute), start: s.start, resources: option }];
  });
}

export interface SeriesProposal {
  sessions: Array<PlannedSession<SlotOption> & { picked: boolean }>;
  problems: SpacingProblem[];
  complete: boolean;
}

/** The plan's sessions placed from the form, with picks honoured and the spacing checked over the whole. */
export async function proposeSeries(
  ctx: BookingContext,
  plan: Plan,
  form: SeriesForm,
): Promise<SeriesProposal | Refusal> {
  const spacing = plan.definition.induction;
  const zone = ctx.location.time_zone;
  const preferred = exactWallInstant(zone, form.date, form.time);
  if (preferred === undefined)
    return refuse('invalid_request', 'Choose a time that exists on that day.', { time: 'Choose another time' });
  if (dayBounds(zone, form.date).end <= ctx.now)
    return refuse('invalid_request', 'Choose a start date from today on.', { date: 'Start date: from today on' });
  const minute = Number(form.time.slice(0, 2)) * 60 + Number(form.time.slice(3));
  // Far enough to place every session at the most days apart, and to offer alternatives past the last.
  const span = spacing.sessions * spacing.maxDaysBetween + 14;
  const candidates = await candidatesFrom(ctx, form.date, span);
  const sessions: SeriesProposal['sessions'] = [];
  let fromDay = form.date;
  let remaining = spacing.sessions;
  let used = new Set<number>();
  while (remaining > 0) {
    const free = candidates.filter((c) => !used.has(c.start));
    const plan = planSeries({ ...spacing, sessions: remaining }, fromDay, minute, free);
    const offset = sessions.length;
    // The first picked session in this stretch fixes it; the ones after are planned again from its day.
    let cut = plan.sessions.length;
    for (const s of plan.sessions) {
      const pick = form.picks.get(offset + s.number);
      if (pick === undefined) continue;
      // A pick no longer free (or never offered) is planned again like any other session.
      const chosen = candidates.find((c) => c.start === pick && !used.has(c.start));
      if (!chosen) continue;
      cut = s.number;
      s.placed = chosen;
      break;
    }
    for (const s of plan.sessions.slice(0, cut)) {
      const number = offset + s.number;
      sessions.push({ ...s, number, picked: form.picks.get(number) === s.placed?.start && s.placed !== null });
      if (s.placed) used = new Set([...used, s.placed.start]);
    }
    remaining = spacing.sessions - sessions.length;
    const last = sessions.at(-1)!;
    fromDay = addDays(last.placed?.day ?? last.earliestDay, spacing.minDaysBetween);
  }
  const days = sessions.filter((s) => s.placed).map((s) => s.placed!.day);
  const problems = sessions.every((s) => s.placed) ? checkSpacing(spacing, days) : [];
  return {
    sessions,
    problems,
    complete: sessions.every((s) => s.placed !== null) && problems.length === 0,
  };
}

/**
 * The boosters a plan proposes once its induction is booked: one per interval after the last session's day, each at
 * the free start nearest that day at the preferred time (up to a week either side), with the nearest others offered.
 */
export async function proposeBoosterSeries(
  ctx: BookingContext,
  plan: Plan,
  lastInductionDay: string,
  form: Pick<SeriesForm, 'time' | 'picks'>,
): Promise<SeriesProposal> {
  const maintenance = plan.definition.maintenance;
  const days = proposeBoosters(maintenance, lastInductionDay);
  const minute = Number(form.time.slice(0, 2)) * 60 + Number(form.time.slice(3));
  const sessions: SeriesProposal['sessions'] = [];
  const used = new Set<number>();
  for (const [i, day] of days.entries()) {
    const number = i + 1;
    const near = (await candidatesFrom(ctx, addDays(day, -7), 15)).filter((c) => !used.has(c.start));
    const distance = (c: SeriesCandidate) => Math.abs(daysBetween(day, c.day)) * 1440 + Math.abs(c.minute - minute);
    near.sort((a, b) => distance(a) - distance(b) || a.start - b.start);
    const pick = form.picks.get(number);
    const placed = (pick !== undefined ? near.find((c) => c.start === pick) : undefined) ?? near[0] ?? null;
    if (placed) used.add(placed.start);
    sessions.push({
      number,
      earliestDay: day,
      latestDay: day,
      placed,
      alternatives: near.filter((c) => c !== placed).slice(0, 4),
      outsideWindow: false,
      picked: pick !== undefined && placed?.start === pick,
    });
  }
  return { sessions, problems: [], complete: sessions.every((s) => s.placed !== null) };
}
