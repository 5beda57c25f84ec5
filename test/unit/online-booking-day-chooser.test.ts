import { describe, expect, it } from 'vitest';
import { chooseDay } from '../../src/online-booking/day-chooser.ts';
import { formatDate } from '../../src/kernel/time/format.ts';

// Hand-computed: Chicago is CST (UTC−6) until 02:00 on Sunday 8 March 2026, CDT (UTC−5) after.
const CHICAGO = 'America/Chicago';
const DAY = 86_400_000;
const Z = (text: string) => ({ start: Date.parse(text) });
/** Monday 2 March 2026, 09:00 in Chicago; the horizon is 8 weeks on (Monday 27 April, 09:00 CDT). */
const NOW = Date.parse('2026-03-02T15:00:00Z');
const HORIZON = NOW + 56 * DAY;
const TIMES = [
  Z('2026-03-03T15:00:00Z'), // Tue 3 March, 9:00 AM CST
  Z('2026-03-03T15:30:00Z'),
  Z('2026-03-04T05:30:00Z'), // Tue 3 March, 11:30 PM CST: still Tuesday in Chicago, though Wednesday in UTC
  Z('2026-03-10T14:00:00Z'), // Tue 10 March, 9:00 AM CDT
  Z('2026-04-07T14:00:00Z'), // Tue 7 April
  Z('2026-04-27T13:00:00Z'), // Mon 27 April, 8:00 AM CDT: the horizon's last day
];

describe('the booking page’s day chooser', () => {
  it('opens on the first day with a free time, with its times by the local date', () => {
    const c = chooseDay(TIMES, CHICAGO, NOW, HORIZON);
    expect(c.selected).toBe('2026-03-03');
    expect(c.times).toEqual([TIMES[0], TIMES[1], TIMES[2]]);
    expect(c.outOfRange).toBe(false);
  });

  it('lays out the whole month: past days and today out, open days with times, the rest bookable without times', () => {
    const c = chooseDay(TIMES, CHICAGO, NOW, HORIZON);
    expect(c.month).toHaveLength(31);
    expect(c.month[0]).toEqual({ date: '2026-03-01', weekday: 7, state: 'out' });
    expect(c.month[1]).toEqual({ date: '2026-03-02', weekday: 1, state: 'full' }); // today: bookable, no time left
    expect(c.month[2]).toEqual({ date: '2026-03-03', weekday: 2, state: 'open' });
    expect(c.month[3]!.state).toBe('full'); // no time on Wednesday in Chicago (the 11:30 PM one is Tuesday's)
    expect(c.month.filter((d) => d.state === 'open').map((d) => d.date)).toEqual(['2026-03-03', '2026-03-10']);
  });

  it('shows a requested bookable day, with or without times', () => {
    expect(chooseDay(TIMES, CHICAGO, NOW, HORIZON, '2026-03-10').times).toEqual([TIMES[3]]);
    const empty = chooseDay(TIMES, CHICAGO, NOW, HORIZON, '2026-03-12');
    expect({ selected: empty.selected, times: empty.times, outOfRange: empty.outOfRange }).toEqual({
      selected: '2026-03-12',
      times: [],
      outOfRange: false,
    });
  });

  it('answers a day that has passed, lies beyond the horizon or does not exist with the first open day', () => {
    for (const day of ['2026-03-01', '2026-04-28', '2026-10-13', '2026-02-30', 'tomorrow', '']) {
      const c = chooseDay(TIMES, CHICAGO, NOW, HORIZON, day);
      expect({ day, selected: c.selected, outOfRange: c.outOfRange }).toEqual({
        day,
        selected: '2026-03-03',
        outOfRange: true,
      });
    }
    // The horizon's last day is still bookable.
    expect(chooseDay(TIMES, CHICAGO, NOW, HORIZON, '2026-04-27').times).toEqual([TIMES[5]]);
  });

  it('links the neighbouring months to their first open day, and only while they hold bookable days', () => {
    const march = chooseDay(TIMES, CHICAGO, NOW, HORIZON);
    expect({ prev: march.prevMonth, next: march.nextMonth }).toEqual({ prev: undefined, next: '2026-04-07' });
    const april = chooseDay(TIMES, CHICAGO, NOW, HORIZON, '2026-04-07');
    expect({ prev: april.prevMonth, next: april.nextMonth }).toEqual({ prev: '2026-03-03', next: undefined });
    expect(april.month[29]).toEqual({ date: '2026-04-30', weekday: 4, state: 'out' });
    // A month with bookable days but no time opens on its first bookable day.
    const none = chooseDay([TIMES[0]!], CHICAGO, NOW, HORIZON);
    expect(none.nextMonth).toBe('2026-04-01');
  });

  it('with no free time at all: today, nothing to choose', () => {
    const c = chooseDay([], CHICAGO, NOW, HORIZON);
    expect({ selected: c.selected, times: c.times, open: c.month.filter((d) => d.state === 'open') }).toEqual({
      selected: '2026-03-02',
      times: [],
      open: [],
    });
  });

  it('names dates as written, whatever the machine’s zone', () => {
    expect(formatDate('2026-03-08')).toBe('Sunday, March 8, 2026');
    expect(formatDate('2026-03-08', 'weekday')).toBe('Sun');
    expect(formatDate('2026-03-08', 'monthName')).toBe('March');
    expect(formatDate('2026-03-08', 'month')).toBe('March 2026');
  });
});
