import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/kernel/db/database.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import { enqueue } from '../../src/kernel/outbox/outbox.ts';
import { DEMO_PASSWORD, DEMO_STAFF } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { SESSION_COOKIE } from '../../src/kernel/http/guard.ts';
import { adminQuery } from '../helpers/runtime.ts';
import { VALID_REQUEST } from '../helpers/journey.ts';
import { freePort, waitFor } from '../helpers/process.ts';

/**
 * Two Relief processes on one PostgreSQL database, as behind a load balancer: they start together on an empty
 * database, share sign-ins and CSRF, share the rate limits, and deliver the outbox once between them, one of them
 * killed midway. SQLite is one process by design, so this runs in the PostgreSQL pass of the suite only.
 */
const pgUrl = process.env.DATABASE_URL;
const root = new URL('../../', import.meta.url).pathname;
const SECRET = 'two-instances-secret-two-instances-secret-01';
const PUBLIC_URL = 'http://clinic.localhost';

/** A mail server that keeps the Message-ID of every message it accepts. */
async function smtpPeer(port: number, received: string[]): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // No reverse DNS lookup of each connecting client (up to 1.5 s each): only local instances connect.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const id = /^Message-ID:\s*<([^>]+)>/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
        if (id) received.push(id.split('@')[0]!);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

interface Instance {
  name: string;
  base: string;
  child: ChildProcess;
  stderr: string[];
}

/**
 * One person's browser behind the clinic's proxy: its cookies go to whichever instance the proxy picks, and the proxy
 * names the client's address in X-Forwarded-For (TRUST_PROXY=loopback believes it).
 */
class Visitor {
  cookies = new Map<string, string>();
  constructor(readonly ip: string) {}

  async send(to: Instance, path: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
    const res = await fetch(`${to.base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        'x-forwarded-for': this.ip,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0$/i.test(a));
      if (gone) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return { status: res.status, body: await res.text() };
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.skipIf(!pgUrl)('two instances on one PostgreSQL', () => {
  const schema = `two_${randomBytes(5).toString('hex')}`;
  const databaseUrl = pgUrl
    ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    : '';
  const dirs: string[] = [];
  const peers: SMTPServer[] = [];
  let database: Database;
  let a: Instance;
  let b: Instance;
  /** Message-IDs each instance's mail server took (each instance sends through its own, so both are seen working). */
  const throughA: string[] = [];
  const throughB: string[] = [];

  function start(name: string, port: number, smtpPort: number): Instance {
    const dataDir = mkdtempSync(join(tmpdir(), `relief-two-${name}-`));
    dirs.push(dataDir);
    const child = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        // Each its own folder: nothing an instance needs may live on one machine's disk.
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        SECRET,
        PUBLIC_URL,
        TRUST_PROXY: 'loopback',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        MAIL_LEASE_SECONDS: '10',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c.toString('utf8')));
    return { name, base: `http://127.0.0.1:${port}`, child, stderr };
  }

  /** Ready to serve, or a failure naming what the instance printed if it stopped (say, a migration that failed). */
  const ready = async (i: Instance) => {
    const state = await waitFor(`instance ${i.name} ready`, async () => {
      if (i.child.exitCode !== null) return 'exited';
      return (await fetch(`${i.base}/readyz`)).ok ? 'ready' : undefined;
    });
    if (state === 'exited') throw new Error(`instance ${i.name} exited: ${i.stderr.join('')}`);
  };

  beforeAll(async () => {
    await adminQuery(pgUrl!, `create schema ${schema}`);
    database = openDatabase({ dataDir: tmpdir(), databaseUrl: pgUrl, databaseSchema: schema });
    const [portA, portB, smtpA, smtpB] = [await freePort(), await freePort(), await freePort(), await freePort()];
    peers.push(await smtpPeer(smtpA, throughA), await smtpPeer(smtpB, throughB));
    // Both at the same moment, on an empty schema: they race to migrate and to seed the demo clinic.
    a = start('A', portA, smtpA);
    b = start('B', portB, smtpB);
  });

  afterAll(async () => {
    for (const i of [a, b]) if (i && i.child.exitCode === null) i.child.kill('SIGKILL');
    for (const peer of peers) await new Promise<void>((resolve) => peer.close(() => resolve()));
    await database?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await adminQuery(pgUrl!, `drop schema if exists ${schema} cascade`);
  });

  it('both start together on an empty database: each migration ran once, the demo was seeded once, neither failed', async () => {
    await Promise.all([ready(a), ready(b)]);
    const applied = await sql<{ name: string }>`select name from relief_migrations order by name`.execute(database.db);
    expect(applied.rows.map((m) => m.name)).toEqual(MIGRATIONS.map(([name]) => name));
    const clinics = await database.db.selectFrom('clinic').select('id').execute();
    expect(clinics).toHaveLength(1);
    const staff = await database.db.selectFrom('users').select('email').execute();
    expect(staff.map((s) => s.email).sort()).toEqual(DEMO_STAFF.map((s) => s.email).sort());
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
    expect(a.stderr.join('') + b.stderr.join('')).toBe('');
  });

  it('a sign-in made on one works on the other, and CSRF holds on both', async () => {
    const admin = DEMO_STAFF.find((s) => s.role === 'admin')!;
    const browser = new Visitor('203.0.113.20');
    // The sign-in form from A, posted to B: the login CSRF token is signed with the shared SECRET.
    const form = await browser.send(a, '/staff/sign-in');
    const password = await browser.send(b, '/staff/sign-in', {
      _csrf: csrfOf(form.body),
      email: admin.email,
      password: DEMO_PASSWORD,
      next: '/staff',
    });
    expect(password.status).toBe(303);
    const mfa = await browser.send(a, '/staff/mfa?next=%2Fstaff');
    expect(mfa.status).toBe(200);
    const code = totpCode(admin.totp, Date.now());
    const done = await browser.send(b, '/staff/mfa', { _csrf: csrfOf(mfa.body), code, next: '/staff' });
    expect(done.status).toBe(303);

    for (const on of [a, b]) {
      const page = await browser.send(on, '/staff/patients');
      expect(page.status, on.name).toBe(200);
    }
    // A form from A, posted to B: the session's CSRF token lives in the shared database.
    const patients = await browser.send(a, '/staff/patients');
    const token = csrfOf(patients.body);
    expect((await browser.send(b, '/staff/patients', { _csrf: token, q: 'Nobody' })).status).toBe(200);
    expect((await browser.send(b, '/staff/patients', { _csrf: 'forged', q: 'Nobody' })).status).toBe(403);
    expect((await browser.send(a, '/staff/patients', { q: 'Nobody' })).status).toBe(403);

    // Signed out on B: the same cookie no longer opens anything on A.
    const session = browser.cookies.get(SESSION_COOKIE) ?? '';
    expect((await browser.send(b, '/staff/sign-out', { _csrf: token })).status).toBe(303);
    const replay = new Visitor(browser.ip);
    replay.cookies.set(SESSION_COOKIE, session);
    const refused = await replay.send(a, '/staff/patients');
    expect(refused.status).toBe(303);
  });

  it('rate limits hold across instances: the budget plus one, split A/B/A/B, and the last is refused', async () => {
    // The forgotten-password form: five per address per 15 minutes.
    const someone = new Visitor('203.0.113.30');
    const token = csrfOf((await someone.send(a, '/staff/forgot')).body);
    const forgot = [];
    for (let i = 0; i < 6; i++)
      forgot.push(
        (await someone.send(i % 2 ? b : a, '/staff/forgot', { _csrf: token, email: 'x@example.com' })).status,
      );
    expect(forgot).toEqual([200, 200, 200, 200, 200, 429]);

    // The consultation form: ten requests per address per 15 minutes, whichever instance takes them.
    const asker = new Visitor('203.0.113.31');
    const consultation = [];
    for (let i = 0; i < 11; i++) {
      const on = i % 2 ? b : a;
      const key = /name="form_key" value="([^"]+)"/.exec((await asker.send(on, '/consultation')).body)![1]!;
      const res = await asker.send(on, '/consultation', {
        ...VALID_REQUEST,
        email: `ask${i}@example.com`,
        form_key: key,
      });
      consultation.push(res.status);
    }
    expect(consultation).toEqual([...Array<number>(10).fill(303), 429]);

    // Refused links: thirty per address per 10 minutes.
    const scanner = new Visitor('203.0.113.32');
    const links = [];
    for (let i = 0; i < 31; i++) links.push((await scanner.send(i % 2 ? b : a, `/book/not-a-token-${i}`)).status);
    expect(links).toEqual([...Array<number>(30).fill(404), 429]);
  });

  it('the outbox sends 500 messages once between both workers, one of them killed midway', async () => {
    // One person's request; the 500 messages are its booking link, queued again and again.
    const asker = new Visitor('203.0.113.40');
    const key = /name="form_key" value="([^"]+)"/.exec((await asker.send(b, '/consultation')).body)![1]!;
    const email = 'outbox@example.com';
    expect((await asker.send(b, '/consultation', { ...VALID_REQUEST, email, form_key: key })).status).toBe(303);
    const request = await database.db
      .selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const before = new Set(
      await database.db
        .selectFrom('outbox')
        .select('id')
        .execute()
        .then((r) => r.map((j) => j.id)),
    );
    const now = Date.now();
    const jobs = Array.from({ length: 500 }, () => ({ kind: 'booking_link' as const, refId: request.id, runAt: now }));
    await database.transact((trx) => enqueue(trx, jobs, now));
    const ours = (await database.db.selectFrom('outbox').select('id').execute())
      .map((j) => j.id)
      .filter((id) => !before.has(id));
    expect(ours).toHaveLength(500);
    const mine = new Set(ours);
    const delivered = () => [...throughA, ...throughB].filter((id) => mine.has(id));

    // Kill A hard midway, whatever it holds: claimed jobs not yet sent, maybe one sent but not yet marked.
    const started = Date.now();
    await waitFor('half the messages', async () => (new Set(delivered()).size >= 250 ? true : undefined));
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    const byAAtKill = throughA.filter((id) => mine.has(id)).length;

    let progress = '';
    // B finishes: what A held is taken over once its lease (MAIL_LEASE_SECONDS=10) has run out.
    await waitFor(
      'every message delivered and marked sent',
      async () => {
        const unsent = await database.db
          .selectFrom('outbox')
          .select('id')
          .where('id', 'in', ours)
          .where('status', '!=', 'sent')
          .execute();
        progress = `${new Set(delivered()).size} of 500 delivered, ${unsent.length} not marked sent`;
        return unsent.length === 0 && new Set(delivered()).size === 500 ? true : undefined;
      },
      // About 20 s on an idle machine; much longer on a shared, loaded one, where each send waits for the CPU.
      150_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${progress}; B: ${b.stderr.join('').slice(0, 2000)}`);
    });
    const all = delivered();
    const twice = all.length - new Set(all).size;
    const takenOver = await database.db
      .selectFrom('outbox')
      .select('id')
      .where('id', 'in', ours)
      .where('attempts', '>', 1)
      .execute();
    console.info(
      `two instances: 500 messages, ${byAAtKill} sent by A before kill -9, ${takenOver.length} taken over by B after ` +
        `the lease, ${twice} delivered twice (a kill between send and mark), ${Date.now() - started} ms`,
    );
    expect(byAAtKill).toBeGreaterThan(0);
    expect(throughB.filter((id) => mine.has(id)).length).toBeGreaterThan(0);
    // A sends one message at a time: a kill can fall between the send and its mark for one message at most, and
    // only a message taken over after the lease can have been sent twice.
    expect(twice).toBeLessThanOrEqual(1);
    const repeated = all.filter((id, i) => all.indexOf(id) !== i);
    for (const id of repeated) expect(takenOver.map((j) => j.id)).toContain(id);
    expect(b.child.exitCode).toBeNull();
  });
});
