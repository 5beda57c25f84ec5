import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/kernel/config.ts';

describe('configuration from the environment', () => {
  it('has working defaults and keeps a generated secret in DATA_DIR across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-config-'));
    try {
      const a = loadConfig({ DATA_DIR: dir });
      expect(a).toMatchObject({
        port: 3000,
        host: '127.0.0.1',
        publicUrl: 'http://localhost:3000',
        databaseUrl: undefined,
        smtpUrl: undefined,
      });
      expect(a.secret).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(join(dir, 'secret'), 'utf8').trim()).toBe(a.secret);
      expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
      expect(loadConfig({ DATA_DIR: dir }).secret).toBe(a.secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ SECRET: 'short' }, 'SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MAIL_RETRY_SECONDS: '0' }, 'MAIL_RETRY_SECONDS'],
    [{ BACKUP_EVERY_HOURS: '0' }, 'BACKUP_EVERY_HOURS'],
    [{ BACKUP_EVERY_HOURS: 'daily' }, 'BACKUP_EVERY_HOURS'],
    [{ BACKUP_EVERY_HOURS: '169' }, 'BACKUP_EVERY_HOURS'],
    [{ BACKUP_KEEP: '0' }, 'BACKUP_KEEP'],
    [{ BACKUP_KEY: 'not-hex' }, 'BACKUP_KEY'],
    [{ BACKUP_PASSPHRASE: 'short' }, 'BACKUP_PASSPHRASE'],
    [{ BACKUP_KEY: 'a'.repeat(64), BACKUP_PASSPHRASE: 'a long passphrase' }, 'BACKUP_PASSPHRASE'],
    [{ BACKUP_DIR: '/dev/null/backups', BACKUP_KEY: 'a'.repeat(64) }, 'BACKUP_DIR'],
    [{ BACKUP_DIR: tmpdir() }, 'BACKUP_DIR'],
    [{ AUDIT_KEY: 'short' }, 'AUDIT_KEY'],
    [{ AUDIT_CHECKPOINT_EVERY: '5' }, 'AUDIT_CHECKPOINT_EVERY'],
    [{ AUDIT_CHECKPOINT_EVERY: 'often' }, 'AUDIT_CHECKPOINT_EVERY'],
    [{ AUDIT_CHECKPOINT_MINUTES: '0' }, 'AUDIT_CHECKPOINT_MINUTES'],
    [{ AUDIT_CHECKPOINT_MINUTES: '1441' }, 'AUDIT_CHECKPOINT_MINUTES'],
    [{ METRICS_TOKEN: 'shorter-than-32-characters' }, 'METRICS_TOKEN'],
  ])('refuses %o with one line naming %s', (env, name) => {
    let error: unknown;
    try {
      loadConfig({ SECRET: 'x'.repeat(40), ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`Invalid configuration: ${name} `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('derives the audit key from AUDIT_KEY, else from the secret (never the secret itself), and places checkpoints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-config-'));
    try {
      const secret = 'x'.repeat(40);
      const fromSecret = loadConfig({ DATA_DIR: dir, SECRET: secret });
      expect(fromSecret.audit).toMatchObject({
        keyFrom: 'SECRET',
        checkpointFile: join(dir, 'audit-checkpoints.log'),
        checkpointEvery: 1000,
        checkpointEveryMs: 5 * 60_000,
      });
      expect(fromSecret.audit.key).toHaveLength(32);
      expect(fromSecret.audit.key.toString('latin1')).not.toContain(secret.slice(0, 8));
      expect(loadConfig({ DATA_DIR: dir, SECRET: secret }).audit.key).toEqual(fromSecret.audit.key);
      const separate = loadConfig({
        DATA_DIR: dir,
        SECRET: secret,
        AUDIT_KEY: 'k'.repeat(40),
        AUDIT_CHECKPOINT_FILE: '/var/log/relief/checkpoints.log',
        AUDIT_CHECKPOINT_EVERY: '250',
        AUDIT_CHECKPOINT_MINUTES: '0.5',
      });
      expect(separate.audit).toMatchObject({
        keyFrom: 'AUDIT_KEY',
        checkpointFile: '/var/log/relief/checkpoints.log',
        checkpointEvery: 250,
        checkpointEveryMs: 30_000,
      });
      expect(separate.audit.key).not.toEqual(fromSecret.audit.key);
      // Changing SECRET (say, to end every link sent so far) leaves a separate AUDIT_KEY's chain verifiable.
      expect(loadConfig({ DATA_DIR: dir, SECRET: 'y'.repeat(40), AUDIT_KEY: 'k'.repeat(40) }).audit.key).toEqual(
        separate.audit.key,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads TRUST_PROXY as a flag, a hop count or addresses', () => {
    const base = { SECRET: 'x'.repeat(40) };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).trustProxy).toBe('10.0.0.1, 10.0.0.2');
    expect(() => loadConfig({ ...base, TRUST_PROXY: '<script>' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, loopback, ::1, fd00::/8' }).trustProxy).toBe(
      '10.0.0.0/8, loopback, ::1, fd00::/8',
    );
    // Hex letters and bad prefixes look like addresses but are none: refused here, not by a crash at start.
    for (const bad of ['beef', 'cafe:', '1.2.3.4/99', '10.0.0.1/8/8', '300.1.1.1'])
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });

  it('reads MAIL_LEASE_SECONDS: two minutes by default, 10 to 600 seconds, else one line naming it', () => {
    const base = { SECRET: 'x'.repeat(40) };
    expect(loadConfig(base).mailLeaseMs).toBe(120_000);
    expect(loadConfig({ ...base, MAIL_LEASE_SECONDS: '15' }).mailLeaseMs).toBe(15_000);
    for (const bad of ['5', '601', 'soon'])
      expect(() => loadConfig({ ...base, MAIL_LEASE_SECONDS: bad }), bad).toThrow(/MAIL_LEASE_SECONDS/);
  });

  it('reads EXPORT_WAIT_MS: a second by default, 0 to 10000, else one line naming it', () => {
    const base = { SECRET: 'x'.repeat(40) };
    expect(loadConfig(base).exportWaitMs).toBe(1000);
    expect(loadConfig({ ...base, EXPORT_WAIT_MS: '0' }).exportWaitMs).toBe(0);
    for (const bad of ['-1', '10001', 'soon'])
      expect(() => loadConfig({ ...base, EXPORT_WAIT_MS: bad }), bad).toThrow(/EXPORT_WAIT_MS/);
  });

  it('reads the backup settings, with a day between scheduled backups and 14 kept by default', () => {
    const base = { SECRET: 'x'.repeat(40) };
    expect(loadConfig(base).backup).toEqual({
      dir: undefined,
      everyMs: 24 * 3_600_000,
      keep: 14,
      key: undefined,
      passphrase: undefined,
    });
    const dir = mkdtempSync(join(tmpdir(), 'relief-config-'));
    try {
      const c = loadConfig({
        ...base,
        BACKUP_DIR: join(dir, 'made'),
        BACKUP_EVERY_HOURS: '0.5',
        BACKUP_KEEP: '3',
        BACKUP_PASSPHRASE: 'a long passphrase',
      });
      expect(c.backup).toEqual({
        dir: join(dir, 'made'),
        everyMs: 1_800_000,
        keep: 3,
        key: undefined,
        passphrase: 'a long passphrase',
      });
      expect(statSync(join(dir, 'made')).isDirectory()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strips a trailing slash from PUBLIC_URL and treats empty variables as unset', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://clinic.example/', SECRET: 'x'.repeat(40), PORT: '' });
    expect(c.publicUrl).toBe('https://clinic.example');
    expect(c.port).toBe(3000);
  });
});
