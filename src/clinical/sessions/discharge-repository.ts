/**
 * Discharge's rows: assessments (append-only), the discharge override (a session_overrides row with rule
 * 'discharge'), and the reads the gate needs from the session's other entries (read-only here).
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionAssessmentTable } from '../../kernel/db/schema.ts';
import { latestOverride } from './checkin-repository.ts';
import type { Vitals } from './vitals.ts';

export type AssessmentRow = Selectable<SessionAssessmentTable>;

export const DISCHARGE_RULE = 'discharge';

export async function insertAssessment(trx: Kysely<DB>, row: AssessmentRow): Promise<void> {
  await trx.insertInto('session_assessments').values(row).execute();
}

/** The newest assessment (ties broken by the time-ordered id, as the database's gate does). */
export async function latestAssessment(db: Kysely<DB>, sessionId: string): Promise<AssessmentRow | undefined> {
  const row = await db
    .selectFrom('session_assessments')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('assessed_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row && { ...row, assessed_at: Number(row.assessed_at) };
}

export async function insertDischargeOverride(
  trx: Kysely<DB>,
  row: { id: string; sessionId: string; reason: string; providerId: string; at: number },
): Promise<void> {
  await trx
    .insertInto('session_overrides')
    .values({
      id: row.id,
      session_id: row.sessionId,
      rule: DISCHARGE_RULE,
      reason: row.reason,
      provider_id: row.providerId,
      at: row.at,
    })
    .execute();
}

export async function dischargeOverride(
  db: Kysely<DB>,
  sessionId: string,
): Promise<{ reason: string; provider: string; at: number } | undefined> {
  const row = await latestOverride(db, sessionId, DISCHARGE_RULE);
  return row && { reason: row.reason, provider: row.providerName, at: row.at };
}

export interface VitalsReading {
  phase: 'pre' | 'infusion' | 'recovery';
  takenAt: number;
  vitals: Vitals;
}

/** The session's vitals in the order they were taken. */
export async function sessionReadings(db: Kysely<DB>, sessionId: string): Promise<VitalsReading[]> {
  const rows = await db
    .selectFrom('session_vitals')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('taken_at')
    .orderBy('recorded_at')
    .execute();
  return rows.map((r) => ({
    phase: r.phase,
    takenAt: Number(r.taken_at),
    vitals: {
      systolic: r.systolic,
      diastolic: r.diastolic,
      heartRate: r.heart_rate,
      spo2: r.spo2,
      respiratoryRate: r.respiratory_rate,
      temperatureC: r.temperature_c === null ? null : Number(r.temperature_c),
      sedation: r.sedation,
      dissociation: r.dissociation,
    },
  }));
}

export async function openAlertCount(db: Kysely<DB>, sessionId: string): Promise<number> {
  const row = await db
    .selectFrom('session_alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('session_id', '=', sessionId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
