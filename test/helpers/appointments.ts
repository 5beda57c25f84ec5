/** Appointment rows written directly, and databases at an older release, for tests of the database's own rules. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  type InsertQueryNode,
  OperationNodeTransformer,
  PrimitiveValueListNode,
  sql,
  ValueListNode,
  ValuesNode,
  type IdentifierNode,
  type Insertable,
  type Kysely,
  type KyselyPlugin,
} from 'kysely';
import { isOverlapViolation, openDatabase, type Database } from '../../src/kernel/db/database.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import type { DB } from '../../src/kernel/db/schema.ts';
import { adminQuery } from './runtime.ts';

export const MIN = 60_000;
/** Tuesday 10 March 2026, 10:00 in Chicago (CDT). */
export const T0 = Date.parse('2026-03-10T15:00:00.000Z');
export type AppointmentRow = Insertable<DB['appointments']>;

/** A booked consultation at Chicago holding nothing yet; `at`, `minutes` and the buffers are minutes (from T0). */
export function appointmentRow(
  over: Partial<AppointmentRow> & { at?: number; minutes?: number; before?: number; after?: number } = {},
): AppointmentRow {
  const { at = 0, minutes = 45, before = 0, after = 0, ...rest } = over;
  const start = T0 + at * MIN;
  return {
    id: `a-${randomBytes(6).toString('hex')}`,
    location_id: 'loc-chicago',
    type_id: 'type-consultation',
    request_id: null,
    provider_id: null,
    nurse_id: null,
    nurse_lane: null,
    room_id: null,
    patient_id: null,
    starts_at: start,
    ends_at: start + minutes * MIN,
    busy_from: start - before * MIN,
    busy_to: start + (minutes + after) * MIN,
    status: 'booked',
    created_at: T0 - 7 * 24 * 60 * MIN,
    updated_at: T0 - 7 * 24 * 60 * MIN,
    ...rest,
  };
}

/** True when the database refused the write as an overlap; any other error is thrown. */
export async function refusedAsOverlap(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (err) {
    if (isOverlapViolation(err)) return true;
    throw err;
  }
}

/** An empty database of its own (temp SQLite file, or a new PostgreSQL schema), opened but not migrated. */
export async function openEmptyDatabase(): Promise<{ database: Database; remove(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-test-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
  if (url) await adminQuery(url, `create schema ${schema}`);
  const database = openDatabase({ dataDir, databaseUrl: url, databaseSchema: schema });
  return {
    database,
    async remove() {
      await database.close();
      if (url) await adminQuery(url, `drop schema if exists ${schema} cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The names of migration `name` and every one after it: what an upgrade from the release before it applies. */
export const migrationsFrom = (name: string) =>
  MIGRATIONS.slice(MIGRATIONS.findIndex(([n]) => n === name)).map(([n]) => n);

/** Migrates to the release before migration `name` and seeds the demo clinic there, in that release's words. */
export async function atReleaseBefore(database: Database, name: string): Promise<void> {
  const index = MIGRATIONS.findIndex(([n]) => n === name);
  if (index < 0) throw new Error(`no migration ${name}`);
  await applyMigrations(database, MIGRATIONS.slice(0, index));
  const before = (m: string) => index <= MIGRATIONS.findIndex(([n]) => n === m);
  const plugins: KyselyPlugin[] = [
    ...(before('011_clinicians') ? [new BeforeClinicians()] : []),
    ...(before('015_types_as_data') ? [new BeforeTypeColumns(['kind', 'retired_at', 'preparation'])] : []),
    ...(!before('015_types_as_data') && before('026_type_preparation') ? [new BeforeTypeColumns(['preparation'])] : []),
  ];
  await seedDemo(
    plugins.length
      ? {
          ...database,
          transact: (work) => database.transact((trx) => work(plugins.reduce((t, p) => t.withPlugin(p), trx))),
        }
      : database,
  );
}

/**
 * Leaves out columns a later migration added to appointment types from their inserts: `kind` and `retired_at`
 * (015), `preparation` (026).
 */
class BeforeTypeColumns implements KyselyPlugin {
  constructor(dropped: readonly string[]) {
    this.#drop = new (class extends OperationNodeTransformer {
      protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
        if (node.into?.table.identifier.name !== 'appointment_types') return node;
        const columns = node.columns ?? [];
        const keep = columns.map((c) => !dropped.includes(c.column.name));
        if (keep.every(Boolean) || !node.values || !ValuesNode.is(node.values)) return node;
        const values = node.values.values.map((list) =>
          PrimitiveValueListNode.is(list)
            ? PrimitiveValueListNode.create(list.values.filter((_, i) => keep[i]))
            : ValueListNode.create(list.values.filter((_, i) => keep[i])),
        );
        return { ...node, columns: columns.filter((_, i) => keep[i]), values: ValuesNode.create(values) };
      }
    })();
  }
  readonly #drop: OperationNodeTransformer;
  transformQuery: KyselyPlugin['transformQuery'] = (args) => this.#drop.transformNode(args.node);
  transformResult: KyselyPlugin['transformResult'] = async (args) => Promise.resolve(args.result);
}

/** Names migration 011 changed, current → before (the demo seed writes today's names). */
const BEFORE_011: Record<string, string> = {
  clinicians: 'providers',
  clinician_hours: 'provider_hours',
  clinician_time_off: 'provider_time_off',
  clinician_id: 'provider_id',
  watches_at_once: 'max_patients',
  nurse_lane: 'nurse_seat',
};

/** Rewrites table and column names in every query to those of the release before migration 011. */
class BeforeClinicians implements KyselyPlugin {
  readonly #names = new (class extends OperationNodeTransformer {
    protected override transformIdentifier(node: IdentifierNode): IdentifierNode {
      return { ...node, name: BEFORE_011[node.name] ?? node.name };
    }
  })();
  transformQuery: KyselyPlugin['transformQuery'] = (args) => this.#names.transformNode(args.node);
  transformResult: KyselyPlugin['transformResult'] = async (args) => Promise.resolve(args.result);
}

/** Inserts rows as plain SQL: an older release's table lacks columns the current types have. */
export async function insertAsOlderRelease(db: Kysely<DB>, rows: AppointmentRow[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row).map((c) => (c === 'nurse_lane' ? 'nurse_seat' : c));
    await sql`insert into appointments ${sql.raw(`(${columns.join(', ')})`)} values (${sql.join(Object.values(row))})`.execute(
      db,
    );
  }
}
