/**
 * Child process: migrates a benchmark database, seeds the demo clinic and a dozen staff accounts, then appends `count`
 * audit events in bulk (see bulkWriter), continuing the hash chain from its newest event with
 * src/audit/audit.ts's own serialiseDetail and hashAuditRow (keyed with the runtime's audit key, after the chain's
 * keyed boundary), so `relief audit verify` finds the chain intact.
 * Argument: { dataDir, schema, auditKey (hex), now, count }. The events span the two years before `now`, oldest first: staff reading
 * and working leads, calendars and patients, patients opening and using their booking links, sign-ins.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../src/kernel/db/database.ts';
import { migrateToLatest } from '../src/kernel/db/migrate.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { insertUser } from '../src/staff/users.ts';
import {
  GENESIS_HASH,
  hashAuditRow,
  keyAuditChain,
  serialiseDetail,
  type AuditEventRow,
} from '../src/kernel/audit/audit.ts';
import { PATIENT_ROLE } from '../src/kernel/audit/patient-audit.ts';
import type { Role } from '../src/kernel/db/schema.ts';
import { prng } from './stats.ts';
import { childArgument } from './child.ts';

export interface AuditSeedResult {
  count: number;
  users: number;
  first: number;
  last: number;
}

const arg = await childArgument<{ dataDir: string; schema?: string; auditKey: string; now: number; count: number }>();
const key = Buffer.from(arg.auditKey, 'hex');
const YEARS = 2;
const LOCATIONS = ['loc-chicago', 'loc-denver'];
const STAFF_ACTIONS = [
  'lead.list',
  'lead.view',
  'lead.update_status',
  'lead.assign',
  'lead.note',
  'calendar.view',
  'patient.view',
  'appointment.book',
  'sign_in',
];
const PATIENT_ACTIONS = ['request.create', 'booking.view', 'appointment.book', 'appointment.reschedule'];

/** The events' columns in table order; both bulk writers below insert them positionally. */
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
type Row = AuditEventRow;
const values = (r: Row) => COLUMNS.map((c) => r[c]);

/**
 * Bulk writer for a database nothing else is using yet. SQLite: the file directly, one transaction, a prepared
 * one-row insert (faster here than multi-row ones), no fsync and a large page cache (a load, not a commit anyone
 * waits on). PostgreSQL: one transaction of 10,000-row inserts from arrays (unnest), 12 parameters a statement.
 */
async function bulkWriter() {
  if (!process.env.DATABASE_URL) {
    const file = new BetterSqlite3(join(arg.dataDir, 'relief.db'));
    file.pragma('synchronous = OFF');
    file.pragma('cache_size = -262144');
    const insert = file.prepare(
      `insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
    );
    file.exec('begin immediate');
    return {
      batch: 1000,
      write: (rows: Row[]): Promise<unknown> => {
        for (const r of rows) insert.run(values(r));
        return Promise.resolve();
      },
      async end() {
        file.exec('commit');
        file.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${arg.schema}` });
  await client.connect();
  await client.query('begin');
  const types = ['bigint', 'bigint', ...Array<string>(10).fill('text')];
  const text = `insert into audit_events (${COLUMNS.join(', ')}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  return {
    batch: 10_000,
    write: (rows: Row[]) =>
      client.query(
        text,
        COLUMNS.map((c) => rows.map((r) => r[c])),
      ),
    async end() {
      await client.query('commit');
      await client.query('vacuum analyze audit_events');
      await client.end();
    },
  };
}

const database = openDatabase({
  dataDir: arg.dataDir,
  databaseUrl: process.env.DATABASE_URL || undefined,
  databaseSchema: arg.schema,
  audit: { key },
});
const staff: Array<{ id: string; role: Role; location: string }> = [];
let tail: { seq: number; hash: string } | undefined;
try {
  await migrateToLatest(database);
  await seedDemo(database);
  const roles: Role[] = ['admin', 'front_desk', 'front_desk', 'nurse', 'provider', 'front_desk'];
  for (let i = 0; i < 12; i++) {
    const role = roles[i % roles.length]!;
    const location = LOCATIONS[i % LOCATIONS.length]!;
    const id = await insertUser(
      database.db,
      { email: `staff${i}@relief.example`, name: `Staff Member ${i}`, role, locationIds: [location] },
      arg.now - YEARS * 365 * 86_400_000,
    );
    staff.push({ id, role, location });
  }
  await keyAuditChain(database, arg.now - YEARS * 365 * 86_400_000);
  const last = await database.db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  tail = last ? { seq: Number(last.seq), hash: last.hash } : undefined;
} finally {
  await database.close();
}

const rand = prng(20260401);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
// Pools of the people and appointments the events are about (so filters by patient find several events each),
// and their details serialised once: the per-event cost is then the chain itself, as in the app.
const refs = Array.from({ length: Math.max(1000, Math.floor(arg.count / 20)) }, () => randomUUID());
const appointmentDetails = refs
  .slice(0, 5000)
  .map((ref) => serialiseDetail({ appointmentId: randomUUID(), requestId: ref }));
const listDetails = [1, 2, 3].map((page) => serialiseDetail({ filter: 'new', page, rows: 50 }));
const signInDetail = serialiseDetail({ method: 'password+totp' });
const noDetail = serialiseDetail({});
const ips = Array.from({ length: 250 }, (_, i) => `198.51.100.${i + 1}`);
const start = arg.now - YEARS * 365 * 86_400_000;
const span = arg.now - 60_000 - start;

const writer = await bulkWriter();
let seq = tail?.seq ?? 0;
let prev = tail?.hash ?? GENESIS_HASH;
const first = seq + 1;
for (let done = 0; done < arg.count;) {
  const rows: Row[] = [];
  for (const end = Math.min(arg.count, done + writer.batch); done < end; done++) {
    const byPatient = rand() < 0.3;
    const person = pick(staff);
    const action = byPatient ? pick(PATIENT_ACTIONS) : pick(STAFF_ACTIONS);
    const list = action === 'lead.list' || action === 'calendar.view';
    const ref = list || action === 'sign_in' ? null : pick(refs);
    const row: Omit<Row, 'hash'> = {
      seq: ++seq,
      at: start + Math.floor((done / arg.count) * span),
      actor_id: byPatient ? null : person.id,
      actor_role: byPatient ? PATIENT_ROLE : person.role,
      location_id: ref === null && !byPatient ? null : pick(LOCATIONS),
      patient_ref: ref,
      action,
      outcome: rand() < 0.02 ? 'denied' : 'success',
      ip: pick(ips),
      detail: list
        ? pick(listDetails)
        : action === 'sign_in'
          ? signInDetail
          : action.startsWith('appointment.')
            ? pick(appointmentDetails)
            : noDetail,
      prev_hash: prev,
    };
    prev = hashAuditRow(row, key);
    rows.push({ ...row, hash: prev });
  }
  await writer.write(rows);
}
await writer.end();
const result: AuditSeedResult = { count: arg.count, users: staff.length, first, last: seq };
process.stdout.write(JSON.stringify(result) + '\n');
