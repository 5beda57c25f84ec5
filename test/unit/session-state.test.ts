import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_EDGES, SESSION_STATES as DB_STATES } from '../../src/kernel/db/migrations/029_infusion_sessions.ts';
import {
  allowedActions,
  isClosed,
  nextState,
  SESSION_ACTIONS,
  SESSION_STATES,
  sessionEdges,
  type SessionState,
} from '../../src/clinical/sessions/state.ts';

describe('session state machine', () => {
  it('walks a whole infusion day', () => {
    const walk = ['checks_done', 'start', 'pause', 'resume', 'stop', 'fit_to_leave', 'discharge'] as const;
    let state: SessionState = 'checked_in';
    const seen: SessionState[] = [state];
    for (const action of walk) {
      const next = nextState(state, action);
      expect(next, `${action} from ${state}`).not.toBeNull();
      state = next!;
      seen.push(state);
    }
    expect(seen).toEqual([
      'checked_in',
      'ready',
      'infusing',
      'paused',
      'infusing',
      'recovering',
      'ready_for_discharge',
      'discharged',
    ]);
  });

  it('refuses the out-of-turn moves the issue names', () => {
    expect(nextState('infusing', 'start')).toBeNull(); // a second start
    expect(nextState('recovering', 'discharge')).toBeNull(); // discharge before recovery is done
    expect(nextState('checked_in', 'start')).toBeNull(); // start before the checks
    expect(nextState('infusing', 'not_given')).toBeNull(); // a running infusion is stopped, not "not given"
    expect(nextState('paused', 'pause')).toBeNull();
  });

  it('closes for good: nothing leaves discharged or not given', () => {
    for (const s of ['discharged', 'not_given'] as const) {
      expect(isClosed(s)).toBe(true);
      expect(allowedActions(s)).toEqual([]);
    }
  });

  it('keeps the same states and edges as the database trigger of migration 029', () => {
    expect([...DB_STATES].sort()).toEqual([...SESSION_STATES].sort());
    const key = ([a, b]: readonly [string, string]) => `${a}>${b}`;
    expect(sessionEdges().map(key).sort()).toEqual(SESSION_EDGES.map(key).sort());
  });

  it('property: every move lands on a known state, and only allowed actions move', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SESSION_STATES), fc.constantFrom(...SESSION_ACTIONS), (state, action) => {
        const next = nextState(state, action);
        expect(next === null).toBe(!allowedActions(state).includes(action));
        if (next !== null) expect(SESSION_STATES).toContain(next);
      }),
    );
  });
});
