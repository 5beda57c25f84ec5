/**
 * What a treatment plan may change of its protocol, and how a plan moves between states. Pure.
 *
 * A plan starts as a copy of one protocol version. A provider may adjust three figures: the number of induction
 * sessions, hours per session and the starting rate. Within the protocol's own limits (no more sessions or hours
 * than it sets, a starting rate from its titration floor up to its maximum) that is ordinary practice; past a limit
 * it is a deviation, written down with the provider's reason, and the plan's copy follows it (a starting rate above
 * the protocol's maximum raises the plan's maximum to it, so the dose calculator doses what was signed).
 */
import type { PlanStatus } from '../../kernel/db/schema.ts';
import type { ProtocolDefinition } from './protocol.ts';

export interface PlanFigures {
  sessions: number;
  hoursPerSession: number;
  startMgPerKgPerHour: number;
}

export interface Deviation {
  field: keyof PlanFigures;
  /** The protocol's limit that the plan goes past. */
  limit: number;
  planned: number;
  reason: string;
}

export const figuresOf = (p: ProtocolDefinition): PlanFigures => ({
  sessions: p.induction.sessions,
  hoursPerSession: p.induction.hoursPerSession,
  startMgPerKgPerHour: p.dosing.startMgPerKgPerHour,
});

/** Each figure past the protocol's limit, with the limit it passes (the reason is added by the caller). */
export function pastLimits(p: ProtocolDefinition, f: PlanFigures): Array<Omit<Deviation, 'reason'>> {
  const out: Array<Omit<Deviation, 'reason'>> = [];
  if (f.sessions > p.induction.sessions)
    out.push({ field: 'sessions', limit: p.induction.sessions, planned: f.sessions });
  if (f.hoursPerSession > p.induction.hoursPerSession)
    out.push({ field: 'hoursPerSession', limit: p.induction.hoursPerSession, planned: f.hoursPerSession });
  if (f.startMgPerKgPerHour > p.dosing.maxMgPerKgPerHour)
    out.push({ field: 'startMgPerKgPerHour', limit: p.dosing.maxMgPerKgPerHour, planned: f.startMgPerKgPerHour });
  return out;
}

/** The plan's own copy of the protocol with the figures applied. */
export function planDefinition(p: ProtocolDefinition, f: PlanFigures): ProtocolDefinition {
  const sessions = f.sessions;
  // A longer series keeps the protocol's spacing: the window grows to hold the extra sessions at the fewest days apart.
  const windowDays = Math.max(p.induction.windowDays, 1 + (sessions - 1) * p.induction.minDaysBetween);
  return {
    ...p,
    induction: { ...p.induction, sessions, hoursPerSession: f.hoursPerSession, windowDays },
    dosing: {
      ...p.dosing,
      startMgPerKgPerHour: f.startMgPerKgPerHour,
      maxMgPerKgPerHour: Math.max(p.dosing.maxMgPerKgPerHour, f.startMgPerKgPerHour),
    },
  };
}

/** The changes a person may make to a plan's status (signing, draft → active, is its own command). */
export const TRANSITIONS: Readonly<Record<PlanStatus, readonly PlanStatus[]>> = {
  draft: ['stopped'],
  active: ['paused', 'completed', 'stopped'],
  paused: ['active', 'stopped'],
  completed: [],
  stopped: [],
};

export const canMove = (from: PlanStatus, to: PlanStatus): boolean => TRANSITIONS[from].includes(to);

/** The verbs on the buttons and in messages. */
export const STATUS_VERB: Record<PlanStatus, string> = {
  draft: 'Draft',
  active: 'Resume',
  paused: 'Pause',
  completed: 'Mark completed',
  stopped: 'Stop',
};

export const STATUS_LABEL: Record<PlanStatus, string> = {
  draft: 'Draft, not signed',
  active: 'Active',
  paused: 'Paused',
  completed: 'Completed',
  stopped: 'Stopped',
};
