import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { auditKeyId } from '../../src/kernel/audit/chain.ts';
import { auditKey } from '../../src/kernel/config.ts';

const root = new URL('../../', import.meta.url).pathname;
const relief = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(root, 'bin/relief.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 30_000,
  });

describe('relief command line', () => {
  it('prints help for the program and for each command', () => {
    const main = relief(['--help']);
    expect(main.status).toBe(0);
    for (const word of ['start', 'migrate', 'seed --demo']) expect(main.stdout).toContain(word);
    for (const command of ['start', 'migrate', 'seed']) {
      const res = relief([command, '--help']);
      expect(res.status).toBe(0);
      expect(res.stdout).toContain(`Usage: relief ${command}`);
    }
  });

  it('fails with one clear line for an unknown command or bad configuration', () => {
    const unknown = relief(['frobnicate']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('relief: unknown command "frobnicate". Run "relief --help".');
    const badPort = relief(['migrate'], { PORT: 'eighty' });
    expect(badPort.status).toBe(1);
    expect(badPort.stderr.trim().split('\n')).toHaveLength(1);
    expect(badPort.stderr).toContain('PORT');
  });

  it('migrates and seeds a fresh SQLite database, and refuses demo data in production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-cli-'));
    try {
      const migrate = relief(['migrate'], { DATA_DIR: dir });
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toContain('001_initial');
      expect(relief(['migrate'], { DATA_DIR: dir }).stdout).toContain('up to date');
      const seed = relief(['seed', '--demo'], { DATA_DIR: dir });
      expect(seed.stdout).toContain('Demo clinic created.');
      expect(relief(['seed', '--demo'], { DATA_DIR: dir }).stdout).toContain('nothing was changed');
      const prod = relief(['seed', '--demo'], { DATA_DIR: dir, NODE_ENV: 'production' });
      expect(prod.status).toBe(1);
      expect(prod.stderr).toContain('production');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audit verify: exit 0 for a clean trail, 1 for a forged checkpoint, 2 for the wrong key; nothing on stderr when piped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-cli-'));
    const SECRET = 'cli-audit-secret-cli-audit-secret-0123';
    const env = { DATA_DIR: dir, SECRET };
    try {
      expect(relief(['seed', '--demo'], env).status).toBe(0);
      const created = relief(
        ['users', 'create', '--email', 'rosa@clinic.org', '--name', 'Rosa Reyes', '--role', 'admin'],
        env,
      );
      expect(created.status, created.stderr).toBe(0);

      const clean = relief(['audit', 'verify'], env);
      expect(clean.status, clean.stderr).toBe(0);
      expect(clean.stderr).toBe('');
      expect(clean.stdout.trim().split('\n')).toEqual([
        'Audit trail intact: 2 events.',
        'Keyed with HMAC-SHA-256 (the key from SECRET) from event #1.',
        `No checkpoint file at ${join(dir, 'audit-checkpoints.log')}.`,
        'No checkpoint covers any event yet: had the newest events been removed, this check could not tell.',
      ]);

      const copy = join(dir, 'copied-checkpoints.log');
      const key = auditKeyId(auditKey(SECRET));
      writeFileSync(
        copy,
        `v1 seq=2 head=${'a'.repeat(64)} keyed=1 key=${key} at=2026-03-02T15:00:00.000Z sig=${'0'.repeat(64)}\n`,
      );
      const forged = relief(['audit', 'verify', '--checkpoints', copy], env);
      expect(forged.status).toBe(1);
      expect(forged.stdout.trim()).toBe(
        `Audit trail BROKEN (bad checkpoint): line 1 of ${copy} has a signature that does not hold (forged or edited).`,
      );

      const wrong = relief(['audit', 'verify'], { ...env, SECRET: 'another-secret-another-secret-another-0' });
      expect(wrong.status).toBe(2);
      expect(wrong.stdout).toMatch(/^Audit trail NOT VERIFIED: the key does not match this chain: /);
      const withKey = relief(['audit', 'verify'], { ...env, AUDIT_KEY: 'a-separate-audit-key-a-separate-audit-key' });
      expect(withKey.status).toBe(2);
      expect(withKey.stdout).toContain("Set AUDIT_KEY to the one this clinic's trail was written with.");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the audit checkpoint file cannot be written, in one line naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-cli-'));
    try {
      const res = relief(['start'], { DATA_DIR: dir, AUDIT_CHECKPOINT_FILE: '/dev/null/audit.log' });
      expect(res.status).toBe(1);
      expect(res.stderr.trim()).toMatch(
        /^relief: Invalid configuration: AUDIT_CHECKPOINT_FILE \/dev\/null\/audit\.log cannot be written \(E[A-Z]+\)$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('relief init', () => {
  const FLAGS = [
    '--clinic-name',
    'Lakeside Pain Clinic',
    '--location-name',
    'Evanston',
    '--timezone',
    'America/Chicago',
    '--address',
    '1000 Davis St',
    '--city',
    'Evanston',
    '--state',
    'IL',
    '--zip',
    '60201',
    '--phone',
    '(847) 555-0100',
    '--admin-name',
    'Rosa Reyes',
    '--admin-email',
    'rosa@lakeside.example',
  ];
  const production = (dir: string) => ({ DATA_DIR: dir, NODE_ENV: 'production', SECRET: 's'.repeat(40) });
  const withFlag = (flag: string, value: string) => FLAGS.map((v, i) => (FLAGS[i - 1] === flag ? value : v));

  it('refuses wrong values by the set-up pages’ rules, naming each option, and creates nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-cli-'));
    try {
      let args = withFlag('--clinic-name', 'Lakeside\u202Egnp.exe');
      args = args.map((v, i) => (args[i - 1] === '--timezone' ? 'Mars/Olympus' : v));
      args = args.map((v, i) => (args[i - 1] === '--phone' ? 'call us' : v));
      const bad = relief(['init', ...args, '--accept-default-types'], production(dir));
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('nothing was created');
      expect(bad.stderr).toContain('--clinic-name: Use plain text only');
      expect(bad.stderr).toContain('--timezone: Use an IANA time zone name');
      expect(bad.stderr).toContain('--phone: Enter a phone number');
      expect(bad.stderr).not.toMatch(/\n\s+at /);
      // Without a terminal, whatever is missing is named, and the types must be accepted or skipped.
      const missing = relief(['init', '--clinic-name', 'Lakeside'], production(dir));
      expect(missing.stderr).toContain('init needs --location-name, --timezone');
      const undecided = relief(['init', ...FLAGS], production(dir));
      expect(undecided.stderr).toContain('--accept-default-types');
      // Nothing was written by any of them: a correct init still runs.
      const good = relief(['init', ...FLAGS, '--skip-default-types'], production(dir));
      expect(good.status, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/\/staff\/welcome\/[A-Za-z0-9_-]{20,}/);
      expect(good.stdout).toContain('no appointment types');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database that already has a clinic, saying so plainly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-cli-'));
    try {
      expect(relief(['seed', '--demo'], { DATA_DIR: dir }).status).toBe(0);
      // As if made by the release before the newest migration: init refuses before migrating it, leaving it as it was.
      const file = new Database(join(dir, 'relief.db'));
      const newest = file.prepare('select max(name) as name from relief_migrations').get() as { name: string };
      file.prepare('delete from relief_migrations where name = ?').run(newest.name);
      file.close();
      const res = relief(['init', ...FLAGS, '--accept-default-types'], production(dir));
      expect(res.status).toBe(1);
      expect(res.stderr.trim()).toBe(
        'relief: this database already has a clinic; init only sets up an empty one. Change the clinic under Clinic set-up, or point DATA_DIR or DATABASE_URL at a new database.',
      );
      const after = new Database(join(dir, 'relief.db'), { readonly: true });
      expect(after.prepare('select name from relief_migrations where name = ?').get(newest.name)).toBeUndefined();
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
