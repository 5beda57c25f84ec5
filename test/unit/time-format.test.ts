import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  consultationTime,
  cutoffSpan,
  formatClock,
  formatDateTime,
  shortDateTime,
  timeRange,
  untilCutoff,
  visitTimes,
  zoneName,
} from '../../src/kernel/time/format.ts';

// Hand-computed from the zones' 2026 rules: Chicago is CST (−6) until 02:00 on Sunday 8 March, then CDT (−5) until
// 02:00 CDT on Sunday 1 November, when 01:00–01:59 happens twice; Denver is an hour behind Chicago throughout.
const CHICAGO = 'America/Chicago';
const DENVER = 'America/Denver';
const Z = (text: string) => Date.parse(text);

describe('a visit’s times', () => {
  it('on an ordinary day: one zone for both ends, named once when spaced', () => {
    expect(visitTimes(Z('2026-03-03T15:00:00Z'), Z('2026-03-03T15:45:00Z'), CHICAGO)).toBe('9:00–9:45 AM');
    expect(visitTimes(Z('2026-03-03T15:00:00Z'), Z('2026-03-03T15:45:00Z'), CHICAGO, true)).toBe(
      '9:00 AM – 9:45 AM CST',
    );
  });

  it('starting in the repeated hour of fall-back: each end in its own offset, so the start is not read in the end’s', () => {
    // 06:30Z is the first 1:30 (CDT); 45 minutes later it is 1:15 CST.
    expect(visitTimes(Z('2026-11-01T06:30:00Z'), Z('2026-11-01T07:15:00Z'), CHICAGO)).toBe('1:30 AM CDT – 1:15 AM CST');
    expect(visitTimes(Z('2026-11-01T06:30:00Z'), Z('2026-11-01T07:15:00Z'), CHICAGO, true)).toBe(
      '1:30 AM CDT – 1:15 AM CST',
    );
  });

  it('wholly within the second, repeated hour: one offset, so the plain form', () => {
    expect(visitTimes(Z('2026-11-01T07:30:00Z'), Z('2026-11-01T08:15:00Z'), CHICAGO)).toBe('1:30–2:15 AM');
  });

  it('across the spring-forward gap: each end in its own offset', () => {
    expect(visitTimes(Z('2026-03-08T07:30:00Z'), Z('2026-03-08T08:30:00Z'), CHICAGO)).toBe('1:30 AM CST – 3:30 AM CDT');
  });
});

describe('a visit’s times on the calendar, written out', () => {
  it('says both ends with AM or PM, across noon too', () => {
    expect(timeRange(Z('2026-03-03T15:00:00Z'), Z('2026-03-03T19:00:00Z'), CHICAGO)).toBe('9:00 AM – 1:00 PM');
    expect(timeRange(Z('2026-03-03T15:00:00Z'), Z('2026-03-03T15:45:00Z'), DENVER)).toBe('8:00 AM – 8:45 AM');
  });

  it('names each end’s offset across a clock change', () => {
    expect(timeRange(Z('2026-11-01T06:30:00Z'), Z('2026-11-01T07:15:00Z'), CHICAGO)).toBe('1:30 AM CDT – 1:15 AM CST');
  });
});

describe('instants and clock minutes in words', () => {
  it('says the day, date and time in the location’s zone, with its offset of that day', () => {
    expect(formatDateTime(Z('2026-03-03T15:00:00Z'), CHICAGO)).toBe('Tuesday, March 3, 2026 at 9:00 AM CST');
    expect(formatDateTime(Z('2026-03-10T14:00:00Z'), CHICAGO)).toBe('Tuesday, March 10, 2026 at 9:00 AM CDT');
    // Late evening in Chicago is already the next day in UTC.
    expect(formatDateTime(Z('2026-03-04T04:30:00Z'), CHICAGO)).toBe('Tuesday, March 3, 2026 at 10:30 PM CST');
  });

  it('shows a consultation at the clock of the place given, so one instant reads differently in Denver', () => {
    expect(consultationTime(Z('2026-03-05T16:00:00Z'), CHICAGO)).toBe('Thu, Mar 5, 2026, 10:00 AM CST');
    expect(consultationTime(Z('2026-03-05T16:00:00Z'), DENVER)).toBe('Thu, Mar 5, 2026, 9:00 AM MST');
  });

  it('names the zone generically, whatever the season', () => {
    expect(zoneName(CHICAGO, Z('2026-01-15T12:00:00Z'))).toBe('Central Time');
    expect(zoneName(CHICAGO, Z('2026-07-15T12:00:00Z'))).toBe('Central Time');
    expect(zoneName(DENVER, Z('2026-03-03T12:00:00Z'))).toBe('Mountain Time');
  });

  it('reads minutes past midnight on a 12-hour clock, midnight and noon included', () => {
    expect([0, 1, 540, 719, 720, 1439, 1440].map(formatClock)).toEqual([
      '12:00 AM',
      '12:01 AM',
      '9:00 AM',
      '11:59 AM',
      '12:00 PM',
      '11:59 PM',
      '12:00 AM',
    ]);
  });

  it('says a self-service cutoff in hours when it is whole hours, else in minutes', () => {
    expect([1440, 60, 90, 1, 30].map(cutoffSpan)).toEqual([
      '24 hours',
      '1 hour',
      '90 minutes',
      '1 minute',
      '30 minutes',
    ]);
    expect(untilCutoff(1440)).toBe('until 24 hours before your visit');
    expect(untilCutoff(0)).toBe('until your visit starts');
  });
});

describe('zone abbreviations, worked out once per zone, offset and year', () => {
  it('read exactly as Luxon writes them, on both sides of every DST change, in zones that differ', () => {
    const zones = [
      CHICAGO,
      DENVER,
      'America/Phoenix',
      'America/New_York',
      'Pacific/Honolulu',
      'Europe/London',
      'Australia/Lord_Howe',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        (zone, instant) => {
          const dt = DateTime.fromMillis(instant, { zone });
          expect(shortDateTime(instant, zone)).toBe(dt.toFormat('LLL d, yyyy, h:mm a ZZZZ'));
          expect(formatDateTime(instant, zone)).toBe(
            `${dt.toFormat('cccc, LLLL d, yyyy')} at ${dt.toFormat('h:mm a ZZZZ')}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
    // The minutes around Chicago's spring and autumn changes in 2026.
    for (const at of ['2026-03-08T07:59:00Z', '2026-03-08T08:00:00Z', '2026-11-01T06:59:00Z', '2026-11-01T07:00:00Z'])
      expect(shortDateTime(Z(at), CHICAGO)).toBe(
        DateTime.fromMillis(Z(at), { zone: CHICAGO }).toFormat('LLL d, yyyy, h:mm a ZZZZ'),
      );
  });
});
