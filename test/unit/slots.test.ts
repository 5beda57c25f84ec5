import { describe, it, expect, afterEach } from 'vitest';
import { DateTime, Settings } from 'luxon';
import {
  findSlots,
  withBuffers,
  type Interval,
  type SlotPerson,
  type SlotQuery,
  type WeeklyHours,
} from '../../src/scheduling/slots.ts';

// Every expected instant below is a literal worked out by hand from the zone's offset rules, not
// computed with Luxon, so the tests do not share the module's conversions.
const MIN = 60_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const hm = (h: number, m = 0): number => h * 60 + m;
const weekdays = (spans: Array<{ from: number; to: number }>): WeeklyHours => ({
  1: spans,
  2: spans,
  3: spans,
  4: spans,
  5: spans,
});

/** Monday 2026-06-01 in America/Chicago (CDT, UTC-5): 09:00 local = 14:00Z. */
/** Most cases are led by providers; the type says so, so cases can push busy time onto them. */
type ProviderQuery = SlotQuery & { providers: SlotPerson[] };
function query(over: Partial<ProviderQuery> = {}): ProviderQuery {
  return {
    zone: 'America/Chicago',
    from: t('2026-06-01T05:00:00.000Z'), // Monday 00:00 CDT
    to: t('2026-06-02T05:00:00.000Z'),
    now: t('2025-12-01T00:00:00.000Z'),
    opening: weekdays([{ from: hm(9), to: hm(17) }]),
    closures: [],
    providers: [{ id: 'p1', hours: weekdays([{ from: hm(9), to: hm(17) }]), busy: [] }],
    rooms: null,
    durationMin: 60,
    bufferBeforeMin: 0,
    bufferAfterMin: 0,
    minNoticeMin: 0,
    stepMin: 30,
    ...over,
  };
}
const starts = (q: SlotQuery): string[] => findSlots(q).map((s) => iso(s.start));
/** Same hours for the location and one provider, on one weekday. */
function oneDay(weekday: number, from: number, to: number, over: Partial<ProviderQuery> = {}): ProviderQuery {
  return query({
    opening: { [weekday]: [{ from, to }] },
    providers: [{ id: 'p1', hours: { [weekday]: [{ from, to }] }, busy: [] }],
    ...over,
  });
}
const dayWindow = (date: string, zoneShiftHours = 24): Pick<SlotQuery, 'from' | 'to'> => ({
  from: t(`${date}T00:00:00.000Z`) - zoneShiftHours * 3_600_000,
  to: t(`${date}T00:00:00.000Z`) + 2 * zoneShiftHours * 3_600_000,
});

describe('findSlots: opening hours and the grid', () => {
  it('offers every grid start whose appointment fits, the last one ending exactly at closing', () => {
    const slots = findSlots(oneDay(1, hm(9), hm(12)));
    expect(slots.map((s) => iso(s.start))).toEqual([
      '2026-06-01T14:00:00.000Z',
      '2026-06-01T14:30:00.000Z',
      '2026-06-01T15:00:00.000Z',
      '2026-06-01T15:30:00.000Z',
      '2026-06-01T16:00:00.000Z', // 11:00–12:00 local, ends at closing
    ]);
    expect(slots.every((s) => s.end - s.start === 60 * MIN)).toBe(true);
    expect(iso(slots.at(-1)!.end)).toBe('2026-06-01T17:00:00.000Z');
  });

  it('offers nothing when the appointment is longer than the opening', () => {
    expect(findSlots(oneDay(1, hm(9), hm(9, 59)))).toEqual([]);
    expect(starts(oneDay(1, hm(9), hm(10)))).toEqual(['2026-06-01T14:00:00.000Z']);
  });

  it('uses the intersection of opening hours and provider hours when the provider is narrower', () => {
    const q = query({ providers: [{ id: 'p1', hours: { 1: [{ from: hm(10), to: hm(12) }] }, busy: [] }] });
    expect(starts(q)).toEqual(['2026-06-01T15:00:00.000Z', '2026-06-01T15:30:00.000Z', '2026-06-01T16:00:00.000Z']);
  });

  it('cuts provider hours that are wider than the opening', () => {
    const q = query({
      opening: { 1: [{ from: hm(9), to: hm(11) }] },
      providers: [{ id: 'p1', hours: { 1: [{ from: hm(7), to: hm(20) }] }, busy: [] }],
    });
    expect(starts(q)).toEqual(['2026-06-01T14:00:00.000Z', '2026-06-01T14:30:00.000Z', '2026-06-01T15:00:00.000Z']);
  });

  it('offers nothing when provider hours and opening do not meet, or the weekday has no hours', () => {
    expect(
      findSlots(
        query({
          opening: { 1: [{ from: hm(9), to: hm(12) }] },
          providers: [{ id: 'p1', hours: { 1: [{ from: hm(12), to: hm(17) }] }, busy: [] }],
        }),
      ),
    ).toEqual([]);
    expect(
      findSlots(query({ providers: [{ id: 'p1', hours: { 2: [{ from: hm(9), to: hm(17) }] }, busy: [] }] })),
    ).toEqual([]);
    expect(findSlots(query({ opening: {} }))).toEqual([]);
  });

  it('anchors the grid at the start of the bookable interval', () => {
    const q = query({
      durationMin: 30,
      providers: [{ id: 'p1', hours: { 1: [{ from: hm(9, 15), to: hm(10, 45) }] }, busy: [] }],
    });
    expect(starts(q)).toEqual(['2026-06-01T14:15:00.000Z', '2026-06-01T14:45:00.000Z', '2026-06-01T15:15:00.000Z']);
  });

  it('treats touching opening intervals as one continuous opening', () => {
    const q = query({
      opening: {
        1: [
          { from: hm(9), to: hm(12) },
          { from: hm(12), to: hm(17) },
        ],
      },
      providers: [{ id: 'p1', hours: { 1: [{ from: hm(11), to: hm(13) }] }, busy: [] }],
    });
    // 11:30–12:30 straddles the touching point.
    expect(starts(q)).toEqual(['2026-06-01T16:00:00.000Z', '2026-06-01T16:30:00.000Z', '2026-06-01T17:00:00.000Z']);
  });

  it('accepts unsorted and overlapping hour intervals', () => {
    const q = query({
      stepMin: 60,
      opening: {
        1: [
          { from: hm(13), to: hm(15) },
          { from: hm(9), to: hm(11) },
          { from: hm(10), to: hm(12) },
        ],
      },
    });
    expect(starts(q)).toEqual([
      '2026-06-01T14:00:00.000Z',
      '2026-06-01T15:00:00.000Z',
      '2026-06-01T16:00:00.000Z',
      '2026-06-01T18:00:00.000Z',
      '2026-06-01T19:00:00.000Z',
    ]);
  });

  it('uses ISO weekdays: 1 is Monday, 7 is Sunday', () => {
    const q = oneDay(7, hm(9), hm(10), { from: t('2026-06-01T05:00:00.000Z'), to: t('2026-06-08T05:00:00.000Z') });
    expect(starts(q)).toEqual(['2026-06-07T14:00:00.000Z']); // Sunday 2026-06-07
  });

  it('allows hours that run to midnight (1440)', () => {
    const q = oneDay(1, hm(22), 1440, { stepMin: 60 });
    const slots = findSlots(q);
    expect(slots.map((s) => iso(s.start))).toEqual(['2026-06-02T03:00:00.000Z', '2026-06-02T04:00:00.000Z']);
    expect(iso(slots.at(-1)!.end)).toBe('2026-06-02T05:00:00.000Z'); // Tuesday 00:00 CDT
  });

  it('covers several days in start order', () => {
    const q = oneDay(1, hm(9), hm(10), { to: t('2026-06-10T05:00:00.000Z') });
    q.opening[3] = [{ from: hm(9), to: hm(10) }];
    q.providers[0]!.hours[3] = [{ from: hm(9), to: hm(10) }];
    expect(starts(q)).toEqual(['2026-06-01T14:00:00.000Z', '2026-06-03T14:00:00.000Z', '2026-06-08T14:00:00.000Z']);
  });
});

describe('findSlots: busy time and buffers', () => {
  const morning = (over: Partial<ProviderQuery>) => oneDay(1, hm(9), hm(13), over);

  it('blocks candidates that overlap a busy interval; touching it is fine', () => {
    const busy = [{ start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T16:00:00.000Z') }]; // 10–11 local
    const q = morning({});
    q.providers[0]!.busy = busy;
    expect(starts(q)).toEqual([
      '2026-06-01T14:00:00.000Z', // ends exactly when the busy time starts
      '2026-06-01T16:00:00.000Z', // starts exactly when it ends
      '2026-06-01T16:30:00.000Z',
      '2026-06-01T17:00:00.000Z',
    ]);
  });

  it('applies the buffers before and after the candidate', () => {
    const q = oneDay(1, hm(8), hm(13), { stepMin: 15, bufferBeforeMin: 15, bufferAfterMin: 15 });
    q.providers[0]!.busy = [{ start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T16:00:00.000Z') }];
    expect(starts(q)).toEqual([
      '2026-06-01T13:00:00.000Z',
      '2026-06-01T13:15:00.000Z',
      '2026-06-01T13:30:00.000Z',
      '2026-06-01T13:45:00.000Z', // 13:45 + 60 + 15 = 15:00, touching
      '2026-06-01T16:15:00.000Z', // 16:15 - 15 = 16:00, touching
      '2026-06-01T16:30:00.000Z',
      '2026-06-01T16:45:00.000Z',
      '2026-06-01T17:00:00.000Z',
    ]);
  });

  it('lets buffers reach outside opening hours: they protect resources, not the appointment', () => {
    expect(starts(oneDay(1, hm(9), hm(10), { bufferBeforeMin: 30, bufferAfterMin: 30 }))).toEqual([
      '2026-06-01T14:00:00.000Z',
    ]);
  });

  it('handles unsorted, overlapping busy intervals', () => {
    const q = morning({ durationMin: 30 });
    q.providers[0]!.busy = [
      { start: t('2026-06-01T16:00:00.000Z'), end: t('2026-06-01T16:30:00.000Z') },
      { start: t('2026-06-01T14:30:00.000Z'), end: t('2026-06-01T15:30:00.000Z') },
      { start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T16:10:00.000Z') },
    ];
    expect(starts(q)).toEqual([
      '2026-06-01T14:00:00.000Z',
      '2026-06-01T16:30:00.000Z',
      '2026-06-01T17:00:00.000Z',
      '2026-06-01T17:30:00.000Z',
    ]);
  });

  it('ignores empty and inverted busy intervals and busy time far away', () => {
    const q = morning({});
    q.providers[0]!.busy = [
      { start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') },
      { start: t('2026-06-01T16:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') },
      { start: t('2020-01-01T00:00:00.000Z'), end: t('2020-01-02T00:00:00.000Z') },
      { start: t('2030-01-01T00:00:00.000Z'), end: t('2030-01-02T00:00:00.000Z') },
    ];
    expect(starts(q)).toHaveLength(7);
  });

  it('blocks by an existing appointment stored with withBuffers', () => {
    const existing = withBuffers({ start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T16:00:00.000Z') }, 15, 15);
    const q = morning({});
    q.providers[0]!.busy = [existing];
    expect(starts(q)).toEqual(['2026-06-01T16:30:00.000Z', '2026-06-01T17:00:00.000Z']);
  });

  it('blocks a whole day of time off', () => {
    const q = morning({});
    q.providers[0]!.busy = [{ start: t('2026-06-01T05:00:00.000Z'), end: t('2026-06-02T05:00:00.000Z') }];
    expect(findSlots(q)).toEqual([]);
  });
});

describe('findSlots: window, now and minimum notice', () => {
  const q0 = oneDay(1, hm(9), hm(12));

  it('includes a start exactly at `from` and excludes one a millisecond before it', () => {
    expect(starts({ ...q0, from: t('2026-06-01T14:30:00.000Z') })[0]).toBe('2026-06-01T14:30:00.000Z');
    expect(starts({ ...q0, from: t('2026-06-01T14:30:00.001Z') })[0]).toBe('2026-06-01T15:00:00.000Z');
  });

  it('keeps the grid anchored to the opening, not to `from`', () => {
    expect(starts({ ...q0, from: t('2026-06-01T14:10:00.000Z') })[0]).toBe('2026-06-01T14:30:00.000Z');
  });

  it('excludes a start exactly at `to` but offers one just before, even if it ends after `to`', () => {
    const slots = findSlots({ ...q0, to: t('2026-06-01T15:30:00.000Z') });
    expect(slots.map((s) => iso(s.start))).toEqual([
      '2026-06-01T14:00:00.000Z',
      '2026-06-01T14:30:00.000Z',
      '2026-06-01T15:00:00.000Z',
    ]);
    expect(iso(slots.at(-1)!.end)).toBe('2026-06-01T16:00:00.000Z');
  });

  it('offers a start exactly at now + minimum notice, not one a millisecond earlier', () => {
    expect(starts({ ...q0, now: t('2026-06-01T13:00:00.000Z'), minNoticeMin: 60 })[0]).toBe('2026-06-01T14:00:00.000Z');
    expect(starts({ ...q0, now: t('2026-06-01T13:00:00.001Z'), minNoticeMin: 60 })[0]).toBe('2026-06-01T14:30:00.000Z');
  });

  it('never offers a start in the past', () => {
    expect(starts({ ...q0, now: t('2026-06-01T15:10:00.000Z') })[0]).toBe('2026-06-01T15:30:00.000Z');
  });

  it('returns nothing for an empty window or when the notice reaches past it', () => {
    expect(findSlots({ ...q0, to: q0.from })).toEqual([]);
    expect(findSlots({ ...q0, from: q0.to, to: q0.from })).toEqual([]);
    expect(findSlots({ ...q0, now: t('2026-05-31T00:00:00.000Z'), minNoticeMin: 3 * 24 * 60 })).toEqual([]);
  });
});

describe('findSlots: closures', () => {
  it('skips a closed local date and leaves the others', () => {
    const q = query({
      to: t('2026-06-04T05:00:00.000Z'),
      durationMin: 60,
      stepMin: 60,
      opening: weekdays([{ from: hm(9), to: hm(10) }]),
      closures: ['2026-06-02'],
    });
    expect(starts(q)).toEqual(['2026-06-01T14:00:00.000Z', '2026-06-03T14:00:00.000Z']);
  });

  it('matches the local date, not the UTC date', () => {
    // Monday 18:00–23:00 CDT is 23:00Z Monday to 04:00Z Tuesday.
    const evening = (closures: string[]) => oneDay(1, hm(18), hm(23), { stepMin: 60, closures });
    expect(starts(evening(['2026-06-02']))).toEqual([
      '2026-06-01T23:00:00.000Z',
      '2026-06-02T00:00:00.000Z',
      '2026-06-02T01:00:00.000Z',
      '2026-06-02T02:00:00.000Z',
      '2026-06-02T03:00:00.000Z',
    ]);
    expect(findSlots(evening(['2026-06-01']))).toEqual([]);
  });
});

describe('findSlots: providers and rooms', () => {
  const hours = { 1: [{ from: hm(9), to: hm(11) }] };

  it('lists free providers in input order and leaves out busy ones', () => {
    const busy = [{ start: t('2026-06-01T14:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') }];
    const q = query({
      stepMin: 60,
      providers: [
        { id: 'b', hours, busy: [] },
        { id: 'a', hours, busy },
        { id: 'c', hours, busy: [] },
      ],
    });
    expect(findSlots(q)).toEqual([
      {
        start: t('2026-06-01T14:00:00.000Z'),
        end: t('2026-06-01T15:00:00.000Z'),
        options: [
          { providerId: 'b', nurseId: null, roomId: null },
          { providerId: 'c', nurseId: null, roomId: null },
        ],
      },
      {
        start: t('2026-06-01T15:00:00.000Z'),
        end: t('2026-06-01T16:00:00.000Z'),
        options: [
          { providerId: 'b', nurseId: null, roomId: null },
          { providerId: 'a', nurseId: null, roomId: null },
          { providerId: 'c', nurseId: null, roomId: null },
        ],
      },
    ]);
  });

  it('merges providers with different grids into one sorted list without duplicate starts', () => {
    const q = query({
      durationMin: 30,
      providers: [
        { id: 'p1', hours, busy: [] },
        { id: 'p2', hours: { 1: [{ from: hm(9, 15), to: hm(11) }] }, busy: [] },
        { id: 'p3', hours, busy: [] },
      ],
    });
    const slots = findSlots(q);
    expect(slots.map((s) => [iso(s.start).slice(11, 16), s.options.map((o) => o.providerId).join(',')])).toEqual([
      ['14:00', 'p1,p3'],
      ['14:15', 'p2'],
      ['14:30', 'p1,p3'],
      ['14:45', 'p2'],
      ['15:00', 'p1,p3'],
      ['15:15', 'p2'],
      ['15:30', 'p1,p3'],
    ]);
  });

  it('offers nothing without providers', () => {
    expect(findSlots(query({ providers: [] }))).toEqual([]);
  });

  it('uses roomId null when no room is needed', () => {
    const slots = findSlots(query());
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s) => s.options.every((o) => o.roomId === null))).toBe(true);
  });

  it('offers nothing when a room is needed but the location has none', () => {
    expect(findSlots(query({ rooms: [] }))).toEqual([]);
  });

  it('pairs every free provider with the first free room in input order', () => {
    const q = query({
      stepMin: 60,
      providers: [
        { id: 'p1', hours, busy: [] },
        { id: 'p2', hours, busy: [] },
      ],
      rooms: [
        { id: 'r1', busy: [{ start: t('2026-06-01T14:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') }] },
        { id: 'r2', busy: [] },
        { id: 'r3', busy: [] },
      ],
    });
    expect(findSlots(q).map((s) => s.options)).toEqual([
      [
        { providerId: 'p1', nurseId: null, roomId: 'r2' },
        { providerId: 'p2', nurseId: null, roomId: 'r2' },
      ],
      [
        { providerId: 'p1', nurseId: null, roomId: 'r1' },
        { providerId: 'p2', nurseId: null, roomId: 'r1' },
      ],
    ]);
  });

  it('finds a room whose busy time ends exactly at a start met out of time order', () => {
    // p1's starts are checked first; p2's earlier grid then sends the room check back in time.
    const q = query({
      durationMin: 30,
      providers: [
        { id: 'p1', hours: { 1: [{ from: hm(10), to: hm(11) }] }, busy: [] },
        { id: 'p2', hours: { 1: [{ from: hm(9, 15), to: hm(11) }] }, busy: [] },
      ],
      rooms: [{ id: 'r1', busy: [{ start: t('2026-06-01T13:00:00.000Z'), end: t('2026-06-01T14:15:00.000Z') }] }],
    });
    expect(
      findSlots(q).map((s) => [
        iso(s.start).slice(11, 16),
        s.options.map((o) => `${o.providerId}/${o.roomId}`).join(','),
      ]),
    ).toEqual([
      ['14:15', 'p2/r1'],
      ['14:45', 'p2/r1'],
      ['15:00', 'p1/r1'],
      ['15:15', 'p2/r1'],
      ['15:30', 'p1/r1'],
    ]);
  });

  it('checks rooms with the buffers too', () => {
    const q = query({
      stepMin: 60,
      bufferAfterMin: 15,
      providers: [{ id: 'p1', hours, busy: [] }],
      rooms: [
        { id: 'r1', busy: [{ start: t('2026-06-01T15:00:00.000Z'), end: t('2026-06-01T16:00:00.000Z') }] },
        { id: 'r2', busy: [] },
      ],
    });
    expect(findSlots(q).map((s) => s.options[0]!.roomId)).toEqual(['r2', 'r2']);
  });

  it('offers no slot at a time when every room is busy, even with free providers', () => {
    const q = query({
      stepMin: 60,
      providers: [{ id: 'p1', hours, busy: [] }],
      rooms: [
        { id: 'r1', busy: [{ start: t('2026-06-01T14:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') }] },
        { id: 'r2', busy: [{ start: t('2026-06-01T13:00:00.000Z'), end: t('2026-06-01T15:30:00.000Z') }] },
      ],
    });
    expect(starts(q)).toEqual(['2026-06-01T15:00:00.000Z']);
  });
});

describe('findSlots: nurses, chairs and types without a provider', () => {
  // Monday 2026-06-01, Chicago: 09:00 local = 14:00Z. Four-hour infusions on an hourly grid.
  const nurse = (id: string, from: number, to: number, busy: Interval[] = []): SlotPerson => ({
    id,
    hours: weekdays([{ from, to }]),
    busy,
  });
  const infusion = (over: Partial<SlotQuery>): SlotQuery => ({
    ...query({ durationMin: 240, stepMin: 60, rooms: [{ id: 'c1', busy: [] }] }),
    providers: null,
    ...over,
  });
  const at = (q: SlotQuery) =>
    findSlots(q).map((s) => [
      iso(s.start).slice(11, 16),
      s.options.map((o) => `${o.providerId}/${o.nurseId}/${o.roomId}`).join(','),
    ]);

  it('led by nurses: each free nurse is an option, paired with the first free chair', () => {
    const q = infusion({
      nurses: [nurse('n1', hm(9), hm(17)), nurse('n2', hm(12), hm(17))],
      rooms: [
        { id: 'c1', busy: [] },
        { id: 'c2', busy: [] },
      ],
    });
    expect(at(q)).toEqual([
      ['14:00', 'null/n1/c1'],
      ['15:00', 'null/n1/c1'],
      ['16:00', 'null/n1/c1'],
      ['17:00', 'null/n1/c1,null/n2/c1'],
      ['18:00', 'null/n1/c1,null/n2/c1'],
    ]);
  });

  it('a busy chair removes the time for every nurse; a busy nurse only her own option', () => {
    const busyNoon = [{ start: t('2026-06-01T17:00:00.000Z'), end: t('2026-06-01T18:00:00.000Z') }]; // 12:00–13:00 local
    const q = infusion({
      nurses: [nurse('n1', hm(9), hm(17), busyNoon), nurse('n2', hm(9), hm(17))],
      rooms: [{ id: 'c1', busy: [] }],
    });
    expect(at(q).map(([time, options]) => `${time} ${options}`)).toEqual([
      '14:00 null/n2/c1',
      '15:00 null/n2/c1',
      '16:00 null/n2/c1',
      '17:00 null/n2/c1',
      '18:00 null/n1/c1,null/n2/c1',
    ]);
    expect(findSlots({ ...q, rooms: [{ id: 'c1', busy: busyNoon }] }).map((s) => iso(s.start).slice(11, 16))).toEqual([
      '18:00',
    ]);
  });

  it('a provider-led type that also needs a nurse takes the first nurse working the whole appointment', () => {
    const q = query({
      durationMin: 60,
      stepMin: 60,
      opening: weekdays([{ from: hm(9), to: hm(13) }]),
      providers: [{ id: 'p1', hours: weekdays([{ from: hm(9), to: hm(13) }]), busy: [] }],
      nurses: [nurse('n1', hm(10), hm(11, 30)), nurse('n2', hm(11), hm(13))],
      rooms: null,
    });
    // 09:00 no nurse yet; 10:00 n1; 11:00 n1 leaves at 11:30, so n2; 12:00 n2.
    expect(at(q)).toEqual([
      ['15:00', 'p1/n1/null'],
      ['16:00', 'p1/n2/null'],
      ['17:00', 'p1/n2/null'],
    ]);
  });

  it('no free nurse means no slot, however free the provider', () => {
    const all = [{ start: t('2026-06-01T00:00:00.000Z'), end: t('2026-06-02T00:00:00.000Z') }];
    expect(findSlots(query({ nurses: [nurse('n1', hm(9), hm(17), all)] }))).toEqual([]);
    expect(findSlots(query({ nurses: [] }))).toEqual([]);
  });

  it('a type needing only a place follows the opening hours, one option per start', () => {
    const q: SlotQuery = {
      ...query({
        durationMin: 120,
        stepMin: 120,
        rooms: [{ id: 'c1', busy: [] }],
        opening: weekdays([{ from: hm(9), to: hm(13) }]),
      }),
      providers: null,
      nurses: null,
    };
    expect(at(q)).toEqual([
      ['14:00', 'null/null/c1'],
      ['16:00', 'null/null/c1'],
    ]);
  });

  it('a type needing nothing at all is offered at every grid start of the opening hours', () => {
    const q: SlotQuery = {
      ...query({ durationMin: 60, stepMin: 60, rooms: null, opening: weekdays([{ from: hm(9), to: hm(11) }]) }),
      providers: null,
      nurses: null,
    };
    expect(at(q)).toEqual([
      ['14:00', 'null/null/null'],
      ['15:00', 'null/null/null'],
    ]);
  });
});

describe('findSlots: validation', () => {
  it('rejects a non-positive duration or step', () => {
    for (const durationMin of [0, -30, Number.NaN]) expect(() => findSlots(query({ durationMin }))).toThrow(RangeError);
    for (const stepMin of [0, -5, Number.NaN]) expect(() => findSlots(query({ stepMin }))).toThrow(RangeError);
  });

  it('rejects an unknown zone and an unbounded window', () => {
    expect(() => findSlots(query({ zone: 'Mars/Olympus_Mons' }))).toThrow(RangeError);
    expect(() => findSlots(query({ to: Number.POSITIVE_INFINITY }))).toThrow(RangeError);
  });
});

/** Local wall-clock readings of the starts, for "no slot at a non-existent time". */
const localStarts = (q: SlotQuery): string[] =>
  findSlots(q).map((s) => DateTime.fromMillis(s.start, { zone: q.zone }).toFormat('HH:mm ZZZZ'));

describe('findSlots: DST in America/Chicago (UTC-6 CST / UTC-5 CDT)', () => {
  const zone = 'America/Chicago';
  // Sunday 2026-03-08: 02:00 CST jumps to 03:00 CDT at 08:00Z.
  const spring = (from: number, to: number, over: Partial<ProviderQuery> = {}) =>
    oneDay(7, from, to, { zone, ...dayWindow('2026-03-08'), ...over });
  // Sunday 2026-11-01: 02:00 CDT falls back to 01:00 CST at 07:00Z.
  const fall = (from: number, to: number, over: Partial<ProviderQuery> = {}) =>
    oneDay(7, from, to, { zone, ...dayWindow('2026-11-01'), ...over });

  it('spring forward: 00:00–05:00 is four hours long and offers no 02:xx', () => {
    expect(starts(spring(0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-03-08T06:00:00.000Z', // 00:00 CST
      '2026-03-08T07:00:00.000Z', // 01:00 CST
      '2026-03-08T08:00:00.000Z', // 03:00 CDT
      '2026-03-08T09:00:00.000Z', // 04:00 CDT
    ]);
    const local = localStarts(spring(0, hm(5), { durationMin: 30 }));
    expect(local).toEqual([
      '00:00 CST',
      '00:30 CST',
      '01:00 CST',
      '01:30 CST',
      '03:00 CDT',
      '03:30 CDT',
      '04:00 CDT',
      '04:30 CDT',
    ]);
  });

  it('spring forward: an appointment may span the missing hour', () => {
    const slots = findSlots(spring(hm(1), hm(4), { durationMin: 90 }));
    expect(slots.map((s) => [iso(s.start), iso(s.end)])).toEqual([
      ['2026-03-08T07:00:00.000Z', '2026-03-08T08:30:00.000Z'], // 01:00 CST – 03:30 CDT
      ['2026-03-08T07:30:00.000Z', '2026-03-08T09:00:00.000Z'],
    ]);
  });

  it('spring forward: a boundary inside the gap becomes the moment the gap ends (03:00 CDT)', () => {
    expect(starts(spring(hm(2, 30), hm(5)))).toEqual([
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T08:30:00.000Z',
      '2026-03-08T09:00:00.000Z',
    ]);
    // Closing "at 02:30" closes when the clock reaches 03:00, i.e. 08:00Z.
    const closing = findSlots(spring(0, hm(2, 30)));
    expect(closing.map((s) => iso(s.start))).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
    ]);
    expect(iso(closing.at(-1)!.end)).toBe('2026-03-08T08:00:00.000Z');
    expect(findSlots(spring(hm(2), hm(3), { durationMin: 1, stepMin: 1 }))).toEqual([]); // entirely in the gap
    expect(starts(spring(hm(2, 15), hm(3, 30), { durationMin: 30 }))).toEqual(['2026-03-08T08:00:00.000Z']);
  });

  it('spring forward: the days around use their own offsets', () => {
    const q = query({
      zone,
      from: t('2026-03-07T00:00:00.000Z'),
      to: t('2026-03-10T00:00:00.000Z'),
      opening: { 6: [{ from: hm(9), to: hm(10) }], 1: [{ from: hm(9), to: hm(10) }] },
    });
    q.providers[0]!.hours = q.opening;
    expect(starts(q)).toEqual(['2026-03-07T15:00:00.000Z', '2026-03-09T14:00:00.000Z']);
  });

  it('fall back: 00:00–05:00 is six hours long; the repeated 01:00 gives two different instants', () => {
    expect(starts(fall(0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-11-01T05:00:00.000Z', // 00:00 CDT
      '2026-11-01T06:00:00.000Z', // 01:00 CDT
      '2026-11-01T07:00:00.000Z', // 01:00 CST
      '2026-11-01T08:00:00.000Z', // 02:00 CST
      '2026-11-01T09:00:00.000Z',
      '2026-11-01T10:00:00.000Z',
    ]);
    const all = findSlots(fall(0, hm(5), { durationMin: 15, stepMin: 15 })).map((s) => s.start);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(24);
  });

  it('fall back: a boundary in the repeated hour means its first occurrence (CDT)', () => {
    expect(starts(fall(hm(1, 30), hm(3), { durationMin: 30 }))).toEqual([
      '2026-11-01T06:30:00.000Z', // 01:30 CDT
      '2026-11-01T07:00:00.000Z', // 01:00 CST
      '2026-11-01T07:30:00.000Z', // 01:30 CST
      '2026-11-01T08:00:00.000Z',
      '2026-11-01T08:30:00.000Z', // ends 03:00 CST = 09:00Z
    ]);
    expect(starts(fall(0, hm(1, 30), { durationMin: 30 }))).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
    ]);
  });

  it('fall back: busy time in the first 01:00 hour does not block the second', () => {
    const q = fall(0, hm(3), { stepMin: 60 });
    q.providers[0]!.busy = [{ start: t('2026-11-01T06:00:00.000Z'), end: t('2026-11-01T07:00:00.000Z') }];
    expect(starts(q)).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z']);
  });

  it('fall back: the days around use their own offsets', () => {
    const q = query({
      zone,
      from: t('2026-10-31T00:00:00.000Z'),
      to: t('2026-11-03T00:00:00.000Z'),
      opening: { 6: [{ from: hm(9), to: hm(10) }], 1: [{ from: hm(9), to: hm(10) }] },
    });
    q.providers[0]!.hours = q.opening;
    expect(starts(q)).toEqual(['2026-10-31T14:00:00.000Z', '2026-11-02T15:00:00.000Z']);
  });

  describe('does not depend on the real date (Luxon resolves repeated times by today’s offset)', () => {
    const realNow = Settings.now;
    afterEach(() => {
      Settings.now = realNow;
    });
    for (const today of ['2026-07-01T12:00:00.000Z', '2027-01-15T12:00:00.000Z']) {
      it(`with today = ${today}`, () => {
        Settings.now = () => t(today);
        // 01:30 CDT (06:30Z) to 02:30 CST (08:30Z)
        expect(starts(fall(hm(1, 30), hm(2, 30), { durationMin: 30 }))).toEqual([
          '2026-11-01T06:30:00.000Z',
          '2026-11-01T07:00:00.000Z',
          '2026-11-01T07:30:00.000Z',
          '2026-11-01T08:00:00.000Z',
        ]);
        expect(starts(fall(hm(1), hm(1, 30), { durationMin: 30 }))).toEqual(['2026-11-01T06:00:00.000Z']);
      });
    }
  });
});

describe('findSlots: DST in Europe/London (GMT / BST, UTC+1)', () => {
  const zone = 'Europe/London';
  // Sunday 2026-03-29: 01:00 GMT jumps to 02:00 BST at 01:00Z. Sunday 2026-10-25: 02:00 BST falls back to 01:00 GMT at 01:00Z.
  const on = (date: string, from: number, to: number, over: Partial<ProviderQuery> = {}) =>
    oneDay(7, from, to, { zone, ...dayWindow(date), ...over });

  it('spring forward: no 01:xx, four hours in 00:00–05:00', () => {
    expect(starts(on('2026-03-29', 0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-03-29T00:00:00.000Z', // 00:00 GMT
      '2026-03-29T01:00:00.000Z', // 02:00 BST
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
    expect(localStarts(on('2026-03-29', 0, hm(5), { stepMin: 60 })).map((s) => s.slice(0, 5))).toEqual([
      '00:00',
      '02:00',
      '03:00',
      '04:00',
    ]);
  });

  it('spring forward: opening at 01:30 (missing) opens at 02:00 BST', () => {
    expect(starts(on('2026-03-29', hm(1, 30), hm(3), { durationMin: 30 }))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
    ]);
  });

  it('fall back: six hours in 00:00–05:00, starting the evening before in UTC', () => {
    expect(starts(on('2026-10-25', 0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-10-24T23:00:00.000Z', // 00:00 BST
      '2026-10-25T00:00:00.000Z', // 01:00 BST
      '2026-10-25T01:00:00.000Z', // 01:00 GMT
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
      '2026-10-25T04:00:00.000Z',
    ]);
  });

  it('the Mondays after use the new offset', () => {
    expect(starts(oneDay(1, hm(9), hm(10), { zone, ...dayWindow('2026-03-30') }))).toEqual([
      '2026-03-30T08:00:00.000Z',
    ]);
    expect(starts(oneDay(1, hm(9), hm(10), { zone, ...dayWindow('2026-10-26') }))).toEqual([
      '2026-10-26T09:00:00.000Z',
    ]);
  });
});

describe('findSlots: DST in Australia/Sydney (AEST UTC+10 / AEDT UTC+11)', () => {
  const zone = 'Australia/Sydney';
  // Sunday 2026-04-05: 03:00 AEDT falls back to 02:00 AEST at 2026-04-04T16:00Z.
  // Sunday 2026-10-04: 02:00 AEST jumps to 03:00 AEDT at 2026-10-03T16:00Z.
  const on = (date: string, from: number, to: number, over: Partial<ProviderQuery> = {}) =>
    oneDay(7, from, to, { zone, ...dayWindow(date), ...over });

  it('fall back (first Sunday of April): six hours in 00:00–05:00', () => {
    expect(starts(on('2026-04-05', 0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-04-04T13:00:00.000Z', // 00:00 AEDT
      '2026-04-04T14:00:00.000Z',
      '2026-04-04T15:00:00.000Z', // 02:00 AEDT
      '2026-04-04T16:00:00.000Z', // 02:00 AEST
      '2026-04-04T17:00:00.000Z',
      '2026-04-04T18:00:00.000Z',
    ]);
  });

  it('fall back: opening at the repeated 02:30 means the first one (AEDT)', () => {
    expect(starts(on('2026-04-05', hm(2, 30), hm(4), { stepMin: 60 }))).toEqual([
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T16:30:00.000Z',
    ]);
  });

  it('spring forward (first Sunday of October): four hours in 00:00–05:00, no 02:xx', () => {
    expect(starts(on('2026-10-04', 0, hm(5), { stepMin: 60 }))).toEqual([
      '2026-10-03T14:00:00.000Z', // 00:00 AEST
      '2026-10-03T15:00:00.000Z',
      '2026-10-03T16:00:00.000Z', // 03:00 AEDT
      '2026-10-03T17:00:00.000Z',
    ]);
    expect(localStarts(on('2026-10-04', 0, hm(5), { durationMin: 30 })).some((s) => s.startsWith('02:'))).toBe(false);
    expect(starts(on('2026-10-04', hm(2, 30), hm(5), { stepMin: 60 }))[0]).toBe('2026-10-03T16:00:00.000Z');
  });

  it('the Mondays after use the new offset', () => {
    expect(starts(oneDay(1, hm(9), hm(10), { zone, ...dayWindow('2026-04-06') }))).toEqual([
      '2026-04-05T23:00:00.000Z',
    ]);
    expect(starts(oneDay(1, hm(9), hm(10), { zone, ...dayWindow('2026-10-05') }))).toEqual([
      '2026-10-04T22:00:00.000Z',
    ]);
  });
});

describe('findSlots: zones with :30 and :45 offsets', () => {
  it('Asia/Kathmandu (UTC+5:45)', () => {
    expect(
      starts(oneDay(1, hm(9), hm(10), { zone: 'Asia/Kathmandu', durationMin: 30, ...dayWindow('2026-06-01') })),
    ).toEqual(['2026-06-01T03:15:00.000Z', '2026-06-01T03:45:00.000Z']);
  });

  it('Australia/Lord_Howe moves by 30 minutes: 02:00 LHST jumps to 02:30 LHDT on 2026-10-04', () => {
    const q = oneDay(7, 0, hm(5), { zone: 'Australia/Lord_Howe', durationMin: 30, ...dayWindow('2026-10-04') });
    const slots = findSlots(q);
    expect(slots.map((s) => iso(s.start))).toEqual([
      '2026-10-03T13:30:00.000Z', // 00:00 +10:30
      '2026-10-03T14:00:00.000Z',
      '2026-10-03T14:30:00.000Z',
      '2026-10-03T15:00:00.000Z',
      '2026-10-03T15:30:00.000Z', // 02:30 +11
      '2026-10-03T16:00:00.000Z',
      '2026-10-03T16:30:00.000Z',
      '2026-10-03T17:00:00.000Z',
      '2026-10-03T17:30:00.000Z', // ends 05:00 +11 = 18:00Z
    ]);
    expect(localStarts(q).map((s) => s.slice(0, 5))).toEqual([
      '00:00',
      '00:30',
      '01:00',
      '01:30',
      '02:30',
      '03:00',
      '03:30',
      '04:00',
      '04:30',
    ]);
  });
});

describe('findSlots: transitions at midnight', () => {
  it('America/Santiago 2026-09-06 has no 00:00: the day starts at 01:00 -03 and 09:00 is still 09:00', () => {
    const on = (from: number, to: number) =>
      oneDay(7, from, to, { zone: 'America/Santiago', ...dayWindow('2026-09-06') });
    expect(starts(on(0, hm(2)))).toEqual(['2026-09-06T04:00:00.000Z']); // 01:00–02:00 -03 is all there is
    expect(starts(on(hm(9), hm(10)))).toEqual(['2026-09-06T12:00:00.000Z']);
  });

  it('America/Santiago repeats 23:00 on Saturday 2026-04-04: 22:00–24:00 lasts three hours', () => {
    const q = oneDay(6, hm(22), 1440, { zone: 'America/Santiago', stepMin: 60, ...dayWindow('2026-04-04') });
    expect(starts(q)).toEqual(['2026-04-05T01:00:00.000Z', '2026-04-05T02:00:00.000Z', '2026-04-05T03:00:00.000Z']);
    expect(starts(oneDay(7, hm(9), hm(10), { zone: 'America/Santiago', ...dayWindow('2026-04-05') }))).toEqual([
      '2026-04-05T13:00:00.000Z',
    ]);
  });

  it('America/Havana repeats 00:00 on 2026-11-01: the day starts at the first one', () => {
    const q = oneDay(7, 0, hm(2), { zone: 'America/Havana', stepMin: 60, ...dayWindow('2026-11-01') });
    expect(starts(q)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z']);
  });
});

describe('withBuffers', () => {
  it('widens the appointment by the buffers', () => {
    const appt = { start: t('2026-06-01T14:00:00.000Z'), end: t('2026-06-01T15:00:00.000Z') };
    expect(withBuffers(appt, 10, 15)).toEqual({
      start: t('2026-06-01T13:50:00.000Z'),
      end: t('2026-06-01T15:15:00.000Z'),
    });
    expect(withBuffers(appt, 0, 0)).toEqual(appt);
  });
});

describe('findSlots: performance', () => {
  it('handles 8 weeks, 4 providers, 3 rooms and 6,400 busy intervals well under 5 ms', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const from = t('2026-03-02T06:00:00.000Z'); // spans the spring-forward Sunday
    const busy = (n: number): Interval[] =>
      Array.from({ length: n }, () => {
        const start = from + Math.floor(random() * 56 * 96) * 15 * MIN;
        return { start, end: start + (1 + Math.floor(random() * 8)) * 15 * MIN };
      });
    const week: WeeklyHours = {
      ...weekdays([{ from: hm(8), to: hm(18) }]),
      3: [
        { from: hm(8), to: hm(12) },
        { from: hm(13), to: hm(18) },
      ],
      6: [{ from: hm(9), to: hm(13) }],
    };
    const q = query({
      from,
      to: from + 56 * 24 * 60 * MIN,
      now: from,
      opening: week,
      closures: ['2026-04-03'],
      providers: [0, 1, 2, 3].map((i) => ({
        id: `p${i}`,
        hours: { ...week, 2: [{ from: hm(9) + 30 * i, to: hm(17) }] },
        busy: busy(1000),
      })),
      rooms: [0, 1, 2].map((i) => ({ id: `r${i}`, busy: busy(800) })),
      stepMin: 15,
      bufferBeforeMin: 10,
      bufferAfterMin: 15,
      minNoticeMin: 120,
    });
    for (let i = 0; i < 10; i++) findSlots(q); // warm up the JIT
    let best = Number.POSITIVE_INFINITY;
    let count = 0;
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      count = findSlots(q).length;
      best = Math.min(best, performance.now() - started);
    }
    expect(count).toBeGreaterThan(100);
    // Best of 30: other processes on a shared machine only ever add time, so the fastest run is the
    // code's own cost (about 1.5 ms on a 2-core CI box; the median there swings from 2 to 40 ms).
    expect(best).toBeLessThan(5);
  });
});
