/**
 * The Wilson score interval of a share x/n (95 % by default). Pure. Unlike the normal approximation it stays within
 * [0, 1] and is not zero-width at 0/n or n/n, which matters for the small groups a clinic's report has
 * (clinical-facts §9; Newcombe, Stat Med 1998;17:857).
 */
export interface Interval {
  low: number;
  high: number;
}

/** The 1.96 of the published formula (clinical-facts §9). */
export const Z95 = 1.96;

/** Null for n = 0 (no share to bound). x must be a whole number in 0…n. */
export function wilson(x: number, n: number, z = Z95): Interval | null {
  if (!Number.isInteger(n) || !Number.isInteger(x) || n < 0 || x < 0 || x > n) {
    throw new RangeError(`wilson: need whole numbers 0 ≤ x ≤ n (got ${x} of ${n})`);
  }
  if (n === 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Clamped: at x = 0 or x = n rounding can put an end a hair outside [0, 1] or off p̂ itself.
  return { low: x === 0 ? 0 : Math.max(0, centre - half), high: x === n ? 1 : Math.min(1, centre + half) };
}
