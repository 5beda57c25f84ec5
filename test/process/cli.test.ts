import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
});
