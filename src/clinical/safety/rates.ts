/**
 * Per-location safety rates, pure: sessions given, adverse events and in-session alerts by calendar month, each as a
 * rate per 100 sessions. A month without sessions has no rate (never 0 per 100, which would read as "safe").
 */
export interface MonthRate {
  month: string;
  sessions: number;
  adverse: number;
  alerts: number;
  adversePer100: number | null;
  alertsPer100: number | null;
}

const per100 = (n: number, sessions: number) => (sessions === 0 ? null : Math.round((n / sessions) * 1000) / 10);

/** `months` in order (yyyy-MM); each event is counted in the month of its session. */
export function monthlyRates(
  months: readonly string[],
  sessions: readonly string[],
  adverse: readonly string[],
  alerts: readonly string[],
): MonthRate[] {
  const count = (list: readonly string[]) => {
    const m = new Map<string, number>();
    for (const month of list) m.set(month, (m.get(month) ?? 0) + 1);
    return m;
  };
  const [s, a, l] = [count(sessions), count(adverse), count(alerts)];
  return months.map((month) => {
    const n = s.get(month) ?? 0;
    const ad = a.get(month) ?? 0;
    const al = l.get(month) ?? 0;
    return { month, sessions: n, adverse: ad, alerts: al, adversePer100: per100(ad, n), alertsPer100: per100(al, n) };
  });
}
