/**
 * The infusion session's state machine, pure: which action moves a session from which state to which. Migration 029
 * keeps the same edges in the database (SESSION_EDGES there; a unit test holds the two lists equal), so an action
 * the service forgot to check is still refused. A session exists from check-in; before that the visit is booked.
 */
export type SessionState =
  'checked_in' | 'ready' | 'infusing' | 'paused' | 'recovering' | 'ready_for_discharge' | 'discharged' | 'not_given';

export type SessionAction =
  /** The pre-infusion checks are complete and nothing blocks the start (or a provider overrode it). */
  | 'checks_done'
  /** Back to the checks (an answer changed, a new reading blocks the start). */
  | 'recheck'
  | 'start'
  | 'pause'
  | 'resume'
  /** The infusion ends (completed or stopped early, with a reason); recovery begins. */
  | 'stop'
  /** Every discharge condition holds (or a provider overrode one). */
  | 'fit_to_leave'
  /** A condition no longer holds after a new reading: back to recovery. */
  | 'back_to_recovery'
  | 'discharge'
  /** The patient leaves without an infusion (a start blocked, a change of mind), with a reason. */
  | 'not_given';

export const SESSION_STATES: readonly SessionState[] = [
  'checked_in',
  'ready',
  'infusing',
  'paused',
  'recovering',
  'ready_for_discharge',
  'discharged',
  'not_given',
];

const MOVES: Record<SessionAction, { from: readonly SessionState[]; to: SessionState }> = {
  checks_done: { from: ['checked_in'], to: 'ready' },
  recheck: { from: ['ready'], to: 'checked_in' },
  start: { from: ['ready'], to: 'infusing' },
  pause: { from: ['infusing'], to: 'paused' },
  resume: { from: ['paused'], to: 'infusing' },
  stop: { from: ['infusing', 'paused'], to: 'recovering' },
  fit_to_leave: { from: ['recovering'], to: 'ready_for_discharge' },
  back_to_recovery: { from: ['ready_for_discharge'], to: 'recovering' },
  discharge: { from: ['ready_for_discharge'], to: 'discharged' },
  not_given: { from: ['checked_in', 'ready'], to: 'not_given' },
};

export const SESSION_ACTIONS = Object.keys(MOVES) as SessionAction[];

/** The state `action` leads to from `state`, or null when the session cannot make that move now. */
export function nextState(state: SessionState, action: SessionAction): SessionState | null {
  const move = MOVES[action];
  return move.from.includes(state) ? move.to : null;
}

/** The actions open from `state`, in the order above. */
export const allowedActions = (state: SessionState): SessionAction[] =>
  SESSION_ACTIONS.filter((a) => nextState(state, a) !== null);

/** Every (from, to) pair a move can make: what the database's trigger allows. */
export const sessionEdges = (): Array<[SessionState, SessionState]> =>
  SESSION_ACTIONS.flatMap((a) => MOVES[a].from.map((from): [SessionState, SessionState] => [from, MOVES[a].to]));

/** A closed session: nothing more is recorded on it (its record is signed and amended instead). */
export const isClosed = (state: SessionState): boolean => state === 'discharged' || state === 'not_given';

/** The infusion is running or paused: the pump's timeline is open. */
export const isInfusing = (state: SessionState): boolean => state === 'infusing' || state === 'paused';

/** What the clinic calls each state, on the board and the session page. */
export const STATE_LABELS: Record<SessionState | 'booked', string> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  ready: 'Ready to start',
  infusing: 'Infusing',
  paused: 'Paused',
  recovering: 'Recovering',
  ready_for_discharge: 'Ready for discharge',
  discharged: 'Discharged',
  not_given: 'Not given',
};
