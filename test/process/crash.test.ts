import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../../src/kernel/db/database.ts';
import { adminQuery } from '../helpers/runtime.ts';
import { VALID_REQUEST } from '../helpers/journey.ts';
import { freePort, waitFor } from '../helpers/process.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('durability of the real server process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-crash-'));
  const schema = `crash_${randomBytes(5).toString('hex')}`;
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

  function startServer(port: number, smtpPort: number): ChildProcess {
    const child = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        SECRET: 'crash-test-secret-crash-test-secret-0123',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        MAIL_RETRY_SECONDS: '1',
        LOG_LEVEL: 'silent',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  async function outboxState() {
    const database = openDatabase({ dataDir, databaseUrl: pgUrl, databaseSchema: pgUrl ? schema : undefined });
    try {
      const requests = await database.db.selectFrom('consultation_requests').select('id').execute();
      const jobs = await database.db.selectFrom('outbox').select(['status', 'attempts']).execute();
      return { requests, jobs };
    } finally {
      await database.close();
    }
  }

  it('keeps an acknowledged request through kill -9 and delivers its email after restart', async () => {
    if (pgUrl) await adminQuery(pgUrl, `create schema ${schema}`);
    const [port, smtpPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const first = startServer(port, smtpPort); // SMTP is down: nothing listens on smtpPort yet
    await waitFor('server start', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));

    const form = await (await fetch(`${base}/consultation`)).text();
    const key = /name="form_key" value="([^"]+)"/.exec(form)![1]!;
    const res = await fetch(`${base}/consultation`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...VALID_REQUEST, form_key: key }),
    });
    expect(res.status).toBe(303);
    // Wait until the first delivery attempt has failed against the closed SMTP port, then crash hard.
    await waitFor('a failed attempt', async () => {
      const { jobs } = await outboxState();
      return jobs[0] && jobs[0].status === 'pending' && jobs[0].attempts >= 1 ? true : undefined;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const after = await outboxState();
    expect(after.requests).toHaveLength(1);
    expect(after.jobs).toEqual([expect.objectContaining({ status: 'pending' })]);

    const inbox: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    try {
      const second = startServer(port, smtpPort);
      await waitFor('server restart', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
      await waitFor('the email', async () => (inbox.length > 0 ? true : undefined));
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toContain('Book your consultation');
      await waitFor('the job marked sent', async () =>
        (await outboxState()).jobs[0]?.status === 'sent' ? true : undefined,
      );
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
