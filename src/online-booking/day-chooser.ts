/**
 * The booking page's day chooser: which local day's times to show, and the month around it. Pure: given the free
 * times of the whole booking window and `now`, so a table test can pin every case.
 */
import { DateTime } from 'luxon';
import { isDay, today, wallClockAt } from '../kernel/time/wall-clock.ts';

/** `open`: has free times (a link); `full`: bookable dates without a free time; `out`: past, or beyond the horizon. */
export type DayState = 'open' | 'full' | 'out';

export interface ChooserDay {
  date: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  state: DayState;
}

export interface DayChoice<T extends { start: number }> {
  /** The day shown, 'YYYY-MM-DD' in the location's zone. */
  selected: string;
  /** Its free times, in order. */
  times: T[];
  /** Every date of the selected day's month. */
  month: ChooserDay[];
  /** The day to open for the previous and next month (their first day with times), when they hold bookable days. */
  prevMonth?: string | undefined;
  nextMonth?: string | undefined;
  /** The day asked for does not exist or lies outside the bookable dates, so the first day with times is shown. */
  outOfRange: boolean;
}

const monthDays = (anyDay: string): string[] => {
  const first = DateTime.fromISO(anyDay, { zone: 'UTC' }).startOf('month');
  return Array.from({ length: first.daysInMonth! }, (_, i) => first.plus({ days: i }).toISODate()!);
};

/**
 * `times` are the free times from `now` to `horizonEnd` (an instant). The day shown is `requested` when it is a
 * real, bookable date (today to the horizon's last day), else the first day with a free time, else today.
 */
export function chooseDay<T extends { start: number }>(
  times: T[],
  zone: string,
  now: number,
  horizonEnd: number,
  requested?: string,
): DayChoice<T> {
  const first = today(now, zone);
  const last = today(horizonEnd - 1, zone);
  const byDay = new Map<string, T[]>();
  for (const t of times) {
    const date = wallClockAt(t.start, zone).date;
    const list = byDay.get(date);
    if (list) list.push(t);
    else byDay.set(date, [t]);
  }
  const openDays = [...byDay.keys()].sort();
  const bookable = (d: string) => d >= first && d <= last;
  const outOfRange = requested !== undefined && !(isDay(requested) && bookable(requested));
  const selected = requested !== undefined && !outOfRange ? requested : (openDays[0] ?? first);
  const stateOf = (d: string): DayState => (!bookable(d) ? 'out' : byDay.has(d) ? 'open' : 'full');
  const month = monthDays(selected).map((date) => ({
    date,
    weekday: DateTime.fromISO(date, { zone: 'UTC' }).weekday,
    state: stateOf(date),
  }));
  /** A neighbouring month's first day with times, else its first bookable date, else none. */
  const target = (days: string[]) => {
    const inRange = days.filter(bookable);
    return inRange.find((d) => byDay.has(d)) ?? inRange[0];
  };
  const firstOfMonth = DateTime.fromISO(selected, { zone: 'UTC' }).startOf('month');
  return {
    selected,
    times: byDay.get(selected) ?? [],
    month,
    prevMonth: target(monthDays(firstOfMonth.minus({ months: 1 }).toISODate()!)),
    nextMonth: target(monthDays(firstOfMonth.plus({ months: 1 }).toISODate()!)),
    outOfRange,
  };
}
