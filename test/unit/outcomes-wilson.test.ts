import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wilson } from '../../src/clinical/outcomes/wilson.ts';

describe('the Wilson score interval (95 %)', () => {
  it('81 of 263 → 0.2553 to 0.3662 (Newcombe 1998, clinical-facts §9)', () => {
    const ci = wilson(81, 263)!;
    expect(ci.low).toBeCloseTo(0.2553, 4);
    expect(ci.high).toBeCloseTo(0.3662, 4);
  });

  it('0 of n starts at 0 and n of n ends at 1, neither zero-width', () => {
    const none = wilson(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const all = wilson(10, 10)!;
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7225, 4);
  });

  it('n = 0 has no interval; impossible counts are refused', () => {
    expect(wilson(0, 0)).toBeNull();
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(0.5, 2)).toThrow(RangeError);
  });

  it('always within [0, 1] and around the share itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.round(f * n);
        const ci = wilson(x, n)!;
        expect(ci.low).toBeGreaterThanOrEqual(0);
        expect(ci.high).toBeLessThanOrEqual(1);
        expect(ci.low).toBeLessThanOrEqual(x / n + 1e-12);
        expect(ci.high).toBeGreaterThanOrEqual(x / n - 1e-12);
      }),
    );
  });
});
