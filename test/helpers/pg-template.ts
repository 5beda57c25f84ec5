/**
 * PostgreSQL test databases cloned from a migrated template. Migrating a fresh schema for each test cost about
 * half a second of DDL on PostgreSQL (against a tenth on SQLite), hundreds of times per run; `CREATE DATABASE …
 * TEMPLATE` copies the migrated catalog in a fraction of that. The template is named after a hash of the migration
 * files, so a changed migration makes a new one, and it is built once per run by the global set-up, before any test
 * file starts (a template must have no other connections while it is copied).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The schema inside every cloned database (the runtime's search path). */
export const TEMPLATE_SCHEMA = 'relief';

const MIGRATIONS_DIR = join(import.meta.dirname, '../../src/kernel/db/migrations');

/** The database a URL names. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** `<base>_tpl_<hash of the migration files>`: one template per base database and schema version. */
export function templateName(url: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file);
    hash.update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  return `${databaseOf(url)}_tpl_${hash.digest('hex').slice(0, 10)}`;
}

/** A prefix for the databases tests clone, so leftovers of a killed run can be told apart and removed. */
export const cloneName = (url: string, suffix: string) => `${databaseOf(url)}_t_${suffix}`;

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Makes sure the template for these migrations exists (building it with `migrate`, given the template's URL), drops
 * older templates and clones left by a killed run of this base database, and returns the template's name.
 */
export async function ensureTemplate(url: string, migrate: (templateUrl: string) => Promise<void>): Promise<string> {
  const name = templateName(url);
  const base = databaseOf(url);
  return onServer(url, async (client) => {
    // Two runs on the same base database (never in CI) build it once: the second waits here.
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rows } = await client.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname like $2`,
        [`${base}\\_tpl\\_%`, `${base}\\_t\\_%`],
      );
      for (const { datname } of rows)
        if (datname !== name) await client.query(`drop database if exists ${quote(datname)} with (force)`);
      if (!rows.some((r) => r.datname === name)) {
        const building = `${name}_new`;
        await client.query(`drop database if exists ${quote(building)} with (force)`);
        await client.query(`create database ${quote(building)}`);
        await onServer(withDatabase(url, building), (c) => c.query(`create schema ${TEMPLATE_SCHEMA}`));
        await migrate(withDatabase(url, building));
        // Renamed only once complete, so a run killed while building leaves no half-migrated template behind.
        await client.query(`alter database ${quote(building)} rename to ${quote(name)}`);
      }
      return name;
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

/** A new database cloned from the template; its URL. */
export async function cloneTemplate(url: string, template: string, suffix: string): Promise<string> {
  const name = cloneName(url, suffix);
  await onServer(url, (c) => c.query(`create database ${quote(name)} template ${quote(template)}`));
  return withDatabase(url, name);
}

/**
 * Drops a cloned database once its runtime has closed. Not `with (force)`: ending a connection the test process is
 * still closing raises an error event in it (vitest counts it as a failure), so a clone still in use is retried for a
 * few seconds and then left for the next run's start to remove.
 */
export async function dropClone(url: string, cloneUrl: string): Promise<void> {
  const name = quote(databaseOf(cloneUrl));
  for (let attempt = 0; ; attempt++) {
    try {
      await onServer(url, (c) => c.query(`drop database if exists ${name}`));
      return;
    } catch (err) {
      // 55006: object_in_use (another session is still connected to it).
      if ((err as { code?: string }).code !== '55006' || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

let dropping: Promise<void> = Promise.resolve();

/**
 * Drops a clone off the test's path: DROP DATABASE asks for a checkpoint and waits for it (0.8–3.7 s measured on a
 * loaded machine, against 0.3 s to create one), which no test needs to wait for. One drop at a time per test
 * process; `droppedAll` (awaited after each test file) keeps at most one file's clones on disk.
 */
export function dropLater(url: string, cloneUrl: string): void {
  dropping = dropping
    .then(() => dropClone(url, cloneUrl))
    .catch((err: unknown) => {
      console.warn(`could not drop the test database ${databaseOf(cloneUrl)}:`, err);
    });
}

export const droppedAll = (): Promise<void> => dropping;
