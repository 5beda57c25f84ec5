import { describe, expect, it } from 'vitest';
import { addressLimiter } from '../../src/kernel/http/refusals.ts';

describe('refusal limiter', () => {
  it('blocks an address from its max-th refusal until the window ends, and no other address', () => {
    const limit = addressLimiter(3, 1000);
    for (let i = 0; i < 2; i++) limit.note('a', 100 + i);
    expect(limit.blocked('a', 200)).toBe(false);
    limit.note('a', 300);
    expect(limit.blocked('a', 300)).toBe(true);
    expect(limit.blocked('a', 1099)).toBe(true); // the window opened at 100
    expect(limit.blocked('a', 1100)).toBe(false);
    expect(limit.blocked('b', 300)).toBe(false);
  });

  it('starts a fresh window after the old one ends', () => {
    const limit = addressLimiter(2, 1000);
    limit.note('a', 0);
    limit.note('a', 1000); // first of a new window
    expect(limit.blocked('a', 1001)).toBe(false);
    limit.note('a', 1500);
    expect(limit.blocked('a', 1501)).toBe(true);
  });
});
