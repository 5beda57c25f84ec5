import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VALID_REQUEST } from '../helpers/journey.ts';
import { freePort } from '../helpers/process.ts';

const root = new URL('../../', import.meta.url).pathname;

describe('logs of the real server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-logs-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carry no names, emails, phones, messages or link tokens (on SQLite; the logger is engine-independent)', async () => {
    const port = await freePort();
    let output = '';
    child = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        SECRET: 'log-test-secret-log-test-secret-0123456',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // A fresh demo start says where the demo staff accounts are described (a newcomer's next step).
    expect(output).toContain('Demo staff accounts');
    expect(output).toContain('README.md');
    const form = await (await fetch(`${base}/consultation`)).text();
    const key = /name="form_key" value="([^"]+)"/.exec(form)![1]!;
    const phi = {
      first_name: 'Quintessa',
      last_name: 'Vandermolen',
      email: 'quintessa.v@example.com',
      phone: '(312) 555-0177',
      message: 'Pain since my wrist fracture',
    };
    const res = await fetch(`${base}/consultation?email=${encodeURIComponent(phi.email)}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...VALID_REQUEST, ...phi, form_key: key }),
    });
    expect(res.status).toBe(303);
    const thanks = res.headers.get('location')!;
    await fetch(`${base}${thanks}`);
    const bad = await fetch(`${base}/book/${'A'.repeat(40)}.${'B'.repeat(43)}`);
    expect(bad.status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    expect(output).toContain('"url":"/consultation"');
    for (const value of [
      ...Object.values(phi),
      '555-0177',
      '5550177',
      'quintessa',
      thanks.split('/').pop()!,
      'A'.repeat(40),
    ]) {
      expect(output.toLowerCase(), value).not.toContain(value.toLowerCase());
    }
  });
});
