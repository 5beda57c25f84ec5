/**
 * The infusion part of the session page: the order and the bag, the timeline with the total infused worked out from
 * it at the moment of reading, side effects and medications given, and what the forms offer (witnesses, the side
 * effect list, the protocol's orders with what is left of each).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import type { DoseOrderRow } from '../dosing/order-repository.ts';
import { currentDefinition } from '../definitions/store.ts';
import { orderLimits, type ExtraOrder } from '../protocols/protocol.ts';
import { infusionContext, type OrderProblem } from './infusion-context.ts';
import {
  sessionBag,
  sessionMedications,
  sessionSideEffects,
  userNames,
  type BagRow,
  type EventRow,
  type MedicationRow,
  type SideEffectRow,
} from './infusion-repository.ts';
import { SIDE_EFFECTS, type SideEffectItem } from './infusion-settings.ts';
import type { SessionRow } from './repository.ts';
import { infusedMg, timelineState, type Infused, type RateLimits, type TimelineState } from './total.ts';
import { witnessChoices, type WitnessChoice } from './witness.ts';

export interface GivenOrder {
  order: ExtraOrder;
  limits: ReturnType<typeof orderLimits>;
  givenMg: number;
}

export interface InfusionView {
  order: DoseOrderRow | null;
  orderProblem: OrderProblem | null;
  limits: RateLimits | null;
  concentration: number | null;
  limitMg: number | null;
  bag: BagRow | null;
  events: EventRow[];
  timeline: { state: TimelineState; mgPerHour: number | null };
  infused: Infused | null;
  sideEffects: SideEffectRow[];
  medications: MedicationRow[];
  orders: GivenOrder[];
  sideEffectList: SideEffectItem[];
  sideEffectsUnverified: boolean;
  witnesses: WitnessChoice[];
  names: Map<string, string>;
}

export async function infusionPart(
  db: Kysely<DB>,
  session: SessionRow,
  viewer: string,
  now: number,
): Promise<InfusionView> {
  const ctx = await infusionContext(db, session);
  const [bag, sideEffects, medications, list, witnesses] = await Promise.all([
    sessionBag(db, session.id),
    sessionSideEffects(db, session.id),
    sessionMedications(db, session.id),
    currentDefinition(db, SIDE_EFFECTS),
    session.state === 'ready' ? witnessChoices(db, session.location_id, viewer) : Promise.resolve([]),
  ]);
  const authors = [
    ...ctx.events.map((e) => e.recorded_by),
    ...sideEffects.map((e) => e.recorded_by),
    ...medications.map((m) => m.recorded_by),
    ...(bag ? [bag.drawn_by, bag.witnessed_by] : []),
  ];
  const orders = (ctx.protocol?.extraOrders ?? []).map((order) => ({
    order,
    limits: orderLimits(order),
    givenMg: medications
      .filter((m) => m.drug.toLowerCase() === order.drug.toLowerCase())
      .reduce((sum, m) => sum + m.dose_mg, 0),
  }));
  return {
    order: ctx.order,
    orderProblem: ctx.orderProblem,
    limits: ctx.limits,
    concentration: ctx.concentration,
    limitMg: ctx.limitMg,
    bag: bag ?? null,
    events: ctx.events,
    timeline: timelineState(ctx.timeline),
    infused: ctx.limitMg === null || ctx.events.length === 0 ? null : infusedMg(ctx.timeline, now, ctx.limitMg),
    sideEffects,
    medications,
    orders,
    sideEffectList: list.body,
    sideEffectsUnverified: list.unverified,
    witnesses,
    names: await userNames(db, [...new Set(authors)]),
  };
}
