/**
 * Books a plan's induction series (or its boosters) as proposed and picked: every session in one transaction, all of
 * them or none, with the plan's session rows written in that same transaction. The spacing the provider signed is
 * kept: a series that breaks it is refused, naming the session and the rule.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Clinic } from '../../kernel/clinic.ts';
import { findLocation } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { canSeeLocation } from '../../kernel/http/policy.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { wallClockAt } from '../../kernel/time/wall-clock.ts';
import { bookSeries } from '../../scheduling/series-booking.ts';
import { findPlan, insertPlanSessions, sessionsOfPlan } from './plan-repository.ts';
import { staleMessage } from './plan-stale.ts';
import type { Plan } from './plans.ts';
import { checkSpacing } from './series.ts';
import { parseSeriesForm, seriesContext } from './series-proposal.ts';
import { spacingMessage } from './spacing-words.ts';

export const NOT_READY_FOR_SERIES =
  'Nothing was booked: every session needs a signed eligible screening still valid on its day, an active plan and no hold on infusions. A provider renews the screening or clears the hold, or the series is booked to end before the screening lapses.';

/** Who books series: the front desk and providers (nurses read the plan; they do not schedule). */
export const SCHEDULING_ROLES = ['provider', 'front_desk'] as const;

type Where = { locationId: string; patientRef: string };

const HORIZON_MS = 730 * 24 * 3_600_000;

export async function bookPlanSeries(
  database: Database,
  clinic: Clinic,
  actor: Actor,
  where: Where,
  plan: Plan,
  kind: 'induction' | 'booster',
  body: Record<string, unknown>,
): Promise<{ ok: true; count: number } | Refusal> {
  if (!(SCHEDULING_ROLES as readonly string[]).includes(actor.staff.role))
    return refuse('forbidden', 'Only the front desk and providers book a series.');
  const form = parseSeriesForm(body, 'every time');
  if (!('picks' in form)) return form;
  if (body.version !== String(plan.version) || plan.status !== 'active') {
    const message = staleMessage({ status: plan.status, version: plan.version });
    return refuse('conflict', message, { version: message });
  }
  const location = await findLocation(database.db, form.location);
  if (!location || !canSeeLocation(actor.staff, location.id, actor.now))
    return refuse('invalid_request', 'Choose a location from the list.', { location: 'Choose a location' });
  const existing = (await sessionsOfPlan(database.db, plan.id)).filter(
    (s) => s.kind === kind && s.status === 'booked' && (kind === 'induction' || s.starts_at > actor.now),
  );
  if (existing.length > 0)
    return refuse(
      'conflict',
      kind === 'induction'
        ? 'This plan’s series is already booked. Move or cancel its sessions instead.'
        : 'This plan’s boosters are already booked.',
    );
  const count =
    kind === 'induction'
      ? plan.definition.induction.sessions
      : plan.definition.maintenance.kind === 'intervals'
        ? plan.definition.maintenance.intervalsDays.length
        : 0;
  const starts: number[] = [];
  const missing: Record<string, string> = {};
  for (let n = 1; n <= count; n++) {
    const start = form.picks.get(n);
    if (start === undefined || start <= actor.now) missing[`s${n}`] = `Session ${n}: choose a time`;
    // Bounded like any staff booking: the availability read spans the series, so a forged far date is refused here.
    else if (start > actor.now + HORIZON_MS) missing[`s${n}`] = `Session ${n}: choose a time within the next two years`;
    else starts.push(start);
  }
  if (count === 0 || Object.keys(missing).length > 0)
    return refuse('invalid_request', 'Every session needs a time before the series is booked.', missing);
  if (kind === 'induction') {
    const days = starts.map((s) => wallClockAt(s, location.time_zone).date);
    const problems = checkSpacing(plan.definition.induction, days);
    if (problems.length > 0) {
      const fields: Record<string, string> = {};
      for (const p of problems) fields[`s${p.number}`] ??= spacingMessage(p);
      return refuse('invalid_request', 'These times break the plan’s spacing rules.', fields);
    }
  }
  const ctx = await seriesContext(database, clinic, location, plan, kind, actor.now);
  if ('ok' in ctx) return ctx;
  const numberFrom =
    kind === 'booster' ? (await sessionsOfPlan(database.db, plan.id)).filter((s) => s.kind === 'booster').length : 0;
  const outcome = await bookSeries(ctx, { patientId: plan.patientId }, starts, {
    onBooked: async (trx, appointments) => {
      // The plan is read again in the booking's transaction: paused or stopped meanwhile, nothing is booked.
      const now = await findPlan(trx, plan.id);
      if (!now || now.status !== 'active' || now.version !== plan.version)
        throw refuse('conflict', staleMessage(now ?? { status: plan.status, version: plan.version }));
      await insertPlanSessions(
        trx,
        appointments.map((a, i) => ({ appointment_id: a.id, plan_id: plan.id, kind, number: numberFrom + i + 1 })),
      );
      await auditStaff(
        trx,
        database,
        actor,
        kind === 'induction' ? 'series.book' : 'series.boosters',
        'success',
        where,
        {
          planId: plan.id,
          count: appointments.length,
          locationId: location.id,
        },
      );
    },
  });
  if (outcome.ok) return { ok: true, count: outcome.appointments.length };
  // The database's gate: the screening lapses before a session, or the plan is no longer active. Nothing was booked.
  if (outcome.reason === 'not_eligible') return refuse('not_eligible', NOT_READY_FOR_SERIES);
  const number = outcome.index + 1;
  const message = `Session ${number}’s time is no longer free (a nurse and a chair are needed for the whole session). Nothing was booked; choose again.`;
  return refuse('conflict', message, { [`s${number}`]: message });
}
