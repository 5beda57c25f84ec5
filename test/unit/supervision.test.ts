/**
 * A supervising provider on site during every infusion: the slot engine offers an infusion only where a supervision
 * lane (one of a provider's `supervises_at_once`) is free for the whole visit and the provider works all of it.
 * Boundaries worked out by hand, and a property against a brute-force reading of the same rule.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findSlots, type Interval, type SlotPerson, type SlotQuery } from '../../src/scheduling/slots.ts';

const MIN = 60_000;
const t = (iso: string) => Date.parse(iso);
const hm = (h: number, m = 0) => h * 60 + m;
// Monday 1 June 2026 in Chicago (CDT): 09:00 local = 14:00Z.
const at = (h: number, m = 0) => t('2026-06-01T14:00:00.000Z') + (hm(h, m) - hm(9)) * MIN;

const lane = (id: string, busy: Interval[] = [], hours = { from: hm(9), to: hm(19) }): SlotPerson => ({
  id,
  hours: { 1: [hours] },
  busy,
});
/** Infusions of 240 minutes with 15 before and 30 after, hourly, one nurse lane and one chair that are always free. */
const query = (supervisors: SlotPerson[] | null | undefined): SlotQuery => ({
  zone: 'America/Chicago',
  from: t('2026-06-01T05:00:00.000Z'),
  to: t('2026-06-02T05:00:00.000Z'),
  now: t('2026-05-01T00:00:00.000Z'),
  opening: { 1: [{ from: hm(8), to: hm(20) }] },
  closures: [],
  providers: null,
  nurses: [{ id: 'nurse#1', hours: { 1: [{ from: hm(8), to: hm(20) }] }, busy: [] }],
  rooms: [{ id: 'chair-1', busy: [] }],
  ...(supervisors === undefined ? {} : { supervisors }),
  durationMin: 240,
  bufferBeforeMin: 15,
  bufferAfterMin: 30,
  minNoticeMin: 0,
  stepMin: 60,
});
const starts = (q: SlotQuery) => findSlots(q).map((s) => s.start);

describe('supervision in the slot engine', () => {
  it('a type that needs no supervisor is offered as before, with no supervisor in its options', () => {
    const slots = findSlots(query(undefined));
    expect(slots.map((s) => s.start)).toEqual(findSlots(query(null)).map((s) => s.start));
    expect(slots[0]!.options[0]).toEqual({ providerId: null, nurseId: 'nurse#1', roomId: 'chair-1' });
  });

  it('needing a supervisor where none works offers nothing', () => {
    expect(starts(query([]))).toEqual([]);
  });

  it('offers only starts whose whole visit the provider works: 9:00 to 19:00 holds 9:00 … 15:00', () => {
    expect(starts(query([lane('prov-a#1')]))).toEqual([9, 10, 11, 12, 13, 14, 15].map((h) => at(h)));
  });

  it('a lane is taken for the visit time only: back to back is free, the nurse’s buffers do not count', () => {
    // Both lanes supervise 10:00–14:00: no start from 07:00 to 13:00 is free; 14:00 is (touching is fine).
    const busy = [{ start: at(10), end: at(14) }];
    const got = starts(query([lane('prov-a#1', busy), lane('prov-a#2', busy)]));
    expect(got).toEqual([14, 15].map((h) => at(h)));
    // A lane busy 13:15–14:00 blocks 10:00 (its visit runs to 14:00) but not 14:00, although 14:00's nurse buffer
    // starts at 13:45.
    const late = starts(query([lane('prov-a#1', [{ start: at(13, 15), end: at(14) }])]));
    expect(late).toContain(at(14));
    expect(late).not.toContain(at(10));
    expect(late).toContain(at(9)); // 09:00–13:00 ends before 13:15
  });

  it('names the first free lane in input order: a second lane is used only when the first is busy', () => {
    const busy = [{ start: at(9), end: at(13) }];
    const slots = findSlots(query([lane('prov-a#1', busy), lane('prov-a#2')]));
    const option = (h: number) => slots.find((s) => s.start === at(h))!.options[0]!.supervisorId;
    expect(option(9)).toBe('prov-a#2');
    expect(option(13)).toBe('prov-a#1');
  });

  it('property: a start is offered exactly when some lane works the whole visit and is free for it', () => {
    const interval = fc
      .tuple(fc.integer({ min: 0, max: 12 * 12 }), fc.integer({ min: 1, max: 8 * 12 }))
      .map(([from, len]) => ({ start: at(8) + from * 5 * MIN, end: at(8) + (from + len) * 5 * MIN }));
    const supervisor = fc.record({
      busy: fc.array(interval, { maxLength: 4 }),
      from: fc.integer({ min: hm(7), max: hm(12) }),
      length: fc.integer({ min: 60, max: 12 * 60 }),
    });
    fc.assert(
      fc.property(fc.array(supervisor, { maxLength: 4 }), (specs) => {
        const lanes = specs.map((s, i) =>
          lane(`prov-${i}#1`, s.busy, { from: s.from, to: Math.min(hm(24), s.from + s.length) }),
        );
        const without = findSlots(query(null));
        const expected = without
          .map((s) => s.start)
          .filter((start) =>
            lanes.some(
              (l) =>
                l.hours[1]!.some((h) => at(0) + h.from * MIN <= start && start + 240 * MIN <= at(0) + h.to * MIN) &&
                !l.busy.some((b) => b.start < start + 240 * MIN && b.end > start),
            ),
          );
        const got = findSlots(query(lanes));
        expect(got.map((s) => s.start)).toEqual(expected);
        for (const slot of got) {
          const chosen = lanes.find((l) => l.id === slot.options[0]!.supervisorId)!;
          expect(chosen.busy.some((b) => b.start < slot.end && b.end > slot.start)).toBe(false);
        }
      }),
    );
  });
});
