/**
 * Controlled-substance arithmetic (ketamine is Schedule III): every bag balances, dispensed = infused + wasted, and
 * each lot keeps a running balance once the clinic records stock received. Pure. Amounts are mg to 0.01 mg.
 */

export interface BagAmounts {
  dispensedMg: number;
  infusedMg: number;
  wastedMg: number;
}

export interface BagBalance {
  balanced: boolean;
  /**
   * dispensed − infused − wasted, to 0.01 mg: above 0, drug not yet accounted for; below 0, more accounted for than
   * was dispensed.
   */
  differenceMg: number;
}

/** Rounds to 0.01 mg, halves away from zero, so −0.005 and 0.005 round alike. */
export function toHundredths(mg: number): number {
  const r = Math.sign(mg) * Math.round(Math.abs(mg) * 100);
  return r === 0 ? 0 : r / 100;
}

/**
 * Whether a bag's numbers balance. The difference is worked at full precision and only then rounded, so amounts
 * that add up in the arithmetic that produced them always balance; balanced at |difference| < 0.005 mg.
 */
export function reconcileBag({ dispensedMg, infusedMg, wastedMg }: BagAmounts): BagBalance {
  const raw = dispensedMg - infusedMg - wastedMg;
  return { balanced: Math.abs(raw) < 0.005, differenceMg: toHundredths(raw) };
}

export interface StockReceived {
  lot: string;
  at: number;
  mg: number;
}

export interface StockMovement {
  lot: string;
  at: number;
  /** Drug taken from the lot's stock for a bag (what is given and what is wasted both come out of it). */
  dispensedMg: number;
  /** The session or record the movement belongs to, carried through for the log. */
  ref?: string;
}

export interface LotEntry {
  at: number;
  kind: 'received' | 'dispensed';
  mg: number;
  ref?: string;
  /** The lot's balance after this entry; null when the lot has no stock received on record. */
  balanceMg: number | null;
}

export interface LotBalance {
  lot: string;
  /** False when no stock received is on record for the lot: no running balance can be kept. */
  tracked: boolean;
  receivedMg: number;
  dispensedMg: number;
  balanceMg: number | null;
  /** True when the balance ever went below zero: more given out than was received. */
  overdrawn: boolean;
  entries: LotEntry[];
}

/**
 * Each lot's running balance, lots in name order, entries in time order (stock received at an instant counts before
 * what is dispensed at it). Sums are kept in whole hundredths of a mg, so long logs do not drift.
 */
export function lotBalances(received: readonly StockReceived[], movements: readonly StockMovement[]): LotBalance[] {
  const lots = new Map<string, { at: number; order: number; kind: LotEntry['kind']; cents: number; ref?: string }[]>();
  const add = (
    lot: string,
    entry: { at: number; order: number; kind: LotEntry['kind']; cents: number; ref?: string },
  ) => {
    const list = lots.get(lot) ?? [];
    list.push(entry);
    lots.set(lot, list);
  };
  received.forEach((r, i) => add(r.lot, { at: r.at, order: i, kind: 'received', cents: Math.round(r.mg * 100) }));
  movements.forEach((m, i) =>
    add(m.lot, {
      at: m.at,
      order: i,
      kind: 'dispensed',
      cents: Math.round(m.dispensedMg * 100),
      ...(m.ref === undefined ? {} : { ref: m.ref }),
    }),
  );

  return [...lots.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((lot) => {
      const list = lots
        .get(lot)!
        .sort((a, b) => a.at - b.at || (a.kind === b.kind ? a.order - b.order : a.kind === 'received' ? -1 : 1));
      const tracked = list.some((e) => e.kind === 'received');
      let balance = 0;
      let received = 0;
      let dispensed = 0;
      let overdrawn = false;
      const entries = list.map((e): LotEntry => {
        if (e.kind === 'received') received += e.cents;
        else dispensed += e.cents;
        balance += e.kind === 'received' ? e.cents : -e.cents;
        if (tracked && balance < 0) overdrawn = true;
        return {
          at: e.at,
          kind: e.kind,
          mg: e.cents / 100,
          ...(e.ref === undefined ? {} : { ref: e.ref }),
          balanceMg: tracked ? balance / 100 : null,
        };
      });
      return {
        lot,
        tracked,
        receivedMg: received / 100,
        dispensedMg: dispensed / 100,
        balanceMg: tracked ? balance / 100 : null,
        overdrawn,
        entries,
      };
    });
}
