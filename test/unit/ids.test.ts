import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from '../../src/kernel/ids.ts';

describe('timeOrderedId', () => {
  it('is a version 7 UUID that our id schemas accept, carrying the millisecond in its first 48 bits', () => {
    const at = Date.parse('2026-11-26T06:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by creation time across milliseconds and never repeats within one', () => {
    const ids = [1, 2, 3, 1000, 2 ** 40].map((ms) => timeOrderedId(ms));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(5)));
    expect(same.size).toBe(10_000);
  });
});
