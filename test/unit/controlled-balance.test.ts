import { describe, expect, it } from 'vitest';
import { sessionDrugOf } from '../../src/clinical/sessions/controlled-balance.ts';
import type { BagRow, SessionDrugRow, WasteRow } from '../../src/clinical/sessions/controlled-repository.ts';
import type { TimelineEvent } from '../../src/clinical/sessions/total.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-03T16:00:00Z');

const session = (over: Partial<SessionDrugRow> = {}): SessionDrugRow => ({
  id: 's1',
  patientId: 'p1',
  locationId: 'loc-chicago',
  state: 'recovering',
  startedAt: T0,
  stoppedAt: T0 + 4 * HOUR,
  sessionTotalMg: 98,
  ...over,
});
const bag = (id: string, drugMg: number, drawnAt = T0): BagRow => ({
  id,
  sessionId: 's1',
  locationId: 'loc-chicago',
  drug: 'ketamine',
  lot: 'L1',
  expiresOn: '2099-12-31',
  drugMg,
  drawnBy: 'n1',
  witnessedBy: 'p2',
  drawnAt,
});
const waste = (bagId: string, mg: number): WasteRow => ({
  id: `w-${bagId}-${mg}`,
  sessionId: 's1',
  bagId,
  mg,
  wastedBy: 'n1',
  witnessedBy: 'p2',
  at: T0 + 5 * HOUR,
});
const run = (mgPerHour: number, hours: number): TimelineEvent[] => [
  { kind: 'start', at: T0, mgPerHour },
  { kind: 'stop', at: T0 + hours * HOUR, reason: 'done' },
];

describe('controlled balance: each bag dispensed = given + wasted', () => {
  it('gives at most the order’s session maximum, and balances with the rest wasted', () => {
    // 30 mg/h for 4 h would be 120 mg; the pump stops at the order's 98 mg.
    const open = sessionDrugOf(session(), [bag('b1', 100)], run(30, 4), [], T0 + 5 * HOUR);
    expect(open).toMatchObject({ status: 'unbalanced', balanced: false, givenMg: 98, leftMg: 2 });
    const done = sessionDrugOf(session(), [bag('b1', 100)], run(30, 4), [waste('b1', 2)], T0 + 5 * HOUR);
    expect(done).toMatchObject({ status: 'balanced', balanced: true, givenMg: 98, wastedMg: 2, leftMg: 0 });
  });

  it('empties the first bag drawn before the next', () => {
    const bags = [bag('b1', 50, T0 - 60_000), bag('b2', 50, T0 + HOUR)];
    // 24.5 mg/h × 3 h = 73.5 mg: 50 from the first bag, 23.5 from the second.
    const d = sessionDrugOf(session({ stoppedAt: T0 + 3 * HOUR }), bags, run(24.5, 3), [waste('b2', 26.5)], T0);
    expect(d.bags.map((f) => [f.givenMg, f.wastedMg, f.leftMg, f.balanced])).toEqual([
      [50, 0, 0, true],
      [23.5, 26.5, 0, true],
    ]);
    expect(d.balanced).toBe(true);
  });

  it('keeps amounts to 0.01 mg, so wasting what the page says is left always balances', () => {
    // 24.5 mg/h for 3 h 59 min 13 s = 97.6795… mg given: 97.68 kept, 2.32 left.
    const stop = T0 + 4 * HOUR - 47_000;
    const events: TimelineEvent[] = [
      { kind: 'start', at: T0, mgPerHour: 24.5 },
      { kind: 'stop', at: stop, reason: 'done' },
    ];
    const before = sessionDrugOf(session({ stoppedAt: stop }), [bag('b1', 100)], events, [], stop);
    expect(before.givenMg).toBe(97.68);
    expect(before.leftMg).toBe(2.32);
    const after = sessionDrugOf(session({ stoppedAt: stop }), [bag('b1', 100)], events, [waste('b1', 2.32)], stop);
    expect(after.balanced).toBe(true);
  });

  it('says infusing while the pump runs, nothing to account for without a bag, and unbalanced past a bag', () => {
    const running = sessionDrugOf(
      session({ stoppedAt: null }),
      [bag('b1', 100)],
      run(24.5, 99).slice(0, 1),
      [],
      T0 + HOUR,
    );
    expect(running).toMatchObject({ status: 'infusing', balanced: false, givenMg: 24.5 });
    expect(sessionDrugOf(session({ startedAt: null, stoppedAt: null }), [], [], [], T0)).toMatchObject({
      status: 'no_drug',
      balanced: true,
    });
    // A bag drawn for an infusion never started: all of it is to waste.
    const unused = sessionDrugOf(session({ startedAt: null, stoppedAt: null }), [bag('b1', 100)], [], [], T0);
    expect(unused).toMatchObject({ status: 'unbalanced', givenMg: 0, leftMg: 100 });
    // More wasted than left (only a direct write could do it) does not balance either.
    const over = sessionDrugOf(session(), [bag('b1', 100)], run(24.5, 4), [waste('b1', 3)], T0);
    expect(over).toMatchObject({ status: 'unbalanced', leftMg: -1 });
  });
});
