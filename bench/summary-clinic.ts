/**
 * The patient summary at clinic size (issue 13 Speed: "measured at that size", 5,000 patients with 50,000
 * questionnaires, "and at 10×"): the demo seed's treated patients replicated with new ids, every row that is theirs
 * (record, plans and their sessions, appointments, dose orders and checks, questionnaires, flags) copied
 * per copy number in one INSERT … SELECT per table, so a clinic of 50,000 patients seeds in seconds. Copies keep their
 * times; each copy has its own chairs, nurses and supervising providers (copies of the demo's), so the database's
 * no-overlap rules hold as they do for the demo, and the patient rule holds as each copy is a new person. Not copied:
 * the infusion sessions (each walks the session state machine with its bag, events and assessment), so a copy's
 * summary shows its sessions booked but none given and no latest dose; the demo's own patients have them all.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/kernel/db/database.ts';
import type { DB } from '../src/kernel/db/schema.ts';

/** Columns that hold the id of a copied row (or a unique key derived from one): each copy suffixes them. */
const COPIED_IDS = new Set([
  'id',
  'patient_id',
  'plan_id',
  'appointment_id',
  'dose_order_id',
  'order_id',
  'screening_id',
  'session_id',
  'intake_id',
  'source_id',
  'schedule_key',
  'replaces_id',
  'supersedes_id',
]);
/** Per table, columns a copy sets to null (what would make two copies clash on a shared resource). */
const CLEARED: Record<string, Set<string>> = {
  appointments: new Set(['request_id']),
  patients: new Set(['request_id']),
  clinicians: new Set(['user_id']),
};
/**
 * Columns written as the demo first wrote them, then set as they are now once everything is copied: a plan is active
 * while its sessions are booked (the infusion gate asks), an order is written as ordered and verified after its check.
 */
const AS_WRITTEN: Record<string, Record<string, string>> = {
  treatment_plans: { status: `'active'` },
  dose_orders: { status: `'ordered'`, verified_by: 'null', verified_at: 'null' },
};
/** Resources copied per copy number; their ids are the clinic's own words, not UUIDs, and get a suffix. */
const RESOURCE_TABLES = new Set(['clinicians', 'rooms']);
/** Per table, columns naming a resource: each copy has its own chairs, nurses and supervising providers. */
const RESOURCES: Record<string, Set<string>> = {
  appointments: new Set(['nurse_id', 'room_id', 'supervisor_id', 'provider_id']),
};
/** Unique text columns outside the ids (a copy's email must differ). */
const UNIQUE_TEXT = new Set(['email', 'email_normalized']);

/** The tables a treated patient's rows live in, parents first, and how a row is known to be an original's. */
const MINE = 'r.patient_id in (select patient_id from bench_originals)';
const USED = (column: string) =>
  `select ${column} from appointments where patient_id in (select patient_id from bench_originals)`;
const TABLES: Array<[string, string]> = [
  [
    'clinicians',
    `r.id in (${USED('nurse_id')}) or r.id in (${USED('supervisor_id')}) or r.id in (${USED('provider_id')})`,
  ],
  ['rooms', `r.id in (${USED('room_id')})`],
  ['patients', 'r.id in (select patient_id from bench_originals)'],
  ['clinical_profiles', MINE],
  ['diagnoses', MINE],
  ['weights', MINE],
  ['intakes', MINE],
  ['screenings', MINE],
  ['treatment_plans', MINE],
  ['appointments', MINE],
  [
    'plan_sessions',
    'r.plan_id in (select id from treatment_plans where patient_id in (select patient_id from bench_originals))',
  ],
  ['dose_orders', MINE],
  [
    'dose_checks',
    'r.order_id in (select id from dose_orders where patient_id in (select patient_id from bench_originals))',
  ],
  ['questionnaires', MINE],
  ['clinical_alerts', MINE],
];

async function columnsOf(db: Kysely<DB>, table: string): Promise<string[]> {
  const tables = await db.introspection.getTables();
  const t = tables.find((x) => x.name === table);
  if (!t) throw new Error(`summary bench: no table ${table}`);
  return t.columns.map((c) => c.name);
}

/** Marks the patients to replicate (those with a treatment plan); returns how many. */
export async function markOriginals(database: Database): Promise<number> {
  const db = database.db;
  await sql`create table bench_originals (patient_id text primary key)`.execute(db);
  await sql`create table bench_copies (k integer primary key)`.execute(db);
  await sql`create table bench_map (copy_id text primary key, original_id text not null)`.execute(db);
  await sql`insert into bench_originals select distinct patient_id from treatment_plans`.execute(db);
  const n = await sql<{ n: number }>`select count(*) as n from bench_originals`.execute(db);
  return Number(n.rows[0]!.n);
}

/**
 * Copies `from`..`to` (inclusive) of every original patient, in batches that at most double the clinic, each followed
 * on PostgreSQL by an ANALYZE: the triggers' queries are planned on the statistics there are, and planned on the demo's
 * few rows they would scan whole tables for each row of a 5,000-patient insert.
 */
export async function replicate(database: Database, from: number, to: number): Promise<void> {
  for (let a = from; a <= to;) {
    const b = Math.min(to, 2 * a);
    await replicateBatch(database, a, b);
    a = b + 1;
  }
}

async function replicateBatch(database: Database, from: number, to: number): Promise<void> {
  const db = database.db;
  const pg = database.engine === 'postgres';
  const suffix = pg ? `'-c' || c.k::text` : `'-c' || c.k`;
  // A copy's id is still a UUID (routes check): the original's first 24 characters, then the copy number in hex.
  const uuid = (column: string) =>
    `substr(${column}, 1, 24) || ${pg ? `lpad(to_hex(c.k), 12, '0')` : `printf('%012x', c.k)`}`;
  const columns = new Map<string, string[]>();
  for (const [table] of TABLES) columns.set(table, await columnsOf(db, table));
  await database.transact(async (trx) => {
    const t = trx;
    await sql`delete from bench_copies`.execute(t);
    await sql
      .raw(`insert into bench_copies (k) select ${from} + n from (${series(to - from + 1, database.engine)}) s`)
      .execute(t);
    for (const [table, where] of TABLES) {
      const names = columns.get(table)!;
      const values = names.map((c) =>
        AS_WRITTEN[table]?.[c] !== undefined
          ? AS_WRITTEN[table][c]
          : (RESOURCE_TABLES.has(table) && c === 'id') ||
              UNIQUE_TEXT.has(c) ||
              RESOURCES[table]?.has(c) ||
              c === 'schedule_key'
            ? `r.${c} || ${suffix}`
            : COPIED_IDS.has(c)
              ? uuid(`r.${c}`)
              : CLEARED[table]?.has(c)
                ? 'null'
                : `r.${c}`,
      );
      const t0 = performance.now();
      await sql
        .raw(
          `insert into ${table} (${names.join(', ')}) select ${values.join(', ')} from ${table} r cross join bench_copies c where ${where}`,
        )
        .execute(t);
      if (process.env.BENCH_DEBUG) console.log(table, Math.round(performance.now() - t0), 'ms');
    }
    // Then what the demo moved on after writing, as it is now.
    for (const [table, where] of TABLES) {
      const later = Object.keys(AS_WRITTEN[table] ?? {});
      if (later.length === 0) continue;
      // Through a map of copy to original, so each row is found by its primary key (an UPDATE … FROM joining on an
      // expression of the id walks the whole table per row).
      await sql`delete from bench_map`.execute(t);
      await sql
        .raw(
          `insert into bench_map (copy_id, original_id) select ${uuid('o.id')}, o.id
            from ${table} o cross join bench_copies c where ${where.replaceAll('r.', 'o.')}`,
        )
        .execute(t);
      await sql
        .raw(
          `update ${table} set ${later
            .map(
              (c) =>
                `${c} = (select o.${c} from ${table} o where o.id = (select m.original_id from bench_map m where m.copy_id = ${table}.id))`,
            )
            .join(', ')} where id in (select copy_id from bench_map)`,
        )
        .execute(t);
    }
  });
  // As a clinic's tables would have: statistics for the planner (autovacuum's analyze, after a bulk load).
  if (pg) await sql`analyze`.execute(db);
}

/** 0..n-1 as rows named n. */
function series(n: number, engine: string): string {
  return engine === 'postgres'
    ? `select generate_series(0, ${n - 1}) as n`
    : `with recursive s(n) as (select 0 union all select n + 1 from s where n < ${n - 1}) select n from s`;
}
