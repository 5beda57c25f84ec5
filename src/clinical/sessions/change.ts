/**
 * The one way a session changes: every command (a state move, a vitals entry, a rate change…) goes through
 * `changeSession` inside its transaction. It re-reads the session, refuses a move the state machine does not allow
 * now, refuses a change based on an older version when the command says it must not be (`strict`), moves the version
 * on by one (so two nurses never overwrite each other, and the board sees a change) and writes the audit event.
 *
 * Strict or not: a move of the session (start, stop, discharge, a rate) based on what the nurse saw must not go
 * through if someone else changed the session meanwhile. An observation appended beside others (a vitals row, a side
 * effect) overwrites nothing, so it is kept even on an older version; the page then shows what changed.
 */
import type { Kysely, Updateable } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { AuditDetail } from '../../kernel/audit/audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB, InfusionSessionTable } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { freshSession } from './access.ts';
import { bumpSession, type SessionRow } from './repository.ts';
import { isClosed, nextState, STATE_LABELS, type SessionAction } from './state.ts';

export interface SessionChange {
  sessionId: string;
  /** The version the person's page showed. */
  basedOn: number;
  /** Refuse when the session changed since `basedOn`. */
  strict: boolean;
  /** The state move this change makes, if any. */
  action?: SessionAction;
  /** Columns of infusion_sessions to write with it (times, reasons…). */
  patch?: Omit<Updateable<InfusionSessionTable>, 'state' | 'version' | 'updated_at' | 'updated_by'>;
  /** The audit event, e.g. 'session.start'. */
  audit: string;
  where: { locationId: string; patientRef: string };
  detail?: AuditDetail;
}

/** The refusal for a page that is out of date: what changed, when, and by whom; nothing was written. */
export async function stale(trx: Kysely<DB>, now: SessionRow): Promise<Refusal> {
  const who = await trx.selectFrom('users').select('name').where('id', '=', now.updated_by).executeTakeFirst();
  return refuse(
    'conflict',
    `Someone else changed this session while you were on it: it is now ${STATE_LABELS[now.state].toLowerCase()}` +
      `, last changed by ${who?.name ?? 'another person'}. Nothing was saved: look at it again and repeat if still needed.`,
    { version: 'This page was out of date.' },
  );
}

/** Applies `change` in `trx`: the session as written, or a refusal with nothing written. */
export async function changeSession(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  change: SessionChange,
): Promise<SessionRow | Refusal> {
  // A non-strict change is retried when another transaction moved the version between our read and our write
  // (PostgreSQL, read committed); a strict one is refused like a stale page.
  for (let attempt = 0; ; attempt++) {
    const session = await freshSession(trx, change.sessionId);
    if (isClosed(session.state))
      return refuse('conflict', `This session is ${STATE_LABELS[session.state].toLowerCase()}: it is closed.`);
    if (change.strict && session.version !== change.basedOn) return stale(trx, session);
    const to = change.action ? nextState(session.state, change.action) : session.state;
    if (to === null)
      return refuse(
        'conflict',
        `That cannot be done while the session is ${STATE_LABELS[session.state].toLowerCase()}. Nothing was changed.`,
      );
    const written = await bumpSession(trx, session.id, session.version, {
      ...change.patch,
      state: to,
      updated_at: actor.now,
      updated_by: actor.staff.userId,
    });
    if (!written) {
      if (change.strict || attempt >= 2) return stale(trx, await freshSession(trx, session.id));
      continue;
    }
    await auditStaff(trx, database, actor, change.audit, 'success', change.where, {
      session: session.id,
      ...(change.action ? { from: session.state, to } : {}),
      ...change.detail,
    });
    return freshSession(trx, session.id);
  }
}
