/**
 * The infusion's timeline and the drug it has delivered. Pure.
 *
 * The total is rate × running time, worked from the timeline alone, so it never disagrees with what was recorded.
 * The pump's volume limit is set to the lesser of the bag's drug and the session maximum, so once that much has run
 * the pump stops itself: the total is capped there and `limitReachedAt` says when.
 */

const HOUR = 3_600_000;

export type TimelineEvent =
  | { kind: 'start'; at: number; mgPerHour: number }
  | { kind: 'rate'; at: number; mgPerHour: number; reason: string }
  | { kind: 'pause' | 'resume' | 'stop'; at: number; reason: string };

export type TimelineState = 'not_started' | 'running' | 'paused' | 'stopped';

export interface Infused {
  /** mg delivered, never above the limit. */
  mg: number;
  /** When the pump reached its volume limit, to the millisecond (rounded up); null while under it. */
  limitReachedAt: number | null;
  /** The highest rate set so far; 0 before the start. */
  highestMgPerHour: number;
  /** Time the pump ran, stopping at the limit. */
  runningMs: number;
}

/** The events in time order; events at one instant keep the order they were recorded in. */
function inOrder(events: readonly TimelineEvent[]): TimelineEvent[] {
  return events
    .map((e, i) => [e, i] as const)
    .sort(([a, i], [b, j]) => a.at - b.at || i - j)
    .map(([e]) => e);
}

/** The drug delivered by `until`, the pump stopping at `limitMg`. */
export function infusedMg(events: readonly TimelineEvent[], until: number, limitMg: number): Infused {
  let mg = 0;
  let runningMs = 0;
  let highest = 0;
  let rate = 0;
  let runningSince: number | null = null;
  let limitReachedAt: number | null = null;

  // Adds the running stretch up to `to`, stopping at the limit.
  const runTo = (to: number) => {
    if (runningSince === null || limitReachedAt !== null) return;
    const ms = Math.max(0, to - runningSince);
    const more = (rate * ms) / HOUR;
    if (mg + more >= limitMg) {
      const msToLimit = rate > 0 ? ((limitMg - mg) * HOUR) / rate : 0;
      limitReachedAt = Math.ceil(runningSince + msToLimit);
      runningMs += msToLimit;
      mg = limitMg;
    } else {
      mg += more;
      runningMs += ms;
    }
    runningSince = to;
  };

  for (const event of inOrder(events)) {
    if (event.at > until) break;
    runTo(event.at);
    switch (event.kind) {
      case 'start':
      case 'rate':
        rate = event.mgPerHour;
        highest = Math.max(highest, rate);
        if (event.kind === 'start') runningSince = event.at;
        break;
      case 'resume':
        runningSince = event.at;
        break;
      case 'pause':
      case 'stop':
        runningSince = null;
        break;
    }
  }
  runTo(until);
  return { mg: Math.min(mg, limitMg), limitReachedAt, highestMgPerHour: highest, runningMs: Math.round(runningMs) };
}

/** Where the timeline stands, and the rate last set. */
export function timelineState(events: readonly TimelineEvent[]): { state: TimelineState; mgPerHour: number | null } {
  let state: TimelineState = 'not_started';
  let mgPerHour: number | null = null;
  for (const event of inOrder(events)) {
    if (event.kind === 'start' || event.kind === 'rate') mgPerHour = event.mgPerHour;
    state =
      event.kind === 'start' || event.kind === 'resume'
        ? 'running'
        : event.kind === 'pause'
          ? 'paused'
          : event.kind === 'stop'
            ? 'stopped'
            : state;
  }
  return { state, mgPerHour };
}

export interface RateLimits {
  /** The verified order's rate: the start may not exceed it, nor may any rate on a fixed-rate protocol. */
  orderedMgPerHour: number;
  /** The highest rate the plan allows (the protocol's maximum for this weight, within its cap). */
  maxMgPerHour: number;
  /** The largest rise at a time on a titrated protocol; null on a fixed-rate one. Falls are never limited. */
  stepMgPerHour: number | null;
}

export type TimelineRefusalCode =
  | 'already_started'
  | 'not_started'
  | 'stopped'
  | 'not_running'
  | 'not_paused'
  | 'before_last_event'
  | 'in_future'
  | 'reason_required'
  | 'rate_not_positive'
  | 'above_max_rate'
  | 'above_ordered_rate'
  | 'above_step';

export interface TimelineRefusal {
  field: 'kind' | 'at' | 'mgPerHour' | 'reason';
  code: TimelineRefusalCode;
}

// Rates are worked in mg/h from mg/kg/h and a weight, so a rise of exactly one step may carry a rounding error.
const EPSILON = 1e-9;

function rateRefusal(
  mgPerHour: number,
  current: number | null,
  limits: RateLimits,
  starting: boolean,
): TimelineRefusal | null {
  const field = 'mgPerHour';
  if (!Number.isFinite(mgPerHour) || mgPerHour <= 0) return { field, code: 'rate_not_positive' };
  if (mgPerHour > limits.maxMgPerHour + EPSILON) return { field, code: 'above_max_rate' };
  if ((starting || limits.stepMgPerHour === null) && mgPerHour > limits.orderedMgPerHour + EPSILON)
    return { field, code: 'above_ordered_rate' };
  if (
    !starting &&
    limits.stepMgPerHour !== null &&
    current !== null &&
    mgPerHour - current > limits.stepMgPerHour + EPSILON
  )
    return { field, code: 'above_step' };
  return null;
}

/**
 * The timeline with `change` added, or why not. A refused change returns no events, so the caller keeps what it
 * had; the input is never modified. Checks, in order: the time (not in the future, not before the last event), the
 * turn (a second start, a rate or pause when not running, resume when not paused, anything after the stop), the
 * reason, then the rate.
 */
export function applyTimelineChange(
  events: readonly TimelineEvent[],
  change: TimelineEvent,
  limits: RateLimits,
  now: number,
): { events: TimelineEvent[] } | { refusal: TimelineRefusal } {
  if (change.at > now) return { refusal: { field: 'at', code: 'in_future' } };
  const last = events.reduce((latest, e) => Math.max(latest, e.at), -Infinity);
  if (change.at < last) return { refusal: { field: 'at', code: 'before_last_event' } };

  const { state, mgPerHour: current } = timelineState(events);
  const turn = (code: TimelineRefusalCode) => ({ refusal: { field: 'kind' as const, code } });
  if (state === 'stopped') return turn('stopped');
  if (change.kind === 'start') {
    if (state !== 'not_started') return turn('already_started');
  } else if (state === 'not_started') return turn('not_started');
  else if ((change.kind === 'rate' || change.kind === 'pause') && state !== 'running') return turn('not_running');
  else if (change.kind === 'resume' && state !== 'paused') return turn('not_paused');

  if (change.kind !== 'start' && change.reason.trim() === '')
    return { refusal: { field: 'reason', code: 'reason_required' } };
  if (change.kind === 'start' || change.kind === 'rate') {
    const refusal = rateRefusal(change.mgPerHour, current, limits, change.kind === 'start');
    if (refusal) return { refusal };
  }
  return { events: [...events, change] };
}
