import { describe, expect, it } from 'vitest';
import { DEFAULT_PERIOD_DAYS, period, periodBounds } from '../../src/requests/inbox-schema.ts';

// Hand-computed: Denver is MST (−7) until 8 March 2026, then MDT (−6); Chicago is an hour ahead of Denver.
const Z = (text: string) => Date.parse(text);
const DENVER = 'America/Denver';
const CHICAGO = 'America/Chicago';
/** Tuesday 10 March 2026, 11:30 PM in Denver: already 00:30 on Wednesday 11 March in Chicago. */
const LATE_TUESDAY_IN_DENVER = Z('2026-03-11T05:30:00.000Z');

describe('the reporting period of the leads list', () => {
  it(`by default, the last ${DEFAULT_PERIOD_DAYS} days ending on the location's own today`, () => {
    expect(period({}, LATE_TUESDAY_IN_DENVER, DENVER)).toEqual({ from: '2026-02-09', to: '2026-03-10' });
    expect(period({}, LATE_TUESDAY_IN_DENVER, CHICAGO)).toEqual({ from: '2026-02-10', to: '2026-03-11' });
  });

  it('keeps the days given; with only one end, counts the other from it', () => {
    expect(period({ from: '2026-01-01', to: '2026-01-31' }, LATE_TUESDAY_IN_DENVER, DENVER)).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(period({ from: '2026-03-01' }, LATE_TUESDAY_IN_DENVER, DENVER)).toEqual({
      from: '2026-03-01',
      to: '2026-03-10',
    });
    expect(period({ to: '2026-01-31' }, LATE_TUESDAY_IN_DENVER, DENVER)).toEqual({
      from: '2026-01-02',
      to: '2026-01-31',
    });
  });

  it("runs from the first day's local midnight to the end of the last day, across a change of offset", () => {
    const bounds = periodBounds({ from: '2026-02-09', to: '2026-03-10' }, DENVER);
    expect(bounds).toEqual({ start: Z('2026-02-09T07:00:00.000Z'), end: Z('2026-03-11T06:00:00.000Z') });
    // A request at noon on 9 February in Denver is in it; one at 11:59 PM on 8 February is not.
    expect(Z('2026-02-09T19:00:00.000Z')).toBeGreaterThanOrEqual(bounds.start);
    expect(Z('2026-02-09T06:59:00.000Z')).toBeLessThan(bounds.start);
  });
});
