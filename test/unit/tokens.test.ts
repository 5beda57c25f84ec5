import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tokens } from '../../src/kernel/tokens.ts';

const tokens = new Tokens('unit-test-secret-unit-test-secret-0000');
const claims = { purpose: 'book' as const, ref: 'req-1', location: 'loc-chicago', expiresAt: 2_000_000_000_000 };

describe('signed link tokens', () => {
  it('round-trips and is unique per issue', () => {
    const a = tokens.sign(claims);
    const b = tokens.sign(claims);
    expect(a).not.toBe(b);
    expect(tokens.verify(a, 'book', 1_000)).toEqual({ ok: true, claims: { ...claims, expiresAt: 2_000_000_000_000 } });
  });

  it('expires at the boundary', () => {
    const t = tokens.sign(claims);
    expect(tokens.verify(t, 'book', claims.expiresAt - 1).ok).toBe(true);
    expect(tokens.verify(t, 'book', claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another purpose, another secret, and any change to a single character', () => {
    const t = tokens.sign(claims);
    expect(tokens.verify(t, 'thanks', 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(new Tokens('another-secret-another-secret-another').verify(t, 'book', 0)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    fc.assert(
      fc.property(fc.nat({ max: t.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (i, c) => {
        fc.pre(t[i] !== c);
        const changed = t.slice(0, i) + c + t.slice(i + 1);
        expect(tokens.verify(changed, 'book', 0).ok).toBe(false);
      }),
    );
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 800 }), (s) => {
        expect(tokens.verify(s, 'book', 0).ok).toBe(false);
      }),
    );
  });
});
