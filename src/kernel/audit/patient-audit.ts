import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import type { TokenCheck, TokenPurpose, Tokens } from '../tokens.ts';
import { appendAudit, type AuditDetail, type AuditOutcome } from './audit.ts';

/**
 * Audit events for what patients do themselves on the public site and through their emailed links. There is no
 * account behind these, so the actor is recorded as role 'patient' with no id; the link (or form) is what let them
 * act, and the IP address (req.ip, which honours TRUST_PROXY) and time say from where and when. Details hold ids and
 * reason codes only: never names, contact details or text the person typed.
 */

export const PATIENT_ROLE = 'patient';

/** The person at the other end of a link or form: only where from and when. */
export interface Visitor {
  ip: string;
  now: number;
}

export interface About {
  locationId: string | null;
  /** The patient once known, else the consultation request: the same reference staff events use. */
  patientRef: string | null;
}

export const NOBODY: About = { locationId: null, patientRef: null };

export const visitorOf = (req: FastifyRequest, now: number): Visitor => ({ ip: req.ip, now });

/** The reference for events about a request (and so about the person who sent it). */
export function aboutRequest(request: { id: string; location_id: string; patient_id: string | null }): About {
  return { locationId: request.location_id, patientRef: request.patient_id ?? request.id };
}

/** One self-service event inside the caller's transaction: if it fails, the caller's work rolls back. */
export function auditPatient(
  trx: Kysely<DB>,
  database: Database,
  visitor: Visitor,
  action: string,
  outcome: AuditOutcome,
  about: About,
  detail?: AuditDetail,
): Promise<void> {
  return appendAudit(
    trx,
    database,
    {
      actorId: null,
      actorRole: PATIENT_ROLE,
      ...about,
      action,
      outcome,
      ip: visitor.ip,
      ...(detail ? { detail } : {}),
    },
    visitor.now,
  );
}

/** A self-service event in a transaction of its own: page views, and refusals (where no work was done). */
export function auditPatientAlone(
  database: Database,
  visitor: Visitor,
  action: string,
  outcome: AuditOutcome,
  about: About,
  detail?: AuditDetail,
): Promise<void> {
  return database.transact((trx) => auditPatient(trx, database, visitor, action, outcome, about, detail));
}

/**
 * The record a refused link names, when it can be trusted: only an expired link whose signature is still ours
 * (checked at time 0, when nothing has expired). A tampered or garbled link names nobody.
 */
export function refusedLinkRef(
  tokens: Tokens,
  token: string,
  purpose: TokenPurpose,
  check: TokenCheck,
): string | undefined {
  if (check.ok || check.reason !== 'expired') return undefined;
  const authentic = tokens.verify(token, purpose, 0);
  return authentic.ok ? authentic.claims.ref : undefined;
}

/** Who a request id refers to, for events about it; nobody when there is no such request. */
export async function aboutRequestId(db: Kysely<DB>, requestId: string | undefined): Promise<About> {
  if (requestId === undefined) return NOBODY;
  const request = await db
    .selectFrom('consultation_requests')
    .select(['id', 'location_id', 'patient_id'])
    .where('id', '=', requestId)
    .executeTakeFirst();
  return request ? aboutRequest(request) : NOBODY;
}
