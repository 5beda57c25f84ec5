import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database.ts';
import { databaseRateStore, rateStoreOf } from '../../src/kernel/http/rate-store.ts';
import { engine, startTestRuntime, stopTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { Browser, csrfFrom } from '../helpers/staff.ts';
import { formBody, newKey, nextIp, VALID_REQUEST } from '../helpers/journey.ts';

describe('rate store in the database', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ seed: 'none' });
  });
  afterAll(() => stopTestRuntime(rt));

  it('counts a fixed window per key, then starts afresh once it has ended', async () => {
    const store = databaseRateStore(rt.database);
    expect(await store.hit('t:a', 1000, 100)).toEqual({ count: 1, resetAt: 1100 });
    expect(await store.hit('t:a', 1000, 600)).toEqual({ count: 2, resetAt: 1100 });
    expect(await store.count('t:a', 1099)).toBe(2);
    expect(await store.count('t:b', 600)).toBe(0);
    expect(await store.count('t:a', 1100)).toBe(0);
    expect(await store.hit('t:a', 1000, 1100)).toEqual({ count: 1, resetAt: 2100 });
  });

  it('two connections counting one key at once each get their own count: no place is handed out twice', async () => {
    // A second handle on the same database, as a second instance has (SQLite: the same file; PostgreSQL: the schema).
    const other = openDatabase({
      dataDir: rt.config.dataDir,
      databaseUrl: rt.config.databaseUrl,
      databaseSchema: rt.config.databaseSchema,
    });
    try {
      const [a, b] = [databaseRateStore(rt.database), databaseRateStore(other)];
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit('t:c', 60_000, 5)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it('sweeps finished windows now and then, and keeps the others', async () => {
    const store = databaseRateStore(rt.database);
    await store.hit('t:old', 1000, 0);
    await store.hit('t:new', 10 * 60_000, 0);
    await store.hit('t:new', 10 * 60_000, 6 * 60_000); // the first hit after five minutes sweeps
    await new Promise((r) => setTimeout(r, 200)); // the sweep runs off the request's path
    const keys = await rt.database.db.selectFrom('rate_limit_hits').select('key').where('key', 'like', 't:%').execute();
    expect(keys.map((k) => k.key).sort()).toEqual(['t:new']);
  });

  it('the app counts in the database on PostgreSQL, in memory on SQLite (one process; no durable write per request)', async () => {
    await rateStoreOf(rt.database).hit('app:x', 1000, 0);
    const row = await rt.database.db.selectFrom('rate_limit_hits').select('count').where('key', '=', 'app:x').execute();
    expect(row).toEqual(engine === 'postgres' ? [{ count: 1 }] : []);
  });
});

/** Two apps on one PostgreSQL database, as two instances behind a proxy: each limit is one budget between them. */
describe.skipIf(engine === 'sqlite')('rate limits shared by two instances', () => {
  let a: TestRuntime;
  let b: TestRuntime;
  beforeAll(async () => {
    a = await startTestRuntime();
    b = await startTestRuntime({
      reuse: { dataDir: a.config.dataDir, schema: a.config.databaseSchema, databaseUrl: a.config.databaseUrl },
    });
  });
  afterAll(async () => {
    await stopTestRuntime(b, true);
    await stopTestRuntime(a);
  });

  it('the forgotten-password form: five per address, the sixth refused whichever instance takes it', async () => {
    const [onA, onB] = [new Browser(a), new Browser(b)];
    onB.cookies = onA.cookies; // one browser, its requests shared out by the proxy
    onB.ip = onA.ip;
    const csrf = csrfFrom((await onA.get('/staff/forgot')).body);
    const codes = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await (i % 2 ? onB : onA).post('/staff/forgot', { _csrf: csrf, email: 'nobody@example.com' })).statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('the consultation form: ten per address, the eleventh refused with the plain explanation', async () => {
    const ip = nextIp();
    const statuses = [];
    let last = '';
    for (let i = 0; i < 11; i++) {
      const res = await (i % 2 ? b : a).app.inject({
        method: 'POST',
        url: '/consultation',
        remoteAddress: ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...VALID_REQUEST, email: `shared${i}@example.com`, form_key: newKey() }),
      });
      statuses.push(res.statusCode);
      last = res.body;
    }
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(last).toContain('several requests from your connection');
  });

  it('refused links: thirty per address, then 429 on either instance', async () => {
    const ip = nextIp();
    const open = (rt: TestRuntime, i: number) =>
      rt.app.inject({ method: 'GET', url: `/book/not-a-real-token-${i}`, remoteAddress: ip });
    for (let i = 0; i < 30; i++) expect((await open(i % 2 ? b : a, i)).statusCode).toBe(404);
    expect((await open(a, 30)).statusCode).toBe(429);
    expect((await open(b, 31)).statusCode).toBe(429);
  });
});
