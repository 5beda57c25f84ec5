/**
 * `npm run bench:backup`: backup and restore-verify throughput (MB/s) for a clinic of 100,000 appointments and
 * 1,000,000 audit events, against a plain file copy of the same size on the same disk, on the engine DATABASE_URL
 * selects (SQLite when unset). Target: a backup at least 50 % of the copy's speed. Prints a table and one PASS/FAIL
 * line; exits 0 unless something broke (the target is a measurement, not an assertion).
 *
 * Its own module and entry (not part of bench/run.ts), so that it can be run alone and merged without touching the
 * main benchmark. BENCH_BACKUP_APPOINTMENTS and BENCH_BACKUP_EVENTS shrink it for a quick try.
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Insertable } from 'kysely';
import pg from 'pg';
import { loadConfig, type Config } from '../src/kernel/config.ts';
import { openDatabase, type Database } from '../src/kernel/db/database.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import type { DB } from '../src/kernel/db/schema.ts';
import { GENESIS_HASH, hashAuditRow, type AuditEventRow } from '../src/kernel/audit/audit.ts';
import { makeBackup, verifyBackup } from '../src/kernel/backup/backup.ts';
import { seedDemo } from '../src/seed/demo.ts';

const APPOINTMENTS = Number(process.env.BENCH_BACKUP_APPOINTMENTS ?? 100_000);
const EVENTS = Number(process.env.BENCH_BACKUP_EVENTS ?? 1_000_000);
const RUNS = 3;
const TARGET = 0.5;
const MINUTE = 60_000;

const pgUrl = process.env.DATABASE_URL;
const engine = pgUrl ? 'postgres' : 'sqlite';
const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench:backup ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** 100,000 booked visits, one after another (so none overlaps another on any provider or room), over the demo clinic. */
async function seedAppointments(database: Database, count: number): Promise<void> {
  const providers = ['prov-reyes', 'prov-okafor', 'prov-lindqvist'];
  const rooms = ['room-chi-1', 'room-chi-2'];
  const base = Date.parse('2023-01-02T15:00:00.000Z');
  const batch = database.engine === 'sqlite' ? 2000 : 1000;
  for (let from = 0; from < count; from += batch) {
    const rows: Insertable<DB['appointments']>[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
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

/** A hash chain of `count` realistic events (what a year or two of a busy clinic's staff and patients leave). */
function* auditEvents(count: number): Generator<AuditEventRow[]> {
  const actions = ['lead.view', 'patient.view', 'appointment.book', 'sign_in', 'lead.list', 'patient.search'];
  let prev = GENESIS_HASH;
  const base = Date.parse('2023-01-02T15:00:00.000Z');
  for (let from = 0; from < count; from += 1000) {
    const page: AuditEventRow[] = [];
    for (let seq = from + 1; seq <= Math.min(count, from + 1000); seq++) {
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
      const hash = hashAuditRow(row);
      page.push({ ...row, hash });
      prev = hash;
    }
    yield page;
  }
}

async function seedAudit(config: Config, database: Database, count: number): Promise<void> {
  if (database.engine === 'sqlite') {
    // One transaction through a connection of its own: the fastest way SQLite takes a million rows.
    const file = new BetterSqlite3(join(config.dataDir, 'relief.db'));
    const insert = file.prepare(
      'insert into audit_events (seq, at, actor_id, actor_role, location_id, patient_ref, action, outcome, ip, detail, prev_hash, hash) values (@seq, @at, @actor_id, @actor_role, @location_id, @patient_ref, @action, @outcome, @ip, @detail, @prev_hash, @hash)',
    );
    file.transaction(() => {
      for (const page of auditEvents(count)) for (const row of page) insert.run(row);
    })();
    file.pragma('wal_checkpoint(truncate)');
    file.close();
    return;
  }
  let done = 0;
  for (const page of auditEvents(count)) {
    await database.db.insertInto('audit_events').values(page).execute();
    done += page.length;
    if (done % 100_000 === 0) log(`  ${done.toLocaleString('en-US')} audit events`);
  }
  await sql`vacuum analyze`.execute(database.db);
}

/** Bytes the database takes: SQLite's file, or the schema's tables with their indexes and TOAST. */
async function databaseBytes(config: Config, database: Database): Promise<number> {
  if (database.engine === 'sqlite') return statSync(join(config.dataDir, 'relief.db')).size;
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

/** AES-256-GCM and SHA-256 over `bytes` in memory, no I/O: the encryption's own ceiling on this machine. */
function cryptoAlone(bytes: number): number {
  const chunk = randomBytes(1 << 20);
  const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  const hash = createHash('sha256');
  const t = performance.now();
  for (let done = 0; done < bytes; done += chunk.length) {
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => bytes / 1e6;

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
  try {
    log(`engine ${engine}: migrating and seeding the demo clinic`);
    await migrateToLatest(database);
    await seedDemo(database);
    log(`seeding ${APPOINTMENTS.toLocaleString('en-US')} appointments`);
    await seedAppointments(database, APPOINTMENTS);
    log(`seeding ${EVENTS.toLocaleString('en-US')} audit events (a valid hash chain)`);
    await seedAudit(config, database, EVENTS);
    const size = await databaseBytes(config, database);
    log(`database: ${mb(size).toFixed(1)} MB`);

    const scratch = join(dataDir, 'scratch');
    const copySource = database.engine === 'sqlite' ? join(dataDir, 'relief.db') : join(dataDir, 'copy-source');
    if (database.engine === 'postgres') fileOfSize(copySource, size);
    const cryptos: number[] = [];
    const copies: number[] = [];
    const backups: number[] = [];
    const verifies: number[] = [];
    let fileBytes = 0;
    for (let run = 1; run <= RUNS; run++) {
      cryptos.push(cryptoAlone(size));
      let t = performance.now();
      plainCopy(copySource, join(dataDir, 'copy'));
      copies.push((performance.now() - t) / 1000);
      rmSync(join(dataDir, 'copy'));

      t = performance.now();
      const made = await makeBackup(config, database, { dir: scratch });
      backups.push((performance.now() - t) / 1000);
      fileBytes = made.fileBytes;

      t = performance.now();
      const checked = await verifyBackup(config, made.file);
      verifies.push((performance.now() - t) / 1000);
      rmSync(made.file);
      log(
        `run ${run}: copy ${copies.at(-1)!.toFixed(2)} s, backup ${backups.at(-1)!.toFixed(2)} s, restore-verify ${verifies.at(-1)!.toFixed(2)} s (${checked.auditEvents.toLocaleString('en-US')} audit events checked)`,
      );
    }
    const copyRate = mb(size) / median(copies);
    const backupRate = mb(size) / median(backups);
    const verifyRate = mb(size) / median(verifies);
    const rows = [
      ['engine', engine],
      [
        'database',
        `${mb(size).toFixed(1)} MB (${APPOINTMENTS.toLocaleString('en-US')} appointments, ${EVENTS.toLocaleString('en-US')} audit events)`,
      ],
      ['backup file', `${mb(fileBytes).toFixed(1)} MB, encrypted (AES-256-GCM)`],
      ['plain file copy', `${copyRate.toFixed(1)} MB/s (median ${median(copies).toFixed(2)} s of ${RUNS})`],
      ['encryption alone', `${(mb(size) / median(cryptos)).toFixed(1)} MB/s (AES-256-GCM + SHA-256 in memory, no I/O)`],
      ['backup', `${backupRate.toFixed(1)} MB/s (median ${median(backups).toFixed(2)} s of ${RUNS})`],
      ['restore-verify', `${verifyRate.toFixed(1)} MB/s (median ${median(verifies).toFixed(2)} s of ${RUNS})`],
    ];
    const width = Math.max(...rows.map(([k]) => k!.length));
    process.stdout.write(rows.map(([k, v]) => `${k!.padEnd(width)}  ${v}`).join('\n') + '\n');
    const ratio = backupRate / copyRate;
    process.stdout.write(
      `${ratio >= TARGET ? 'PASS' : 'FAIL'} backup at ${(ratio * 100).toFixed(0)} % of a plain copy's speed (target ≥ ${TARGET * 100} %)\n`,
    );
  } finally {
    await database.close();
    if (schema) await adminQuery(`drop schema if exists ${schema} cascade`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
