import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuditEventRow } from './audit.ts';
import { PATIENT_ROLE } from './patient-audit.ts';

/** Reading the audit trail, for the viewer and its export. Writing is audit.ts (appendAudit) alone. */

/** An event as listed: the stored row plus the actor's current name and email, when the actor is a user. */
export interface AuditListRow extends AuditEventRow {
  actor_name: string | null;
  actor_email: string | null;
}

/** What to look for; each filter given narrows the list. */
export interface AuditFilter {
  /** 'patient' (self-service events), an email address (any case) or a user id. */
  person?: string | undefined;
  /** A patient id (which also finds the events of the requests that became that patient) or a request id. */
  patientRef?: string | undefined;
  /** An action, or a prefix of dotted actions: "lead" matches lead itself and every "lead.*". */
  action?: string | undefined;
  /** Instants in epoch milliseconds: from inclusive, before exclusive. */
  fromMs?: number | undefined;
  beforeMs?: number | undefined;
}

/** The newest event's seq (0 for an empty trail). */
export async function newestAuditSeq(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('top'))
    .executeTakeFirst();
  return Number(row?.top ?? 0);
}

/** Events matching the filter, newest first, with the actor's name and email where the actor is a user. */
function filteredEvents(db: Kysely<DB>, filter: AuditFilter) {
  let q = db
    .selectFrom('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select([
      'e.seq',
      'e.at',
      'e.actor_id',
      'e.actor_role',
      'e.location_id',
      'e.patient_ref',
      'e.action',
      'e.outcome',
      'e.ip',
      'e.detail',
      'e.prev_hash',
      'e.hash',
      'u.name as actor_name',
      'u.email as actor_email',
    ]);
  const { person, patientRef, action, fromMs, beforeMs } = filter;
  if (person !== undefined && person.toLowerCase() === PATIENT_ROLE) {
    // Patients' self-service events carry the role and no user id.
    q = q.where('e.actor_role', '=', PATIENT_ROLE).where('e.actor_id', 'is', null);
  } else if (person !== undefined) {
    // An email address (matched without regard to case) or a user id.
    const needle = person.toLowerCase();
    q = q.where((eb) =>
      eb.or([
        eb('e.actor_id', '=', person),
        eb(
          'e.actor_id',
          'in',
          eb
            .selectFrom('users')
            .select('users.id')
            .where(sql<string>`lower(${sql.ref('users.email')})`, '=', needle),
        ),
      ]),
    );
  }
  if (patientRef !== undefined) {
    // Events are filed under the request until a booking makes a patient; a patient id finds both.
    q = q.where((eb) =>
      eb.or([
        eb('e.patient_ref', '=', patientRef),
        eb(
          'e.patient_ref',
          'in',
          eb
            .selectFrom('consultation_requests')
            .select('consultation_requests.id')
            .where('consultation_requests.patient_id', '=', patientRef),
        ),
      ]),
    );
  }
  if (action !== undefined) {
    // "lead" matches lead itself and every "lead.*" action.
    const prefix = `${action}.`;
    q = q.where((eb) =>
      eb.or([
        eb('e.action', '=', action),
        eb(sql<string>`substr(${sql.ref('e.action')}, 1, ${sql.lit(prefix.length)})`, '=', prefix),
      ]),
    );
  }
  if (fromMs !== undefined) q = q.where('e.at', '>=', fromMs);
  if (beforeMs !== undefined) q = q.where('e.at', '<', beforeMs);
  return q.orderBy('e.seq', 'desc');
}

/**
 * One slice of the matching events, newest first: `limit` rows after skipping `offset`, and only events up to seq
 * `upto` when given (so later pages read the trail as it stood when the first was shown).
 */
export async function listAuditEvents(
  db: Kysely<DB>,
  filter: AuditFilter,
  slice: { limit: number; offset?: number; upto?: number },
): Promise<AuditListRow[]> {
  let q = filteredEvents(db, filter);
  if (slice.upto !== undefined) q = q.where('e.seq', '<=', slice.upto);
  q = q.limit(slice.limit);
  if (slice.offset !== undefined) q = q.offset(slice.offset);
  const rows = await q.execute();
  // PostgreSQL bigint arrives as a number already (see database.ts); be explicit for both engines.
  return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
}
