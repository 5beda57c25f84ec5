/**
 * The one way a clinical record command runs: the patient checked against who asks (role, location scoping, the
 * 'denied' event), then the work and its audit event in one transaction. A refusal from the work writes nothing.
 */
import type { Kysely } from 'kysely';
import type { AuditDetail } from '../../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { isRefusal, type Refusal } from '../../kernel/refusal.ts';
import { today, wallInstant } from '../../kernel/time/wall-clock.ts';
import { visibleLocations } from '../../patients/service.ts';
import { clinicalPatient } from '../patient-access.ts';

export interface RecordContext {
  patientId: string;
  /** The zone of the location the access is filed under: dates typed in are read there. */
  zone: string;
  /** Today's date there. */
  today: string;
  /** The instant of a date typed in: now for today, else midday (the hour of a past day is not known). */
  instantOf: (day: string) => number;
}

export async function recordContext(database: Database, actor: Actor, locationId: string, patientId: string) {
  const locations = await visibleLocations(database.db, actor);
  const zone = (locations.find((l) => l.id === locationId) ?? locations[0])?.time_zone ?? 'UTC';
  const day = today(actor.now, zone);
  return {
    patientId,
    zone,
    today: day,
    instantOf: (d: string) => (d === day ? actor.now : wallInstant(zone, d, 12 * 60)),
  } satisfies RecordContext;
}

export async function recordWrite<T extends { detail?: AuditDetail }>(
  database: Database,
  actor: Actor,
  rawId: unknown,
  action: string,
  work: (trx: Kysely<DB>, context: RecordContext) => Promise<T | Refusal>,
): Promise<({ ok: true } & T) | Refusal> {
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const context = await recordContext(database, actor, where.locationId, patient.id);
  return database.transact(async (trx) => {
    const done = await work(trx, context);
    if (isRefusal(done)) return done;
    await auditStaff(trx, database, actor, action, 'success', where, done.detail);
    return { ok: true as const, ...done };
  });
}
