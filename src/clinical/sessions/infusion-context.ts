/**
 * What every infusion command and the infusion part of the session page start from: the appointment's dose order
 * (and whether it may be given), the plan's protocol (its titration limits and as-needed orders), the timeline so far
 * and the rate limits worked out for this patient's order weight.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { findOrder, liveOrderFor, type DoseOrderRow } from '../dosing/order-repository.ts';
import { planForAppointment } from '../protocols/plans.ts';
import type { ProtocolDefinition } from '../protocols/protocol.ts';
import { hasVoidOrder, sessionEvents, type EventRow } from './infusion-repository.ts';
import type { SessionRow } from './repository.ts';
import type { RateLimits, TimelineEvent } from './total.ts';

/** Why the session cannot start from an order: none at all, voided, or not yet double-checked. */
export type OrderProblem = 'none' | 'void' | 'unverified';

export interface InfusionContext {
  order: DoseOrderRow | null;
  orderProblem: OrderProblem | null;
  protocol: ProtocolDefinition | null;
  limits: RateLimits | null;
  events: EventRow[];
  timeline: TimelineEvent[];
  /** mg per mL of the ordered bag. */
  concentration: number | null;
  /** The pump stops at the lesser of the bag's drug and the session maximum. */
  limitMg: number | null;
}

export function timelineOf(events: readonly EventRow[]): TimelineEvent[] {
  return events.map((e): TimelineEvent => {
    if (e.kind === 'start') return { kind: 'start', at: e.at, mgPerHour: e.mg_per_hour ?? 0 };
    if (e.kind === 'rate') return { kind: 'rate', at: e.at, mgPerHour: e.mg_per_hour ?? 0, reason: e.reason ?? '' };
    return { kind: e.kind, at: e.at, reason: e.reason ?? '' };
  });
}

/** The rate limits of `protocol` for the order's weight: max = min(max mg/kg/h × weight, cap), step × weight. */
export function rateLimits(order: DoseOrderRow, protocol: ProtocolDefinition): RateLimits {
  const d = protocol.dosing;
  return {
    orderedMgPerHour: order.mg_per_hour,
    maxMgPerHour: Math.min(d.maxMgPerKgPerHour * order.weight_kg, d.capMgPerHour),
    stepMgPerHour: d.titrationStepMgPerKgPerHour === null ? null : d.titrationStepMgPerKgPerHour * order.weight_kg,
  };
}

export async function infusionContext(db: Kysely<DB>, session: SessionRow): Promise<InfusionContext> {
  // Once started, the session follows the order it started from (kept on the session row), even if that order was
  // voided since: the bag already hanging was drawn against it.
  const order =
    (session.dose_order_id === null
      ? await liveOrderFor(db, session.appointment_id)
      : await findOrder(db, session.patient_id, session.dose_order_id)) ?? null;
  const orderProblem: OrderProblem | null = order
    ? order.status === 'verified' || session.dose_order_id !== null
      ? null
      : 'unverified'
    : (await hasVoidOrder(db, session.appointment_id))
      ? 'void'
      : 'none';
  const plan = await planForAppointment(db, session.appointment_id);
  const protocol = plan?.definition ?? null;
  const events = await sessionEvents(db, session.id);
  return {
    order,
    orderProblem,
    protocol,
    limits: order && protocol ? rateLimits(order, protocol) : null,
    events,
    timeline: timelineOf(events),
    concentration: order ? order.bag_mg / order.bag_ml : null,
    limitMg: order ? Math.min(order.bag_mg, order.session_total_mg) : null,
  };
}
