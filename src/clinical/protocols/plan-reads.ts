/**
 * What the plan pages read, each read audited in its own transaction: the plan page (the current plan, its sessions,
 * the locations) and the proposed series or boosters.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { findLocation, getClinic, type Clinic } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { today, wallClockAt } from '../../kernel/time/wall-clock.ts';
import { resourceNames } from '../../scheduling/resource-names.ts';
import { visibleLocations } from '../../patients/service.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { protocolLibrary } from './library.ts';
import { openPlan, plansOfPatient, sessionsOfPlan } from './plan-repository.ts';
import { parsePlan, type Plan } from './plans.ts';
import { parseSeriesForm, proposeBoosterSeries, proposeSeries, seriesContext } from './series-proposal.ts';
import type { PlanPageProps, SeriesPageProps } from './plan-views.tsx';

type Where = { locationId: string; patientRef: string };
type Person = { id: string; first_name: string; last_name: string };

export const seesFigures = (actor: Actor) => CLINICAL_RECORD_ROLES.includes(actor.staff.role);

/** The open plan (draft, active or paused), else the newest closed one. */
export async function currentPlan(database: Database, patientId: string): Promise<Plan | undefined> {
  const open = await openPlan(database.db, patientId);
  if (open) return parsePlan(open);
  const newest = (await plansOfPatient(database.db, patientId))[0];
  return newest ? parsePlan(newest) : undefined;
}

/** The active plan a series is booked from, else the 409 that says why not. */
export async function activePlanOr409(database: Database, patientId: string): Promise<Plan | Refusal> {
  const open = await openPlan(database.db, patientId);
  if (!open || open.status !== 'active')
    return refuse('conflict', 'A series is booked from an active plan: the plan must be signed and not paused.');
  return parsePlan(open);
}

export async function clinicOr409(database: Database): Promise<Clinic> {
  const clinic = await getClinic(database.db);
  if (!clinic) throw refuse('conflict', 'The clinic is not set up yet.');
  return clinic;
}

export async function planPageData(
  database: Database,
  actor: Actor,
  patient: Person,
  where: Where,
): Promise<Omit<PlanPageProps, 'values' | 'errors' | 'saved'>> {
  const plan = await currentPlan(database, patient.id);
  const sessions = plan ? await sessionsOfPlan(database.db, plan.id) : [];
  const locations = await visibleLocations(database.db, actor);
  const zones = new Map(locations.map((l) => [l.id, l.time_zone]));
  const zone = locations[0]?.time_zone ?? 'UTC';
  await database.transact((trx) =>
    auditStaff(trx, database, actor, 'plan.view', 'success', where, {
      planId: plan?.id ?? null,
      figures: seesFigures(actor),
    }),
  );
  return {
    staff: actor.staff,
    patient,
    plan,
    sessions,
    clinical: seesFigures(actor),
    protocols: actor.staff.role === 'provider' ? await protocolLibrary(database) : [],
    locations,
    zoneOf: (id) => zones.get(id) ?? zone,
    today: today(actor.now, zone),
  };
}

/** The proposed induction series or boosters for the form's location, start and time; audited as a view. */
export async function proposal(
  database: Database,
  actor: Actor,
  patient: Person,
  where: Where,
  kind: 'induction' | 'booster',
  query: Record<string, unknown>,
): Promise<Omit<SeriesPageProps, 'errors'> | Refusal> {
  const plan = await activePlanOr409(database, patient.id);
  if ('ok' in plan) return plan;
  const form = parseSeriesForm({ date: today(actor.now, 'UTC'), ...query });
  if (!('picks' in form)) return form;
  const location = await findLocation(database.db, form.location);
  const visible = await visibleLocations(database.db, actor);
  if (!location || !visible.some((l) => l.id === location.id))
    return refuse('invalid_request', 'Choose a location from the list.', { location: 'Choose a location' });
  const clinic = await clinicOr409(database);
  const ctx = await seriesContext(database, clinic, location, plan, kind, actor.now);
  if ('ok' in ctx) return ctx;
  let proposed;
  if (kind === 'induction') {
    proposed = await proposeSeries(ctx, plan, form);
    if ('ok' in proposed) return proposed;
  } else {
    const last = (await sessionsOfPlan(database.db, plan.id))
      .filter((s) => s.kind === 'induction' && s.status === 'booked')
      .at(-1);
    if (!last) return refuse('conflict', 'Book the series before its boosters.');
    proposed = await proposeBoosterSeries(ctx, plan, wallClockAt(last.starts_at, location.time_zone).date, form);
  }
  const placed = proposed.sessions.filter((s) => s.placed).length;
  await database.transact((trx) =>
    auditStaff(trx, database, actor, 'series.propose', 'success', where, {
      planId: plan.id,
      kind,
      placed,
      sessions: proposed.sessions.length,
    }),
  );
  return {
    staff: actor.staff,
    patient,
    plan,
    kind,
    proposal: proposed,
    form,
    zone: location.time_zone,
    locationName: location.name,
    nameOf: await resourceNames(database.db),
    length: {
      infusionMin: ctx.type.duration_min,
      beforeMin: ctx.type.buffer_before_min,
      afterMin: ctx.type.buffer_after_min,
    },
  };
}
