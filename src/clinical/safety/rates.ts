/**
 * Per-location safety rates, pure: by calendar month in the location's zone, the sessions given, and two separate
 * series per 100 sessions: adverse events (side effects at or above the counted grade, in the month of their session)
 * and alerts (the vital-sign alerts of a session, in the month of its session, plus the alerts and safety flags
 * raised on the worklist, in the month they were raised). A month without sessions has no rate (never 0 per 100,
 * which would read as "safe"); its counts are still shown.
 */
import { DateTime } from 'luxon';

export interface MonthRate {
  month: string;
  sessions: number;
  adverse: number;
  /** Vital-sign alerts during a session. */
  sessionAlerts: number;
  /** Alerts and safety flags raised on the worklist (item 9, dose, bladder, liver, follow-up, substance use). */
  flags: number;
  alerts: number;
  adversePer100: number | null;
  alertsPer100: number | null;
}

export interface RateEvents {
  /** When each session began (its infusion started). */
  sessions: readonly number[];
  /** For each adverse event, when its session began. */
  adverse: readonly number[];
  /** For each in-session alert, when its session began. */
  sessionAlerts: readonly number[];
  /** When each worklist alert or flag was raised. */
  flags: readonly number[];
}

/** To one decimal, half away from zero. */
export const per100 = (n: number, sessions: number) => (sessions === 0 ? null : Math.round((n / sessions) * 1000) / 10);

/** The `count` calendar months ending with the one `now` falls in, in `zone`, oldest first (yyyy-MM). */
export function lastMonths(now: number, zone: string, count: number): string[] {
  const first = DateTime.fromMillis(now, { zone })
    .startOf('month')
    .minus({ months: count - 1 });
  return Array.from({ length: count }, (_, i) => first.plus({ months: i }).toFormat('yyyy-MM'));
}

/** The instant the first of `months` begins in `zone`: nothing before it is read. */
export const monthsStart = (months: readonly string[], zone: string) =>
  DateTime.fromFormat(months[0]!, 'yyyy-MM', { zone }).toMillis();

/** Each event in the month its instant falls in, in `zone`; events outside `months` are not counted. */
export function monthlyRates(months: readonly string[], zone: string, events: RateEvents): MonthRate[] {
  const count = (list: readonly number[]) => {
    const m = new Map<string, number>();
    for (const at of list) {
      const month = DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM');
      m.set(month, (m.get(month) ?? 0) + 1);
    }
    return m;
  };
  const [s, a, sa, f] = [
    count(events.sessions),
    count(events.adverse),
    count(events.sessionAlerts),
    count(events.flags),
  ];
  return months.map((month) => {
    const sessions = s.get(month) ?? 0;
    const adverse = a.get(month) ?? 0;
    const sessionAlerts = sa.get(month) ?? 0;
    const flags = f.get(month) ?? 0;
    const alerts = sessionAlerts + flags;
    return {
      month,
      sessions,
      adverse,
      sessionAlerts,
      flags,
      alerts,
      adversePer100: per100(adverse, sessions),
      alertsPer100: per100(alerts, sessions),
    };
  });
}
