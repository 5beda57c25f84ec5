import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enqueue } from '../../src/kernel/outbox/outbox.ts';
import { OutboxWorker, type JobRenderer } from '../../src/kernel/outbox/worker.ts';
import type { MailTransport, OutgoingMail } from '../../src/kernel/outbox/transport.ts';
import { startTestRuntime, stopTestRuntime, type TestRuntime } from '../helpers/runtime.ts';

const root = new URL('../../', import.meta.url).pathname;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'relief-review-ops-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const relief = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(root, 'bin/relief.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });

/** The product's rule: one line, naming the variable, no stack trace. */
function expectOneClearLine(res: ReturnType<typeof relief>, variable: string) {
  expect(res.status, res.stderr).toBe(1);
  expect(res.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  expect(res.stderr.trim().split('\n'), res.stderr).toHaveLength(1);
  expect(res.stderr).toContain(variable);
}

const LEASE_MS = 2 * 60_000;

const render: JobRenderer = async (job) => ({
  to: 'someone@example.com',
  subject: job.id,
  text: 'x',
  html: 'x',
  messageId: `<${job.id}@relief.test>`,
});

/** A transport whose sends wait until the test lets them go (then succeed or fail). */
class GatedTransport implements MailTransport {
  sent: string[] = [];
  entered: string[] = [];
  #release: Array<() => void> = [];
  constructor(private readonly fail = false) {}
  async send(mail: OutgoingMail) {
    this.entered.push(mail.subject);
    await new Promise<void>((r) => this.#release.push(r));
    if (this.fail) throw new Error('421 4.4.2 connection timed out');
    this.sent.push(mail.subject);
  }
  releaseAll() {
    const waiting = this.#release.splice(0);
    for (const r of waiting) r();
  }
  close() {}
}

/** Sends at once. */
class RecordingTransport implements MailTransport {
  sent: string[] = [];
  async send(mail: OutgoingMail) {
    this.sent.push(mail.subject);
  }
  close() {}
}

async function until(what: string, check: () => boolean) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Operational edge cases found by an adversarial review (stop 7); each failed before its fix. */
describe('configuration errors at start: one line naming the variable', () => {
  it('TRUST_PROXY: hex letters that look like an address are refused in one line', () => {
    // "beef" matches the address pattern [0-9a-fA-F.:/, ]+ but is no address: proxy-addr throws while Fastify is built.
    const res = relief(['start'], { DATA_DIR: tempDir(), PORT: '39201', TRUST_PROXY: 'beef' });
    expectOneClearLine(res, 'TRUST_PROXY');
  });

  it('METRICS_TOKEN: a token shorter than 32 characters stops the start in one line', () => {
    const res = relief(['start'], { DATA_DIR: tempDir(), PORT: '39202', METRICS_TOKEN: 'too-short-to-guess-safely' });
    expectOneClearLine(res, 'METRICS_TOKEN');
  });

  it('DATA_DIR: a data folder that cannot be used is named in one line', () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    // With SECRET set, nothing checks DATA_DIR until openSqlite's mkdirSync throws EEXIST.
    expectOneClearLine(relief(['migrate'], { DATA_DIR: file, SECRET: 's'.repeat(40) }), 'DATA_DIR');
    // Without SECRET, an unreadable DATA_DIR/secret (here a folder) escapes persistentSecret as EISDIR.
    const other = tempDir();
    mkdirSync(join(other, 'secret'));
    expectOneClearLine(relief(['migrate'], { DATA_DIR: other }), 'DATA_DIR');
  });

  it('DATABASE_URL: a wrong password, an unknown database or an unknown host are named in one line', () => {
    const good = new URL(process.env.DATABASE_URL ?? 'postgres://relief:relief@127.0.0.1:5432/relief_test');
    const wrongPassword = new URL(good);
    wrongPassword.password = 'definitely-wrong';
    const unknownDb = new URL(good);
    unknownDb.pathname = '/relief_no_such_database';
    const unknownHost = new URL(good);
    unknownHost.hostname = 'no-such-host.invalid';
    for (const url of [unknownHost, wrongPassword, unknownDb]) {
      expectOneClearLine(relief(['migrate'], { DATA_DIR: tempDir(), DATABASE_URL: url.toString() }), 'DATABASE_URL');
    }
  });

  it('HOST: an interface that does not exist is named in one line', () => {
    const res = relief(['start'], {
      DATA_DIR: tempDir(),
      PORT: '39202',
      HOST: 'no-such-host.invalid',
      SECRET: 's'.repeat(40),
    });
    expectOneClearLine(res, 'HOST');
  });
});

describe('command line arguments', () => {
  it('refuses an unknown option or a stray word in one line instead of running anyway', () => {
    const dir = tempDir();
    expect(relief(['seed', '--demo'], { DATA_DIR: dir }).status).toBe(0);
    // A mistyped option is ignored and the command runs.
    const typo = relief(['migrate', '--dry-run'], { DATA_DIR: dir });
    expect(typo.status, `migrate --dry-run: ${typo.stdout}`).not.toBe(0);
    // The README's example without quotes around the name: "Reyes" is dropped and an account "Rosa" is created.
    const unquoted = relief(
      [
        'users',
        'create',
        '--email',
        'rosa@clinic.org',
        '--name',
        'Rosa',
        'Reyes',
        '--role',
        'nurse',
        '--location',
        'denver',
      ],
      { DATA_DIR: dir },
    );
    expect(unquoted.status, `users create with a stray word: ${unquoted.stdout}`).not.toBe(0);
    expect(unquoted.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('demo seed when two processes start at once', () => {
  let rt: TestRuntime | undefined;
  afterAll(async () => {
    if (rt) await stopTestRuntime(rt);
  });

  it('two starts on one empty database both succeed and seed once (no unique-violation crash)', async () => {
    rt = await startTestRuntime({ seed: 'none' }); // an empty, migrated database (SQLite file or PostgreSQL schema)
    // Two real processes doing what `relief start` does before it serves (createRuntime: migrate, seedDemo,
    // seedDemoStaff), released at the same instant, as when two instances (or `npm start` twice) start together.
    const script = join(tempDir(), 'start-seed.mts');
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(join(root, 'src/kernel/db/database.ts'))};
import { migrateToLatest } from ${JSON.stringify(join(root, 'src/kernel/db/migrate.ts'))};
import { seedDemo } from ${JSON.stringify(join(root, 'src/seed/demo.ts'))};
import { seedDemoStaff } from ${JSON.stringify(join(root, 'src/seed/demo-staff.ts'))};
const database = openDatabase({ dataDir: process.env.DATA_DIR, databaseUrl: process.env.DATABASE_URL || undefined, databaseSchema: process.env.SCHEMA || undefined });
await database.db.selectFrom('clinic').select('id').execute();
while (Date.now() < Number(process.env.GO_AT)) await new Promise((r) => setTimeout(r, 1));
try {
  await migrateToLatest(database);
  await seedDemo(database);
  await seedDemoStaff(database, 's'.repeat(40), Date.now());
  console.log('ok');
} catch (err) {
  console.log('FAILED: ' + err.message);
  process.exitCode = 1;
} finally {
  await database.close();
}
`,
    );
    const env = {
      PATH: process.env.PATH!,
      DATA_DIR: rt.config.dataDir,
      DATABASE_URL: rt.config.databaseUrl ?? '',
      SCHEMA: rt.config.databaseSchema ?? '',
      GO_AT: String(Date.now() + 4000),
    };
    const run = () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          cwd: root,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => resolve(`exit ${code}: ${out.trim()}`));
      });
    const outcomes = await Promise.all([run(), run()]);
    expect(outcomes, 'both starts succeed').toEqual(['exit 0: ok', 'exit 0: ok']);
    const users = await rt.database.db.selectFrom('users').select('email').execute();
    expect(users).toHaveLength(5);
  });
});

describe('outbox leases between two workers', () => {
  let rt: TestRuntime | undefined;
  afterAll(async () => {
    if (rt) await stopTestRuntime(rt);
  });

  async function freshOutbox(count: number) {
    rt ??= await startTestRuntime({ seed: 'none' });
    await rt.database.db.deleteFrom('outbox').execute();
    const jobs = Array.from({ length: count }, (_, i) => ({
      kind: 'booking_link' as const,
      refId: `ref-${i}`,
      runAt: rt!.clock.now() - 1000 + i,
    }));
    await enqueue(rt.database.db, jobs, rt.clock.now());
    return (await rt.database.db.selectFrom('outbox').select('id').orderBy('run_at').execute()).map((j) => j.id);
  }

  it('a worker does not send a job of its batch whose lease passed to another worker', async () => {
    const [first, second] = await freshOutbox(2);
    const slow = new GatedTransport();
    const other = new RecordingTransport();
    const workerA = new OutboxWorker({ database: rt!.database, transport: slow, render, now: rt!.clock.now });
    const workerB = new OutboxWorker({ database: rt!.database, transport: other, render, now: rt!.clock.now });
    const runA = workerA.runOnce(); // claims both jobs with one lease, then waits on the first send
    await until('worker A sending', () => slow.entered.length === 1);
    rt!.clock.advance(LEASE_MS + 1000); // the first send is slow; the lease of both claimed jobs runs out
    await workerB.runOnce(); // worker B takes both (as it should: their leases expired) and sends them
    expect(other.sent).toEqual([first, second]);
    // Worker A goes on: it sends `second` although B now holds (and has used) that job's lease.
    const release = setInterval(() => slow.releaseAll(), 5);
    await runA.finally(() => clearInterval(release));
    expect(slow.sent, 'worker A sent a job it no longer held').not.toContain(second);
  });

  it("a stale worker's late failure does not reopen a job another worker has sent", async () => {
    const [job] = await freshOutbox(1);
    const stale = new GatedTransport(true);
    const other = new RecordingTransport();
    const workerA = new OutboxWorker({ database: rt!.database, transport: stale, render, now: rt!.clock.now });
    const workerB = new OutboxWorker({ database: rt!.database, transport: other, render, now: rt!.clock.now });
    const runA = workerA.runOnce();
    await until('worker A sending', () => stale.entered.length === 1);
    rt!.clock.advance(LEASE_MS + 1000); // lease expired mid-send: B retries it (correct) and succeeds
    await workerB.runOnce();
    expect(other.sent).toEqual([job]);
    stale.releaseAll(); // A's send now fails; markFailed overwrites B's 'sent' unconditionally
    await runA;
    const row = await rt!.database.db
      .selectFrom('outbox')
      .select(['status'])
      .where('id', '=', job!)
      .executeTakeFirstOrThrow();
    rt!.clock.advance(3_600_000);
    await workerB.runOnce();
    expect({ status: row.status, deliveries: other.sent.length }).toEqual({ status: 'sent', deliveries: 1 });
  });
});
