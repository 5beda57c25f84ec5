import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { exactWallMinute } from '../../src/kernel/time/wall-clock.ts';
import {
  findConflicts,
  localPlacement,
  type BookedVisit,
  type ConflictRules,
  type LocationRules,
} from '../../src/setup/conflicts.ts';

const MIN = 60_000;
const H = (hour: number, minute = 0) => hour * 60 + minute;
const CHICAGO = 'America/Chicago';
const at = (iso: string, zone = CHICAGO) => DateTime.fromISO(iso, { zone }).toMillis();
const TUE_0900 = at('2026-03-03T09:00');
const WED_0900 = at('2026-03-04T09:00');
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

describe('conflict computation', () => {
  const weekdays = (from: number, to: number) => Object.fromEntries([1, 2, 3, 4, 5].map((wd) => [wd, [{ from, to }]]));
  const chicago = (over: Partial<LocationRules> = {}): LocationRules => ({
    zone: CHICAGO,
    opening: weekdays(H(8), H(18)),
    closures: [],
    clinicianHours: { okafor: weekdays(H(9), H(16)) },
    inactiveRoomIds: [],
    ...over,
  });
  const rules = (loc: Partial<LocationRules> = {}, timeOff: ConflictRules['timeOff'] = {}): ConflictRules => ({
    locations: { chi: chicago(loc) },
    timeOff,
  });
  const visit = (start: number, minutes = 45, over: Partial<BookedVisit> = {}): BookedVisit => ({
    id: `v-${start}`,
    locationId: 'chi',
    providerId: 'okafor',
    roomId: 'room-1',
    startsAt: start,
    endsAt: start + minutes * 60_000,
    ...over,
  });

  it('finds nothing when every visit still fits', () => {
    expect(findConflicts([visit(TUE_0900), visit(WED_0900)], rules())).toEqual([]);
  });

  it('flags visits outside new opening hours, on closures, outside provider hours, in time off and in rooms out of use', () => {
    const tue = visit(TUE_0900);
    expect(
      findConflicts([tue], rules({ opening: { ...weekdays(H(8), H(18)), 2: [{ from: H(13), to: H(17) }] } }))[0]!
        .reasons,
    ).toEqual(['outside_opening_hours']);
    expect(findConflicts([tue], rules({ closures: ['2026-03-03'] }))[0]!.reasons).toEqual(['closure']);
    expect(
      findConflicts([tue], rules({ clinicianHours: { okafor: { 1: [{ from: H(9), to: H(16) }] } } }))[0]!.reasons,
    ).toEqual(['outside_clinician_hours']);
    expect(
      findConflicts([tue], rules({}, { okafor: [{ start: TUE_0900 + 30 * 60_000, end: TUE_0900 + 60 * 60_000 }] }))[0]!
        .reasons,
    ).toEqual(['time_off']);
    expect(findConflicts([tue], rules({ inactiveRoomIds: ['room-1'] }))[0]!.reasons).toEqual(['room_inactive']);
    // A provider who no longer works at the location at all.
    expect(findConflicts([tue], rules({ clinicianHours: {} }))[0]!.reasons).toEqual(['outside_clinician_hours']);
    // Several reasons at once, each listed.
    expect(findConflicts([tue], rules({ closures: ['2026-03-03'], opening: {} }))[0]!.reasons).toEqual([
      'closure',
      'outside_opening_hours',
    ]);
  });

  it('judges a nurse by their own hours, time off and whether they are active; a visit without a provider by its nurse alone', () => {
    const infusion = visit(TUE_0900, 240, { providerId: null, nurseId: 'nia', roomId: 'chair-1' });
    const nia = { okafor: weekdays(H(9), H(16)), nia: weekdays(H(8), H(16)) };
    expect(findConflicts([infusion], rules({ clinicianHours: nia }))).toEqual([]);
    expect(
      findConflicts([infusion], rules({ clinicianHours: { ...nia, nia: weekdays(H(10), H(16)) } }))[0]!.reasons,
    ).toEqual(['outside_nurse_hours']);
    expect(
      findConflicts(
        [infusion],
        rules({ clinicianHours: nia }, { nia: [{ start: TUE_0900, end: TUE_0900 + 60_000 }] }),
      )[0]!.reasons,
    ).toEqual(['nurse_time_off']);
    expect(
      findConflicts([infusion], { ...rules({ clinicianHours: nia }), inactiveClinicianIds: ['nia'] })[0]!.reasons,
    ).toEqual(['clinician_inactive']);
    // Two at once in lanes 1 and 2, the number lowered to one: the visit in the lane beyond it is listed, once.
    const second = {
      ...infusion,
      id: 'v-second',
      nurseLane: 2,
      startsAt: infusion.startsAt + 3_600_000,
      endsAt: infusion.endsAt + 3_600_000,
    };
    const lowered = { ...rules({ clinicianHours: { ...nia, nia: weekdays(H(8), H(18)) } }), nurseCapacity: { nia: 1 } };
    expect(findConflicts([infusion, second], lowered).map((c) => [c.visit.id, c.reasons])).toEqual([
      ['v-second', ['nurse_over_capacity']],
    ]);
    // Alone at its time (the other was cancelled), it is fine in any lane; so is any lane with no number known.
    expect(findConflicts([second], lowered)).toEqual([]);
    expect(
      findConflicts([infusion, second], rules({ clinicianHours: { ...nia, nia: weekdays(H(8), H(18)) } })),
    ).toEqual([]);
    // With both, each is judged: the provider's time off and the nurse's hours are two reasons.
    const both = visit(TUE_0900, 45, { nurseId: 'nia' });
    expect(
      findConflicts(
        [both],
        rules(
          { clinicianHours: { okafor: weekdays(H(9), H(16)) } },
          { okafor: [{ start: TUE_0900, end: TUE_0900 + 60_000 }] },
        ),
      )[0]!.reasons,
    ).toEqual(['time_off', 'outside_nurse_hours']);
  });

  it('judges a supervising provider by their own hours, time off, whether they are active and how many they now supervise at once', () => {
    const supervised = (start: number, over: Partial<BookedVisit> = {}) =>
      visit(start, 240, {
        providerId: null,
        nurseId: null,
        roomId: 'chair-1',
        supervisorId: 'okafor',
        supervisorLane: 1,
        ...over,
      });
    const infusion = supervised(TUE_0900);
    expect(findConflicts([infusion], rules())).toEqual([]);
    // Okafor's Tuesday now ends at 12:00: 09:00-13:00 is no longer covered by a provider on site.
    const shorter = rules({ clinicianHours: { okafor: { ...weekdays(H(9), H(16)), 2: [{ from: H(9), to: H(12) }] } } });
    expect(findConflicts([infusion], shorter)[0]!.reasons).toEqual(['outside_supervisor_hours']);
    expect(
      findConflicts(
        [infusion],
        rules({}, { okafor: [{ start: TUE_0900 + H(1) * 60_000, end: TUE_0900 + H(2) * 60_000 }] }),
      )[0]!.reasons,
    ).toEqual(['supervisor_time_off']);
    expect(findConflicts([infusion], { ...rules(), inactiveClinicianIds: ['okafor'] })[0]!.reasons).toEqual([
      'clinician_inactive',
    ]);
    // Three at once in lanes 1-3, the number lowered to two: the one in lane 3 is listed, once.
    const three = [1, 2, 3].map((lane) =>
      supervised(TUE_0900 + lane * 1_800_000, { id: `v-${lane}`, supervisorLane: lane }),
    );
    const wide = { okafor: weekdays(H(8), H(18)) };
    const lowered = { ...rules({ clinicianHours: wide }), supervisorCapacity: { okafor: 2 } };
    expect(findConflicts(three, lowered).map((c) => [c.visit.id, c.reasons])).toEqual([
      ['v-3', ['supervisor_over_capacity']],
    ]);
    // Lowered to one: lanes 2 and 3 both run alongside another.
    expect(findConflicts(three, { ...lowered, supervisorCapacity: { okafor: 1 } }).map((c) => c.visit.id)).toEqual([
      'v-2',
      'v-3',
    ]);
    // Not at the same time as the others (the one in lane 3 a day later), or with no number known: fine.
    const apart = [three[0]!, three[1]!, { ...three[2]!, startsAt: WED_0900, endsAt: WED_0900 + 240 * 60_000 }];
    expect(findConflicts(apart, lowered)).toEqual([]);
    expect(findConflicts(three, rules({ clinicianHours: wide }))).toEqual([]);
  });

  it('treats intervals as half-open: time off ending as the visit starts, or a visit ending at closing, is fine', () => {
    const tue = visit(TUE_0900);
    expect(findConflicts([tue], rules({}, { okafor: [{ start: TUE_0900 - 3_600_000, end: TUE_0900 }] }))).toEqual([]);
    expect(findConflicts([tue], rules({}, { okafor: [{ start: tue.endsAt, end: tue.endsAt + 3_600_000 }] }))).toEqual(
      [],
    );
    expect(findConflicts([visit(at('2026-03-03T15:15'))], rules())).toEqual([]); // ends 16:00, the provider's end
    expect(findConflicts([visit(at('2026-03-03T15:30'))], rules())[0]!.reasons).toEqual(['outside_clinician_hours']);
    // Other providers' time off and other rooms do not matter.
    expect(
      findConflicts(
        [tue],
        rules({ inactiveRoomIds: ['room-2'] }, { reyes: [{ start: 0, end: Number.MAX_SAFE_INTEGER }] }),
      ),
    ).toEqual([]);
    expect(findConflicts([visit(TUE_0900, 45, { roomId: null })], rules({ inactiveRoomIds: ['room-1'] }))).toEqual([]);
  });

  it('merges touching spans and allows hours to run to midnight', () => {
    const split = rules({
      opening: {
        2: [
          { from: H(12), to: H(17) },
          { from: H(8), to: H(12) },
        ],
      },
    });
    expect(findConflicts([visit(at('2026-03-03T11:30'), 60)], split).map((c) => c.reasons)).toEqual([]);
    const late = rules({
      opening: { 2: [{ from: H(20), to: 1440 }] },
      clinicianHours: { okafor: { 2: [{ from: H(20), to: 1440 }] } },
    });
    expect(findConflicts([visit(at('2026-03-03T23:15'))], late)).toEqual([]);
    // Running past midnight never fits one day's hours.
    expect(findConflicts([visit(at('2026-03-03T23:30'))], late)[0]!.reasons).toContain('outside_opening_hours');
  });

  it('reads dates and hours in the location zone, not in UTC', () => {
    // Tuesday 20:00 in Chicago is already Wednesday in UTC.
    const evening = visit(at('2026-03-03T20:00'));
    expect(new Date(evening.startsAt).toISOString().slice(0, 10)).toBe('2026-03-04');
    const open = { 2: [{ from: H(19), to: H(22) }] };
    const found = findConflicts(
      [evening],
      rules({ opening: open, clinicianHours: { okafor: open }, closures: ['2026-03-04'] }),
    );
    expect(found).toEqual([]);
    const closed = findConflicts(
      [evening],
      rules({ opening: open, clinicianHours: { okafor: open }, closures: ['2026-03-03'] }),
    );
    expect(closed[0]).toMatchObject({ localDate: '2026-03-03', reasons: ['closure'] });
  });

  it('handles the clock changes: wall-clock minutes on spring-forward and fall-back days', () => {
    // Sunday 8 March 2026, 01:30 CST (07:30Z) + 45 min = 03:15 CDT.
    const spring = { startsAt: Date.parse('2026-03-08T07:30:00Z'), endsAt: Date.parse('2026-03-08T08:15:00Z') };
    expect(localPlacement(spring, CHICAGO)).toMatchObject({
      date: '2026-03-08',
      weekday: 7,
      from: H(1, 30),
      to: H(3, 15),
    });
    // Sunday 1 November 2026, 01:30 CDT (06:30Z) + 45 min = 01:15 CST: elapsed time gives the end.
    const fall = { startsAt: Date.parse('2026-11-01T06:30:00Z'), endsAt: Date.parse('2026-11-01T07:15:00Z') };
    expect(localPlacement(fall, CHICAGO)).toMatchObject({ date: '2026-11-01', from: H(1, 30), to: H(2, 15) });
  });

  it('returns conflicts in time order, and ignores visits at locations it has no rules for', () => {
    const found = findConflicts(
      [visit(WED_0900), visit(TUE_0900), visit(TUE_0900, 45, { id: 'elsewhere', locationId: 'den' })],
      rules({ opening: {} }),
    );
    expect(found.map((c) => c.visit.startsAt)).toEqual([TUE_0900, WED_0900]);
  });
});
