/**
 * The check-in's entries on a session: the checklist's answers (session_checkins), every vitals reading
 * (session_vitals) and a provider's override of a start rule (session_overrides). All three are append-only: a
 * changed answer is a new row, the latest one counts.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, SessionVitalsTable } from '../../kernel/db/schema.ts';
import type { Vitals } from './vitals.ts';

export interface CheckinRow {
  id: string;
  answers: string;
  checklistVersion: string;
  recordedBy: string;
  recordedAt: number;
}

/**
 * A saved checklist's id: its session and the session version the save wrote. Saves within the same millisecond
 * still sort in the order they were made (the version moves on by one with each), so the latest is never a guess.
 */
export const checkinRowId = (sessionId: string, version: number) => `${sessionId}.${String(version).padStart(8, '0')}`;

export async function insertCheckin(
  trx: Kysely<DB>,
  row: { id: string; sessionId: string; answers: string; checklistVersion: string; by: string; at: number },
): Promise<void> {
  await trx
    .insertInto('session_checkins')
    .values({
      id: row.id,
      session_id: row.sessionId,
      answers: row.answers,
      checklist_version: row.checklistVersion,
      recorded_by: row.by,
      recorded_at: row.at,
    })
    .execute();
}

export async function latestCheckin(db: Kysely<DB>, sessionId: string): Promise<CheckinRow | undefined> {
  const row = await db
    .selectFrom('session_checkins')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      answers: row.answers,
      checklistVersion: row.checklist_version,
      recordedBy: row.recorded_by,
      recordedAt: Number(row.recorded_at),
    }
  );
}

export type VitalsPhase = 'pre' | 'infusion' | 'recovery';

export interface VitalsRow {
  id: string;
  phase: VitalsPhase;
  takenAt: number;
  recordedAt: number;
  recordedBy: string;
  recordedByName: string;
  lateReason: string | null;
  entryKey: string;
  vitals: Vitals;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function vitalsRow(r: Selectable<SessionVitalsTable> & { recorded_by_name: string }): VitalsRow {
  return {
    id: r.id,
    phase: r.phase,
    takenAt: Number(r.taken_at),
    recordedAt: Number(r.recorded_at),
    recordedBy: r.recorded_by,
    recordedByName: r.recorded_by_name,
    lateReason: r.late_reason,
    entryKey: r.entry_key,
    vitals: {
      systolic: Number(r.systolic),
      diastolic: Number(r.diastolic),
      heartRate: Number(r.heart_rate),
      spo2: Number(r.spo2),
      respiratoryRate: Number(r.respiratory_rate),
      temperatureC: num(r.temperature_c),
      sedation: num(r.sedation),
      dissociation: num(r.dissociation),
    },
  };
}

/** A session's readings in the order they were taken. */
export async function sessionVitals(db: Kysely<DB>, sessionId: string): Promise<VitalsRow[]> {
  const rows = await db
    .selectFrom('session_vitals as v')
    .innerJoin('users as u', 'u.id', 'v.recorded_by')
    .selectAll('v')
    .select('u.name as recorded_by_name')
    .where('v.session_id', '=', sessionId)
    .orderBy('v.taken_at')
    .orderBy('v.recorded_at')
    .execute();
  return rows.map(vitalsRow);
}

export async function vitalsByKey(db: Kysely<DB>, sessionId: string, entryKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('session_vitals')
    .select('id')
    .where('session_id', '=', sessionId)
    .where('entry_key', '=', entryKey)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertVitals(trx: Kysely<DB>, row: Insertable<SessionVitalsTable>): Promise<void> {
  await trx.insertInto('session_vitals').values(row).execute();
}

export async function insertOverride(
  trx: Kysely<DB>,
  row: { id: string; sessionId: string; rule: string; reason: string; providerId: string; at: number },
): Promise<void> {
  await trx
    .insertInto('session_overrides')
    .values({
      id: row.id,
      session_id: row.sessionId,
      rule: row.rule,
      reason: row.reason,
      provider_id: row.providerId,
      at: row.at,
    })
    .execute();
}

export interface OverrideRow {
  reason: string;
  providerName: string;
  at: number;
}

export async function latestOverride(
  db: Kysely<DB>,
  sessionId: string,
  rule: string,
): Promise<OverrideRow | undefined> {
  const row = await db
    .selectFrom('session_overrides as o')
    .innerJoin('users as u', 'u.id', 'o.provider_id')
    .select(['o.reason', 'u.name', 'o.at'])
    .where('o.session_id', '=', sessionId)
    .where('o.rule', '=', rule)
    .orderBy('o.at', 'desc')
    .executeTakeFirst();
  return row && { reason: row.reason, providerName: row.name, at: Number(row.at) };
}
