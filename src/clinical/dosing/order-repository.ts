/**
 * Dose orders and their independent checks: the only writer of dose_orders and dose_checks. It reads the plan's
 * sessions (plan_sessions, treatment_plans) and the appointments they point at, but writes neither.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, DoseCheckTable, DoseOrderTable, PlanStatus } from '../../kernel/db/schema.ts';

export type DoseOrderRow = Selectable<DoseOrderTable>;
export type DoseCheckRow = Selectable<DoseCheckTable>;

/** One session of a plan: its appointment, the plan it belongs to, and where and when it is. */
export interface PlanSessionRow {
  appointment_id: string;
  plan_id: string;
  plan_version: number;
  plan_status: PlanStatus;
  plan_definition: string;
  kind: 'induction' | 'booster';
  number: number;
  location_id: string;
  time_zone: string;
  location_name: string;
  starts_at: number;
  ends_at: number;
  appointment_status: 'booked' | 'cancelled';
}

const NUMERIC = [
  'weight_kg',
  'bag_mg',
  'bag_ml',
  'session_hours',
  'mg_per_kg_h',
  'bolus_mg_per_kg',
  'pump_rate_ml_h',
  'mg_per_hour',
  'session_total_mg',
  'ordered_at',
  'plan_version',
] as const;

// PostgreSQL's bigint and double precision come back as strings or numbers depending on the driver's parsers.
function orderOf(row: DoseOrderRow): DoseOrderRow {
  const out = { ...row };
  for (const key of NUMERIC) (out as Record<string, unknown>)[key] = Number(row[key]);
  out.verified_at = row.verified_at === null ? null : Number(row.verified_at);
  out.voided_at = row.voided_at === null ? null : Number(row.voided_at);
  return out;
}

function sessionsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('plan_sessions as s')
    .innerJoin('treatment_plans as p', 'p.id', 's.plan_id')
    .innerJoin('appointments as a', 'a.id', 's.appointment_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .select([
      's.appointment_id',
      's.plan_id',
      'p.version as plan_version',
      'p.status as plan_status',
      'p.definition as plan_definition',
      's.kind',
      's.number',
      'a.location_id',
      'l.time_zone',
      'l.name as location_name',
      'a.starts_at',
      'a.ends_at',
      'a.status as appointment_status',
    ]);
}

const sessionOf = (r: PlanSessionRow): PlanSessionRow => ({
  ...r,
  plan_version: Number(r.plan_version),
  number: Number(r.number),
  starts_at: Number(r.starts_at),
  ends_at: Number(r.ends_at),
});

/** The patient's sessions of plans still in force (active or paused), soonest first, from `since` on. */
export async function patientSessions(db: Kysely<DB>, patientId: string, since: number): Promise<PlanSessionRow[]> {
  const rows = await sessionsQuery(db)
    .where('p.patient_id', '=', patientId)
    .where('p.status', 'in', ['active', 'paused'])
    .where('a.status', '=', 'booked')
    .where('a.ends_at', '>', since)
    .orderBy('a.starts_at')
    .execute();
  return rows.map(sessionOf);
}

/** One session of this patient's plans, whatever its state, or undefined. */
export async function patientSession(
  db: Kysely<DB>,
  patientId: string,
  appointmentId: string,
): Promise<PlanSessionRow | undefined> {
  const row = await sessionsQuery(db)
    .where('p.patient_id', '=', patientId)
    .where('s.appointment_id', '=', appointmentId)
    .executeTakeFirst();
  return row && sessionOf(row);
}

export async function patientOrders(db: Kysely<DB>, patientId: string): Promise<DoseOrderRow[]> {
  const rows = await db
    .selectFrom('dose_orders')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('ordered_at', 'desc')
    .execute();
  return rows.map(orderOf);
}

export async function findOrder(db: Kysely<DB>, patientId: string, orderId: string): Promise<DoseOrderRow | undefined> {
  const row = await db
    .selectFrom('dose_orders')
    .selectAll()
    .where('id', '=', orderId)
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  return row && orderOf(row);
}

/** The live (not void) order of an appointment, if any: the database allows at most one. */
export async function liveOrderFor(db: Kysely<DB>, appointmentId: string): Promise<DoseOrderRow | undefined> {
  const row = await db
    .selectFrom('dose_orders')
    .selectAll()
    .where('appointment_id', '=', appointmentId)
    .where('status', '<>', 'void')
    .executeTakeFirst();
  return row && orderOf(row);
}

export async function insertOrder(trx: Kysely<DB>, row: Omit<DoseOrderRow, 'status'>): Promise<void> {
  await trx
    .insertInto('dose_orders')
    .values({ ...row, status: 'ordered' })
    .execute();
}

/** Marks an order verified; the database lets this through only with a matching check by the same person on file. */
export async function markVerified(trx: Kysely<DB>, orderId: string, by: string, at: number): Promise<boolean> {
  const result = await trx
    .updateTable('dose_orders')
    .set({ status: 'verified', verified_by: by, verified_at: at })
    .where('id', '=', orderId)
    .where('status', '=', 'ordered')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Voids the given live orders; returns the ids actually voided (an order voided meanwhile stays as it was). */
export async function markVoid(trx: Kysely<DB>, orderIds: string[], reason: string, at: number): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const live = await trx
    .selectFrom('dose_orders')
    .select('id')
    .where('id', 'in', orderIds)
    .where('status', '<>', 'void')
    .execute();
  const ids = live.map((r) => r.id);
  if (ids.length === 0) return [];
  await trx
    .updateTable('dose_orders')
    .set({ status: 'void', voided_at: at, void_reason: reason })
    .where('id', 'in', ids)
    .where('status', '<>', 'void')
    .execute();
  return ids;
}

/** The live orders of a patient for sessions that have not started by `now`. */
export async function liveOrdersBefore(trx: Kysely<DB>, patientId: string, now: number): Promise<DoseOrderRow[]> {
  const rows = await trx
    .selectFrom('dose_orders as o')
    .innerJoin('appointments as a', 'a.id', 'o.appointment_id')
    .selectAll('o')
    .where('o.patient_id', '=', patientId)
    .where('o.status', '<>', 'void')
    .where('a.starts_at', '>', now)
    .execute();
  return rows.map(orderOf);
}

export async function insertCheck(trx: Kysely<DB>, row: DoseCheckRow): Promise<void> {
  await trx.insertInto('dose_checks').values(row).execute();
}

/** Each order's most recent check, by order id. */
export async function latestChecks(db: Kysely<DB>, orderIds: string[]): Promise<Map<string, DoseCheckRow>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('dose_checks')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('checked_at')
    .orderBy('id')
    .execute();
  return new Map(
    rows.map((r) => [r.order_id, { ...r, match: Number(r.match) as 0 | 1, checked_at: Number(r.checked_at) }]),
  );
}

/** Names of the staff behind orders and checks, by user id. */
export async function staffNames(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
