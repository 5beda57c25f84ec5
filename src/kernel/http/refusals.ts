import { Refusal } from '../refusal.ts';

/**
 * Counts events per client address in a fixed window: refused link attempts (tampered, expired or unknown tokens),
 * and consultation requests. A person with a real link is never refused, so only someone trying many links reaches
 * that limit; past it they get a plain 429, written nowhere, until the window ends: the audit trail holds at most
 * that many refusals per address and window. In memory, per process: enough to stop a script; a restart forgets.
 */
export interface AddressLimiter {
  /** True when this address is over the limit now. */
  blocked(ip: string, now: number): boolean;
  /** Counts a refusal. */
  note(ip: string, now: number): void;
}

export function addressLimiter(max: number, windowMs: number): AddressLimiter {
  const seen = new Map<string, { count: number; until: number }>();
  const entry = (ip: string, now: number) => {
    let e = seen.get(ip);
    if (!e || e.until <= now) {
      // Drop finished windows now and then, so the map holds only recent addresses.
      if (seen.size > 10_000) for (const [k, v] of seen) if (v.until <= now) seen.delete(k);
      e = { count: 0, until: now + windowMs };
      seen.set(ip, e);
    }
    return e;
  };
  return {
    blocked: (ip, now) => {
      const e = seen.get(ip);
      return e !== undefined && e.until > now && e.count >= max;
    },
    note: (ip, now) => {
      entry(ip, now).count += 1;
    },
  };
}

const byApp = new WeakMap<object, AddressLimiter>();

/**
 * The limiter shared by every link route of one app (keyed by the app's deps object: Fastify gives each plugin its
 * own instance, but they share the deps): 30 refused links per address per 10 minutes.
 */
export function linkRefusals(deps: object): AddressLimiter {
  let limiter = byApp.get(deps);
  if (!limiter) byApp.set(deps, (limiter = addressLimiter(30, 10 * 60_000)));
  return limiter;
}

/** Stops a link route early, before any lookup or audit write, for an address over the limit. */
export function tooManyRefusals(deps: object, visitor: { ip: string; now: number }): void {
  if (linkRefusals(deps).blocked(visitor.ip, visitor.now)) {
    throw new Refusal(
      'too_many_links',
      'Many links that did not work came from your connection. Please wait ten minutes, or call us and we will help.',
    );
  }
}
