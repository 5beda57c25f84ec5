import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/kernel/outbox/outbox.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import { bookOnline, requestAndGetLink } from '../helpers/journey.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';

const TOKEN = 'metrics-token-metrics-token-metrics-0123';
const OUTSIDE = '203.0.113.9';

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and readiness', () => {
  const runtime = useTestRuntime();

  it('/healthz answers while the process runs', async () => {
    const res = await runtime().app.inject({ url: '/healthz', remoteAddress: OUTSIDE });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('/readyz is ready with the database reachable and every migration applied, and reports the outbox', async () => {
    const res = await runtime().app.inject({ url: '/readyz', remoteAddress: OUTSIDE });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      ready: true,
      database: 'ok',
      migrations: { current: true, pending: [] },
      outbox: { due: 0, retrying: 0, oldestDueSeconds: 0, failed: 0 },
      backup: { state: 'off', ready: true },
    });
  });

  it('/readyz counts mail that is due and not delivered, and how long the oldest has waited', async () => {
    const rt = runtime();
    rt.mail.failing = true;
    await requestAndGetLink(rt).catch(() => undefined); // the booking link cannot go out: SMTP is down
    await rt.database.transact((trx) =>
      enqueue(trx, { kind: 'booking_link', refId: 'r-later', runAt: rt.clock.now() + 3_600_000 }, rt.clock.now()),
    );
    rt.clock.advance(90_000);
    const body = (await rt.app.inject({ url: '/readyz' })).json<{ ready: boolean; outbox: Record<string, number> }>();
    // Still ready: slow mail is a warning for people, not a reason to take the instance out of service.
    expect(body.ready).toBe(true);
    // The failed link waits for its retry; the job due in an hour is not backlog yet.
    expect(body.outbox).toMatchObject({ retrying: 1, failed: 0 });
    rt.clock.advance(3_600_000);
    const later = (await rt.app.inject({ url: '/readyz' })).json<{ outbox: Record<string, number> }>();
    expect(later.outbox.due).toBe(2);
    expect(later.outbox.oldestDueSeconds).toBeGreaterThanOrEqual(3_600);
  });

  it('/readyz answers 503 while a migration of this release is not applied', async () => {
    const rt = runtime();
    const last = MIGRATIONS.at(-1)![0];
    await rt.database.db
      .deleteFrom('relief_migrations' as never)
      .where('name' as never, '=', last as never)
      .execute();
    const res = await rt.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, database: 'ok', migrations: { current: false, pending: [last] } });
  });

  it('/readyz answers 503 when the database cannot be reached', async () => {
    const rt = runtime();
    await rt.database.close();
    const res = await rt.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, database: 'unreachable', outbox: null });
    // Liveness is the process, not the database: a monitor must not restart a healthy process for a database outage.
    expect((await rt.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('metrics', () => {
  const runtime = useTestRuntime({ shared: true, env: { METRICS_TOKEN: TOKEN } });

  it('serve Prometheus text to this computer with no token', async () => {
    const res = await runtime().app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const series of ['nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'relief_outbox_due'])
      expect(sample(res.body, series), series).toBeGreaterThanOrEqual(0);
    expect(sample(res.body, 'relief_outbox_failed')).toBe(0);
    expect(sample(res.body, 'relief_migrations_pending')).toBe(0);
    expect(sample(res.body, 'relief_backup_ok')).toBe(1);
    // The pool is PostgreSQL's; SQLite has one connection and no pool to watch.
    expect(sample(res.body, 'relief_db_pool_connections') !== undefined).toBe(engine === 'postgres');
  });

  it('refuse anyone else without the bearer token, with a 401', async () => {
    const rt = runtime();
    const refused = [
      { remoteAddress: OUTSIDE },
      { remoteAddress: OUTSIDE, headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token-0' } },
      { remoteAddress: OUTSIDE, headers: { authorization: TOKEN } },
      { remoteAddress: OUTSIDE, headers: { authorization: `Bearer ${TOKEN}x` } },
      // A proxy on this computer forwards requests from outside: they are outside.
      { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': OUTSIDE } },
      { remoteAddress: '127.0.0.1', headers: { forwarded: `for=${OUTSIDE}` } },
    ];
    for (const request of refused) {
      const res = await rt.app.inject({ url: '/metrics', ...request });
      expect(res.statusCode, JSON.stringify(request)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('relief_');
    }
    const allowed = await rt.app.inject({
      url: '/metrics',
      remoteAddress: OUTSIDE,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('relief_http_requests_total');
  });

  it('count requests by route pattern, bookings by outcome and mail sent, and hold no personal data', async () => {
    const rt = runtime();
    const scrape = async () => (await rt.app.inject({ url: '/metrics' })).body;
    const before = await scrape();
    const person = { first_name: 'Zebediah', last_name: 'Quillfeather', email: 'zebediah.q@example.com' };
    const link = await requestAndGetLink(rt, person);
    await rt.app.inject({ url: link });
    await bookOnline(rt, 'first', 'chicago', { first_name: 'Zebediah', last_name: 'Quillfeather' });
    await rt.app.inject({ url: '/no/such/page/zebediah' });
    const after = await scrape();

    const booked = 'relief_bookings_total{outcome="booked"}';
    expect((sample(after, booked) ?? 0) - (sample(before, booked) ?? 0)).toBe(1);
    const links = 'relief_outbox_sent_total{kind="booking_link"}';
    expect((sample(after, links) ?? 0) - (sample(before, links) ?? 0)).toBe(2);
    // Pages are counted by their pattern: the token in the address is not.
    expect(after).toMatch(/relief_http_requests_total\{route="\/book\/:token",method="GET",status="2xx"\} \d+/);
    expect(after).toMatch(/relief_http_requests_total\{route="unmatched",method="GET",status="4xx"\} \d+/);
    expect(after).toMatch(/relief_refusals_total\{code="not_found"\} \d+/);
    expect(after).toMatch(
      /relief_http_request_duration_seconds_bucket\{le="0.1",route="\/consultation",method="POST"\}/,
    );

    // Nothing of the person, their link, or any record's id.
    const token = link.split('/').pop()!;
    for (const secret of ['Zebediah', 'zebediah', 'Quillfeather', '@example.com', token, token.slice(0, 16)])
      expect(after, secret).not.toContain(secret);
    expect(after).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(after).not.toMatch(/\/book\/[A-Za-z0-9_-]{12,}/);
  });
});
