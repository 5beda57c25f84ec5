/**
 * The discharge part of the session page: from recovery on, the gate's answer (what is missing), the newest
 * assessment and the after-care settings; once discharged, the signed record with its addenda. One loader, called
 * by sessionView inside its audited read.
 */
import type { Kysely } from 'kysely';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { notFound, refuse } from '../../kernel/refusal.ts';
import type { Patient } from '../../patients/service.ts';
import { currentDefinition } from '../definitions/store.ts';
import { sessionFor } from './access.ts';
import { DISCHARGE_SETTINGS, type DischargeSettings } from './discharge-settings.ts';
import { sessionVisit, type SessionVisit } from './visit.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { drugBalanceOf } from './discharge-balance.ts';
import { dischargeGate, type DischargeGate } from './discharge-gate.ts';
import { dischargeOverride, latestAssessment, type AssessmentRow } from './discharge-repository.ts';
import { recordAddenda, recordCosigner, recordOfSession, type RecordRow } from './record-repository.ts';
import type { RecordSummary } from './record-summary.ts';
import type { SessionRow } from './repository.ts';

export interface SessionRecordView {
  row: RecordRow;
  summary: RecordSummary;
  cosignedBy: string | null;
  addenda: Array<{ id: string; text: string; author: string; signedAt: number }>;
  /** Who may co-sign: the visit's supervising provider's account, or any provider when none was assigned. */
  cosigner: { supervised: boolean; userId: string | null };
}

export interface DischargePart {
  gate: DischargeGate | null;
  assessment: AssessmentRow | null;
  override: { reason: string; provider: string; at: number } | null;
  record: SessionRecordView | null;
}

export async function dischargePart(
  db: Kysely<DB>,
  session: SessionRow,
  now: number,
): Promise<DischargePart | undefined> {
  const recovering = session.state === 'recovering' || session.state === 'ready_for_discharge';
  if (!recovering && session.state !== 'discharged') return undefined;
  const [gate, assessment, override, record] = await Promise.all([
    recovering ? dischargeGate(db, session, now, drugBalanceOf) : Promise.resolve(null),
    latestAssessment(db, session.id),
    dischargeOverride(db, session.id),
    recordOfSession(db, session.id),
  ]);
  return {
    gate,
    assessment: assessment ?? null,
    override: override ?? null,
    record: record ? await recordView(db, session, record) : null,
  };
}

async function recordView(db: Kysely<DB>, session: SessionRow, row: RecordRow): Promise<SessionRecordView> {
  const [addenda, signer, cosigner] = await Promise.all([
    recordAddenda(db, row.id),
    row.cosigned_by
      ? db.selectFrom('users').select('name').where('id', '=', row.cosigned_by).executeTakeFirst()
      : Promise.resolve(undefined),
    recordCosigner(db, session.appointment_id),
  ]);
  return {
    row,
    summary: JSON.parse(row.summary) as RecordSummary,
    cosignedBy: signer?.name ?? null,
    addenda,
    cosigner,
  };
}

export interface DischargeSheet {
  patient: Patient;
  session: SessionRow;
  visit: SessionVisit;
  locationPhone: string;
  settings: DischargeSettings;
  settingsUnverified: boolean;
  escort: string | null;
}

/** The printable discharge sheet, from recovery on (audited as a read of the session). */
export async function dischargeSheet(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
): Promise<DischargeSheet> {
  const { patient, session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.sheet');
  if (!['recovering', 'ready_for_discharge', 'discharged'].includes(session.state))
    throw refuse('conflict', 'The discharge sheet is printed in recovery, after the infusion has stopped.');
  return database.transact(async (trx) => {
    const visit = await sessionVisit(trx, session.appointment_id);
    if (!visit) throw notFound('That session');
    const [location, settings, assessment] = await Promise.all([
      trx.selectFrom('locations').select('phone').where('id', '=', session.location_id).executeTakeFirstOrThrow(),
      currentDefinition(trx, DISCHARGE_SETTINGS),
      latestAssessment(trx, session.id),
    ]);
    await auditStaff(trx, database, actor, 'session.sheet', 'success', where, { session: session.id });
    return {
      patient,
      session,
      visit,
      locationPhone: location.phone,
      settings: settings.body,
      settingsUnverified: settings.unverified,
      escort: assessment?.escort_confirmed === 1 ? assessment.escort_name : null,
    };
  });
}
