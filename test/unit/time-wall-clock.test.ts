import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addYears,
  dayBounds,
  exactWallInstant,
  exactWallMinute,
  localDays,
  wallClockAt,
  wallInstant,
} from '../../src/kernel/time/wall-clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 86_400_000;
const H = (hour: number, minute = 0) => hour * 60 + minute;
const iso = (instant: number | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());
const Z = (text: string) => Date.parse(text);

// ---------------------------------------------------------------------------------------------------------------
// Worked out by hand from the zones' published rules for 2026, not by running the code:
// - America/Chicago and America/Denver: clocks go forward at 02:00 on Sunday 8 March (CST −6 → CDT −5, MST −7 →
//   MDT −6) and back at 02:00 on Sunday 1 November (01:00–01:59 happens twice).
// - Europe/London: forward at 01:00 GMT on 29 March (01:00–01:59 is skipped), back at 02:00 BST on 25 October.
// - Europe/Berlin: forward at 02:00 on 29 March, back at 03:00 on 25 October (02:00–02:59 happens twice).
// - Australia/Sydney: back at 03:00 AEDT on 5 April (02:00–02:59 twice), forward at 02:00 AEST on 4 October.
// - Asia/Kolkata (+05:30), Asia/Kathmandu (+05:45) and Asia/Tokyo (+09:00) do not change.

describe('wall clock → instant, by the rule: first occurrence; a skipped time is the moment the gap ends', () => {
  const cases: Array<[zone: string, day: string, minute: number, instant: string, exact: 'exact' | 'skipped']> = [
    // Chicago, spring forward.
    ['America/Chicago', '2026-03-08', 0, '2026-03-08T06:00:00.000Z', 'exact'],
    ['America/Chicago', '2026-03-08', H(1, 59), '2026-03-08T07:59:00.000Z', 'exact'],
    ['America/Chicago', '2026-03-08', H(2), '2026-03-08T08:00:00.000Z', 'skipped'],
    ['America/Chicago', '2026-03-08', H(2, 30), '2026-03-08T08:00:00.000Z', 'skipped'],
    ['America/Chicago', '2026-03-08', H(2, 59), '2026-03-08T08:00:00.000Z', 'skipped'],
    ['America/Chicago', '2026-03-08', H(3), '2026-03-08T08:00:00.000Z', 'exact'],
    ['America/Chicago', '2026-03-08', H(9), '2026-03-08T14:00:00.000Z', 'exact'],
    ['America/Chicago', '2026-03-07', H(9), '2026-03-07T15:00:00.000Z', 'exact'],
    // Chicago, fall back: the repeated hour is read in CDT, its first occurrence.
    ['America/Chicago', '2026-11-01', H(0, 30), '2026-11-01T05:30:00.000Z', 'exact'],
    ['America/Chicago', '2026-11-01', H(1), '2026-11-01T06:00:00.000Z', 'exact'],
    ['America/Chicago', '2026-11-01', H(1, 30), '2026-11-01T06:30:00.000Z', 'exact'],
    ['America/Chicago', '2026-11-01', H(1, 59), '2026-11-01T06:59:00.000Z', 'exact'],
    ['America/Chicago', '2026-11-01', H(2), '2026-11-01T08:00:00.000Z', 'exact'],
    ['America/Chicago', '2026-11-01', H(9), '2026-11-01T15:00:00.000Z', 'exact'],
    // Denver, an hour further west.
    ['America/Denver', '2026-03-08', H(1), '2026-03-08T08:00:00.000Z', 'exact'],
    ['America/Denver', '2026-03-08', H(2, 15), '2026-03-08T09:00:00.000Z', 'skipped'],
    ['America/Denver', '2026-03-08', H(3), '2026-03-08T09:00:00.000Z', 'exact'],
    ['America/Denver', '2026-03-08', H(17), '2026-03-08T23:00:00.000Z', 'exact'],
    ['America/Denver', '2026-11-01', H(1, 30), '2026-11-01T07:30:00.000Z', 'exact'],
    ['America/Denver', '2026-11-01', H(12), '2026-11-01T19:00:00.000Z', 'exact'],
    // London and Berlin.
    ['Europe/London', '2026-03-29', H(0, 30), '2026-03-29T00:30:00.000Z', 'exact'],
    ['Europe/London', '2026-03-29', H(1, 30), '2026-03-29T01:00:00.000Z', 'skipped'],
    ['Europe/London', '2026-03-29', H(2), '2026-03-29T01:00:00.000Z', 'exact'],
    ['Europe/London', '2026-10-25', H(1, 30), '2026-10-25T00:30:00.000Z', 'exact'],
    ['Europe/London', '2026-10-25', H(2), '2026-10-25T02:00:00.000Z', 'exact'],
    ['Europe/Berlin', '2026-03-29', H(2, 30), '2026-03-29T01:00:00.000Z', 'skipped'],
    ['Europe/Berlin', '2026-03-29', H(3), '2026-03-29T01:00:00.000Z', 'exact'],
    ['Europe/Berlin', '2026-10-25', H(2, 30), '2026-10-25T00:30:00.000Z', 'exact'],
    // Sydney, southern hemisphere: back in April, forward in October.
    ['Australia/Sydney', '2026-04-05', H(2, 30), '2026-04-04T15:30:00.000Z', 'exact'],
    ['Australia/Sydney', '2026-04-05', H(3), '2026-04-04T17:00:00.000Z', 'exact'],
    ['Australia/Sydney', '2026-10-04', H(2, 30), '2026-10-03T16:00:00.000Z', 'skipped'],
    ['Australia/Sydney', '2026-10-04', H(3), '2026-10-03T16:00:00.000Z', 'exact'],
    // Asia: fixed offsets, including a :45 one; the local date can be the day before in UTC.
    ['Asia/Kolkata', '2026-03-08', H(9), '2026-03-08T03:30:00.000Z', 'exact'],
    ['Asia/Kathmandu', '2026-11-01', 0, '2026-10-31T18:15:00.000Z', 'exact'],
    ['Asia/Tokyo', '2026-11-01', H(1, 30), '2026-10-31T16:30:00.000Z', 'exact'],
  ];

  it.each(cases)('%s %s minute %i → %s (%s)', (zone, day, minute, instant, exact) => {
    expect(iso(wallInstant(zone, day, minute))).toBe(instant);
    expect(iso(exactWallMinute(zone, day, minute))).toBe(exact === 'exact' ? instant : undefined);
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    expect(iso(exactWallInstant(zone, day, hhmm))).toBe(exact === 'exact' ? instant : undefined);
  });

  it('takes minute 1440 as the end of the day, which is the next day’s start', () => {
    expect(iso(wallInstant('America/Chicago', '2026-03-08', 1440))).toBe('2026-03-09T05:00:00.000Z');
    expect(iso(exactWallMinute('America/Chicago', '2026-03-08', 1440))).toBe('2026-03-09T05:00:00.000Z');
    expect(iso(exactWallMinute('America/Chicago', '2026-11-01', 1440))).toBe('2026-11-02T06:00:00.000Z');
    // As typed text, 24:00 and other impossible clock readings are refused.
    expect(exactWallInstant('America/Chicago', '2026-03-10', '24:00')).toBeUndefined();
    expect(exactWallInstant('America/Chicago', '2026-03-10', '09:60')).toBeUndefined();
    expect(exactWallMinute('America/Chicago', '2026-03-10', -5)).toBeUndefined();
  });

  it('gives days of 23 and 25 hours on the change days', () => {
    const spring = dayBounds('America/Chicago', '2026-03-08');
    expect([iso(spring.start), iso(spring.end)]).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-09T05:00:00.000Z']);
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = dayBounds('America/Denver', '2026-11-01');
    expect([iso(fall.start), iso(fall.end)]).toEqual(['2026-11-01T06:00:00.000Z', '2026-11-02T07:00:00.000Z']);
    expect(fall.end - fall.start).toBe(25 * HOUR);
  });

  it('refuses a zone it does not know', () => {
    expect(() => wallInstant('Mars/Olympus_Mons', '2026-03-08', 0)).toThrow(RangeError);
    expect(() => wallClockAt(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localDays('Mars/Olympus_Mons', 0, DAY)).toThrow(RangeError);
  });
});

describe('instant → wall clock', () => {
  const cases: Array<[instant: string, zone: string, date: string, weekday: number, minute: number]> = [
    // Both 01:30s of the fall-back night read 01:30 on Sunday.
    ['2026-11-01T06:30:00.000Z', 'America/Chicago', '2026-11-01', 7, H(1, 30)],
    ['2026-11-01T07:30:00.000Z', 'America/Chicago', '2026-11-01', 7, H(1, 30)],
    ['2026-03-08T07:59:00.000Z', 'America/Chicago', '2026-03-08', 7, H(1, 59)],
    ['2026-03-08T08:00:00.000Z', 'America/Chicago', '2026-03-08', 7, H(3)],
    ['2026-03-08T08:00:00.000Z', 'America/Denver', '2026-03-08', 7, H(1)],
    // Saturday evening in Chicago is already Sunday in UTC; Monday morning in Kathmandu is still Sunday in UTC.
    ['2026-03-08T02:00:00.000Z', 'America/Chicago', '2026-03-07', 6, H(20)],
    ['2026-11-01T20:00:00.000Z', 'Asia/Kathmandu', '2026-11-02', 1, H(1, 45)],
    ['2026-10-25T01:30:00.000Z', 'Europe/London', '2026-10-25', 7, H(1, 30)],
    // Seconds and milliseconds are fractions of a minute.
    ['2026-03-10T14:00:30.500Z', 'America/Chicago', '2026-03-10', 2, H(9) + 30.5 / 60],
  ];
  it.each(cases)('%s in %s is %s (weekday %i), minute %d', (instant, zone, date, weekday, minute) => {
    expect(wallClockAt(Z(instant), zone)).toEqual({ date, weekday, minute });
  });
});

describe('local days for the slot engine', () => {
  it('lists each local day once, placing minutes by the rule on change days and by elapsed time otherwise', () => {
    const days = localDays('America/Chicago', Z('2026-03-07T12:00:00Z'), Z('2026-03-09T12:00:00Z'));
    expect(days.map((d) => [d.date, d.weekday])).toEqual([
      ['2026-03-07', 6],
      ['2026-03-08', 7],
      ['2026-03-09', 1],
    ]);
    const [sat, sun, mon] = days;
    expect(iso(sat!.at(H(9)))).toBe('2026-03-07T15:00:00.000Z');
    expect(iso(sat!.at(1440))).toBe('2026-03-08T06:00:00.000Z');
    expect(iso(sun!.at(0))).toBe('2026-03-08T06:00:00.000Z');
    expect(iso(sun!.at(H(2, 30)))).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(sun!.at(H(9)))).toBe('2026-03-08T14:00:00.000Z');
    expect(iso(sun!.at(1440))).toBe('2026-03-09T05:00:00.000Z');
    expect(iso(mon!.at(H(9)))).toBe('2026-03-09T14:00:00.000Z');
    const fall = localDays('America/Chicago', Z('2026-11-01T12:00:00Z'), Z('2026-11-01T12:00:00Z'));
    expect(fall.map((d) => d.date)).toEqual(['2026-11-01']);
    expect(iso(fall[0]!.at(H(1, 30)))).toBe('2026-11-01T06:30:00.000Z');
    expect(iso(fall[0]!.at(H(2)))).toBe('2026-11-01T08:00:00.000Z');
  });
});

describe('dates without a zone', () => {
  it('adds days and years on the calendar', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-08', -8)).toBe('2026-02-28');
    expect(addYears('2026-07-03', 3)).toBe('2029-07-03');
    expect(addYears('2028-02-29', 3)).toBe('2031-02-28');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties, against an independent clock: Intl directly, no Luxon.

const ZONES = [
  'America/Chicago',
  'America/Denver',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe', // a 30-minute change
  'America/Santiago', // changes at midnight, so some local days do not start at 00:00
  'America/St_Johns', // a :30 offset that changes
  'Asia/Kathmandu',
  'Asia/Tokyo',
];

const formats = new Map<string, Intl.DateTimeFormat>();
/** The local wall-clock reading of instant x, expressed as if it were a UTC instant. */
function wall(zone: string, x: number): number {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(x)).map((q) => [q.type, Number(q.value)]));
  const ms = ((x % 1000) + 1000) % 1000;
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) + ms;
}
const offsetAt = (zone: string, x: number) => wall(zone, x) - x;

const FIRST_DAY = Date.UTC(2026, 0, 1) / DAY;
const LAST_DAY = Date.UTC(2027, 11, 31) / DAY;
const dateOf = (epochDay: number) => new Date(epochDay * DAY).toISOString().slice(0, 10);

/** Each offset change in 2026–2027: the instant it happens, and the offsets before and after (ms). */
interface Change {
  at: number;
  before: number;
  after: number;
}
const CHANGES = new Map(
  ZONES.map((zone) => {
    const found: Change[] = [];
    for (let d = FIRST_DAY; d <= LAST_DAY; d++) {
      let lo = d * DAY,
        hi = (d + 1) * DAY;
      const before = offsetAt(zone, lo),
        after = offsetAt(zone, hi);
      if (before === after) continue;
      while (hi - lo > MIN) {
        const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
        if (offsetAt(zone, mid) === before) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, before, after });
    }
    return [zone, found] as const;
  }),
);
/** The largest offset each zone has in those years: no instant earlier than `naive` minus it can read `naive`. */
const MAX_OFFSET = new Map(
  ZONES.map((zone) => [
    zone,
    Math.max(offsetAt(zone, FIRST_DAY * DAY), ...CHANGES.get(zone)!.flatMap((c) => [c.before, c.after])),
  ]),
);

/** The rule by brute force: scanning forward minute by minute, the first instant whose clock reads `naive` or later. */
function firstShowing(zone: string, naive: number): number {
  let x = naive - MAX_OFFSET.get(zone)! - HOUR;
  while (wall(zone, x) < naive) x += MIN;
  return x;
}
const SPRING = ZONES.flatMap((zone) =>
  CHANGES.get(zone)!
    .filter((c) => c.after > c.before)
    .map((c) => ({ zone, c })),
);
const FALL = ZONES.flatMap((zone) =>
  CHANGES.get(zone)!
    .filter((c) => c.after < c.before)
    .map((c) => ({ zone, c })),
);
/** Local dates on which a zone's offset changes (the dates of the clock on either side of the change). */
const changeDays = (zone: string) =>
  CHANGES.get(zone)!.flatMap((c) => [Math.floor(wall(zone, c.at - 1) / DAY), Math.floor(wall(zone, c.at) / DAY)]);

const zoneArb = fc.constantFrom(...ZONES);
/** A zone and a local day, often one on which its clocks change. */
const zoneDayArb = zoneArb.chain((zone) => {
  const changing = changeDays(zone);
  const any = fc.integer({ min: FIRST_DAY, max: LAST_DAY });
  return fc.record({
    zone: fc.constant(zone),
    day: changing.length ? fc.oneof(any, fc.constantFrom(...changing)) : any,
  });
});
const minuteArb = fc.oneof(
  fc.integer({ min: 0, max: 96 }).map((q) => q * 15),
  fc.integer({ min: 0, max: 1440 }),
);

describe('wall clock properties (fast-check)', () => {
  it('every wall time maps to the first instant whose clock shows it or later', () => {
    fc.assert(
      fc.property(zoneDayArb, minuteArb, ({ zone, day }, minute) => {
        expect(wallInstant(zone, dateOf(day), minute)).toBe(firstShowing(zone, day * DAY + minute * MIN));
      }),
      { numRuns: 300 },
    );
  });

  it('round trip: an instant’s wall time maps back to it, or, in a repeated hour, to its first occurrence', () => {
    const near = fc.constantFrom(...[...CHANGES.values()].flat().map((c) => c.at));
    const instantArb = fc.oneof(
      fc.integer({ min: FIRST_DAY * 1440, max: LAST_DAY * 1440 }).map((m) => m * MIN),
      fc.tuple(near, fc.integer({ min: -180, max: 180 })).map(([at, m]) => at + m * MIN),
    );
    fc.assert(
      fc.property(zoneArb, instantArb, (zone, t) => {
        const local = wallClockAt(t, zone);
        const naive = wall(zone, t);
        expect(local.date).toBe(dateOf(Math.floor(naive / DAY)));
        expect(local.minute).toBe((naive % DAY) / MIN);
        const back = exactWallMinute(zone, local.date, local.minute);
        expect(back).toBeDefined();
        expect(wall(zone, back!)).toBe(naive);
        if (back !== t) {
          // The second reading of a repeated time: the first came earlier, by exactly the change.
          expect(back!).toBeLessThan(t);
          expect(offsetAt(zone, back!) - offsetAt(zone, t)).toBe(t - back!);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('round trip: a wall time that exists comes back from its instant unchanged', () => {
    fc.assert(
      fc.property(zoneDayArb, fc.integer({ min: 0, max: 1439 }), ({ zone, day }, minute) => {
        const date = dateOf(day);
        const instant = exactWallMinute(zone, date, minute);
        const exists = wall(zone, firstShowing(zone, day * DAY + minute * MIN)) === day * DAY + minute * MIN;
        expect(instant !== undefined).toBe(exists);
        if (instant !== undefined) expect(wallClockAt(instant, zone)).toMatchObject({ date, minute });
      }),
      { numRuns: 300 },
    );
  });

  it('later wall times are never earlier instants; on days without a change, strictly later by the same minutes', () => {
    fc.assert(
      fc.property(zoneDayArb, minuteArb, minuteArb, ({ zone, day }, a, b) => {
        const [m1, m2] = a <= b ? [a, b] : [b, a];
        const date = dateOf(day);
        const t1 = wallInstant(zone, date, m1),
          t2 = wallInstant(zone, date, m2);
        expect(t1).toBeLessThanOrEqual(t2);
        if (!changeDays(zone).includes(day) && m1 < m2) {
          expect(t1).toBeLessThan(t2);
          expect(t2 - t1).toBe((m2 - m1) * MIN);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a time in the spring-forward gap is refused as typed, and as a boundary is the moment the gap ends', () => {
    const gapArb = fc.constantFrom(...SPRING).chain(({ zone, c }) =>
      fc.record({
        zone: fc.constant(zone),
        c: fc.constant(c),
        into: fc.integer({ min: 0, max: (c.after - c.before) / MIN - 1 }),
      }),
    );
    fc.assert(
      fc.property(gapArb, ({ zone, c, into }) => {
        const naive = c.at + c.before + into * MIN; // the clock would read this had it not jumped
        const date = dateOf(Math.floor(naive / DAY));
        const minute = (naive % DAY) / MIN;
        expect(exactWallMinute(zone, date, minute)).toBeUndefined();
        expect(wallInstant(zone, date, minute)).toBe(c.at);
      }),
    );
  });

  it('a time in the fall-back repeated span is its first occurrence, in the earlier offset', () => {
    const repeatArb = fc.constantFrom(...FALL).chain(({ zone, c }) =>
      fc.record({
        zone: fc.constant(zone),
        c: fc.constant(c),
        into: fc.integer({ min: 0, max: (c.before - c.after) / MIN - 1 }),
      }),
    );
    fc.assert(
      fc.property(repeatArb, ({ zone, c, into }) => {
        const naive = c.at + c.after + into * MIN; // shown twice: before the change and again after it
        const date = dateOf(Math.floor(naive / DAY));
        const minute = (naive % DAY) / MIN;
        const first = naive - c.before,
          second = naive - c.after;
        expect([wall(zone, first), wall(zone, second)]).toEqual([naive, naive]);
        expect(wallInstant(zone, date, minute)).toBe(first);
        expect(exactWallMinute(zone, date, minute)).toBe(first);
        expect(first).toBeLessThan(c.at);
      }),
    );
  });

  it('local days place every minute exactly as the rule does, on change days and others', () => {
    fc.assert(
      fc.property(
        zoneDayArb,
        fc.integer({ min: -36 * 60, max: 36 * 60 }),
        fc.integer({ min: 0, max: 4 * 1440 }),
        fc.array(minuteArb, { minLength: 1, maxLength: 6 }),
        ({ zone, day }, startMin, lengthMin, minutes) => {
          const lo = day * DAY + startMin * MIN;
          const hi = lo + lengthMin * MIN;
          const days = localDays(zone, lo, hi);
          expect(days[0]!.date).toBe(dateOf(Math.floor(wall(zone, lo) / DAY)));
          expect(days[days.length - 1]!.date).toBe(dateOf(Math.floor(wall(zone, hi) / DAY)));
          days.forEach((d, i) => {
            if (i > 0) expect(d.date).toBe(addDays(days[i - 1]!.date, 1));
            for (const m of minutes) expect(d.at(m)).toBe(wallInstant(zone, d.date, m));
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
