/**
 * The signed session record: the supervising provider co-signs the summary written at discharge (their current
 * authenticator code re-checked in the signing transaction); after that it never changes and corrections are
 * addenda, each signed by its author the same way.
 */
import type { Kysely } from 'kysely';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { confirmSecondFactor } from '../../staff/service.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { sessionFor } from './access.ts';
import { cosignRecord, insertRecordAddendum, recordCosigner, recordOfSession } from './record-repository.ts';

const ADDENDUM_MAX = 2000;
const CODE = /^\d{6}$/;

export type RecordOutcome = { ok: true; saved: string } | Refusal;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

async function codeChecked(
  trx: Kysely<DB>,
  deps: { database: Database; secret: string },
  actor: Actor,
  raw: unknown,
  purpose: string,
  field: string,
): Promise<true | Refusal> {
  const code = text(raw);
  if (!CODE.test(code))
    return refuse('invalid_request', 'Type the 6-digit code your authenticator app shows now.', {
      [field]: 'Authenticator code: the 6 digits your authenticator app shows now',
    });
  const ok = await confirmSecondFactor(
    trx,
    deps,
    { userId: actor.staff.userId, ip: actor.ip },
    code,
    actor.now,
    purpose,
  );
  if (ok === true) return true;
  return refuse(ok.code, ok.message, { [field]: ok.fields?.code ?? ok.message });
}

export async function cosignSessionRecord(
  database: Database,
  deps: { secret: string },
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  body: Record<string, unknown>,
): Promise<RecordOutcome> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role))
    throw refuse('forbidden', 'The supervising provider co-signs the session record.');
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.record_cosign');
  return database.transact(async (trx) => {
    const record = await recordOfSession(trx, session.id);
    if (!record) return refuse('conflict', 'The record is written at discharge: this session has none yet.');
    if (record.cosigned_at !== null) return refuse('conflict', 'This record is already co-signed.');
    const supervisor = await recordCosigner(trx, session.appointment_id);
    if (supervisor.supervised && supervisor.userId !== actor.staff.userId)
      return refuse('forbidden', 'The provider who supervised this infusion co-signs its record.');
    const confirmed = await codeChecked(
      trx,
      { database, secret: deps.secret },
      actor,
      body.cosign_code,
      'session.record_cosign',
      'cosign_code',
    );
    if (confirmed !== true) return confirmed;
    if (!(await cosignRecord(trx, record.id, actor.staff.userId, actor.now)))
      return refuse('conflict', 'This record is already co-signed.');
    await auditStaff(trx, database, actor, 'session.record_cosign', 'success', where, {
      session: session.id,
      record: record.id,
    });
    return { ok: true as const, saved: 'record-cosigned' };
  });
}

export async function addRecordAddendum(
  database: Database,
  deps: { secret: string },
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  body: Record<string, unknown>,
): Promise<RecordOutcome> {
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.record_addendum');
  const note = text(body.addendum);
  if (note === '')
    return refuse('invalid_request', 'Write the correction or note to add.', {
      addendum: 'Addendum: write the correction or note to add',
    });
  if (note.length > ADDENDUM_MAX)
    return refuse('invalid_request', 'The addendum is too long.', {
      addendum: `Addendum: at most ${ADDENDUM_MAX.toLocaleString('en-US')} characters`,
    });
  return database.transact(async (trx) => {
    const record = await recordOfSession(trx, session.id);
    if (!record) return refuse('conflict', 'The record is written at discharge: this session has none yet.');
    const confirmed = await codeChecked(
      trx,
      { database, secret: deps.secret },
      actor,
      body.addendum_code,
      'session.record_addendum',
      'addendum_code',
    );
    if (confirmed !== true) return confirmed;
    const id = timeOrderedId(actor.now);
    await insertRecordAddendum(trx, {
      id,
      record_id: record.id,
      text: note,
      author_id: actor.staff.userId,
      signed_at: actor.now,
    });
    await auditStaff(trx, database, actor, 'session.record_addendum', 'success', where, {
      session: session.id,
      record: record.id,
      addendum: id,
    });
    return { ok: true as const, saved: 'record-addendum' };
  });
}
