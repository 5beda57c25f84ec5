// Shared with other features' pages, so they live in the kernel; re-exported for this feature.
export { consultationTime, shortDateTime } from '../kernel/time/format.ts';
export { lines } from '../kernel/ui/text.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "12 min ago", "3 h ago", "5 d ago". */
export function ago(then: number, now: number): string {
  const diff = now - then;
  if (diff < MINUTE) return 'just now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} min ago`;
  if (diff < 2 * DAY) return `${Math.floor(diff / HOUR)} h ago`;
  return `${Math.floor(diff / DAY)} d ago`;
}

/** 2 of 3 → "66.7%"; nothing received → "—". */
export function rate(booked: number, received: number): string {
  if (received === 0) return '—';
  return `${Math.round((booked * 1000) / received) / 10}%`;
}

/** "March 1, 2026" from 2026-03-01. */
export function longDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d)).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}
