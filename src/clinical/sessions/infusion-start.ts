/**
 * Preparing and starting the infusion, as one command: the bag the nurse hung, checked against the verified dose
 * order (drug, mg and mL, so the concentration; not past its expiry), the second person's witness of the draw, the
 * pump rate (the order's), then the start. The bag row, the session's move and the timeline's first event are
 * written in one transaction, or nothing is. The database refuses a start without a verified order and a bag too;
 * this service refuses first, in words.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { today } from '../../kernel/time/wall-clock.ts';
import { figure } from '../dosing/dose.ts';
import { openHold } from '../gate/repository.ts';
import { freshSession, sessionFor } from './access.ts';
import { changeSession, stale } from './change.ts';
import { infusionContext } from './infusion-context.ts';
import { ORDER_PROBLEMS } from './infusion-words.ts';
import { insertBag, insertEvent } from './infusion-repository.ts';
import { STATE_LABELS } from './state.ts';
import { applyTimelineChange } from './total.ts';
import { sessionVisit } from './visit.ts';
import { confirmWitness } from './witness.ts';

export interface StartInput {
  version: number;
  drug: string;
  lot: string;
  /** yyyy-MM-dd */
  expiresOn: string;
  bagMg: number;
  bagMl: number;
  witnessId: string;
  witnessCode: string;
  pumpRateMlPerHour: number;
}

// Figures typed from a bag's label agree to the hundredth of a mg or mL.
const same = (a: number, b: number) => Math.abs(a - b) < 0.005;

export async function startInfusion(
  database: Database,
  secret: string,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  input: StartInput,
): Promise<{ ok: true } | Refusal> {
  const { session: seen, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.start');
  try {
    return await database.transact(async (trx): Promise<{ ok: true } | Refusal> => {
      const session = await freshSession(trx, seen.id);
      if (session.version !== input.version) return stale(trx, session);
      if (session.state !== 'ready')
        return refuse(
          'conflict',
          session.started_at !== null
            ? 'This infusion has already started. Nothing was changed.'
            : `The infusion starts once the session is ready to start; it is ${STATE_LABELS[session.state].toLowerCase()}. Nothing was changed.`,
        );
      if (await openHold(trx, session.patient_id))
        return refuse(
          'conflict',
          'Infusions are on hold for this patient: a provider reviews the safety flag on the safety worklist and clears it first. Nothing was started.',
        );
      const ctx = await infusionContext(trx, session);
      if (ctx.orderProblem || !ctx.order) return refuse('conflict', ORDER_PROBLEMS[ctx.orderProblem ?? 'none']);
      const order = ctx.order;
      const visit = await sessionVisit(trx, session.appointment_id);
      if (!visit) return refuse('not_found', 'That session could not be found.');

      const ordered = `${figure(order.bag_mg)} mg in ${figure(order.bag_ml)} mL (${figure(order.bag_mg / order.bag_ml, 3)} mg/mL)`;
      const fields: Record<string, string> = {};
      if (input.drug.trim().toLowerCase() !== 'ketamine') fields.drug = 'Drug: the order is for ketamine.';
      if (!same(input.bagMg, order.bag_mg))
        fields.bag_mg = `Ketamine in the bag: the order is for ${ordered}; this bag’s concentration does not match.`;
      if (!same(input.bagMl, order.bag_ml))
        fields.bag_ml = `Bag volume: the order is for ${ordered}; this bag’s concentration does not match.`;
      const day = today(actor.now, visit.timeZone);
      if (input.expiresOn < day)
        fields.expires_on = `Expiry: this lot expired on ${input.expiresOn}. Use a bag within its date.`;
      if (!same(input.pumpRateMlPerHour, order.pump_rate_ml_h))
        fields.pump_rate = `Pump rate: the order’s rate is ${figure(order.pump_rate_ml_h)} mL/h.`;
      if (Object.keys(fields).length > 0)
        return refuse('invalid_request', 'The bag or the pump does not match the order. Nothing was saved.', fields);

      const start = { kind: 'start' as const, at: actor.now, mgPerHour: order.mg_per_hour };
      const ok = ctx.limits && applyTimelineChange(ctx.timeline, start, ctx.limits, actor.now);
      if (!ok || 'refusal' in ok)
        return refuse('conflict', 'The order’s rate is above what the plan allows now: a provider reviews the order.');

      // Returned, not thrown: a wrong code's failure count and audit event commit while nothing else is written.
      const witnessed = await confirmWitness(trx, { database, secret }, actor, {
        witnessId: input.witnessId,
        code: input.witnessCode,
        locationId: session.location_id,
        purpose: 'session.bag_witness',
      });
      if (witnessed !== true) return witnessed;

      const bagId = timeOrderedId(actor.now);
      // The bag first: the database lets a session start only with a witnessed bag already recorded.
      await insertBag(trx, {
        id: bagId,
        session_id: session.id,
        location_id: session.location_id,
        drug: 'ketamine',
        lot: input.lot,
        expires_on: input.expiresOn,
        drug_mg: order.bag_mg,
        volume_ml: order.bag_ml,
        drawn_by: actor.staff.userId,
        witnessed_by: input.witnessId,
        drawn_at: actor.now,
      });
      const moved = await changeSession(trx, database, actor, {
        sessionId: session.id,
        basedOn: input.version,
        strict: true,
        action: 'start',
        patch: { dose_order_id: order.id, started_at: actor.now },
        audit: 'session.start',
        where,
        detail: { order: order.id, bag: bagId },
      });
      // Thrown: the bag written above must not stand without its start.
      if (isRefusal(moved)) throw moved;
      await insertEvent(trx, {
        id: timeOrderedId(actor.now),
        session_id: session.id,
        kind: 'start',
        at: actor.now,
        mg_per_hour: order.mg_per_hour,
        ml_per_hour: order.pump_rate_ml_h,
        reason: null,
        recorded_by: actor.staff.userId,
        recorded_at: actor.now,
      });
      return { ok: true };
    });
  } catch (e) {
    if (isRefusal(e)) return e;
    throw e;
  }
}
