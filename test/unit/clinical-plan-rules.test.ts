import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOLS, protocolSchema } from '../../src/clinical/protocols/protocol.ts';
import { canMove, figuresOf, pastLimits, planDefinition } from '../../src/clinical/protocols/plan-rules.ts';
import { spacingMessage } from '../../src/clinical/protocols/spacing-words.ts';

const crps = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!;

describe('what a plan may change of its protocol', () => {
  it('finds nothing past the limits at the protocol’s own figures or below them', () => {
    expect(pastLimits(crps, figuresOf(crps))).toEqual([]);
    expect(pastLimits(crps, { sessions: 6, hoursPerSession: 3, startMgPerKgPerHour: 0.2 })).toEqual([]);
  });

  it('names each figure past its limit with the limit', () => {
    expect(pastLimits(crps, { sessions: 11, hoursPerSession: 4.5, startMgPerKgPerHour: 0.36 })).toEqual([
      { field: 'sessions', limit: 10, planned: 11 },
      { field: 'hoursPerSession', limit: 4, planned: 4.5 },
      { field: 'startMgPerKgPerHour', limit: 0.35, planned: 0.36 },
    ]);
  });

  it('writes the figures into the plan’s copy: a longer series widens the window, a higher start raises the maximum', () => {
    const plan = planDefinition(crps, { sessions: 14, hoursPerSession: 4, startMgPerKgPerHour: 0.5 });
    expect(plan.induction).toMatchObject({ sessions: 14, windowDays: 14 });
    expect(
      planDefinition(crps, { sessions: 16, hoursPerSession: 4, startMgPerKgPerHour: 0.35 }).induction.windowDays,
    ).toBe(16);
    expect(plan.dosing).toMatchObject({ startMgPerKgPerHour: 0.5, maxMgPerKgPerHour: 0.5, capMgPerHour: 25 });
    expect(protocolSchema.safeParse(plan).success).toBe(true);
  });
});

describe('plan states', () => {
  it('allows only the listed steps', () => {
    expect(canMove('draft', 'active')).toBe(false); // signing is its own command
    expect(canMove('draft', 'stopped')).toBe(true);
    expect(canMove('active', 'paused')).toBe(true);
    expect(canMove('paused', 'active')).toBe(true);
    expect(canMove('paused', 'completed')).toBe(false);
    expect(canMove('completed', 'active')).toBe(false);
    expect(canMove('stopped', 'active')).toBe(false);
  });
});

describe('spacing problems in words', () => {
  it('names the session and the rule', () => {
    expect(spacingMessage({ number: 4, kind: 'too_far', days: 5, limit: 3 })).toBe(
      'Session 4 is 5 days after the one before; the plan allows at most 3 days',
    );
    expect(spacingMessage({ number: 2, kind: 'too_close', days: 1, limit: 2 })).toBe(
      'Session 2 is 1 day after the one before; the plan needs at least 2 days',
    );
    expect(spacingMessage({ number: 9, kind: 'outside_window', days: 15, limit: 14 })).toBe(
      'Session 9 falls on day 15 of the series; the plan’s window is 14 days',
    );
  });
});
