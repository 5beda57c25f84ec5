/**
 * The benchmark's backup section (`npm run bench` runs it after the main phases, in a process of its own so that its
 * half-gigabyte buffers and files stay out of the main bench's memory figures; `npm run bench:backup` runs it alone):
 * backup and restore-verify throughput (MB of database a second) for a clinic of 100,000 appointments and 1,000,000
 * audit events, against a plain file copy of the same size on the same disk, on the engine DATABASE_URL selects
 * (SQLite when unset). Target: a backup at least 50 % of the copy's speed. `--quick`: 10,000 appointments, 100,000
 * events and one run, indicative only.
 *
 * Beside the target it prints the backup's ceiling measured in the same run: the work no backup can skip, with no
 * disk write at all. On SQLite that is the online snapshot (SQLite's backup API into the same scratch folder the
 * backup uses) followed by SHA-256 and AES-256-GCM over it in memory; on PostgreSQL, pg_dump of the same database
 * read to the end by this process (the encryption runs alongside pg_dump there). Prints a table and one PASS/FAIL line per
 * engine; exits 0 unless something broke (the target is a measurement, not an assertion).
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Insertable } from 'kysely';
import pg from 'pg';
import { loadConfig, type Config } from '../src/kernel/config.ts';
import { openDatabase, type Database } from '../src/kernel/db/database.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import type { DB } from '../src/kernel/db/schema.ts';
import { hashAuditRow, keyAuditChain, type AuditEventRow } from '../src/kernel/audit/audit.ts';
import { makeBackup, verifyBackup } from '../src/kernel/backup/backup.ts';
import { scratchFolder, snapshotSqlite, SQLITE_FILE } from '../src/kernel/backup/sqlite.ts';
import { dumpPostgres, withSchema } from '../src/kernel/backup/postgres.ts';
import { noProgress, type Progress } from '../src/kernel/backup/progress.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { fmt } from './stats.ts';

const quick = process.argv.includes('--quick');
const APPOINTMENTS = quick ? 10_000 : 100_000;
const EVENTS = quick ? 100_000 : 1_000_000;
const RUNS = quick ? 1 : 3;
const TARGET = 0.5;
const MINUTE = 60_000;

const pgUrl = process.env.DATABASE_URL;
const engine = pgUrl ? 'postgres' : 'sqlite';
const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench backup ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
const count = (n: number) => n.toLocaleString('en-US');

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Booked visits one after another (so none overlaps another on any provider or room), over the demo clinic. */
async function seedAppointments(database: Database, total: number): Promise<void> {
  const providers = ['prov-reyes', 'prov-okafor', 'prov-lindqvist'];
  const rooms = ['room-chi-1', 'room-chi-2'];
  const base = Date.parse('2023-01-02T15:00:00.000Z');
  const batch = database.engine === 'sqlite' ? 2000 : 1000;
  for (let from = 0; from < total; from += batch) {
    const rows: Insertable<DB['appointments']>[] = [];
    for (let i = from; i < Math.min(total, from + batch); i++) {
      const start = base + i * 30 * MINUTE;
      rows.push({
        id: randomUUID(),
        location_id: 'loc-chicago',
        type_id: 'type-consultation',
        request_id: null,
        provider_id: providers[i % providers.length]!,
        nurse_id: null,
        nurse_lane: null,
        room_id: rooms[i % rooms.length]!,
        patient_id: null,
        starts_at: start,
        ends_at: start + 30 * MINUTE,
        busy_from: start,
        busy_to: start + 30 * MINUTE,
        status: 'booked',
        created_at: start - 7 * 24 * 60 * MINUTE,
        updated_at: start - 7 * 24 * 60 * MINUTE,
      });
    }
    await database.db.insertInto('appointments').values(rows).execute();
  }
}

const COLUMNS = [
  'seq',
  'at',
  'actor_id',
  'actor_role',
  'location_id',
  'patient_ref',
  'action',
  'outcome',
  'ip',
  'detail',
  'prev_hash',
  'hash',
] as const;

/** A hash chain of `total` realistic events (what a year or two of a busy clinic's staff and patients leave). */
function* auditEvents(
  total: number,
  page: number,
  key: Buffer,
  tail: { seq: number; hash: string },
): Generator<AuditEventRow[]> {
  const actions = ['lead.view', 'patient.view', 'appointment.book', 'sign_in', 'lead.list', 'patient.search'];
  let prev = tail.hash;
  const base = Date.parse('2023-01-02T15:00:00.000Z');
  for (let from = 0; from < total; from += page) {
    const rows: AuditEventRow[] = [];
    for (let n = from + 1; n <= Math.min(total, from + page); n++) {
      const seq = tail.seq + n;
      const row: Omit<AuditEventRow, 'hash'> = {
        seq,
        at: base + seq * 20_000,
        actor_id: `user-${seq % 17}`,
        actor_role: seq % 3 === 0 ? 'provider' : 'front_desk',
        location_id: seq % 2 ? 'loc-chicago' : 'loc-denver',
        patient_ref: randomUUID(),
        action: actions[seq % actions.length]!,
        outcome: 'success',
        ip: `10.0.${seq % 250}.${seq % 200}`,
        detail: JSON.stringify({ appointmentId: randomUUID(), requestId: randomUUID() }),
        prev_hash: prev,
      };
      const hash = hashAuditRow(row, key);
      rows.push({ ...row, hash });
      prev = hash;
    }
    yield rows;
  }
}

/** The events follow the chain's keyed boundary (written through the app), hashed with the configuration's key. */
async function seedAudit(config: Config, database: Database, total: number): Promise<void> {
  const tail = (await keyAuditChain(database, Date.parse('2023-01-02T15:00:00.000Z')))!;
  const events = (page: number) => auditEvents(total, page, config.audit.key, tail);
  if (!config.databaseUrl) {
    // One transaction through a connection of its own: the fastest way SQLite takes a million rows.
    const file = new BetterSqlite3(join(config.dataDir, SQLITE_FILE));
    const insert = file.prepare(
      `insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
    );
    file.transaction(() => {
      for (const rows of events(1000)) for (const row of rows) insert.run(COLUMNS.map((c) => row[c]));
    })();
    file.pragma('wal_checkpoint(truncate)');
    file.close();
    return;
  }
  // One transaction of 10,000-row inserts from arrays (unnest), as bench/audit-seed-child.ts does.
  const client = new pg.Client({
    connectionString: config.databaseUrl,
    options: `-c search_path=${config.databaseSchema}`,
  });
  await client.connect();
  try {
    await client.query('begin');
    const types = ['bigint', 'bigint', ...Array<string>(10).fill('text')];
    const text = `insert into audit_events (${COLUMNS.join(', ')}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    let done = 0;
    for (const rows of events(10_000)) {
      await client.query(
        text,
        COLUMNS.map((c) => rows.map((r) => r[c])),
      );
      done += rows.length;
      if (done % 250_000 === 0) log(`  ${count(done)} audit events`);
    }
    await client.query('commit');
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

/** Bytes the database takes: SQLite's file, or the schema's tables with their indexes and TOAST. */
async function databaseBytes(config: Config, database: Database): Promise<number> {
  if (database.engine === 'sqlite') return statSync(join(config.dataDir, SQLITE_FILE)).size;
  const { rows } = await sql<{ n: string }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as n from pg_class c
    join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = 'r'`.execute(
    database.db,
  );
  return Number(rows[0]!.n);
}

/** A file of `bytes` random bytes (PostgreSQL has no one file to copy). */
function fileOfSize(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = randomBytes(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * SHA-256 and AES-256-GCM over `bytes` in memory, no I/O, as writeBackupFile does them (1 MB chunks, each hashed and
 * encrypted in turn on one thread): the encryption's own ceiling on this machine.
 */
function cryptoAlone(bytes: number): number {
  const chunks = Array.from({ length: 8 }, () => randomBytes(1 << 20));
  const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  const hash = createHash('sha256');
  const t = performance.now();
  for (let done = 0, i = 0; done < bytes; done += 1 << 20, i++) {
    const chunk = chunks[i % chunks.length]!;
    hash.update(chunk);
    cipher.update(chunk);
  }
  cipher.final();
  hash.digest();
  return (performance.now() - t) / 1000;
}

/** A plain copy, as cp does it (the kernel's copy), made durable like a backup file. */
function plainCopy(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/** The backup's first step alone: SQLite's online snapshot into the scratch folder, or pg_dump read to the end. */
async function snapshotAlone(config: Config): Promise<number> {
  const t = performance.now();
  if (!config.databaseUrl) {
    const source = join(config.dataDir, SQLITE_FILE);
    const scratch = await scratchFolder(config.dataDir, statSync(source).size, 'bench-');
    try {
      await snapshotSqlite(source, join(scratch, SQLITE_FILE), noProgress);
      return (performance.now() - t) / 1000;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const dump = await dumpPostgres(withSchema(config.databaseUrl, config.databaseSchema), noProgress);
  try {
    for await (const chunk of dump.stream) void chunk;
    return (performance.now() - t) / 1000;
  } finally {
    await dump.close();
  }
}

/** Progress that notes how long each phase of a backup took ("Copying the database 1.2 s, Encrypting 1.3 s"). */
function phaseTimer(): Progress & { summary(): string } {
  const phases: string[] = [];
  return {
    phase(label) {
      const t = performance.now();
      let ended = false;
      return {
        update: () => {},
        end: () => {
          if (!ended) phases.push(`${label.toLowerCase()} ${fmt((performance.now() - t) / 1000)} s`);
          ended = true;
        },
      };
    },
    summary: () => phases.join(', '),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MB = 1e6;

let cleanup: (() => Promise<void>) | undefined;
// Ctrl-C still removes the temporary database and files.
process.once('SIGINT', () => {
  void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-bench-backup-'));
  const schema = pgUrl ? `bench_backup_${randomBytes(5).toString('hex')}` : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    LOG_LEVEL: 'silent',
    BACKUP_KEY: randomBytes(32).toString('hex'),
    ...(pgUrl ? { DATABASE_URL: pgUrl } : {}),
  });
  config.databaseSchema = schema;
  if (schema) await adminQuery(`create schema ${schema}`);
  const database = openDatabase(config);
  let closed = false;
  cleanup = async () => {
    if (!closed) await database.close().catch(() => {});
    closed = true;
    if (schema) await adminQuery(`drop schema if exists ${schema} cascade`).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log(`engine ${engine}${quick ? ' (quick mode)' : ''}: migrating and seeding the demo clinic`);
    await migrateToLatest(database);
    await seedDemo(database);
    log(`seeding ${count(APPOINTMENTS)} appointments`);
    await seedAppointments(database, APPOINTMENTS);
    log(`seeding ${count(EVENTS)} audit events (a valid hash chain)`);
    await seedAudit(config, database, EVENTS);
    const size = await databaseBytes(config, database);
    log(`database: ${fmt(size / MB, 1)} MB; ${RUNS} run${RUNS > 1 ? 's' : ''} of copy, snapshot, backup, verify`);

    const scratch = join(dataDir, 'scratch');
    const copySource = database.engine === 'sqlite' ? join(dataDir, SQLITE_FILE) : join(dataDir, 'copy-source');
    if (database.engine === 'postgres') fileOfSize(copySource, size);
    const times = { crypto: [] as number[], copy: [] as number[], snapshot: [] as number[], backup: [] as number[] };
    const verifies: number[] = [];
    let body = 0;
    let fileBytes = 0;
    for (let run = 1; run <= RUNS; run++) {
      let t = performance.now();
      plainCopy(copySource, join(dataDir, 'copy'));
      times.copy.push((performance.now() - t) / 1000);
      rmSync(join(dataDir, 'copy'));

      times.snapshot.push(await snapshotAlone(config));

      const phases = phaseTimer();
      t = performance.now();
      const made = await makeBackup(config, database, { dir: scratch, progress: phases });
      times.backup.push((performance.now() - t) / 1000);
      fileBytes = made.fileBytes;
      body = made.header.bytes;
      // The encryption over the bytes the backup encrypts (on PostgreSQL the dump, smaller than the database).
      times.crypto.push(cryptoAlone(body));

      t = performance.now();
      const checked = await verifyBackup(config, made.file);
      verifies.push((performance.now() - t) / 1000);
      rmSync(made.file);
      log(
        `run ${run}: copy ${fmt(times.copy.at(-1)!)} s, ${engine === 'sqlite' ? 'snapshot' : 'pg_dump'} alone ${fmt(times.snapshot.at(-1)!)} s, ` +
          `backup ${fmt(times.backup.at(-1)!)} s (${phases.summary()}), restore-verify ${fmt(verifies.at(-1)!)} s (${count(checked.auditEvents)} audit events checked)`,
      );
    }
    await database.close();
    closed = true;

    // MB of database a second, from the median time of the runs.
    const rate = (seconds: number[]) => size / MB / median(seconds);
    const copy = rate(times.copy);
    const backup = rate(times.backup);
    const verify = rate(verifies);
    const snapshot = rate(times.snapshot);
    const crypto = rate(times.crypto);
    // SQLite: the snapshot, then the encryption over it. PostgreSQL: the dump and the encryption side by side.
    const ceiling =
      engine === 'sqlite'
        ? size / MB / (median(times.snapshot) + median(times.crypto))
        : size / MB / Math.max(median(times.snapshot), median(times.crypto));
    const pct = (n: number) => `${fmt(n * 100, 1)}%`;
    const first =
      engine === 'sqlite' ? 'snapshot alone (backup API into scratch)' : 'pg_dump -Fc -Z0 alone, read to the end';
    const rows: string[][] = [
      ['Measure', 'Relief', 'Baseline', 'Ratio', 'Target'],
      [
        `backup MB/s, ${fmt(size / MB, 0)} MB database`,
        fmt(backup, 1),
        `${fmt(copy, 1)} plain copy`,
        pct(backup / copy),
        `>= ${TARGET * 100}%`,
      ],
      ['  ceiling: no disk write at all', fmt(ceiling, 1), `${fmt(copy, 1)} plain copy`, pct(ceiling / copy), '(info)'],
      [`  ${first}`, fmt(snapshot, 1), `${fmt(copy, 1)} plain copy`, pct(snapshot / copy), '(info)'],
      [
        '  SHA-256 + AES-256-GCM alone, in memory',
        fmt(crypto, 1),
        `${fmt(copy, 1)} plain copy`,
        pct(crypto / copy),
        '(info)',
      ],
      ['  backup vs its ceiling', fmt(backup, 1), `${fmt(ceiling, 1)} ceiling`, pct(backup / ceiling), '(info)'],
      ['restore-verify MB/s', fmt(verify, 1), `${fmt(copy, 1)} plain copy`, pct(verify / copy), '(info)'],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    const out: string[] = [];
    const quickNote = 'QUICK MODE (--quick): a smaller database and one run; the figures are indicative only.';
    out.push('');
    out.push(
      `Relief benchmark, backups: engine ${engine}, node ${process.version}, ${cpus().length} CPUs, load average ${fmt(loadavg()[0]!, 1)} at the end${quick ? ', quick mode' : ''}`,
    );
    if (quick) out.push(quickNote);
    out.push(
      `data: ${fmt(size / MB, 1)} MB database (${count(APPOINTMENTS)} appointments, ${count(EVENTS)} audit events); ` +
        `backup file ${fmt(fileBytes / MB, 1)} MB, encrypted (AES-256-GCM); every MB/s is MB of database a second, the median of ${RUNS} run${RUNS > 1 ? 's' : ''}`,
    );
    out.push(
      `plain copy: copyFileSync of a ${engine === 'sqlite' ? 'copy of the database file' : 'file of the same size'} on the same disk, then fsync; ` +
        `ceiling: ${engine === 'sqlite' ? 'the snapshot, then SHA-256 + AES-GCM over it (they cannot overlap: the snapshot is complete only at its end)' : 'pg_dump and SHA-256 + AES-GCM side by side, the slower of the two'}`,
    );
    out.push('');
    out.push(line(rows[0]!));
    out.push(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows.slice(1)) out.push(line(r));
    out.push('');
    const ratio = backup / copy;
    out.push(
      `${ratio >= TARGET ? 'PASS' : 'FAIL'}  [${engine}] backup ${pct(ratio)} of a plain copy's speed >= ${TARGET * 100}% ` +
        `(its ceiling in this run, with no disk write: ${pct(ceiling / copy)})`,
    );
    if (quick) out.push(quickNote);
    out.push(`backup section run time ${fmt((performance.now() - started) / 1000, 1)} s`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await cleanup();
  }
}

try {
  await main();
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench backup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
