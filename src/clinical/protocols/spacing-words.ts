import type { SpacingProblem } from './series.ts';

/** A spacing problem in words, naming the session and the rule it breaks. */
export function spacingMessage(p: SpacingProblem): string {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  switch (p.kind) {
    case 'too_close':
      return `Session ${p.number} is ${days(p.days)} after the one before; the plan needs at least ${days(p.limit)}`;
    case 'too_far':
      return `Session ${p.number} is ${days(p.days)} after the one before; the plan allows at most ${days(p.limit)}`;
    case 'outside_window':
      return `Session ${p.number} falls on day ${p.days} of the series; the plan’s window is ${days(p.limit)}`;
    case 'out_of_order':
      return `Session ${p.number} is not after the one before`;
  }
}
