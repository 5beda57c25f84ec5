import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { RateStore } from './rate-store.ts';

/** What @fastify/rate-limit hands a store's child: the route's merged limit settings (its types say less). */
interface RouteLimit {
  timeWindow?: unknown;
  routeInfo?: { method?: string | string[]; url?: string };
}

/**
 * @fastify/rate-limit's per-route limits (`config.rateLimit` on a route), counted in a RateStore instead of the
 * plugin's own memory, so that instances sharing a database share each route's budget per address.
 */
export function routeLimitStore(store: RateStore, now: () => number): FastifyRateLimitStoreCtor {
  class RouteLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly route = 'any',
      private readonly windowMs = 60_000,
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow?: number,
    ): void {
      const at = now();
      store.hit(`route:${this.route}:${key}`, timeWindow ?? this.windowMs, at).then(
        (w) => callback(null, { current: w.count, ttl: Math.max(0, w.resetAt - at) }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(routeOptions: unknown): FastifyRateLimitStore {
      const { timeWindow, routeInfo } = routeOptions as RouteLimit;
      const method = routeInfo?.method ?? '';
      const route = `${Array.isArray(method) ? method.join(',') : method} ${routeInfo?.url ?? ''}`;
      return new RouteLimitStore({}, route, typeof timeWindow === 'number' ? timeWindow : this.windowMs);
    }
  }
  return RouteLimitStore;
}
