/**
 * PostgreSQL: pg_dump in custom format inside an exported snapshot (the row counts are taken in the same snapshot),
 * and a restore through pg_restore and psql into an empty schema, in one transaction.
 *
 * A backup holds the one schema Relief lives in. A restore moves it into the target's schema (the first of the
 * target's search_path, normally public), so a backup can go into a new database or a new schema of the same one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { BackupError, readBackupBody, type OpenedBackup } from './format.ts';
import type { Progress } from './progress.ts';
import type { Snapshot } from './sqlite.ts';

const INSTALL =
  'PostgreSQL backups need its client tools (pg_dump, pg_restore and psql) on the PATH, of the server’s major version or newer: on Debian or Ubuntu, run "apt-get install postgresql-client"';

/** A database URL with the schema to use as its search path (replacing any in the URL's options). */
export function withSchema(url: string, schema: string | undefined): string {
  if (!schema) return url;
  const [base, query = ''] = url.split('?', 2) as [string, string?];
  const name = /^[a-z_][a-z0-9_]*$/.test(schema) ? schema : quoteIdent(schema);
  // Percent-encoded by hand: libpq (psql, pg_dump) does not read "+" in a URL as a space.
  const params = query.split('&').filter((p) => p && !p.startsWith('options='));
  params.push(`options=${encodeURIComponent(`-c search_path=${name}`)}`);
  return `${base}?${params.join('&')}`;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The URL without its password, and the password for libpq's environment: never on a command line. */
function libpq(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '10' };
  if (password) env.PGPASSWORD = password;
  return { dbname: u.toString(), env };
}

interface Run {
  child: ChildProcess;
  /** Resolves when the tool has exited; rejects with one line (its own first error) when it failed. */
  exited: Promise<void>;
}

/** Starts one of PostgreSQL's client tools; stderr lines go to `onLine`, and the first error is kept for the refusal. */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Run {
  const child = spawn(tool, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let problem = '';
  let rest = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      // Only the first line of an error: DETAIL and CONTEXT lines can quote the rows' values.
      if (!problem && /(error|fatal):/i.test(line)) problem = line.replace(/^\S+:\s*/, '').trim();
      onLine?.(line);
    }
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new BackupError(`${tool} was not found. ${INSTALL}.`) : err),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      if (!problem && rest && /(error|fatal):/i.test(rest)) problem = rest.replace(/^\S+:\s*/, '').trim();
      reject(new BackupError(`${tool} failed: ${problem || (signal ? `stopped by ${signal}` : `exit code ${code}`)}.`));
    });
  });
  return { child, exited };
}

/** Checks that a client tool is installed before any work starts. */
async function requireTool(tool: string): Promise<void> {
  const probe = run(tool, ['--version'], process.env);
  probe.child.stdout!.resume();
  await probe.exited;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function countRows(client: pg.Client, schema: string): Promise<Snapshot> {
  const names = (
    await client.query<{ name: string }>(
      'select tablename as name from pg_tables where schemaname = $1 order by tablename',
      [schema],
    )
  ).rows.map((r) => r.name);
  if (!names.includes('relief_migrations'))
    throw new BackupError(`the schema ${schema} has no Relief tables yet (run relief migrate or relief start first).`);
  const tables: Record<string, number> = {};
  for (const name of names) {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from ${quoteIdent(schema)}.${quoteIdent(name)}`,
    );
    tables[name] = Number(rows[0]!.n);
  }
  const applied = (
    await client.query<{ name: string }>(`select name from ${quoteIdent(schema)}.relief_migrations order by name`)
  ).rows.map((r) => r.name);
  return { tables, schema: { version: applied.length, latest: applied.at(-1) ?? '' } };
}

export interface PostgresDump extends Snapshot {
  /** The schema Relief lives in (the first of its search path). */
  postgresSchema: string;
  /** pg_dump's archive; errors (and ends early) if pg_dump fails, so a failed dump never becomes a backup. */
  stream: Readable;
  /** Ends the snapshot's transaction; call when the stream has been consumed or abandoned. */
  close(): Promise<void>;
}

/**
 * Opens a repeatable-read snapshot, counts the rows in it, and starts pg_dump on the same snapshot. `url` connects
 * with Relief's search path (its schema is the first of it).
 */
export async function dumpPostgres(url: string, progress: Progress): Promise<PostgresDump> {
  await requireTool('pg_dump');
  const client = await connect(url);
  let handedOver = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    const schema = (await client.query<{ s: string | null }>('select current_schema() as s')).rows[0]!.s;
    if (!schema) throw new BackupError("DATABASE_URL's schema does not exist: there is nothing to back up.");
    const snapshotId = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
    const counted = await countRows(client, schema);
    const totalRows = Object.values(counted.tables).reduce((a, b) => a + b, 0);
    const phase = progress.phase('Dumping the database', totalRows, 'rows');
    let rowsDone = 0;
    const { dbname, env } = libpq(url);
    // pg_dump's patterns take a double-quoted name literally. -Z0: the archive is not compressed (as a SQLite backup is
    // not), so AES-GCM is the only pass over the dump. pg_dump's zlib was most of a backup's time: 30 s at its default
    // level and 13 s at -Z1 against 8 s uncompressed, for a 600 MB database (archives of 134, 145 and 383 MB).
    const args = [
      '-Fc',
      '-Z0',
      '--no-owner',
      '--no-privileges',
      '-v',
      `--snapshot=${snapshotId}`,
      '-n',
      quoteIdent(schema),
    ];
    const dump = run('pg_dump', [...args, '-d', dbname], env, (line) => {
      // -v names each table as its rows are dumped: progress counts the rows of the tables before it.
      const table = /dumping contents of table "[^"]*?\.?([^".]+)"/.exec(line)?.[1];
      if (table && counted.tables[table] !== undefined) {
        phase.update(rowsDone);
        rowsDone += counted.tables[table];
      }
    });
    dump.child.stdin!.end();
    const stream = new PassThrough({ highWaterMark: 1 << 20 });
    dump.child.stdout!.pipe(stream, { end: false });
    dump.exited.then(
      () => {
        phase.end();
        stream.end();
      },
      (err: unknown) => {
        phase.end();
        stream.destroy(err as Error);
      },
    );
    handedOver = true;
    return {
      ...counted,
      postgresSchema: schema,
      stream,
      async close() {
        if (dump.child.exitCode === null) dump.child.kill('SIGTERM');
        await dump.exited.catch(() => {});
        await client.query('commit').catch(() => {});
        await client.end();
      },
    };
  } finally {
    if (!handedOver) await client.end();
  }
}

export interface PostgresTarget {
  url: string;
  schema: string;
  /** The schema must be created by the restore. */
  create: boolean;
}

/** The schema a URL's connection would use (the first of its search path), refused unless it is empty. */
export async function postgresTarget(url: string, label: string): Promise<PostgresTarget> {
  let client: pg.Client;
  try {
    client = await connect(url);
  } catch (err) {
    throw new BackupError(`cannot connect to ${label}: ${String((err as Error).message).split('\n')[0]}.`);
  }
  try {
    const { rows } = await client.query<{ current: string | null; path: string }>(
      "select current_schema() as current, current_setting('search_path') as path",
    );
    let schema = rows[0]!.current;
    let create = false;
    if (!schema) {
      const first = rows[0]!.path
        .split(',')
        .map((s) => s.trim())
        .find((s) => s && s !== '"$user"' && s !== '$user');
      if (!first) throw new BackupError(`${label} names no schema to restore into (its search_path is empty).`);
      schema = first.startsWith('"') ? first.slice(1, -1).replace(/""/g, '"') : first;
      create = true;
    }
    if (!create) {
      const { rows: used } = await client.query<{ n: string }>(
        `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1)
              + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1) as n`,
        [schema],
      );
      if (Number(used[0]!.n) > 0)
        throw new BackupError(
          `the schema ${schema} of ${label} is not empty: a restore goes only into an empty schema or a new database, never over existing data.`,
        );
    }
    return { url, schema, create };
  } finally {
    await client.end();
  }
}

/**
 * Restores a PostgreSQL backup into `target`: the body is decrypted and authenticated into `tempFile` first (nothing
 * reaches the database before the whole backup has proved intact), then pg_restore writes SQL that psql applies in
 * one transaction, with the schema's name changed to the target's. A failure leaves the target as it was.
 */
export async function restorePostgres(
  opened: OpenedBackup,
  target: PostgresTarget,
  tempFile: string,
  progress: Progress,
): Promise<{ secret: string | undefined }> {
  await requireTool('pg_restore');
  await requireTool('psql');
  const from = opened.header.postgresSchema ?? 'public';
  await ensureBtreeGist(target.url);
  try {
    const decrypting = progress.phase('Checking the backup', opened.header.bytes, 'bytes');
    const { secret } = await readBackupBody(
      opened,
      createWriteStream(tempFile, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }),
      (n) => decrypting.update(n),
    );
    decrypting.end();

    const totalRows = Object.values(opened.header.tables).reduce((a, b) => a + b, 0);
    const loading = progress.phase('Restoring', totalRows, 'rows');
    const { dbname, env } = libpq(target.url);
    const restore = run('pg_restore', ['-f', '-', '--no-owner', '--no-privileges', tempFile], env);
    restore.child.stdin!.end();
    const apply = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', dbname], env);
    apply.child.stdout!.resume();
    const rename = renameSchema(from, target.schema, target.create, (rows) => loading.update(rows));
    const piped = pipeline(restore.child.stdout!, rename, apply.child.stdin!);
    // psql's refusal first: pg_restore then only reports the pipe it lost.
    const results = await Promise.allSettled([apply.exited, restore.exited, piped]);
    loading.end();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return { secret };
  } finally {
    await unlink(tempFile).catch(() => {});
  }
}

/** Relief's overlap rules need btree_gist (migration 009); a new database may not have it yet. */
async function ensureBtreeGist(url: string): Promise<void> {
  const client = await connect(url);
  try {
    const { rows } = await client.query("select 1 from pg_extension where extname = 'btree_gist'");
    if (rows.length) return;
    await client.query('create extension btree_gist with schema public');
  } catch (err) {
    throw new BackupError(
      `the target database needs the extension btree_gist (${String((err as Error).message).split('\n')[0]}): ask its owner to run "create extension btree_gist with schema public;" in it once, then restore again.`,
    );
  } finally {
    await client.end();
  }
}

/**
 * pg_restore's SQL with the schema's name changed: outside COPY data, every `from.` becomes `"to".` and the dump's
 * own CREATE SCHEMA is dropped (the target exists, or is created first). COPY data passes through untouched, its
 * lines counted for progress.
 */
export function renameSchema(from: string, to: string, create: boolean, onRows: (rows: number) => void): Transform {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = `(?:${escape(quoteIdent(from))}|${/^[a-z_][a-z0-9_$]*$/.test(from) ? escape(from) : '(?!)'})`;
  const qualified = new RegExp(`(?<![\\w$."])${names}\\.`, 'g');
  const ownSchema = new RegExp(`^(CREATE SCHEMA|COMMENT ON SCHEMA|ALTER SCHEMA) ${names}[ ;]`);
  const replacement = `${quoteIdent(to)}.`;
  let carry = Buffer.alloc(0);
  let inCopy = false;
  let rows = 0;
  let lastReported = 0;
  const line = (bytes: Buffer, out: Buffer[]) => {
    if (inCopy) {
      if (bytes.length === 2 && bytes[0] === 0x5c && bytes[1] === 0x2e) inCopy = false;
      else rows += 1;
      out.push(bytes, NEWLINE);
      return;
    }
    const text = bytes.toString('utf8');
    if (ownSchema.test(text)) return;
    if (text.startsWith('COPY ') && text.endsWith(' FROM stdin;')) inCopy = true;
    out.push(Buffer.from(text.replace(qualified, replacement), 'utf8'), NEWLINE);
  };
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out: Buffer[] = [];
      if (first) {
        first = false;
        if (create) out.push(Buffer.from(`CREATE SCHEMA ${quoteIdent(to)};\n`, 'utf8'));
      }
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let end = data.indexOf(0x0a, start); end !== -1; end = data.indexOf(0x0a, start)) {
        line(data.subarray(start, end), out);
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start));
      if (rows - lastReported >= 10_000) {
        lastReported = rows;
        onRows(rows);
      }
      done(null, out.length ? Buffer.concat(out) : undefined);
    },
    flush(done) {
      const out: Buffer[] = [];
      if (carry.length) line(carry, out);
      onRows(rows);
      done(null, out.length ? Buffer.concat(out) : undefined);
    },
  });
}

const NEWLINE = Buffer.from('\n');
