import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

/** One key's fixed window after an event was counted: events so far (this one included), and when the window ends. */
export interface RateWindow {
  count: number;
  resetAt: number;
}

/**
 * Counts events per key (what is limited and the client's address) in fixed windows: the rate limits of the sign-in
 * forms, the consultation form and refused links all count here.
 */
export interface RateStore {
  /** Counts one event; a key whose window has ended starts a new one of `windowMs`. */
  hit(key: string, windowMs: number, now: number): Promise<RateWindow>;
  /** Events counted in the key's current window (0 when it has ended), without counting one. */
  count(key: string, now: number): Promise<number>;
}

/**
 * In this process's memory: enough for SQLite, which is one process by design, where counting in the database would
 * cost a durable write (an fsync on the server's one thread, about 3 ms here) per limited request. A restart forgets.
 */
export function memoryRateStore(): RateStore {
  const seen = new Map<string, RateWindow>();
  return {
    async hit(key, windowMs, now) {
      let w = seen.get(key);
      if (!w || w.resetAt <= now) {
        // Drop finished windows now and then, so the map holds only recent keys.
        if (seen.size > 10_000) for (const [k, v] of seen) if (v.resetAt <= now) seen.delete(k);
        w = { count: 0, resetAt: now + windowMs };
        seen.set(key, w);
      }
      w.count += 1;
      return { ...w };
    },
    async count(key, now) {
      const w = seen.get(key);
      return w && w.resetAt > now ? w.count : 0;
    },
  };
}

const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * In the database, shared by every instance on it: one atomic upsert per event, so two instances counting the same
 * key at once cannot both see the last free place. Finished windows are deleted now and then (one cheap statement
 * every few minutes per process; a row left over is harmless, as its window has ended).
 */
export function databaseRateStore(database: Database): RateStore {
  const { db } = database;
  let lastSweep = 0;
  const sweep = (now: number) => {
    if (now - lastSweep < SWEEP_EVERY_MS && now >= lastSweep) return;
    lastSweep = now;
    // Off the request's path: a failed sweep only leaves rows whose windows have ended.
    void db
      .deleteFrom('rate_limit_hits')
      .where('expires_at', '<=', now)
      .execute()
      .catch(() => undefined);
  };
  return {
    async hit(key, windowMs, now) {
      sweep(now);
      const ended = sql<boolean>`rate_limit_hits.expires_at <= ${now}`;
      const row = await db
        .insertInto('rate_limit_hits')
        .values({ key, count: 1, expires_at: now + windowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            count: sql<number>`case when ${ended} then 1 else rate_limit_hits.count + 1 end`,
            expires_at: sql<number>`case when ${ended} then excluded.expires_at else rate_limit_hits.expires_at end`,
          }),
        )
        .returning(['count', 'expires_at'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), resetAt: Number(row.expires_at) };
    },
    async count(key, now) {
      const row = await db
        .selectFrom('rate_limit_hits')
        .select('count')
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row ? Number(row.count) : 0;
    },
  };
}

const stores = new WeakMap<Database, RateStore>();

/**
 * The store of a database, one per opened database so every route of an app counts in the same place: the database
 * itself on PostgreSQL, where several instances may share it; this process's memory on SQLite.
 */
export function rateStoreOf(database: Database): RateStore {
  let store = stores.get(database);
  if (!store) {
    store = database.engine === 'postgres' ? databaseRateStore(database) : memoryRateStore();
    stores.set(database, store);
  }
  return store;
}
