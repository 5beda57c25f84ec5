import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import { lockWriters, type Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import {
  auditKeyId,
  canonicalAuditRow,
  CHAIN_KEYED,
  GENESIS_HASH,
  hashAuditRow,
  keyedHash,
  legacyHash,
  type AuditEventRow,
  type UnhashedRow,
} from './chain.ts';

/**
 * The audit trail: an append-only, hash-chained log of who did what to which record, `seq` counting 1, 2, 3, ...
 * The database refuses UPDATE/DELETE/TRUNCATE (migration 002), and the chain (chain.ts: HMAC-SHA-256 under a key
 * kept outside the database) shows any change made behind its back. The newest events are covered once a signed
 * checkpoint outside the database (checkpoints.ts) records the head; verify.ts checks both.
 */

export { canonicalAuditRow, GENESIS_HASH, hashAuditRow, type AuditEventRow } from './chain.ts';
export { verifyAuditChain, type ChainCheck, type ChainProblem } from './verify.ts';

/** What appending needs of the Database: its engine (for the writer lock) and the audit key. */
export type AuditWriter = Pick<Database, 'engine' | 'auditKey'>;
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

export const MAX_DETAIL_STRING = 200;
const MAX_DETAIL_KEYS = 32;
const DETAIL_KEY = /^[a-zA-Z][a-zA-Z0-9_.]{0,63}$/;
const ACTION = /^[a-z][a-z0-9_.-]{0,63}$/;
const OUTCOMES: ReadonlySet<string> = new Set<AuditOutcome>(['success', 'denied', 'failure']);
const MAX_FIELD = 200;

/** Thrown when an entry would put something into the trail that does not belong there. */
export class AuditEntryError extends Error {
  constructor(message: string) {
    super(`audit entry refused: ${message}`);
    this.name = 'AuditEntryError';
  }
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
 * The address as the trail files it. Behind TRUST_PROXY the address comes from X-Forwarded-For, which a client can
 * fill with anything: an address that is not an IP is filed as 'unreadable' (and the event kept) rather than letting
 * a made-up header turn a request into an error or put free text into the trail.
 */
function addressOf(ip: string | null): string | null {
  if (ip === null) return null;
  return typeof ip === 'string' && isIP(ip) !== 0 ? ip : 'unreadable';
}

/**
 * Appends one event inside the caller's transaction (pass the trx from database.transact).
 * If it throws, the caller's work rolls back.
 */
export async function appendAudit(
  trx: Kysely<DB>,
  database: AuditWriter,
  entry: AuditEntry,
  now: number,
): Promise<void> {
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
    ip: addressOf(entry.ip),
  };
  const key = keyOf(database);

  // SQLite: database.transact holds BEGIN IMMEDIATE, so this read-then-insert is already the only writer.
  // PostgreSQL: take a transaction-scoped advisory lock first; read committed then sees the latest committed tail.
  await lockWriters(trx, database.engine, 'audit');
  let tail = await newestEvent(trx);
  if (needsBoundary(tail, key)) tail = await insertEvent(trx, key, tail, boundaryFields(key, tail), now);
  await insertEvent(trx, key, tail, { ...fields, action: entry.action, outcome: entry.outcome, detail }, now);
}

/**
 * Keys the chain now if it is not keyed yet (a new database, or the legacy chain of an older release), so the
 * boundary is written when the server starts rather than with the first event of the day. Returns the newest event.
 */
export async function keyAuditChain(
  database: Pick<Database, 'engine' | 'auditKey' | 'transact'>,
  now: number,
): Promise<AuditEventRow | undefined> {
  const key = keyOf(database);
  return database.transact(async (trx) => {
    await lockWriters(trx, database.engine, 'audit');
    const tail = await newestEvent(trx);
    return needsBoundary(tail, key) ? insertEvent(trx, key, tail, boundaryFields(key, tail), now) : tail;
  });
}

function keyOf(database: Pick<Database, 'auditKey'>): Buffer {
  if (!database.auditKey)
    throw new Error('audit events need the audit key: open the database with the configuration (AUDIT_KEY or SECRET)');
  return database.auditKey;
}

type Tail = AuditEventRow | undefined;
type EventFields = Omit<UnhashedRow, 'seq' | 'at' | 'prev_hash'>;

async function newestEvent(trx: Kysely<DB>): Promise<Tail> {
  const row = await trx.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row && { ...row, seq: Number(row.seq), at: Number(row.at) };
}

/**
 * A chain needs its boundary when it is empty or ends in a legacy (plain SHA-256) event. One that ends in an event
 * matching neither hash (another key, or an edit) gets none: a second boundary would hide what verify must report.
 */
function needsBoundary(tail: Tail, key: Buffer): boolean {
  if (!tail) return true;
  const { hash, ...unhashed } = tail;
  const canonical = canonicalAuditRow(unhashed);
  return keyedHash(key, canonical) !== hash && legacyHash(canonical) === hash;
}

function boundaryFields(key: Buffer, tail: Tail): EventFields {
  return {
    actor_id: null,
    actor_role: 'system',
    location_id: null,
    patient_ref: null,
    action: CHAIN_KEYED,
    outcome: 'success',
    ip: null,
    detail: serialiseDetail({ key: auditKeyId(key), legacyEvents: tail?.seq ?? 0 }),
  };
}

async function insertEvent(
  trx: Kysely<DB>,
  key: Buffer,
  tail: Tail,
  fields: EventFields,
  now: number,
): Promise<AuditEventRow> {
  const row: UnhashedRow = {
    seq: tail ? tail.seq + 1 : 1,
    at: now,
    ...fields,
    prev_hash: tail ? tail.hash : GENESIS_HASH,
  };
  const event = { ...row, hash: hashAuditRow(row, key) };
  await trx.insertInto('audit_events').values(event).execute();
  return event;
}
