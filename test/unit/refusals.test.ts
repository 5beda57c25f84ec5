import { describe, expect, it } from 'vitest';
import { addressLimiter } from '../../src/kernel/http/refusals.ts';
import { memoryRateStore } from '../../src/kernel/http/rate-store.ts';

describe('refusal limiter', () => {
  it('blocks an address from its max-th refusal until the window ends, and no other address', async () => {
    const limit = addressLimiter(memoryRateStore(), 'links', 3, 1000);
    for (let i = 0; i < 2; i++) await limit.note('a', 100 + i);
    expect(await limit.blocked('a', 200)).toBe(false);
    await limit.note('a', 300);
    expect(await limit.blocked('a', 300)).toBe(true);
    expect(await limit.blocked('a', 1099)).toBe(true); // the window opened at 100
    expect(await limit.blocked('a', 1100)).toBe(false);
    expect(await limit.blocked('b', 300)).toBe(false);
  });

  it('starts a fresh window after the old one ends', async () => {
    const limit = addressLimiter(memoryRateStore(), 'links', 2, 1000);
    await limit.note('a', 0);
    await limit.note('a', 1000); // first of a new window
    expect(await limit.blocked('a', 1001)).toBe(false);
    await limit.note('a', 1500);
    expect(await limit.blocked('a', 1501)).toBe(true);
  });

  it('take counts and refuses past the budget in one step; limiters of other names count apart', async () => {
    const store = memoryRateStore();
    const form = addressLimiter(store, 'consultation', 2, 1000);
    const links = addressLimiter(store, 'links', 2, 1000);
    expect([await form.take('a', 0), await form.take('a', 1), await form.take('a', 2)]).toEqual([false, false, true]);
    expect(await links.blocked('a', 3)).toBe(false);
    expect(await form.take('a', 1000)).toBe(false); // a new window
  });
});
