import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Config } from '../../src/kernel/config.ts';
import { makeBackup } from '../../src/kernel/backup/backup.ts';
import { writeBackupFile } from '../../src/kernel/backup/format.ts';
import { MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import { withSchema } from '../../src/kernel/backup/postgres.ts';
import type { Progress } from '../../src/kernel/backup/progress.ts';
import { snapshotSqlite } from '../../src/kernel/backup/sqlite.ts';
import { BackupSchedule, backupStatus } from '../../src/kernel/backup/schedule.ts';
import { adminQuery, engine, startTestRuntime, stopTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { bookOnline } from '../helpers/journey.ts';
import { signIn } from '../helpers/staff.ts';
import { freePort } from '../helpers/process.ts';

/** The schema this release migrates to, as a backup's header and verify name it. */
const LATEST = MIGRATIONS.at(-1)![0];

const root = new URL('../../', import.meta.url).pathname;
const pgUrl = process.env.DATABASE_URL;
const KEY = randomBytes(32).toString('hex');
// The test runtime's own secret: the audit chain is keyed from it, so the command line must use the same one.
const SECRET = 'test-secret-test-secret-test-secret-0123';

const dirs: string[] = [];
const schemas: string[] = [];
const children: ChildProcess[] = [];
const tempDir = (name = 'relief-backup-') => {
  const dir = mkdtempSync(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
};
const newSchema = () => {
  const schema = `r_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
};
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (pgUrl) for (const schema of schemas) await adminQuery(pgUrl, `drop schema if exists ${schema} cascade`);
});

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command line (bin/relief.js) without blocking this process, so in-process writers keep going. */
function relief(args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/relief.js'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The product's rule for bad input: exit 1 and one line, no stack trace. */
function expectOneClearLine(res: Ran, pattern: RegExp) {
  expect(res.status, res.stderr + res.stdout).toBe(1);
  expect(res.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
  expect(res.stderr.trim()).toMatch(pattern);
}

/** Environment for the command line on a database: a DATA_DIR, and on PostgreSQL the schema as the search path. */
const onDatabase = (dataDir: string, schema: string | undefined, extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  SECRET,
  BACKUP_KEY: KEY,
  ...(pgUrl ? { DATABASE_URL: withSchema(pgUrl, schema) } : {}),
  ...extra,
});
const runtimeEnv = (rt: TestRuntime) => ({
  ...onDatabase(rt.config.dataDir, rt.config.databaseSchema),
  ...(rt.config.databaseUrl ? { DATABASE_URL: withSchema(rt.config.databaseUrl, rt.config.databaseSchema) } : {}),
});

/** A new, empty restore target: a folder that does not exist yet, or a PostgreSQL schema that does not. */
function newTarget(): { into: string; dataDir: string; schema: string | undefined } {
  const dataDir = join(tempDir(), 'restored');
  if (!pgUrl) return { into: dataDir, dataDir, schema: undefined };
  const schema = newSchema();
  return { into: withSchema(pgUrl, schema), dataDir: tempDir(), schema };
}

const backupsIn = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.backup'))
    .sort()
    .map((n) => join(dir, n));

/** Extra rows, so that a backup takes long enough for bookings to land while it runs. */
async function pad(rt: TestRuntime, count: number) {
  for (let from = 0; from < count; from += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - from) }, (_, j) => {
      const i = from + j;
      return {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        idempotency_key: `pad-${i}`,
        body_hash: 'x',
        location_id: 'loc-chicago',
        first_name: 'Bulk',
        last_name: `Person ${i}`,
        email: `bulk${i}@example.com`,
        phone: '+13125550147',
        contact_method: 'email' as const,
        reason: 'crps',
        heard_from: '',
        message: 'x'.repeat(400),
        consent_at: rt.clock.now(),
        status: 'closed' as const,
        created_at: rt.clock.now() - i * 1000,
      };
    });
    await rt.database.db.insertInto('consultation_requests').values(rows).execute();
  }
}

const withKey = (config: Config): Config => ({ ...config, backup: { ...config.backup, key: KEY } });

// Each of these runs the real command line several times; on a busy machine that takes minutes, not seconds.
describe(`backups on ${engine}`, { timeout: 300_000 }, () => {
  it('keeps the rows committed before a backup while bookings go on during it; the restore verifies and serves the same clinic', async () => {
    const rt = await startTestRuntime({ seed: 'clinic' });
    try {
      await pad(rt, engine === 'sqlite' ? 30_000 : 10_000);
      const bookedIds = async () =>
        (await rt.database.db.selectFrom('appointments').select('id').where('status', '=', 'booked').execute()).map(
          (a) => a.id,
        );
      let bookings = 0;
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          await bookOnline(rt, 'first');
          bookings += 1;
        }
      })();
      while (bookings < 3) await new Promise((r) => setTimeout(r, 20));

      const committedBefore = await bookedIds();
      const dir = tempDir();
      const made = await relief(['backup', '--to', dir], runtimeEnv(rt));
      const bookedDuring = bookings - committedBefore.length;
      stop = true;
      await writer;
      const booked = await bookedIds();
      expect(made.status, made.stderr).toBe(0);
      // Every table of the schema is in it (the count follows the migrations), and verify checks the same number.
      const tables = Number(
        (
          await sql<{ n: number }>`${sql.raw(
            engine === 'sqlite'
              ? "select count(*) as n from sqlite_master where type = 'table' and name not like 'sqlite_%'"
              : "select count(*) as n from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
          )}`.execute(rt.database.db)
        ).rows[0]!.n,
      );
      expect(tables).toBeGreaterThanOrEqual(26);
      expect(made.stdout).toMatch(
        new RegExp(`^Backup written: .*\\.backup \\(.* MB, encrypted, without the secret; ${tables} tables`),
      );
      expect(bookedDuring, 'bookings were made while the backup ran').toBeGreaterThan(0);
      const [file] = backupsIn(dir);

      const verified = await relief(['backup', 'verify', file!], runtimeEnv(rt));
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(
        new RegExp(
          `^Backup verified in [\\d.]+ s: .* ${tables} tables and [\\d,]+ rows match its header; audit trail intact \\([\\d,]+ events\\); schema ${LATEST}, current\\.\\n$`,
        ),
      );

      const target = newTarget();
      const restored = await relief(['restore', file!, '--into', target.into], runtimeEnv(rt));
      expect(restored.status, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/^Restored .* rows, as its header says\) in [\d.]+ s into /);
      const audit = await relief(['audit', 'verify'], onDatabase(target.dataDir, target.schema));
      expect(audit.stdout, audit.stderr).toMatch(/^Audit trail intact: \d+ events\./);
      expect(audit.status).toBe(0);

      const copy = await startTestRuntime({
        reuse: { dataDir: target.dataDir, schema: target.schema, databaseUrl: pgUrl },
        seed: 'none',
      });
      try {
        const db = copy.database.db;
        const ids = new Set(
          (await db.selectFrom('appointments').select('id').where('status', '=', 'booked').execute()).map((a) => a.id),
        );
        // Every booking committed before the backup started is there; nothing that was never booked is.
        for (const id of committedBefore) expect(ids.has(id), id).toBe(true);
        for (const id of ids) expect(booked.includes(id), id).toBe(true);
        // Never a torn booking: each one is there with its request, patient, confirmation job and audit event.
        const events = (await db.selectFrom('audit_events').select('detail').execute()).map((e) => e.detail);
        for (const id of ids) {
          const appt = await db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          const request = await db
            .selectFrom('consultation_requests')
            .select(['status', 'patient_id'])
            .where('id', '=', appt.request_id!)
            .executeTakeFirstOrThrow();
          expect(request).toEqual({ status: 'booked', patient_id: appt.patient_id });
          await db.selectFrom('patients').select('id').where('id', '=', appt.patient_id!).executeTakeFirstOrThrow();
          await db
            .selectFrom('outbox')
            .select('id')
            .where('dedupe_key', '=', `confirmed:${id}`)
            .executeTakeFirstOrThrow();
          expect(events.some((d) => d.includes(id))).toBe(true);
        }
        // The same clinic, served.
        const clinic = await rt.database.db.selectFrom('clinic').selectAll().executeTakeFirstOrThrow();
        expect(await db.selectFrom('clinic').selectAll().executeTakeFirstOrThrow()).toEqual(clinic);
        const home = await copy.app.inject({ url: '/' });
        expect(home.statusCode).toBe(200);
        expect(home.body).toContain(clinic.name);
        const sent = await copy.database.db
          .selectFrom('audit_events')
          .select(['action', 'actor_role'])
          .where('action', '=', 'backup.restore')
          .execute();
        expect(sent).toEqual([{ action: 'backup.restore', actor_role: 'cli' }]);
      } finally {
        await stopTestRuntime(copy);
      }
    } finally {
      await stopTestRuntime(rt);
    }
  });

  it('refuses, each in one line: a wrong key, a flipped byte, a cut file, a non-empty target, the other engine, a newer schema', async () => {
    const rt = await startTestRuntime({ seed: 'clinic' });
    try {
      const dir = tempDir();
      const env = runtimeEnv(rt);
      const { file } = await makeBackup(withKey(rt.config), rt.database, { dir });

      expectOneClearLine(
        await relief(['restore', file, '--into', newTarget().into], { ...env, BACKUP_KEY: 'ab'.repeat(32) }),
        /^relief: wrong key: BACKUP_KEY is not the one .* was made with\.$/,
      );
      expectOneClearLine(
        await relief(['backup', 'verify', file], { ...env, BACKUP_KEY: '' }),
        /is encrypted: set BACKUP_KEY to the one it was made with/,
      );

      const flipped = join(dir, 'flipped.backup');
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(flipped, bytes);
      const target = newTarget();
      expectOneClearLine(
        await relief(['restore', flipped, '--into', target.into], env),
        /is damaged or has been edited: its content does not authenticate/,
      );
      expectOneClearLine(await relief(['backup', 'verify', flipped], env), /is damaged or has been edited/);
      // Nothing was left in the target by the refused restore.
      if (engine === 'sqlite') expect(() => readdirSync(target.dataDir)).toThrow();
      else expect(await schemaExists(target.schema!)).toBe(false);

      const cut = join(dir, 'cut.backup');
      writeFileSync(cut, readFileSync(file));
      truncateSync(cut, readFileSync(file).length - 100);
      expectOneClearLine(await relief(['restore', cut, '--into', newTarget().into], env), /is truncated/);

      if (engine === 'sqlite') {
        const busy = tempDir();
        writeFileSync(join(busy, 'relief.db'), 'live data');
        expectOneClearLine(await relief(['restore', file, '--into', busy], env), /is not empty: a restore goes only/);
        expect(readFileSync(join(busy, 'relief.db'), 'utf8')).toBe('live data');
      } else {
        // The source schema itself: live data.
        expectOneClearLine(
          await relief(['restore', file, '--into', withSchema(rt.config.databaseUrl!, rt.config.databaseSchema)], env),
          /the schema \S+ of the target database is not empty/,
        );
      }

      // This engine's backup into the other engine's target, and the other engine's backup into this one's.
      const elsewhere = engine === 'sqlite' ? 'postgres://relief@127.0.0.1:1/nowhere' : tempDir();
      const interchange = /SQLite and PostgreSQL backups are not interchangeable\. .* an export in a later release\.$/;
      expectOneClearLine(await relief(['restore', file, '--into', elsewhere], env), interchange);
      const foreign = join(dir, 'foreign.backup');
      await writeBackupFile(
        foreign,
        {
          engine: engine === 'sqlite' ? 'postgres' : 'sqlite',
          schema: { version: MIGRATIONS.length, latest: LATEST },
          createdAt: new Date(),
          tables: {},
          secret: undefined,
        },
        Readable.from([Buffer.from('not a database')]),
        { key: KEY },
      );
      expectOneClearLine(await relief(['restore', foreign, '--into', newTarget().into], env), interchange);

      await sql`insert into relief_migrations (name, applied_at) values ('999_from_a_newer_release', 0)`.execute(
        rt.database.db,
      );
      const newer = await makeBackup(withKey(rt.config), rt.database, { dir });
      const newerSchema = new RegExp(
        `comes from a newer Relief: its schema is at 999_from_a_newer_release and this Relief knows up to ${LATEST}`,
      );
      expectOneClearLine(await relief(['restore', newer.file, '--into', newTarget().into], env), newerSchema);
      expectOneClearLine(await relief(['backup', 'verify', newer.file], env), newerSchema);

      expectOneClearLine(
        await relief(['backup', '--to', dir], { ...env, BACKUP_KEY: '' }),
        /^relief: backups are encrypted: set BACKUP_KEY .* or pass --plain/,
      );
      const plain = await relief(['backup', '--to', dir, '--plain'], { ...env, BACKUP_KEY: '' });
      expect(plain.stdout, plain.stderr).toMatch(/NOT encrypted/);
    } finally {
      await stopTestRuntime(rt);
    }
  });

  it.runIf(engine === 'sqlite')(
    'SQLite: the snapshot is the moment it began; writes committed between its steps are not in it and do not restart it',
    async () => {
      const rt = await startTestRuntime({ seed: 'clinic' });
      const other = new BetterSqlite3(join(rt.config.dataDir, 'relief.db'));
      try {
        await pad(rt, 3000);
        other.pragma('busy_timeout = 5000');
        const closures = () => other.prepare('select count(*) from closures').pluck().get() as number;
        const before = closures();
        const insert = other.prepare("insert into closures (location_id, date, reason) values ('loc-chicago', ?, 'x')");
        let writes = 0;
        let last = -1;
        let restarts = 0;
        const progress: Progress = {
          phase: () => ({
            update(done) {
              if (done < last) restarts += 1;
              last = done;
              // Another connection commits between two steps of the copy.
              insert.run(new Date(Date.UTC(2040, 0, 1 + writes)).toISOString().slice(0, 10));
              writes += 1;
            },
            end() {},
          }),
        };
        const copy = join(tempDir(), 'snapshot.db');
        const snapshot = await snapshotSqlite(join(rt.config.dataDir, 'relief.db'), copy, progress, 16);
        expect(writes).toBeGreaterThan(20);
        expect(restarts).toBe(0);
        expect(snapshot.tables.closures).toBe(before);
        expect(closures()).toBe(before + writes);
      } finally {
        other.close();
        await stopTestRuntime(rt);
      }
    },
  );

  it.runIf(engine === 'postgres')('PostgreSQL: says how to install pg_dump when it is not on the PATH', async () => {
    const rt = await startTestRuntime({ seed: 'clinic' });
    try {
      const res = await relief(['backup', '--to', tempDir()], { ...runtimeEnv(rt), PATH: tempDir('relief-no-tools-') });
      expectOneClearLine(
        res,
        /^relief: pg_dump was not found\. PostgreSQL backups need .*"apt-get install postgresql-client"/,
      );
    } finally {
      await stopTestRuntime(rt);
    }
  });

  it('refuses at start a BACKUP_DIR that cannot be written, in one line naming it', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const schema = newSchema();
    if (pgUrl) await adminQuery(pgUrl, `create schema ${schema}`);
    const res = await relief(
      ['start'],
      onDatabase(tempDir(), schema, { BACKUP_DIR: join(file, 'backups'), PORT: '1' }),
    );
    expectOneClearLine(res, /^relief: Invalid configuration: BACKUP_DIR .* is not a writable folder \(ENOTDIR\)$/);
  });

  it('from the README: backs up the running server, verifies, restores into a new place that serves the same clinic', async () => {
    const source = { dataDir: tempDir(), schema: pgUrl ? newSchema() : undefined };
    if (pgUrl) await adminQuery(pgUrl, `create schema ${source.schema}`);
    const first = await startServer(onDatabase(source.dataDir, source.schema));
    const dir = tempDir();
    const [made, page] = await Promise.all([
      relief(['backup', '--to', dir, '--with-secret'], onDatabase(source.dataDir, source.schema)),
      fetch(`${first.base}/locations`),
    ]);
    expect(made.status, made.stderr).toBe(0);
    expect(page.status).toBe(200);
    const [file] = backupsIn(dir);
    const verified = await relief(['backup', 'verify', file!], onDatabase(source.dataDir, source.schema));
    expect(verified.status, verified.stderr).toBe(0);
    const target = newTarget();
    const restored = await relief(['restore', file!, '--into', target.into], onDatabase(target.dataDir, undefined));
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("The backup's secret is in");

    const second = await startServer(onDatabase(target.dataDir, target.schema));
    for (const path of ['/', '/locations']) {
      const [a, b] = await Promise.all([fetch(first.base + path), fetch(second.base + path)]);
      expect(b.status).toBe(200);
      expect(await b.text()).toBe(await a.text());
    }
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
  });
});

describe(`scheduled backups on ${engine}`, { timeout: 180_000 }, () => {
  it('makes and verifies a backup each run, keeps BACKUP_KEEP of them, and shows a failure to administrators only', async () => {
    const dir = join(tempDir(), 'backups');
    const rt = await startTestRuntime({
      seed: 'clinic-and-staff',
      env: { BACKUP_DIR: dir, BACKUP_KEY: KEY, BACKUP_KEEP: '2', BACKUP_EVERY_HOURS: '24' },
    });
    try {
      expect(rt.backups).toBeDefined();
      expect(backupStatus()).toMatchObject({ state: 'ok', ready: true });
      for (let i = 0; i < 3; i++) await rt.backups!.runNow();
      const kept = backupsIn(dir);
      expect(kept).toHaveLength(2);
      expect(backupStatus()).toMatchObject({ state: 'ok', ready: true, lastFile: kept[1], lastError: undefined });
      const made = await rt.database.db
        .selectFrom('audit_events')
        .select('actor_role')
        .where('action', '=', 'backup.create')
        .execute();
      expect(made).toEqual([{ actor_role: 'system' }, { actor_role: 'system' }, { actor_role: 'system' }]);

      const admin = await signIn(rt, 'admin@relief.example');
      const nurse = await signIn(rt, 'nurse@relief.example');
      expect((await admin.get('/staff/calendar')).body).not.toContain('backup-alert');

      // BACKUP_DIR becomes unusable (a file where the folder was).
      rmSync(dir, { recursive: true });
      writeFileSync(dir, '');
      await rt.backups!.runNow();
      expect(backupStatus()).toMatchObject({ state: 'failed', ready: false });
      expect(backupStatus().message).toMatch(
        /^The last scheduled backup failed: cannot write backups into .*(ENOTDIR|EEXIST)/,
      );
      const page = (await admin.get('/staff/calendar')).body;
      expect(page).toContain('id="backup-alert"');
      expect(page).toContain('Backup failed.');
      expect((await nurse.get('/staff/calendar')).body).not.toContain('backup-alert');

      rmSync(dir);
      mkdirSync(dir);
      await rt.backups!.runNow();
      expect(backupStatus()).toMatchObject({ state: 'ok', ready: true });
      expect((await admin.get('/staff/calendar')).body).not.toContain('backup-alert');
    } finally {
      await stopTestRuntime(rt);
    }
    expect(backupStatus()).toMatchObject({ state: 'off', ready: true });
  });

  it('shows a missed backup: none succeeded for longer than the interval', async () => {
    const dir = tempDir();
    const rt = await startTestRuntime({ seed: 'clinic' });
    let t = Date.parse('2026-03-02T15:00:00.000Z');
    const config = { ...withKey(rt.config), backup: { ...withKey(rt.config).backup, dir, everyMs: 3_600_000 } };
    const quiet = { info: () => {}, error: () => {} };
    const schedule = new BackupSchedule({ config, database: rt.database, log: quiet, now: () => t, firstDelayMs: 1e9 });
    try {
      await schedule.start();
      t += 60 * 60_000;
      expect(backupStatus()).toMatchObject({ state: 'ok', ready: true });
      t += 31 * 60_000; // past the hour and its grace (half the interval)
      expect(backupStatus()).toMatchObject({ state: 'overdue', ready: false });
      expect(backupStatus().message).toBe(
        'No backup has been made since the server started 1 hour ago (one is due every 1 hour).',
      );
      await schedule.runNow();
      expect(backupStatus()).toMatchObject({ state: 'ok', ready: true });
      t += 2 * 60 * 60_000;
      expect(backupStatus().message).toMatch(/^No backup has been made for 2 hours \(one is due every 1 hour\)/);
    } finally {
      await schedule.stop();
      await stopTestRuntime(rt);
    }
  });
});

async function schemaExists(schema: string): Promise<boolean> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rows.length > 0;
  } finally {
    await client.end();
  }
}

/** `relief start` as a real process, ready when /healthz answers. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin/relief.js'), 'start'], {
    cwd: root,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_URL: 'http://relief.test', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base };
    if (Date.now() > until || child.exitCode !== null) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}
