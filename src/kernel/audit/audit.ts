import { hash as sha256 } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { lockWriters, type Database, type Engine } from '../db/database.ts';
import type { AuditEventTable, DB } from '../db/schema.ts';

/**
 * The audit trail: an append-only, hash-chained log of who did what to which record.
 *
 * Each event carries `prev_hash` (the previous event's hash; 64 zeros for the first) and
 * `hash = sha256(prev_hash + '\n' + canonical JSON of the event's other fields)`, and `seq` counts 1, 2, 3, ...
 * The database refuses UPDATE/DELETE/TRUNCATE (migration 002); the chain shows any change made behind its back.
 * What the chain cannot show on its own: removal of the newest events (keep exported copies to compare).
 */

export type AuditEventRow = Selectable<AuditEventTable>;
export type AuditOutcome = 'success' | 'denied' | 'failure';
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  actorId: string | null;
  actorRole: string | null;
  locationId: string | null;
  /** The consultation request or patient the event concerns. */
  patientRef: string | null;
  /** e.g. 'lead.view', 'lead.list', 'lead.update', 'sign_in', 'access_denied', 'audit.export'. */
  action: string;
  outcome: AuditOutcome;
  ip: string | null;
  /** Ids, counts and filters only: never free text typed by patients. */
  detail?: AuditDetail;
}

export type ChainCheck = { ok: true; count: number } | { ok: false; seq: number; reason: string; count: number };

export const GENESIS_HASH = '0'.repeat(64);
export const MAX_DETAIL_STRING = 200;
const MAX_DETAIL_KEYS = 32;
const DETAIL_KEY = /^[a-zA-Z][a-zA-Z0-9_.]{0,63}$/;
const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;
const OUTCOMES: ReadonlySet<string> = new Set<AuditOutcome>(['success', 'denied', 'failure']);
const MAX_FIELD = 200;
/**
 * Rows per verification page: few enough that a page read as arrays, and the next one read ahead, stay in the young
 * generation of a small heap (`--max-semi-space-size=4`); 2,000 and 5,000 measured slower on both engines.
 */
const VERIFY_PAGE = 1_000;

/** Thrown when an entry would put something into the trail that does not belong there. */
export class AuditEntryError extends Error {
  constructor(message: string) {
    super(`audit entry refused: ${message}`);
    this.name = 'AuditEntryError';
  }
}

/**
 * The exact string that is hashed for an event: its prev_hash, a newline, then a JSON object of the other
 * fields in a fixed key order. `detail` is included as the stored JSON text, byte for byte.
 */
export function canonicalAuditRow(row: Omit<AuditEventRow, 'hash'>): string {
  // verifyAuditChain builds the same string from a row's values: change both together.
  const body = JSON.stringify({
    seq: row.seq,
    at: row.at,
    actor_id: row.actor_id,
    actor_role: row.actor_role,
    location_id: row.location_id,
    patient_ref: row.patient_ref,
    action: row.action,
    outcome: row.outcome,
    ip: row.ip,
    detail: row.detail,
  });
  return `${row.prev_hash}\n${body}`;
}

/** sha256 hex of the canonical string; crypto.hash is the one-shot form (no Hash object per event). */
export function hashAuditRow(row: Omit<AuditEventRow, 'hash'>): string {
  return sha256('sha256', canonicalAuditRow(row), 'hex');
}

/** Checks detail values and returns them as JSON text with sorted keys. */
export function serialiseDetail(detail: AuditDetail | undefined): string {
  if (detail === undefined) return '{}';
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    throw new AuditEntryError('detail must be an object');
  const keys = Object.keys(detail).sort();
  if (keys.length > MAX_DETAIL_KEYS) throw new AuditEntryError(`detail has more than ${MAX_DETAIL_KEYS} keys`);
  const out: AuditDetail = {};
  for (const key of keys) {
    if (!DETAIL_KEY.test(key))
      throw new AuditEntryError(`detail key ${JSON.stringify(key.slice(0, 64))} is not a plain identifier`);
    const value: unknown = detail[key];
    if (value === null || typeof value === 'boolean') {
      out[key] = value;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new AuditEntryError(`detail.${key} is not a finite number`);
      out[key] = value;
    } else if (typeof value === 'string') {
      if (value.length > MAX_DETAIL_STRING)
        throw new AuditEntryError(`detail.${key} is longer than ${MAX_DETAIL_STRING} characters`);
      out[key] = value;
    } else {
      throw new AuditEntryError(`detail.${key} must be a string, number, boolean or null`);
    }
  }
  return JSON.stringify(out);
}

function checkField(name: string, value: string | null): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new AuditEntryError(`${name} must be a string or null`);
  if (value.length > MAX_FIELD) throw new AuditEntryError(`${name} is longer than ${MAX_FIELD} characters`);
  return value;
}

/**
 * Appends one event inside the caller's transaction (pass the trx from database.transact).
 * If it throws, the caller's work rolls back.
 */
export async function appendAudit(trx: Kysely<DB>, engine: Engine, entry: AuditEntry, now: number): Promise<void> {
  if (typeof entry.action !== 'string' || !ACTION.test(entry.action)) {
    throw new AuditEntryError(
      `action ${JSON.stringify(String(entry.action).slice(0, 64))} is not a lower-case dotted name`,
    );
  }
  if (!OUTCOMES.has(entry.outcome))
    throw new AuditEntryError(`outcome ${JSON.stringify(entry.outcome)} is not success, denied or failure`);
  if (!Number.isSafeInteger(now) || now < 0) throw new AuditEntryError('time must be epoch milliseconds');
  const detail = serialiseDetail(entry.detail);
  const fields = {
    actor_id: checkField('actorId', entry.actorId),
    actor_role: checkField('actorRole', entry.actorRole),
    location_id: checkField('locationId', entry.locationId),
    patient_ref: checkField('patientRef', entry.patientRef),
    ip: checkField('ip', entry.ip),
  };

  // SQLite: database.transact holds BEGIN IMMEDIATE, so this read-then-insert is already the only writer.
  // PostgreSQL: take a transaction-scoped advisory lock first; read committed then sees the latest committed tail.
  await lockWriters(trx, engine, 'audit');

  const last = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row: Omit<AuditEventRow, 'hash'> = {
    seq: last ? Number(last.seq) + 1 : 1,
    at: now,
    actor_id: fields.actor_id,
    actor_role: fields.actor_role,
    location_id: fields.location_id,
    patient_ref: fields.patient_ref,
    action: entry.action,
    outcome: entry.outcome,
    ip: fields.ip,
    detail,
    prev_hash: last ? last.hash : GENESIS_HASH,
  };
  await trx
    .insertInto('audit_events')
    .values({ ...row, hash: hashAuditRow(row) })
    .execute();
}

/** The columns verifyAuditChain reads, in this order. */
const CHAIN_COLUMNS = [
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
type ChainRow = unknown[];

/**
 * Recomputes the hash chain over all events in seq order, streaming in keyset pages of `pageSize` rows (the next page
 * is read while this one is checked). `onProgress`, when given, hears the number of events checked so far after each
 * page. Given the Database (as `relief audit verify` and the backup check do) rather than its Kysely instance, rows are
 * read as arrays, which is most of the cost saved at a million events.
 */
export async function verifyAuditChain(
  source: Kysely<DB> | Database,
  onProgress?: (checked: number) => void,
  pageSize = VERIFY_PAGE,
): Promise<ChainCheck> {
  const database = 'readArrays' in source ? source : undefined;
  const db = database ? database.db : (source as Kysely<DB>);
  // Keyset paging: the first page starts at the lowest seq whatever it is, so a stray seq 0 is caught too.
  const read = async (after: number | undefined): Promise<ChainRow[]> => {
    let query = db.selectFrom('audit_events').select(CHAIN_COLUMNS).orderBy('seq', 'asc').limit(pageSize);
    if (after !== undefined) query = query.where('seq', '>', after);
    if (database) return database.readArrays(query.compile());
    return (await query.execute()).map((row) => CHAIN_COLUMNS.map((column) => row[column]));
  };
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let next = read(undefined);
  for (;;) {
    const page = await next;
    // A full page: ask for the one after its last row now, so the database reads it while this one is hashed (a
    // page that turns out broken returns early, and its successor is left unread and unawaited, errors included).
    if (page.length === pageSize) {
      next = read(Number(page[page.length - 1]![0]));
      next.catch(() => undefined);
    }
    for (const row of page) {
      const seq = Number(row[0]);
      if (seq !== expectedSeq) {
        return {
          ok: false,
          seq,
          reason: `expected event #${expectedSeq} next but found #${seq}: events are missing`,
          count,
        };
      }
      if (row[10] !== prevHash) {
        return {
          ok: false,
          seq,
          reason:
            expectedSeq === 1
              ? 'the first event does not start the chain'
              : `its prev_hash does not match the hash of event #${seq - 1}`,
          count,
        };
      }
      // canonicalAuditRow's string, built straight from the row's values (in CHAIN_COLUMNS order).
      const body = JSON.stringify({
        seq,
        at: Number(row[1]),
        actor_id: row[2],
        actor_role: row[3],
        location_id: row[4],
        patient_ref: row[5],
        action: row[6],
        outcome: row[7],
        ip: row[8],
        detail: row[9],
      });
      if (sha256('sha256', `${prevHash}\n${body}`, 'hex') !== row[11]) {
        return { ok: false, seq, reason: 'its contents do not match its hash (the event was altered)', count };
      }
      prevHash = row[11];
      expectedSeq += 1;
      count += 1;
    }
    onProgress?.(count);
    if (page.length < pageSize) return { ok: true, count };
  }
}
