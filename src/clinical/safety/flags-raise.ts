/**
 * Raising safety flags inside the transaction of what caused them: the rules in force are evaluated on everything on
 * record for the patient, and each flag whose record has never raised one is raised on the one worklist
 * (raiseAlert: the location's providers are told, with no PHI). A flag a provider closed is not raised again by the
 * same record; a new record (a new result, a new order) raises a new one.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import { lockWriters, type Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { raiseAlert } from '../intake/alerts-service.ts';
import { evaluateFlags, type Flag } from './flags.ts';
import { patientFacts, raisedFor } from './flags-repository.ts';
import type { FlagKind } from './flags-settings.ts';
import { flagRules } from './flags-settings.ts';

export interface RaiseContext {
  database: Database;
  /** The person whose command caused it; none for the periodic sweep (filed as the system). */
  actor: Actor | null;
  patientId: string;
  locationId: string;
  now: number;
  /** The kinds this cause can raise (the others are raised by their own causes). */
  kinds: readonly FlagKind[];
}

/** Raises what the rules find and has not been raised before; the flags raised or escalated now. */
export async function raiseFlags(trx: Kysely<DB>, ctx: RaiseContext): Promise<Flag[]> {
  // Read-then-insert: on PostgreSQL two transactions (two servers' sweeps, a sweep and a save) could both find no flag
  // and raise it twice. The audit trail's writer lock, which this transaction takes anyway to file the raise,
  // serialises them (re-entrant if already held; SQLite's BEGIN IMMEDIATE needs none).
  await lockWriters(trx, ctx.database.engine, 'audit');
  const [rules, facts, raised] = await Promise.all([
    flagRules(trx),
    patientFacts(trx, ctx.patientId),
    raisedFor(trx, ctx.patientId),
  ]);
  const closed = new Set(raised.filter((r) => r.resolved_at !== null).map((r) => `${r.kind} ${r.source_id}`));
  const done: Flag[] = [];
  for (const flag of evaluateFlags(rules.body, facts)) {
    if (!ctx.kinds.includes(flag.kind) || closed.has(`${flag.kind} ${flag.sourceId}`)) continue;
    const alert = await raiseAlert(trx, {
      patientId: ctx.patientId,
      locationId: ctx.locationId,
      kind: flag.kind,
      source: flag.source,
      sourceId: flag.sourceId,
      level: flag.level,
      now: ctx.now,
      holds: flag.holds,
      detail: flag.detail,
    });
    if (!alert.raised && !alert.escalated) continue;
    done.push(flag);
    const action = alert.raised ? 'alert.raise' : 'alert.escalate';
    const detail = { alertId: alert.id, kind: flag.kind, level: flag.level, holds: flag.holds, rules: rules.version };
    const where = { locationId: ctx.locationId, patientRef: ctx.patientId };
    if (ctx.actor) await auditStaff(trx, ctx.database, ctx.actor, action, 'success', where, detail);
    else
      await appendAudit(
        trx,
        ctx.database,
        { actorId: null, actorRole: 'system', ...where, action, outcome: 'success', ip: null, detail },
        ctx.now,
      );
  }
  return done;
}
