/**
 * The pump's timeline while the infusion runs: a rate change (within the plan's titration limits), a pause, a
 * resume, the stop, each with a reason and at the server's time. Every one is strict: based on what the nurse saw,
 * so a change someone else made meanwhile refuses it with what changed. A refused change writes nothing, so the
 * total infused stays as it was.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { figure } from '../dosing/dose.ts';
import { freshSession, sessionFor } from './access.ts';
import { changeSession, stale } from './change.ts';
import { infusionContext } from './infusion-context.ts';
import { insertEvent } from './infusion-repository.ts';
import type { SessionAction } from './state.ts';
import { applyTimelineChange, type RateLimits, type TimelineEvent, type TimelineRefusalCode } from './total.ts';

export type TimelineCommand =
  | { kind: 'rate'; version: number; mlPerHour: number; reason: string }
  | { kind: 'pause' | 'resume' | 'stop'; version: number; reason: string };

const ACTIONS: Record<TimelineCommand['kind'], SessionAction | undefined> = {
  rate: undefined,
  pause: 'pause',
  resume: 'resume',
  stop: 'stop',
};

const HOUR = 3_600_000;

function refusalWords(
  code: TimelineRefusalCode,
  limits: RateLimits,
  concentration: number,
  kind: TimelineCommand['kind'],
): Refusal {
  const rate = (mg: number) => `${figure(mg)} mg/h (${figure(mg / concentration)} mL/h)`;
  switch (code) {
    case 'above_max_rate':
      return refuse('invalid_request', 'That rate is above the plan’s maximum. Nothing was changed.', {
        rate: `Rate: at most ${rate(limits.maxMgPerHour)}, the plan’s maximum for this weight.`,
      });
    case 'above_ordered_rate':
      return refuse('invalid_request', 'This protocol does not titrate: the rate may not go above the order’s.', {
        rate: `Rate: at most the order’s ${rate(limits.orderedMgPerHour)}; this protocol has no titration step.`,
      });
    case 'above_step':
      return refuse('invalid_request', 'That rise is more than one titration step. Nothing was changed.', {
        rate: `Rate: raise it by at most ${rate(limits.stepMgPerHour ?? 0)} at a time, the plan’s titration step.`,
      });
    case 'rate_not_positive':
      return refuse('invalid_request', 'Give a rate above 0, or pause or stop the infusion.', {
        rate: 'Rate: above 0 mL/h. To halt the pump, pause or stop instead.',
      });
    case 'reason_required':
      return refuse('invalid_request', 'Give the reason.', { [`${kind}_reason`]: 'Reason: required.' });
    case 'not_running':
      return refuse('conflict', 'The infusion is not running: resume it first. Nothing was changed.');
    case 'not_paused':
      return refuse('conflict', 'The infusion is not paused. Nothing was changed.');
    case 'stopped':
      return refuse('conflict', 'The infusion has stopped. Nothing was changed.');
    case 'not_started':
      return refuse('conflict', 'The infusion has not started. Nothing was changed.');
    case 'already_started':
      return refuse('conflict', 'This infusion has already started. Nothing was changed.');
    case 'before_last_event':
    case 'in_future':
      return refuse('conflict', 'That time is out of order with the timeline. Nothing was changed.');
  }
}

export async function changeTimeline(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  command: TimelineCommand,
): Promise<{ ok: true } | Refusal> {
  const audit = `session.${command.kind}`;
  const { session: seen, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, audit);
  try {
    return await database.transact(async (trx): Promise<{ ok: true } | Refusal> => {
      const session = await freshSession(trx, seen.id);
      if (session.version !== command.version) return stale(trx, session);
      const ctx = await infusionContext(trx, session);
      if (!ctx.order || !ctx.limits || ctx.concentration === null || session.started_at === null)
        return refuse('conflict', 'The infusion has not started. Nothing was changed.');
      const reason = command.reason.trim();
      const mgPerHour = command.kind === 'rate' ? command.mlPerHour * ctx.concentration : null;
      const change: TimelineEvent =
        command.kind === 'rate'
          ? { kind: 'rate', at: actor.now, mgPerHour: mgPerHour!, reason }
          : { kind: command.kind, at: actor.now, reason };
      const applied = applyTimelineChange(ctx.timeline, change, ctx.limits, actor.now);
      if ('refusal' in applied) return refusalWords(applied.refusal.code, ctx.limits, ctx.concentration, command.kind);

      const plannedEnd = session.started_at + ctx.order.session_hours * HOUR;
      const moved = await changeSession(trx, database, actor, {
        sessionId: session.id,
        basedOn: command.version,
        strict: true,
        ...(ACTIONS[command.kind] ? { action: ACTIONS[command.kind]! } : {}),
        ...(command.kind === 'stop'
          ? { patch: { stopped_at: actor.now, stop_reason: reason, stopped_early: actor.now < plannedEnd ? 1 : 0 } }
          : {}),
        audit,
        where,
        ...(command.kind === 'stop' ? { detail: { early: actor.now < plannedEnd } } : {}),
      });
      if (isRefusal(moved)) return moved;
      await insertEvent(trx, {
        id: timeOrderedId(actor.now),
        session_id: session.id,
        kind: command.kind,
        at: actor.now,
        mg_per_hour: mgPerHour,
        ml_per_hour: command.kind === 'rate' ? command.mlPerHour : null,
        reason,
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
