import { describe, expect, it } from 'vitest';
import { planDosing } from '../../src/clinical/dosing/plan-dosing.ts';
import { DEFAULT_PROTOCOLS } from '../../src/clinical/protocols/protocol.ts';

describe('reading a plan’s dosing', () => {
  it('takes the rule, the bag and the hours of each kind of session from the plan’s copy of the protocol', () => {
    const protocol = DEFAULT_PROTOCOLS.find((p) => p.code === 'crps-10-day')!;
    const dosing = planDosing(JSON.stringify(protocol))!;
    expect(dosing.rule).toMatchObject({ startMgPerKgPerHour: 0.35, capMgPerHour: 25, maxMgPerSession: 100 });
    expect(dosing.bag).toMatchObject({ drugMg: 100, volumeMl: 100, unverified: true });
    expect(dosing.hours).toEqual({
      induction: protocol.induction.hoursPerSession,
      booster: protocol.maintenance.hoursPerSession,
    });
  });

  it('never guesses: a definition that is not JSON, or lacks a figure, reads as none', () => {
    const protocol = DEFAULT_PROTOCOLS[0]!;
    expect(planDosing('{')).toBeUndefined();
    expect(planDosing('{}')).toBeUndefined();
    expect(
      planDosing(JSON.stringify({ ...protocol, dosing: { ...protocol.dosing, capMgPerHour: -1 } })),
    ).toBeUndefined();
    expect(planDosing(JSON.stringify({ ...protocol, bag: { ...protocol.bag, volumeMl: 0 } }))).toBeUndefined();
  });
});
