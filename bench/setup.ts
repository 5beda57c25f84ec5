/** A throw-away Relief runtime for the benchmark: temp SQLite DATA_DIR, or a fresh PostgreSQL schema. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../src/kernel/config.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import type { MailTransport } from '../src/kernel/outbox/transport.ts';

export interface BenchRuntime {
  runtime: Runtime;
  config: Config;
  /** Closes the runtime and removes its database; safe to call twice. */
  teardown(): Promise<void>;
}

/** Mail is never sent during the benchmark (the outbox worker is not started); this only satisfies the type. */
const nullTransport: MailTransport = { send: async () => {}, close: () => {} };

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const live = new Set<BenchRuntime>();

/** Tears down every runtime still open (Ctrl-C). */
export async function teardownAll(): Promise<void> {
  await Promise.allSettled([...live].map((b) => b.teardown()));
}

/** `prepare` runs after the empty database exists and before the runtime opens it (the bench seeds there). */
export async function startBenchRuntime(prepare?: (config: Config) => Promise<void>): Promise<BenchRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    NODE_ENV: 'production',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  let runtime: Runtime | undefined;
  let schemaCreated = false;
  let done = false;
  const teardown = async () => {
    if (done) return;
    done = true;
    live.delete(bench);
    const errors: unknown[] = [];
    await runtime?.close().catch((err: unknown) => errors.push(err));
    if (schemaCreated && config.databaseUrl) {
      await adminQuery(config.databaseUrl, `drop schema if exists ${config.databaseSchema} cascade`).catch(
        (err: unknown) => errors.push(err),
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (errors.length) throw errors[0];
  };
  try {
    if (config.databaseUrl) {
      config.databaseSchema = `bench_${randomBytes(6).toString('hex')}`;
      await adminQuery(config.databaseUrl, `create schema ${config.databaseSchema}`);
      schemaCreated = true;
    }
    await prepare?.(config);
    runtime = await createRuntime(config, { now: Date.now, seed: 'clinic', transport: nullTransport });
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }
  const bench: BenchRuntime = { runtime, config, teardown };
  live.add(bench);
  return bench;
}
