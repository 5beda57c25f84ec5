import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Settings } from 'luxon';
import { isRefusal } from '../../src/kernel/refusal.ts';
import { wallClockAt } from '../../src/kernel/time/wall-clock.ts';
import { localInstant, parseSchedule, parseTimeOff, schedulePrefix } from '../../src/setup/schedule-schema.ts';

const LOCATIONS = [
  { id: 'chi', name: 'River North', time_zone: 'America/Chicago' },
  { id: 'den', name: 'Denver', time_zone: 'America/Denver' },
];
const NOW = Date.parse('2026-03-02T15:00:00Z'); // Monday 2 March 2026, 09:00 in Chicago
const form = (over: Record<string, string> = {}) => ({
  location: 'chi',
  start_date: '2026-03-10',
  start_time: '08:00',
  end_date: '2026-03-10',
  end_time: '12:00',
  reason: 'Conference',
  ...over,
});
const iso = (instant: number) => new Date(instant).toISOString();
const H = (hour: number, minute = 0) => hour * 60 + minute;
const CHICAGO = 'America/Chicago';

describe('the time-off form (hand-computed)', () => {
  it('reads the times in the chosen location’s zone', () => {
    const chi = parseTimeOff(form(), LOCATIONS, NOW);
    expect(isRefusal(chi)).toBe(false);
    if (isRefusal(chi)) return;
    expect([iso(chi.start), iso(chi.end), chi.locationId, chi.reason]).toEqual([
      '2026-03-10T13:00:00.000Z', // 08:00 CDT
      '2026-03-10T17:00:00.000Z',
      'chi',
      'Conference',
    ]);
    const den = parseTimeOff(form({ location: 'den' }), LOCATIONS, NOW);
    if (isRefusal(den)) throw den;
    expect(iso(den.start)).toBe('2026-03-10T14:00:00.000Z'); // 08:00 MDT
  });

  it('takes 24:00 as the end of the day, and a whole spring-forward day as 23 hours', () => {
    const day = parseTimeOff(
      form({ start_date: '2026-03-08', start_time: '00:00', end_date: '2026-03-08', end_time: '24:00' }),
      LOCATIONS,
      NOW,
    );
    if (isRefusal(day)) throw day;
    expect([iso(day.start), iso(day.end)]).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-09T05:00:00.000Z']);
  });

  it('refuses a time the clocks skip, naming the date and zone', () => {
    const gap = parseTimeOff(
      form({ start_date: '2026-03-08', start_time: '02:30', end_date: '2026-03-08' }),
      LOCATIONS,
      NOW,
    );
    expect(isRefusal(gap) && gap.fields).toEqual({
      start_time:
        'That time does not exist on 2026-03-08 in America/Chicago (the clocks go forward). Choose another time.',
    });
  });

  it('turns local wall-clock times into instants through the zone, refusing times the clocks skip', () => {
    expect(new Date(localInstant('2026-03-05', 0, CHICAGO)!).toISOString()).toBe('2026-03-05T06:00:00.000Z');
    expect(new Date(localInstant('2026-03-10', H(9), CHICAGO)!).toISOString()).toBe('2026-03-10T14:00:00.000Z'); // CDT
    expect(new Date(localInstant('2026-03-05', 1440, CHICAGO)!).toISOString()).toBe('2026-03-06T06:00:00.000Z');
    expect(localInstant('2026-03-08', H(2, 30), CHICAGO)).toBeUndefined();
  });

  it('reads a repeated time as its first occurrence', () => {
    const fall = parseTimeOff(
      form({ start_date: '2026-11-01', start_time: '01:30', end_date: '2026-11-01', end_time: '03:00' }),
      LOCATIONS,
      NOW,
    );
    if (isRefusal(fall)) throw fall;
    expect(iso(fall.start)).toBe('2026-11-01T06:30:00.000Z'); // 01:30 CDT, not CST
    expect(fall.end - fall.start).toBe(2.5 * 3_600_000);
  });

  it("reads a repeated time the same whatever the machine's own date is (its offset then does not matter)", () => {
    const realNow = Settings.now;
    const starts: string[] = [];
    try {
      for (const machineDate of ['2026-07-01T12:00:00Z', '2026-01-15T12:00:00Z']) {
        Settings.now = () => Date.parse(machineDate);
        const fall = parseTimeOff(
          form({ start_date: '2026-11-01', start_time: '01:30', end_date: '2026-11-01', end_time: '04:00' }),
          LOCATIONS,
          NOW,
        );
        if (isRefusal(fall)) throw fall;
        starts.push(iso(fall.start));
      }
    } finally {
      Settings.now = realNow;
    }
    expect(starts).toEqual(['2026-11-01T06:30:00.000Z', '2026-11-01T06:30:00.000Z']);
  });

  it('refuses an end before the start, time off already over, more than a year, and an unknown location', () => {
    const fields = (over: Record<string, string>) => {
      const r = parseTimeOff(form(over), LOCATIONS, NOW);
      return isRefusal(r) ? r.fields : undefined;
    };
    expect(fields({ end_time: '08:00' })).toEqual({ end_time: 'The end must be after the start.' });
    expect(fields({ start_date: '2026-03-01', end_date: '2026-03-01' })).toEqual({
      end_date: 'This time off has already ended.',
    });
    expect(fields({ end_date: '2027-03-12' })).toEqual({ end_date: 'Add time off of at most a year at a time.' });
    expect(fields({ location: 'nowhere' })).toEqual({
      location: 'Choose the location whose local time you are using.',
    });
    expect(fields({ start_date: '2026-02-30', start_time: '8am' })).toEqual({
      start_date: 'Write the start date as YYYY-MM-DD, e.g. 2026-03-10, and use a day that exists.',
      start_time: 'Write the start time as HH:MM in 24-hour time, e.g. 08:00.',
    });
  });
});

describe('the time-off form (properties)', () => {
  const two = (n: number) => String(n).padStart(2, '0');
  const dayArb = fc.oneof(
    fc
      .integer({ min: Date.UTC(2026, 2, 3) / 86_400_000, max: Date.UTC(2027, 1, 1) / 86_400_000 })
      .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
    fc.constantFrom('2026-03-07', '2026-03-08', '2026-10-31', '2026-11-01'), // the clocks change on the 8th and the 1st
  );
  const timeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45));

  it('time off it accepts starts and ends at the wall-clock times typed, in the zone chosen', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('chi', 'den'),
        dayArb,
        timeArb,
        fc.integer({ min: 1, max: 72 }),
        (location, date, [h, m], hours) => {
          const zone = LOCATIONS.find((l) => l.id === location)!.time_zone;
          const end = new Date(Date.parse(`${date}T00:00:00Z`) + (h * 60 + m + hours * 60) * 60_000);
          const values = form({
            location,
            start_date: date,
            start_time: `${two(h)}:${two(m)}`,
            end_date: end.toISOString().slice(0, 10),
            end_time: `${two(end.getUTCHours())}:${two(end.getUTCMinutes())}`,
          });
          const parsed = parseTimeOff(values, LOCATIONS, NOW);
          if (isRefusal(parsed)) {
            // Only a skipped time (spring forward) is refused here.
            expect(Object.values(parsed.fields ?? {}).every((msg) => msg.includes('the clocks go forward'))).toBe(true);
            return;
          }
          expect(wallClockAt(parsed.start, zone)).toMatchObject({ date, minute: h * 60 + m });
          expect(wallClockAt(parsed.end, zone)).toMatchObject({
            date: values.end_date,
            minute: end.getUTCHours() * 60 + end.getUTCMinutes(),
          });
        },
      ),
    );
  });
});

describe('the weekly schedule form', () => {
  const week = (prefix: string, from: string, to: string) =>
    Object.fromEntries(
      [1, 2, 3, 4, 5, 6, 7].flatMap((d) =>
        d <= 5
          ? [
              [`${prefix}d${d}-from`, from],
              [`${prefix}d${d}-to`, to],
            ]
          : [[`${prefix}d${d}-off`, 'yes']],
      ),
    );

  it('reads one week per location into rows, and names the place in each message', () => {
    const values = { ...week(schedulePrefix('chi'), '09:00', '17:00'), ...week(schedulePrefix('den'), '', '') };
    for (let d = 1; d <= 7; d++) values[`${schedulePrefix('den')}d${d}-off`] = 'yes';
    const ok = parseSchedule(values, LOCATIONS);
    expect(ok.errors).toEqual({});
    expect(ok.rows).toHaveLength(5);
    expect(ok.rows[0]).toEqual({ location_id: 'chi', weekday: 1, from_min: 540, to_min: 1020 });
    const bad = parseSchedule({ ...values, [`${schedulePrefix('den')}d3-off`]: '' }, LOCATIONS);
    expect(bad.errors).toEqual({
      'den-d3': 'Denver, Wednesday: Enter the start and end times, or tick Not working.',
    });
  });
});
