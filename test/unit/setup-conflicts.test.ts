import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exactWallMinute } from '../../src/kernel/time/wall-clock.ts';
import { localPlacement } from '../../src/setup/conflicts.ts';

const MIN = 60_000;
const H = (hour: number, minute = 0) => hour * 60 + minute;
const visit = (startIso: string, minutes: number) => {
  const startsAt = Date.parse(startIso);
  return { startsAt, endsAt: startsAt + minutes * MIN };
};

describe('where a visit falls on the local clock (hand-computed)', () => {
  it.each([
    // Denver, Sunday 1 November 2026: 01:30 MDT (07:30Z) + 45 min = 01:15 MST; elapsed time gives the end.
    ['2026-11-01T07:30:00Z', 45, 'America/Denver', '2026-11-01', 7, H(1, 30), H(2, 15)],
    // The second 01:30 (MST) reads 01:30 too.
    ['2026-11-01T08:30:00Z', 30, 'America/Denver', '2026-11-01', 7, H(1, 30), H(2)],
    // London, Sunday 29 March 2026: 00:30 GMT + 60 min = 02:30 BST.
    ['2026-03-29T00:30:00Z', 60, 'Europe/London', '2026-03-29', 7, H(0, 30), H(2, 30)],
    // Sydney, Sunday 4 October 2026: 01:30 AEST + 60 min = 03:30 AEDT.
    ['2026-10-03T15:30:00Z', 60, 'Australia/Sydney', '2026-10-04', 7, H(1, 30), H(3, 30)],
    // Ending exactly at midnight is the end of the day; running past it fits no day.
    ['2026-03-10T04:00:00Z', 60, 'America/Chicago', '2026-03-09', 1, H(23), 1440],
    ['2026-03-10T04:30:00Z', 60, 'America/Chicago', '2026-03-09', 1, H(23, 30), Number.POSITIVE_INFINITY],
    // Kathmandu's :45 offset: 09:00 local is 03:15Z.
    ['2026-03-10T03:15:00Z', 45, 'Asia/Kathmandu', '2026-03-10', 2, H(9), H(9, 45)],
  ])('%s + %i min in %s: %s, weekday %i, [%i, %d]', (start, minutes, zone, date, weekday, from, to) => {
    expect(localPlacement(visit(start, minutes), zone)).toEqual({ date, weekday, from, to });
  });
});

describe('where a visit falls on the local clock (properties)', () => {
  const ZONES = ['America/Chicago', 'America/Denver', 'Europe/London', 'Australia/Sydney', 'America/Santiago'];
  const dateArb = fc.oneof(
    fc
      .integer({ min: Date.UTC(2026, 0, 1) / 86_400_000, max: Date.UTC(2027, 11, 31) / 86_400_000 })
      .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
    fc.constantFrom('2026-03-08', '2026-11-01', '2026-03-29', '2026-10-25', '2026-04-05', '2026-10-04', '2026-09-06'),
  );

  it('a visit booked at a wall time that exists is placed at that date and minute, for at least its length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        dateArb,
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 5, max: 600 }),
        (zone, date, minute, length) => {
          const startsAt = exactWallMinute(zone, date, minute);
          fc.pre(startsAt !== undefined);
          const placed = localPlacement({ startsAt: startsAt, endsAt: startsAt + length * MIN }, zone);
          expect(placed.date).toBe(date);
          expect(placed.from).toBe(minute);
          expect(placed.to - placed.from).toBeGreaterThanOrEqual(length);
        },
      ),
    );
  });
});
