import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/kernel/config.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { MailTransport, OutgoingMail } from '../../src/kernel/outbox/transport.ts';
import { cloneTemplate, dropLater, TEMPLATE_SCHEMA } from './pg-template.ts';

/** The engine under test: PostgreSQL when DATABASE_URL is set (CI runs the suite on both), else SQLite. */
export const engine = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

/** A clock tests can move. Starts on Monday 2 March 2026, 09:00 in Chicago (15:00Z). */
export class TestClock {
  constructor(public current = Date.parse('2026-03-02T15:00:00.000Z')) {}
  now = () => this.current;
  set(iso: string) {
    this.current = Date.parse(iso);
  }
  advance(ms: number) {
    this.current += ms;
  }
}

/** Keeps every message in memory; can be told to fail, like an SMTP server that is down. */
export class MemoryTransport implements MailTransport {
  sent: OutgoingMail[] = [];
  failing = false;
  async send(mail: OutgoingMail) {
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:2525');
    this.sent.push(mail);
  }
  close() {}
}

export interface TestRuntime extends Runtime {
  config: Config;
  clock: TestClock;
  mail: MemoryTransport;
}

export interface TestOptions {
  clock?: TestClock;
  transport?: MailTransport;
  env?: Record<string, string>;
  /** Default 'clinic': the demo clinic without staff accounts (hashing their passwords costs time). */
  seed?: 'none' | 'clinic' | 'clinic-and-staff';
  /** Reuse an existing data dir / database and schema (to simulate a restart). */
  reuse?: { dataDir: string; schema: string | undefined; databaseUrl: string | undefined };
}

/**
 * A fresh, isolated database with the demo clinic: a temp SQLite file, or on PostgreSQL a database cloned from the
 * run's migrated template (a new schema in DATABASE_URL's database when there is no template).
 */
export async function startTestRuntime(options: TestOptions = {}): Promise<TestRuntime> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'relief-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://relief.test',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...options.env,
  });
  const template = config.databaseUrl ? inject('pgTemplate') : '';
  if (config.databaseUrl && options.reuse) {
    config.databaseUrl = options.reuse.databaseUrl ?? config.databaseUrl;
    config.databaseSchema = options.reuse.schema;
  } else if (config.databaseUrl && template) {
    config.databaseUrl = await cloneTemplate(config.databaseUrl, template, randomBytes(6).toString('hex'));
    config.databaseSchema = TEMPLATE_SCHEMA;
  } else if (config.databaseUrl) {
    config.databaseSchema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(config.databaseUrl, `create schema ${config.databaseSchema}`);
  }
  const clock = options.clock ?? new TestClock();
  const mail = new MemoryTransport();
  const runtime = await createRuntime(config, {
    now: clock.now,
    seed: options.seed ?? 'clinic',
    transport: options.transport ?? mail,
  });
  await runtime.app.ready();
  return { ...runtime, config, clock, mail };
}

/** Closes the runtime and removes its database. */
export async function stopTestRuntime(rt: TestRuntime, keep = false): Promise<void> {
  await rt.close();
  if (!keep) await removeTestDatabase(rt);
}

/** Removes a runtime's database (the runtime closed): the cloned PostgreSQL database, its schema, or the data dir. */
export async function removeTestDatabase(rt: Pick<TestRuntime, 'config'>): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (rt.config.databaseUrl && baseUrl && rt.config.databaseUrl !== baseUrl) {
    dropLater(baseUrl, rt.config.databaseUrl);
  } else if (rt.config.databaseUrl && rt.config.databaseSchema) {
    await adminQuery(rt.config.databaseUrl, `drop schema if exists ${rt.config.databaseSchema} cascade`);
  } else {
    rmSync(rt.config.dataDir, { recursive: true, force: true });
  }
}

/** The runtime of the test that is running, from `useTestRuntime`; `restart` swaps it for one with other options. */
export interface TestRuntimeAccess {
  (): TestRuntime;
  /** Stops the current runtime (removing its database) and starts a fresh one, which the hooks then stop as usual. */
  restart(options?: TestOptions): Promise<TestRuntime>;
}

export interface UseTestRuntimeOptions extends TestOptions {
  /** One runtime for all the tests where it is registered, instead of a fresh one for each test. */
  shared?: boolean;
  /** Options known only once earlier hooks have run (say a mail server's port), read at each start. */
  late?: () => TestOptions;
}

/**
 * Registers the set-up and tear-down of a test runtime where it is called (the file, or a `describe` block) and
 * returns its accessor: a fresh, isolated runtime for each test, or with `shared: true` one runtime for all the
 * tests there (for read-only tests, or ones that keep apart by their own addresses and data). Hooks registered
 * after it run after its start and before its stop.
 */
export function useTestRuntime(options: UseTestRuntimeOptions = {}): TestRuntimeAccess {
  const { shared = false, late, ...startOptions } = options;
  let current: TestRuntime | undefined;
  const start = async () => {
    current = await startTestRuntime({ ...startOptions, ...late?.() });
  };
  const stop = async () => {
    const running = current;
    current = undefined;
    if (running) await stopTestRuntime(running);
  };
  if (shared) {
    beforeAll(start);
    afterAll(stop);
  } else {
    beforeEach(start);
    afterEach(stop);
  }
  const access = () => {
    if (!current) throw new Error('No test runtime here: call it inside a test or a hook after useTestRuntime.');
    return current;
  };
  access.restart = async (next: TestOptions = {}) => {
    await stop();
    current = await startTestRuntime(next);
    return current;
  };
  return access;
}

export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
