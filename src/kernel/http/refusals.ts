import type { Database } from '../db/database.ts';
import { Refusal } from '../refusal.ts';
import { rateStoreOf, type RateStore } from './rate-store.ts';

/**
 * Counts events per client address in a fixed window: refused link attempts (tampered, expired or unknown tokens),
 * and consultation requests. A person with a real link is never refused, so only someone trying many links reaches
 * that limit; past it they get a plain 429, written nowhere, until the window ends: the audit trail holds at most
 * that many refusals per address and window. Counted in the database's rate store (rate-store.ts), so instances
 * sharing a PostgreSQL database share the budget.
 */
export interface AddressLimiter {
  /** True when this address is over the limit now. */
  blocked(ip: string, now: number): Promise<boolean>;
  /** Counts an event. */
  note(ip: string, now: number): Promise<void>;
  /** Counts an event and says whether it was over the limit: check and count in one step, so two instances cannot both take the last place. */
  take(ip: string, now: number): Promise<boolean>;
}

export function addressLimiter(store: RateStore, name: string, max: number, windowMs: number): AddressLimiter {
  const key = (ip: string) => `${name}:${ip}`;
  return {
    blocked: async (ip, now) => (await store.count(key(ip), now)) >= max,
    note: async (ip, now) => {
      await store.hit(key(ip), windowMs, now);
    },
    take: async (ip, now) => (await store.hit(key(ip), windowMs, now)).count > max,
  };
}

/**
 * The limiter shared by every link route (booking links and waitlist offers share the count): 30 refused links per
 * address per 10 minutes.
 */
export function linkRefusals(deps: { database: Database }): AddressLimiter {
  return addressLimiter(rateStoreOf(deps.database), 'links', 30, 10 * 60_000);
}

/** Stops a link route early, before any lookup or audit write, for an address over the limit. */
export async function tooManyRefusals(deps: { database: Database }, visitor: { ip: string; now: number }) {
  if (await linkRefusals(deps).blocked(visitor.ip, visitor.now)) {
    throw new Refusal(
      'too_many_links',
      'Many links that did not work came from your connection. Please wait ten minutes, or call us and we will help.',
    );
  }
}
