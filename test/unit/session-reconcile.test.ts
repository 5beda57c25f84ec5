import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lotBalances, reconcileBag, toHundredths } from '../../src/clinical/sessions/reconcile.ts';

const T0 = Date.parse('2026-12-07T15:00:00.000Z');
const H = 3_600_000;

describe('a bag’s reconciliation, by hand', () => {
  const rows: [string, number, number, number, boolean, number][] = [
    // name, dispensed, infused, wasted, balanced, difference
    ['all given', 100, 100, 0, true, 0],
    ['98 given, 2 wasted', 100, 98, 2, true, 0],
    ['fractions that add up', 100, 97.53, 2.47, true, 0],
    ['a hundredth unaccounted for', 100, 97.53, 2.46, false, 0.01],
    ['a hundredth too many', 100, 97.53, 2.48, false, -0.01],
    ['waste not yet recorded', 100, 60.25, 0, false, 39.75],
    ['under half a hundredth (0.004) is rounding', 0.004, 0, 0, true, 0],
    ['half a hundredth (0.005) is not', 0.005, 0, 0, false, 0.01],
    ['half a hundredth too many is not either', 0, 0, 0.005, false, -0.01],
    ['the pump’s float arithmetic (0.1 + 0.2)', 0.3, 0.1, 0.2, true, 0],
  ];
  it.each(rows)('%s', (_name, dispensedMg, infusedMg, wastedMg, balanced, differenceMg) => {
    expect(reconcileBag({ dispensedMg, infusedMg, wastedMg })).toEqual({ balanced, differenceMg });
  });

  it('rounds halves away from zero both ways, and never gives −0', () => {
    expect([0.005, -0.005, 0.004, -0.004, 1.235].map(toHundredths)).toEqual([0.01, -0.01, 0, 0, 1.24]);
    expect(Object.is(toHundredths(-0.001), 0)).toBe(true);
  });
});

describe('lot balances, by hand', () => {
  it('keeps a running balance per lot, stock received counting first at an instant', () => {
    const lots = lotBalances(
      [
        { lot: 'K-22', at: T0, mg: 1000 },
        { lot: 'K-17', at: T0 - 24 * H, mg: 500 },
        { lot: 'K-22', at: T0 + 3 * H, mg: 500 },
      ],
      [
        { lot: 'K-22', at: T0 + 2 * H, dispensedMg: 100, ref: 's2' },
        { lot: 'K-22', at: T0, dispensedMg: 100, ref: 's1' },
        { lot: 'K-17', at: T0, dispensedMg: 200.5 },
        { lot: 'K-22', at: T0 + 3 * H, dispensedMg: 320 },
      ],
    );
    expect(lots).toEqual([
      {
        lot: 'K-17',
        tracked: true,
        receivedMg: 500,
        dispensedMg: 200.5,
        balanceMg: 299.5,
        overdrawn: false,
        entries: [
          { at: T0 - 24 * H, kind: 'received', mg: 500, balanceMg: 500 },
          { at: T0, kind: 'dispensed', mg: 200.5, balanceMg: 299.5 },
        ],
      },
      {
        lot: 'K-22',
        tracked: true,
        receivedMg: 1500,
        dispensedMg: 520,
        balanceMg: 980,
        overdrawn: false,
        entries: [
          { at: T0, kind: 'received', mg: 1000, balanceMg: 1000 },
          { at: T0, kind: 'dispensed', mg: 100, ref: 's1', balanceMg: 900 },
          { at: T0 + 2 * H, kind: 'dispensed', mg: 100, ref: 's2', balanceMg: 800 },
          { at: T0 + 3 * H, kind: 'received', mg: 500, balanceMg: 1300 },
          { at: T0 + 3 * H, kind: 'dispensed', mg: 320, balanceMg: 980 },
        ],
      },
    ]);
  });

  it('keeps no balance for a lot with no stock received on record, and flags one given out past its stock', () => {
    const [untracked] = lotBalances([], [{ lot: 'X', at: T0, dispensedMg: 100 }]);
    expect(untracked).toMatchObject({ tracked: false, balanceMg: null, overdrawn: false, dispensedMg: 100 });
    expect(untracked!.entries[0]!.balanceMg).toBeNull();
    const [short] = lotBalances(
      [{ lot: 'Y', at: T0, mg: 100 }],
      [
        { lot: 'Y', at: T0 + H, dispensedMg: 100 },
        { lot: 'Y', at: T0 + 2 * H, dispensedMg: 0.01 },
      ],
    );
    expect(short).toMatchObject({ balanceMg: -0.01, overdrawn: true });
  });
});

describe('reconciliation, properties', () => {
  const cents = fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100);

  it('dispensed = infused + wasted always balances', () => {
    fc.assert(
      fc.property(cents, cents, (infusedMg, wastedMg) => {
        expect(reconcileBag({ dispensedMg: infusedMg + wastedMg, infusedMg, wastedMg })).toEqual({
          balanced: true,
          differenceMg: 0,
        });
      }),
    );
  });

  it('any other triple (off by a hundredth or more) does not, and says by how much', () => {
    fc.assert(
      fc.property(
        cents,
        cents,
        fc.integer({ min: -10_000, max: 10_000 }).filter((c) => c !== 0),
        (i, w, off) => {
          const r = reconcileBag({ dispensedMg: i + w + off / 100, infusedMg: i, wastedMg: w });
          expect(r.balanced).toBe(false);
          expect(r.differenceMg).toBe(off / 100);
        },
      ),
    );
  });

  it('a lot’s balance is what was received less what was dispensed, to the hundredth, without drift', () => {
    const lot = fc.constantFrom('A', 'B', 'C');
    fc.assert(
      fc.property(
        fc.array(fc.record({ lot, at: fc.integer({ min: 0, max: 1000 }), mg: cents })),
        fc.array(fc.record({ lot, at: fc.integer({ min: 0, max: 1000 }), dispensedMg: cents })),
        (received, movements) => {
          for (const b of lotBalances(received, movements)) {
            const sum = (xs: number[]) => xs.reduce((a, x) => a + Math.round(x * 100), 0);
            const inCents =
              sum(received.filter((r) => r.lot === b.lot).map((r) => r.mg)) -
              sum(movements.filter((m) => m.lot === b.lot).map((m) => m.dispensedMg));
            expect(b.balanceMg).toBe(b.tracked ? inCents / 100 : null);
            expect(b.entries.at(-1)!.balanceMg).toBe(b.balanceMg);
            expect(b.entries.map((e) => e.at)).toEqual([...b.entries.map((e) => e.at)].sort((x, y) => x - y));
          }
        },
      ),
    );
  });
});
