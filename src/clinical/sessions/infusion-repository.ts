/**
 * The infusion's own entries: the bag hung (session_bags), the pump's timeline (session_events), side effects
 * (session_side_effects) and medications given (session_medications). Append-only, like every session entry: the
 * only writer of these four tables. It reads the appointment's dose orders, which the dosing area writes.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  DB,
  SessionBagTable,
  SessionEventTable,
  SessionMedicationTable,
  SessionSideEffectTable,
} from '../../kernel/db/schema.ts';

export type BagRow = Selectable<SessionBagTable>;
export type EventRow = Selectable<SessionEventTable>;
export type SideEffectRow = Selectable<SessionSideEffectTable>;
export type MedicationRow = Selectable<SessionMedicationTable>;

// PostgreSQL's bigint and double precision may come back as strings.
const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null ? null : Number(v));

export async function sessionBag(db: Kysely<DB>, sessionId: string): Promise<BagRow | undefined> {
  const row = await db
    .selectFrom('session_bags')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('drawn_at')
    .executeTakeFirst();
  return row && { ...row, drug_mg: num(row.drug_mg), volume_ml: num(row.volume_ml), drawn_at: num(row.drawn_at) };
}

export async function insertBag(trx: Kysely<DB>, row: BagRow): Promise<void> {
  await trx.insertInto('session_bags').values(row).execute();
}

/** The timeline in the order it happened (rows of one instant in the order recorded). */
export async function sessionEvents(db: Kysely<DB>, sessionId: string): Promise<EventRow[]> {
  const rows = await db
    .selectFrom('session_events')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('at')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    at: num(r.at),
    recorded_at: num(r.recorded_at),
    mg_per_hour: numOrNull(r.mg_per_hour),
    ml_per_hour: numOrNull(r.ml_per_hour),
  }));
}

export async function insertEvent(trx: Kysely<DB>, row: EventRow): Promise<void> {
  await trx.insertInto('session_events').values(row).execute();
}

export async function sessionSideEffects(db: Kysely<DB>, sessionId: string): Promise<SideEffectRow[]> {
  const rows = await db
    .selectFrom('session_side_effects')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, grade: num(r.grade), at: num(r.at), recorded_at: num(r.recorded_at) }));
}

export async function insertSideEffect(trx: Kysely<DB>, row: SideEffectRow): Promise<void> {
  await trx.insertInto('session_side_effects').values(row).execute();
}

export async function sessionMedications(db: Kysely<DB>, sessionId: string): Promise<MedicationRow[]> {
  const rows = await db
    .selectFrom('session_medications')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, dose_mg: num(r.dose_mg), at: num(r.at), recorded_at: num(r.recorded_at) }));
}

export async function insertMedication(trx: Kysely<DB>, row: MedicationRow): Promise<void> {
  await trx.insertInto('session_medications').values(row).execute();
}

/** Whether the appointment has an order that was voided (to say so when it has no live one). */
export async function hasVoidOrder(db: Kysely<DB>, appointmentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('dose_orders')
    .select('id')
    .where('appointment_id', '=', appointmentId)
    .where('status', '=', 'void')
    .executeTakeFirst();
  return row !== undefined;
}

/** Names of staff members, for the entries' authors. */
export async function userNames(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
