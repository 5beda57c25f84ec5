/**
 * The controlled-substance record's tables: the only writer of controlled_substance_receipts and session_waste (both
 * append-only), and the reads of bags, timelines and orders the balance and the log are worked out from.
 */
import type { Insertable, Kysely } from 'kysely';
import type { ControlledSubstanceReceiptTable, DB, SessionWasteTable } from '../../kernel/db/schema.ts';
import type { TimelineEvent } from './total.ts';

export interface BagRow {
  id: string;
  sessionId: string;
  locationId: string;
  drug: string;
  lot: string;
  expiresOn: string;
  drugMg: number;
  drawnBy: string;
  witnessedBy: string;
  drawnAt: number;
}

export interface WasteRow {
  id: string;
  sessionId: string;
  bagId: string;
  mg: number;
  wastedBy: string;
  witnessedBy: string;
  at: number;
}

export interface ReceiptRow {
  id: string;
  locationId: string;
  drug: string;
  lot: string;
  expiresOn: string;
  mg: number;
  reference: string | null;
  receivedBy: string;
  receivedAt: number;
}

// PostgreSQL's bigint comes back as a string.
const bagOf = (r: DB['session_bags']): BagRow => ({
  id: r.id,
  sessionId: r.session_id,
  locationId: r.location_id,
  drug: r.drug,
  lot: r.lot,
  expiresOn: r.expires_on,
  drugMg: Number(r.drug_mg),
  drawnBy: r.drawn_by,
  witnessedBy: r.witnessed_by,
  drawnAt: Number(r.drawn_at),
});

const wasteOf = (r: DB['session_waste']): WasteRow => ({
  id: r.id,
  sessionId: r.session_id,
  bagId: r.bag_id,
  mg: Number(r.mg),
  wastedBy: r.wasted_by,
  witnessedBy: r.witnessed_by,
  at: Number(r.at),
});

export async function sessionBags(db: Kysely<DB>, sessionIds: readonly string[]): Promise<BagRow[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('session_bags')
    .selectAll()
    .where('session_id', 'in', sessionIds)
    .orderBy('drawn_at')
    .orderBy('id')
    .execute();
  return rows.map(bagOf);
}

export async function sessionWaste(db: Kysely<DB>, sessionIds: readonly string[]): Promise<WasteRow[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('session_waste')
    .selectAll()
    .where('session_id', 'in', sessionIds)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map(wasteOf);
}

/** Each session's timeline, in the order it was recorded. */
export async function sessionTimelines(
  db: Kysely<DB>,
  sessionIds: readonly string[],
): Promise<Map<string, TimelineEvent[]>> {
  const out = new Map<string, TimelineEvent[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return out;
  const rows = await db
    .selectFrom('session_events')
    .select(['session_id', 'kind', 'at', 'mg_per_hour', 'reason'])
    .where('session_id', 'in', sessionIds)
    .orderBy('at')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const at = Number(r.at);
    const event: TimelineEvent =
      r.kind === 'start'
        ? { kind: 'start', at, mgPerHour: Number(r.mg_per_hour) }
        : r.kind === 'rate'
          ? { kind: 'rate', at, mgPerHour: Number(r.mg_per_hour), reason: r.reason ?? '' }
          : { kind: r.kind, at, reason: r.reason ?? '' };
    out.get(r.session_id)?.push(event);
  }
  return out;
}

export interface SessionDrugRow {
  id: string;
  patientId: string;
  locationId: string;
  state: string;
  startedAt: number | null;
  stoppedAt: number | null;
  /** The verified order's session maximum (the pump's volume limit is never set above it). */
  sessionTotalMg: number | null;
}

function drugSessions(db: Kysely<DB>) {
  return db
    .selectFrom('infusion_sessions as s')
    .leftJoin('dose_orders as o', 'o.id', 's.dose_order_id')
    .select(['s.id', 's.patient_id', 's.location_id', 's.state', 's.started_at', 's.stopped_at', 'o.session_total_mg']);
}

const drugSessionOf = (r: {
  id: string;
  patient_id: string;
  location_id: string;
  state: string;
  started_at: number | null;
  stopped_at: number | null;
  session_total_mg: number | null;
}): SessionDrugRow => ({
  id: r.id,
  patientId: r.patient_id,
  locationId: r.location_id,
  state: r.state,
  startedAt: r.started_at === null ? null : Number(r.started_at),
  stoppedAt: r.stopped_at === null ? null : Number(r.stopped_at),
  sessionTotalMg: r.session_total_mg === null ? null : Number(r.session_total_mg),
});

export async function drugSession(db: Kysely<DB>, sessionId: string): Promise<SessionDrugRow | undefined> {
  const row = await drugSessions(db).where('s.id', '=', sessionId).executeTakeFirst();
  return row && drugSessionOf(row);
}

export async function drugSessionsById(db: Kysely<DB>, ids: readonly string[]): Promise<SessionDrugRow[]> {
  if (ids.length === 0) return [];
  return (await drugSessions(db).where('s.id', 'in', ids).execute()).map(drugSessionOf);
}

/** Bags drawn at a location, oldest first (the whole history: a lot's running balance starts at its first receipt). */
export async function locationBags(db: Kysely<DB>, locationId: string): Promise<BagRow[]> {
  const rows = await db
    .selectFrom('session_bags')
    .selectAll()
    .where('location_id', '=', locationId)
    .orderBy('drawn_at')
    .orderBy('id')
    .execute();
  return rows.map(bagOf);
}

/** The closed sessions of a location (discharged, or closed as not given), for the log's check that each balances. */
export async function closedSessionIds(db: Kysely<DB>, locationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('infusion_sessions')
    .select('id')
    .where('location_id', '=', locationId)
    .where('state', 'in', ['discharged', 'not_given'])
    .execute();
  return rows.map((r) => r.id);
}

export async function locationReceipts(db: Kysely<DB>, locationId: string): Promise<ReceiptRow[]> {
  const rows = await db
    .selectFrom('controlled_substance_receipts')
    .selectAll()
    .where('location_id', '=', locationId)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    locationId: r.location_id,
    drug: r.drug,
    lot: r.lot,
    expiresOn: r.expires_on,
    mg: Number(r.mg),
    reference: r.reference,
    receivedBy: r.received_by,
    receivedAt: Number(r.received_at),
  }));
}

export async function patientNamesById(
  db: Kysely<DB>,
  ids: readonly string[],
): Promise<Map<string, { first: string; last: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('patients')
    .select(['id', 'first_name', 'last_name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, { first: r.first_name, last: r.last_name }]));
}

export async function userNames(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertWaste(trx: Kysely<DB>, row: Insertable<SessionWasteTable>): Promise<void> {
  await trx.insertInto('session_waste').values(row).execute();
}

export async function insertReceipt(trx: Kysely<DB>, row: Insertable<ControlledSubstanceReceiptTable>): Promise<void> {
  await trx.insertInto('controlled_substance_receipts').values(row).execute();
}

export interface LocationRow {
  id: string;
  name: string;
  timeZone: string;
}

export async function allLocations(db: Kysely<DB>): Promise<LocationRow[]> {
  const rows = await db
    .selectFrom('locations')
    .select(['id', 'name', 'time_zone'])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, timeZone: r.time_zone }));
}
