/**
 * Changing a booked series: moving one session keeps the plan's spacing rules or is refused naming the rule it
 * breaks; cancelling the series frees every session still ahead, in one transaction.
 */
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { findLocation } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { exactWallInstant, isDay, wallClockAt } from '../../kernel/time/wall-clock.ts';
import { rescheduleAppointment } from '../../scheduling/booking-service.ts';
import { cancelSeries } from '../../scheduling/series-booking.ts';
import { NOT_READY_FOR_SERIES, SCHEDULING_ROLES } from './book-series.ts';
import { sessionsOfPlan } from './plan-repository.ts';
import { staleMessage } from './plan-stale.ts';
import type { Plan } from './plans.ts';
import { checkSpacing } from './series.ts';
import { seriesContext } from './series-proposal.ts';
import { spacingMessage } from './spacing-words.ts';

type Where = { locationId: string; patientRef: string };

// Named apart from the series form's date and time, which share the plan page.
const moveForm = z.object({
  move_date: z.string({ error: 'New date: required' }).refine(isDay, 'New date: a date such as 2026-03-09'),
  move_time: z
    .string({ error: 'New time: required' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'New time: a time such as 09:00'),
});

const mayChange = (actor: Actor) => (SCHEDULING_ROLES as readonly string[]).includes(actor.staff.role);

export async function moveSession(
  database: Database,
  clinic: Clinic,
  actor: Actor,
  where: Where,
  plan: Plan,
  appointmentId: string,
  body: unknown,
): Promise<{ ok: true } | Refusal> {
  if (!mayChange(actor)) return refuse('forbidden', 'Only the front desk and providers move sessions.');
  const parsed = moveForm.safeParse(body ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    return refuse('invalid_request', 'Enter the new date and time.', fields);
  }
  const sessions = (await sessionsOfPlan(database.db, plan.id)).filter((s) => s.status === 'booked');
  const session = sessions.find((s) => s.appointment_id === appointmentId);
  if (!session) return refuse('not_found', 'That session could not be found.');
  if (session.starts_at <= actor.now) return refuse('conflict', 'A session that has started or passed is not moved.');
  const location = await findLocation(database.db, session.location_id);
  if (!location) return refuse('not_found', 'That session could not be found.');
  const zone = location.time_zone;
  const start = exactWallInstant(zone, parsed.data.move_date, parsed.data.move_time);
  if (start === undefined || start <= actor.now)
    return refuse('invalid_request', 'Choose a time in the future that exists on that day.', {
      move_time: 'New time: choose a time in the future that exists on that day',
    });
  if (session.kind === 'induction') {
    const days = sessions
      .filter((s) => s.kind === 'induction')
      .sort((a, b) => a.number - b.number)
      .map((s) => wallClockAt(s.appointment_id === appointmentId ? start : s.starts_at, zone).date);
    const problems = checkSpacing(plan.definition.induction, days);
    if (problems.length > 0) {
      const message = problems.map(spacingMessage).join('. ');
      return refuse('invalid_request', `That day breaks the plan’s spacing rules: ${message}.`, { move_date: message });
    }
  }
  const ctx = await seriesContext(database, clinic, location, plan, session.kind, actor.now);
  if ('ok' in ctx) return ctx;
  // Staff are not bound by the online change cutoff, and may choose any five-minute start.
  const outcome = await rescheduleAppointment(
    { ...ctx, clinic: { ...clinic, cancelCutoffMin: 0 }, type: { ...ctx.type, step_min: 5 } },
    appointmentId,
    start,
    {
      onMoved: (trx) =>
        auditStaff(trx, database, actor, 'series.move', 'success', where, {
          planId: plan.id,
          appointmentId,
          number: session.number,
        }),
    },
  );
  if (outcome.ok) return { ok: true };
  if (outcome.reason === 'taken')
    return refuse('conflict', 'That time is not free: a nurse and a chair are needed for the whole session.', {
      move_time: 'That time is not free: a nurse and a chair are needed for the whole session',
    });
  if (outcome.reason === 'not_eligible')
    return refuse('not_eligible', NOT_READY_FOR_SERIES, { move_time: 'The screening is no longer valid on that day' });
  return refuse('conflict', 'This session changed meanwhile. Reload to see it.');
}

/** Cancels every session of the plan still ahead (inductions and boosters): one transaction, audited with the count. */
export async function cancelPlanSeries(
  database: Database,
  actor: Actor,
  where: Where,
  plan: Plan,
  body: Record<string, unknown>,
): Promise<{ ok: true; count: number } | Refusal> {
  if (!mayChange(actor)) return refuse('forbidden', 'Only the front desk and providers cancel a series.');
  if (body.version !== String(plan.version)) {
    const message = staleMessage({ status: plan.status, version: plan.version });
    return refuse('conflict', message, { version: message });
  }
  const ahead = (await sessionsOfPlan(database.db, plan.id)).filter(
    (s) => s.status === 'booked' && s.starts_at > actor.now,
  );
  if (ahead.length === 0) return refuse('conflict', 'No session of this plan is booked ahead.');
  const cancelled = await cancelSeries(
    database,
    ahead.map((s) => s.appointment_id),
    actor.now,
    {
      onCancelled: (trx, done) =>
        auditStaff(trx, database, actor, 'series.cancel', 'success', where, { planId: plan.id, count: done.length }),
    },
  );
  return { ok: true, count: cancelled.length };
}
