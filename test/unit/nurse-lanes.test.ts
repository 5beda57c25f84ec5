/**
 * A nurse watches up to `watches_at_once` infusions at once, one lane each, named `<nurse id>#<seat>`
 * (src/scheduling/repository.ts). The slot engine treats every lane as a person of its own (src/scheduling/slots.ts),
 * and the set-up lists a visit left in a lane above a lowered number only while the nurse then watches more than
 * that number at once (src/setup/conflicts.ts). Boundaries of each, worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { laneId, parseLane } from '../../src/scheduling/repository.ts';
import { findSlots, type Interval, type SlotPerson, type SlotQuery } from '../../src/scheduling/slots.ts';
import { conflictReasons, findConflicts, type BookedVisit, type ConflictRules } from '../../src/setup/conflicts.ts';

const MIN = 60_000;
const t = (iso: string) => Date.parse(iso);
const hm = (h: number, m = 0) => h * 60 + m;

describe('lane ids', () => {
  it('names a lane by its nurse and seat, and reads both back', () => {
    expect(laneId('nurse-marcus', 1)).toBe('nurse-marcus#1');
    expect(laneId('nurse-marcus', 2)).toBe('nurse-marcus#2');
    expect(parseLane('nurse-marcus#2')).toEqual({ nurseId: 'nurse-marcus', number: 2 });
    expect(parseLane('nurse-nia#12')).toEqual({ nurseId: 'nurse-nia', number: 12 });
  });

  it('reads a bare nurse id (a row from before lanes) as lane 1', () => {
    expect(parseLane('nurse-marcus')).toEqual({ nurseId: 'nurse-marcus', number: 1 });
    expect(parseLane('')).toEqual({ nurseId: '', number: 1 });
  });

  it('splits at the last #, so a nurse id may contain one itself', () => {
    expect(parseLane(laneId('nurse#night', 3))).toEqual({ nurseId: 'nurse#night', number: 3 });
  });

  it('property: any nurse id and seat come back from their lane id unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 10_000 }), (nurseId, seat) => {
        expect(parseLane(laneId(nurseId, seat))).toEqual({ nurseId, number: seat });
      }),
    );
  });
});

describe('lanes in the slot engine', () => {
  // Monday 1 June 2026 in Chicago (CDT): 09:00 local = 14:00Z. Infusions of 240 minutes with 15 before and 30 after,
  // on an hourly grid, as in the demo clinic; two chairs, so chairs never decide.
  const lane = (nurse: string, seat: number, busy: Interval[] = []): SlotPerson => ({
    id: laneId(nurse, seat),
    hours: { 1: [{ from: hm(9), to: hm(17) }] },
    busy,
  });
  const query = (nurses: SlotPerson[]): SlotQuery => ({
    zone: 'America/Chicago',
    from: t('2026-06-01T05:00:00.000Z'),
    to: t('2026-06-02T05:00:00.000Z'),
    now: t('2026-05-01T00:00:00.000Z'),
    opening: { 1: [{ from: hm(9), to: hm(17) }] },
    closures: [],
    providers: null,
    nurses,
    rooms: [
      { id: 'c1', busy: [] },
      { id: 'c2', busy: [] },
    ],
    durationMin: 240,
    bufferBeforeMin: 15,
    bufferAfterMin: 30,
    minNoticeMin: 0,
    stepMin: 60,
  });
  const AT_0900 = t('2026-06-01T14:00:00.000Z');
  /** The lanes offered at 09:00, in the order a booking tries them. */
  const lanesAt0900 = (nurses: SlotPerson[]) =>
    findSlots(query(nurses))
      .find((s) => s.start === AT_0900)
      ?.options.map((o) => o.nurseId) ?? [];
  /** What a visit at `start` holds of its lane: its busy time, buffers included. */
  const held = (start: number): Interval => ({ start: start - 15 * MIN, end: start + (240 + 30) * MIN });

  it('offers lanes in the order given: every nurse’s first lane before anyone’s second, so infusions spread', () => {
    const lanes = [lane('marcus', 1), lane('nia', 1), lane('marcus', 2), lane('nia', 2)];
    expect(lanesAt0900(lanes)).toEqual(['marcus#1', 'nia#1', 'marcus#2', 'nia#2']);
    // Marcus's first lane taken: the next infusion goes to Nia's first, not to Marcus's second.
    const taken = [lane('marcus', 1, [held(AT_0900)]), lane('nia', 1), lane('marcus', 2), lane('nia', 2)];
    expect(lanesAt0900(taken)[0]).toBe('nia#1');
  });

  it('a visit in one lane leaves the nurse’s other lane free at the same time', () => {
    expect(lanesAt0900([lane('marcus', 1, [held(AT_0900)]), lane('marcus', 2)])).toEqual(['marcus#2']);
  });

  it('a lane is free when its last visit, clean-up included, ends exactly as the new one’s preparation begins', () => {
    // The new 09:00 infusion holds its lane from 08:45; a visit ending (with its clean-up) at 08:45 does not touch it.
    const endsAt0845 = { start: AT_0900 - 5 * 60 * MIN, end: AT_0900 - 15 * MIN };
    expect(lanesAt0900([lane('marcus', 1, [endsAt0845])])).toEqual(['marcus#1']);
    // A minute later, it does.
    const endsAt0846 = { start: endsAt0845.start, end: endsAt0845.end + MIN };
    expect(lanesAt0900([lane('marcus', 1, [endsAt0846])])).toEqual([]);
  });

  it('a lane is free when the next visit’s preparation begins exactly as the new one’s clean-up ends', () => {
    // The new 09:00 infusion holds its lane until 13:30 (13:00 + 30 minutes of clean-up).
    const fromAt1330 = { start: AT_0900 + (240 + 30) * MIN, end: AT_0900 + 9 * 60 * MIN };
    expect(lanesAt0900([lane('marcus', 1, [fromAt1330])])).toEqual(['marcus#1']);
    const fromAt1329 = { start: fromAt1330.start - MIN, end: fromAt1330.end };
    expect(lanesAt0900([lane('marcus', 1, [fromAt1329])])).toEqual([]);
  });

  it('time that blocks the nurse (time off, a visit above a lowered number) is in every lane: none is offered', () => {
    const away = held(AT_0900);
    const lanes = [lane('marcus', 1, [away]), lane('nia', 1), lane('marcus', 2, [away]), lane('nia', 2)];
    expect(lanesAt0900(lanes)).toEqual(['nia#1', 'nia#2']);
  });

  it('a time at which every lane is taken is not offered at all', () => {
    const full = [lane('marcus', 1, [held(AT_0900)]), lane('marcus', 2, [held(AT_0900)])];
    expect(findSlots(query(full)).some((s) => s.start === AT_0900)).toBe(false);
  });
});

describe('a lowered number in the set-up’s conflicts', () => {
  // Tuesday 3 March 2026 in Chicago (CST): 10:00 local = 16:00Z. Every rule but the nurse's number is satisfied.
  const allDay = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [d, [{ from: 0, to: 1440 }]]));
  const rules = (capacity?: number): ConflictRules => ({
    locations: {
      chi: {
        zone: 'America/Chicago',
        opening: allDay,
        closures: [],
        clinicianHours: { marcus: allDay, nia: allDay },
        inactiveRoomIds: [],
      },
    },
    timeOff: {},
    ...(capacity === undefined ? {} : { nurseCapacity: { marcus: capacity } }),
  });
  const AT_1000 = t('2026-03-03T16:00:00.000Z');
  let n = 0;
  /** An infusion of Marcus's in `seat`, from `startMin` minutes after 10:00 for `minutes`. */
  const infusion = (seat: number | null, startMin = 0, minutes = 240, nurseId = 'marcus'): BookedVisit => ({
    id: `v${++n}`,
    locationId: 'chi',
    providerId: null,
    nurseId,
    nurseLane: seat,
    roomId: `chair-${n}`,
    startsAt: AT_1000 + startMin * MIN,
    endsAt: AT_1000 + (startMin + minutes) * MIN,
  });
  const listed = (visits: BookedVisit[], capacity?: number) =>
    findConflicts(visits, rules(capacity)).map((c) => [c.visit.nurseLane, c.reasons]);

  it('a visit above the number, alone at its time, is not listed: the nurse watches one patient then', () => {
    const second = infusion(2);
    expect(conflictReasons(second, rules(1), [second]).reasons).toEqual([]);
  });

  it('a visit above the number while another of the nurse’s runs is listed, once; the one within the number is not', () => {
    expect(listed([infusion(1), infusion(2)], 1)).toEqual([[2, ['nurse_over_capacity']]]);
  });

  it('a visit within the number is never listed, however many run at once', () => {
    expect(listed([infusion(1), infusion(2), infusion(3)], 2)).toEqual([[3, ['nurse_over_capacity']]]);
  });

  it('visits that only touch (one ends as the other starts) do not run at once', () => {
    expect(listed([infusion(1, 0, 240), infusion(2, 240, 240)], 1)).toEqual([]);
    expect(listed([infusion(1, 0, 240), infusion(2, 239, 240)], 1)).toEqual([[2, ['nurse_over_capacity']]]);
  });

  it('counts the busiest moment, not every visit that overlaps: two at a time never make three', () => {
    // The lane-3 visit overlaps one from 09:00 and one from 12:00, but those two never run together.
    const visits = [infusion(3, 0, 240), infusion(1, -60, 120), infusion(2, 120, 180)];
    expect(listed(visits, 2)).toEqual([]);
    // A third from 11:00 to 12:30 makes three at 12:00.
    expect(listed([...visits, infusion(1, 60, 90)], 2)).toEqual([[3, ['nurse_over_capacity']]]);
  });

  it('counts only the nurse’s own visits; a seat not recorded is lane 1; no number known lists nothing', () => {
    expect(listed([infusion(2), infusion(1, 0, 240, 'nia')], 1)).toEqual([]);
    expect(listed([infusion(null), infusion(1)], 1)).toEqual([]);
    expect(listed([infusion(1), infusion(2), infusion(3)])).toEqual([]);
  });
});
