import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastMonths, monthlyRates, monthsStart, per100 } from '../../src/clinical/safety/rates.ts';

const ZONE = 'America/Chicago';
const at = (iso: string) => Date.parse(iso);
const none = { sessions: [], adverse: [], sessionAlerts: [], flags: [] };

describe('safety rates per 100 sessions (pure)', () => {
  it('months end with the one now falls in, in the location’s zone; the first begins at local midnight', () => {
    // 1 March 03:00 UTC is still 28 February in Chicago.
    expect(lastMonths(at('2026-03-01T03:00:00Z'), ZONE, 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(lastMonths(at('2026-03-01T06:00:00Z'), ZONE, 1)).toEqual(['2026-03']);
    expect(monthsStart(['2026-03'], ZONE)).toBe(at('2026-03-01T06:00:00Z'));
    // After the change to daylight time, a month begins at 05:00 UTC.
    expect(monthsStart(['2026-04'], ZONE)).toBe(at('2026-04-01T05:00:00Z'));
    expect(lastMonths(at('2026-01-15T12:00:00Z'), ZONE, 2)).toEqual(['2025-12', '2026-01']);
  });

  it('an event at local midnight on the 1st counts in the new month; a millisecond before, in the old one', () => {
    const midnight = at('2026-03-01T06:00:00Z');
    const [feb, mar] = monthlyRates(['2026-02', '2026-03'], ZONE, {
      sessions: [midnight - 1, midnight],
      adverse: [midnight - 1],
      sessionAlerts: [midnight],
      flags: [midnight - 1, midnight],
    });
    expect(feb).toMatchObject({ sessions: 1, adverse: 1, sessionAlerts: 0, flags: 1, alerts: 1 });
    expect(mar).toMatchObject({ sessions: 1, adverse: 0, sessionAlerts: 1, flags: 1, alerts: 2 });
    expect([feb!.adversePer100, feb!.alertsPer100, mar!.adversePer100, mar!.alertsPer100]).toEqual([100, 100, 0, 200]);
  });

  it('adverse events and alerts are separate series; alerts add the in-session alerts and the worklist’s', () => {
    const t = at('2026-05-10T15:00:00Z');
    const [may] = monthlyRates(['2026-05'], ZONE, {
      sessions: [t, t, t],
      adverse: [t],
      sessionAlerts: [t, t],
      flags: [t],
    });
    expect(may).toEqual({
      month: '2026-05',
      sessions: 3,
      adverse: 1,
      sessionAlerts: 2,
      flags: 1,
      alerts: 3,
      adversePer100: 33.3,
      alertsPer100: 100,
    });
  });

  it('a month without sessions has no rate, however many flags were raised; events outside the months are not counted', () => {
    const [june] = monthlyRates(['2026-06'], ZONE, { ...none, flags: [at('2026-06-02T12:00:00Z')] });
    expect(june).toMatchObject({ sessions: 0, flags: 1, alerts: 1, adversePer100: null, alertsPer100: null });
    const [july] = monthlyRates(['2026-07'], ZONE, {
      ...none,
      sessions: [at('2026-06-30T12:00:00Z'), at('2026-08-01T12:00:00Z')],
    });
    expect(july!.sessions).toBe(0);
  });

  it('rounds to one decimal', () => {
    expect([per100(1, 3), per100(2, 3), per100(1, 8), per100(0, 5), per100(3, 0)]).toEqual([33.3, 66.7, 12.5, 0, null]);
  });

  it('property: every event inside the months is counted exactly once', () => {
    const months = lastMonths(at('2026-12-15T12:00:00Z'), ZONE, 12);
    const from = monthsStart(months, ZONE);
    const to = at('2027-01-01T06:00:00Z');
    const instant = fc.integer({ min: from, max: to - 1 });
    fc.assert(
      fc.property(fc.array(instant, { maxLength: 30 }), fc.array(instant, { maxLength: 30 }), (sessions, flags) => {
        const rates = monthlyRates(months, ZONE, { ...none, sessions, flags });
        expect(rates.reduce((n, m) => n + m.sessions, 0)).toBe(sessions.length);
        expect(rates.reduce((n, m) => n + m.alerts, 0)).toBe(flags.length);
        for (const m of rates) expect(m.alertsPer100 === null).toBe(m.sessions === 0);
      }),
    );
  });
});
