import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/kernel/db/database.ts';
import { DEMO_PASSWORD, DEMO_STAFF } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { GOOD_VITALS } from '../helpers/checkin.ts';
import { freePort, waitFor } from '../helpers/process.ts';
import { adminQuery, type TestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, orderedVisit } from '../helpers/sessions.ts';

const root = new URL('../../', import.meta.url).pathname;
const DAY = 86_400_000;

/** A browser's cookies against the real server. */
class Visitor {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async send(path: string, form?: Record<string, string>): Promise<{ status: number; body: string; location: string }> {
    const res = await fetch(`${this.base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (value === '' || attributes.some((a) => /^\s*max-age=0$/i.test(a))) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? '' };
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('a vitals reading through kill -9 of the real server process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-vitals-crash-'));
  const schema = `vitals_crash_${randomBytes(5).toString('hex')}`;
  const pgUrl = process.env.DATABASE_URL;
  const databaseUrl = pgUrl
    ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
    : undefined;
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (pgUrl) await adminQuery(pgUrl, `drop schema if exists ${schema} cascade`);
  });

  function startServer(port: number): ChildProcess {
    const child = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        SECRET: 'vitals-crash-secret-vitals-crash-secret-01',
        LOG_LEVEL: 'silent',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  const open = () => openDatabase({ dataDir, databaseUrl: pgUrl, databaseSchema: pgUrl ? schema : undefined });
  const readingsOf = (database: Database, sessionId: string) =>
    database.db.selectFrom('session_vitals').selectAll().where('session_id', '=', sessionId).execute();

  it('keeps a reading that got its answer, and a resend after the restart is stored once', async () => {
    if (pgUrl) await adminQuery(pgUrl, `create schema ${schema}`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = startServer(port); // migrates and seeds the demo clinic and staff
    await waitFor('server start', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 120_000);

    // A checked-in session of a Chicago patient, written beside the running server. The fixtures book the visit
    // far ahead of the demo's own visits; the session itself began ten minutes ago.
    const database = open();
    let sessionId: string;
    let patientId: string;
    try {
      const far = { database, clock: { now: () => Date.now() + 400 * DAY } } as unknown as TestRuntime;
      const visit = await orderedVisit(far, 'Crash');
      patientId = visit.patientId;
      sessionId = await checkedInSession(far, visit, Date.now() - 10 * 60_000);
    } finally {
      await database.close();
    }

    const nurse = new Visitor(base);
    const account = DEMO_STAFF.find((s) => s.email === 'nurse@relief.example')!;
    const signInForm = await nurse.send('/staff/sign-in');
    const password = await nurse.send('/staff/sign-in', {
      _csrf: csrfOf(signInForm.body),
      email: account.email,
      password: DEMO_PASSWORD,
      next: '/staff',
    });
    expect(password.status).toBe(303);
    const mfa = await nurse.send(password.location);
    const done = await nurse.send('/staff/mfa', {
      _csrf: csrfOf(mfa.body),
      code: totpCode(account.totp, Date.now()),
      next: '/staff',
    });
    expect(done.status, done.body.slice(0, 300)).toBe(303);

    const url = `/staff/patients/${patientId}/sessions/${sessionId}`;
    const page = await nurse.send(url);
    expect(page.status).toBe(200);
    const form = {
      _csrf: csrfOf(page.body),
      version: /name="version" value="(\d+)"/.exec(page.body)![1]!,
      entry_key: /name="entry_key" value="([^"]+)"/.exec(page.body)![1]!,
      ...GOOD_VITALS,
      systolic: '131',
    };
    const saved = await nurse.send(`${url}/vitals`, form);
    expect(saved.status).toBe(303);
    expect(saved.location).toContain('saved=vitals');

    // The answer came: now the hardest stop there is, with no chance to flush anything.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const after = open();
    try {
      const rows = await readingsOf(after, sessionId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ systolic: 131, diastolic: 82, entry_key: form.entry_key, phase: 'pre' });
    } finally {
      await after.close();
    }

    // The nurse did not see the answer (say) and sends the same form again once the server is back: kept once.
    const second = startServer(port);
    await waitFor('server restart', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 120_000);
    const resent = await nurse.send(`${url}/vitals`, form);
    expect(resent.status).toBe(303);
    expect(resent.location).toContain('saved=vitals_again');
    const last = open();
    try {
      expect(await readingsOf(last, sessionId)).toHaveLength(1);
    } finally {
      await last.close();
    }
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }, 240_000);
});
