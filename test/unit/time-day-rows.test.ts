import { describe, expect, it } from 'vitest';
import { dayRows } from '../../src/kernel/time/day-rows.ts';

// Hand-computed from Chicago's 2026 rules: the clocks skip 02:00–02:59 on Sunday 8 March and repeat 01:00–01:59 on
// Sunday 1 November. Opening hours are minutes past local midnight.
const CHICAGO = 'America/Chicago';
const Z = (text: string) => Date.parse(text);
const labels = (day: string, from: number, to: number, extra: Array<{ start: number; end: number }> = []) =>
  dayRows(CHICAGO, day, [{ from, to }], extra).map((r) => r.label);

describe('the rows of a calendar day', () => {
  it('on spring-forward day: no rows for the skipped hour, each labelled with its offset', () => {
    expect(labels('2026-03-08', 60, 240)).toEqual([
      '1:00 AM CST',
      '1:15 AM CST',
      '1:30 AM CST',
      '1:45 AM CST',
      '3:00 AM CDT',
      '3:15 AM CDT',
      '3:30 AM CDT',
      '3:45 AM CDT',
    ]);
  });

  it('on fall-back day: the repeated hour twice, once in each offset', () => {
    const fall = labels('2026-11-01', 60, 240);
    expect(fall).toHaveLength(16);
    expect(fall.slice(0, 6)).toEqual([
      '1:00 AM CDT',
      '1:15 AM CDT',
      '1:30 AM CDT',
      '1:45 AM CDT',
      '1:00 AM CST',
      '1:15 AM CST',
    ]);
    expect(fall.at(-1)).toBe('3:45 AM CST');
  });

  it('on an ordinary day: every 15 minutes from opening to closing, without an offset', () => {
    const ordinary = labels('2026-03-02', 8 * 60, 18 * 60);
    expect(ordinary).toHaveLength(40);
    expect([ordinary[0], ordinary.at(-1)]).toEqual(['8:00 AM', '5:45 PM']);
  });

  it('widens to a visit outside the hours, on the same 15-minute grid, marking those rows closed', () => {
    // A visit from 7:50 to 8:20 AM CST on Monday 2 March: the grid starts at 7:45.
    const rows = dayRows(
      CHICAGO,
      '2026-03-02',
      [{ from: 8 * 60, to: 9 * 60 }],
      [{ start: Z('2026-03-02T13:50:00Z'), end: Z('2026-03-02T14:20:00Z') }],
    );
    expect(rows.map((r) => [r.label, r.closed])).toEqual([
      ['7:45 AM', true],
      ['8:00 AM', false],
      ['8:15 AM', false],
      ['8:30 AM', false],
      ['8:45 AM', false],
    ]);
    expect(rows[0]!.start).toBe(Z('2026-03-02T13:45:00Z'));
  });

  it('a closed day shows nothing, unless something is booked there; a visit is cut to the day', () => {
    expect(dayRows(CHICAGO, '2026-03-01', [], [])).toEqual([]);
    // From 11:30 PM on Sunday 1 March into Monday: only its part on Sunday has rows.
    const late = dayRows(
      CHICAGO,
      '2026-03-01',
      [],
      [{ start: Z('2026-03-02T05:30:00Z'), end: Z('2026-03-02T06:30:00Z') }],
    );
    expect(late.map((r) => [r.label, r.closed])).toEqual([
      ['11:30 PM', true],
      ['11:45 PM', true],
    ]);
  });
});
