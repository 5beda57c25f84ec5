/**
 * Recovery and discharge commands: the discharge assessment (Modified Aldrete and the escort at the door), the
 * discharge itself, and a provider's override. Each asks the ONE gate (discharge-gate.ts) inside its transaction,
 * moves the session through changeSession, and the discharge writes the session record in the same transaction.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import type { Errors } from '../../kernel/ui/form.tsx';
import { ALDRETE_ITEMS, aldreteAnswersSchema, scoreAldrete } from '../instruments/aldrete.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { freshSession, sessionFor } from './access.ts';
import { changeSession } from './change.ts';
import { dischargeGate, type DrugBalance } from './discharge-gate.ts';
import { insertAssessment, insertDischargeOverride } from './discharge-repository.ts';
import { missingList } from './discharge-words.ts';
import { writeSessionRecord } from './record-write.ts';
import type { SessionRow } from './repository.ts';
import { isClosed, STATE_LABELS } from './state.ts';
import { sessionVisit } from './visit.ts';

export interface DischargeDeps {
  drugBalanced: DrugBalance;
}

export type DischargeOutcome = { ok: true; saved: string } | Refusal;

const ESCORT_MAX = 120;
const REASON_MAX = 1000;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

function versionOf(body: Record<string, unknown>): number | Refusal {
  const v = Number(text(body.version));
  if (!Number.isInteger(v) || v < 1)
    return refuse('invalid_request', 'This form is missing the session version: reload the page.', {
      version: 'Reload the page and try again.',
    });
  return v;
}

async function zoneOf(trx: Kysely<DB>, session: SessionRow): Promise<string> {
  return (await sessionVisit(trx, session.appointment_id))?.timeZone ?? 'UTC';
}

const inRecovery = (session: SessionRow) => session.state === 'recovering' || session.state === 'ready_for_discharge';

function notInRecovery(session: SessionRow, what: string): Refusal {
  return refuse(
    'conflict',
    `${what} comes after the infusion, in recovery: the session is ${STATE_LABELS[session.state].toLowerCase()}. Nothing was changed.`,
  );
}

/**
 * A discharge assessment: the five Aldrete answers and the escort. Saved whatever it scores (it is an observation);
 * when every condition then holds the session becomes ready for discharge, and when one no longer does a session
 * that was ready goes back to recovery.
 */
export async function assessDischarge(
  database: Database,
  deps: DischargeDeps,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  body: Record<string, unknown>,
): Promise<DischargeOutcome> {
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.assess');
  const version = versionOf(body);
  if (typeof version !== 'number') return version;
  const errors: Errors = {};
  const answers = aldreteAnswersSchema.safeParse(body);
  if (!answers.success)
    for (const issue of answers.error.issues) {
      const key = String(issue.path[0]);
      const item = ALDRETE_ITEMS.find((i) => i.key === key);
      errors[key] = `${item?.label ?? key}: choose one of the three levels`;
    }
  const escortName = text(body.escort_name);
  const escortConfirmed = body.escort_confirmed === 'on' || body.escort_confirmed === 'yes';
  if (escortName.length > ESCORT_MAX) errors.escort_name = `Escort’s name: at most ${ESCORT_MAX} characters`;
  else if (escortConfirmed && escortName === '')
    errors.escort_name = 'Escort’s name: write the name of the adult taking the patient home';
  if (!answers.success || Object.keys(errors).length > 0)
    return refuse('invalid_request', 'Some answers need attention.', errors);
  const score = scoreAldrete(answers.data);
  const total = score.total ?? 0;

  return database.transact(async (trx) => {
    const now = await freshSession(trx, session.id);
    if (!inRecovery(now)) return notInRecovery(now, 'The discharge assessment');
    const gate = await dischargeGate(trx, now, actor.now, deps.drugBalanced, {
      aldreteScore: total,
      escortConfirmed,
    });
    const { ready, missing } = gate.readiness;
    const action =
      now.state === 'recovering' && ready
        ? ('fit_to_leave' as const)
        : now.state === 'ready_for_discharge' && !ready
          ? ('back_to_recovery' as const)
          : undefined;
    const changed = await changeSession(trx, database, actor, {
      sessionId: now.id,
      basedOn: version,
      strict: false,
      ...(action ? { action } : {}),
      audit: 'session.assess',
      where,
      detail: { aldrete: total, passed: ready ? 1 : 0, missing: missing.map((m) => m.code).join(',') },
    });
    if (!('id' in changed)) return changed;
    await insertAssessment(trx, {
      id: timeOrderedId(actor.now),
      session_id: now.id,
      aldrete_items: JSON.stringify(answers.data),
      aldrete_score: total,
      aldrete_at_least: gate.rule.aldreteAtLeast,
      aldrete_version: score.version,
      escort_name: escortName === '' ? null : escortName,
      escort_confirmed: escortConfirmed ? 1 : 0,
      passed: ready ? 1 : 0,
      missing: JSON.stringify(missing.map((m) => m.code)),
      assessed_by: actor.staff.userId,
      assessed_at: actor.now,
    });
    return { ok: true as const, saved: ready ? 'assessed-ready' : 'assessed' };
  });
}

/** The discharge: only from ready for discharge, and only when every condition still holds at this moment. */
export async function dischargeSession(
  database: Database,
  deps: DischargeDeps,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  body: Record<string, unknown>,
): Promise<DischargeOutcome> {
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.discharge');
  const version = versionOf(body);
  if (typeof version !== 'number') return version;
  return database.transact(async (trx) => {
    const now = await freshSession(trx, session.id);
    if (isClosed(now.state))
      return refuse('conflict', `This session is ${STATE_LABELS[now.state].toLowerCase()}: it is closed.`);
    if (!inRecovery(now)) return notInRecovery(now, 'Discharge');
    const { readiness } = await dischargeGate(trx, now, actor.now, deps.drugBalanced);
    if (!readiness.ready) {
      const list = missingList(readiness.missing, await zoneOf(trx, now));
      return refuse('conflict', `Not yet: ${list} Nothing was changed.`, { discharge: list });
    }
    if (now.state === 'recovering')
      return refuse(
        'conflict',
        'Every condition holds now: record the discharge assessment again, so the one on file is from the time the patient leaves. Nothing was changed.',
        { discharge: 'Record the discharge assessment again first.' },
      );
    const changed = await changeSession(trx, database, actor, {
      sessionId: now.id,
      basedOn: version,
      strict: true,
      action: 'discharge',
      patch: { discharged_at: actor.now, discharged_by: actor.staff.userId },
      audit: 'session.discharge',
      where,
    });
    if (!('id' in changed)) return changed;
    await writeSessionRecord(trx, changed, actor);
    return { ok: true as const, saved: 'discharged' };
  });
}

/**
 * A provider discharges a patient although a condition does not hold, with the reason: the override names what it
 * passed over (audited by code), and the patient is discharged in the same transaction.
 */
export async function overrideDischarge(
  database: Database,
  deps: DischargeDeps,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  body: Record<string, unknown>,
): Promise<DischargeOutcome> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role))
    throw refuse('forbidden', 'Only a provider may discharge a patient past a condition that does not hold.');
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.discharge');
  const version = versionOf(body);
  if (typeof version !== 'number') return version;
  const reason = text(body.override_reason);
  if (reason === '')
    return refuse('invalid_request', 'An override needs its reason.', {
      override_reason: 'Reason: say why the patient may leave although the conditions listed do not hold',
    });
  if (reason.length > REASON_MAX)
    return refuse('invalid_request', 'The reason is too long.', {
      override_reason: `Reason: at most ${REASON_MAX} characters`,
    });
  return database.transact(async (trx) => {
    const now = await freshSession(trx, session.id);
    if (!inRecovery(now)) return notInRecovery(now, 'Discharge');
    if (now.version !== version) {
      // changeSession names who changed it; ask it with the stale version so the message is the usual one.
      return changeSession(trx, database, actor, {
        sessionId: now.id,
        basedOn: version,
        strict: true,
        audit: 'session.discharge',
        where,
      }) as Promise<Refusal>;
    }
    const { readiness } = await dischargeGate(trx, now, actor.now, deps.drugBalanced);
    if (readiness.ready)
      return refuse('invalid_request', 'Every condition holds: discharge the patient without an override.', {
        override_reason: 'Nothing to override: every condition holds.',
      });
    let current = now;
    if (current.state === 'recovering') {
      const moved = await changeSession(trx, database, actor, {
        sessionId: current.id,
        basedOn: version,
        strict: true,
        action: 'fit_to_leave',
        audit: 'session.fit_to_leave',
        where,
        detail: { override: 1 },
      });
      if (!('id' in moved)) return moved;
      current = moved;
    }
    await insertDischargeOverride(trx, {
      id: timeOrderedId(actor.now),
      sessionId: current.id,
      reason,
      providerId: actor.staff.userId,
      at: actor.now,
    });
    const changed = await changeSession(trx, database, actor, {
      sessionId: current.id,
      basedOn: current.version,
      strict: true,
      action: 'discharge',
      patch: { discharged_at: actor.now, discharged_by: actor.staff.userId },
      audit: 'session.discharge_override',
      where,
      detail: { missing: readiness.missing.map((m) => m.code).join(',') },
    });
    if (!('id' in changed)) return changed;
    await writeSessionRecord(trx, changed, actor);
    return { ok: true as const, saved: 'discharged' };
  });
}

/**
 * For the vitals entry (and any other entry that can change a condition): called in the entry's own transaction after
 * its row is written, it moves a session that was ready for discharge back to recovery when a condition no longer
 * holds. Returns the session as it is now, or the refusal changeSession gave.
 */
export async function recheckDischarge(
  trx: Kysely<DB>,
  database: Database,
  deps: DischargeDeps,
  actor: Actor,
  sessionId: string,
  where: { locationId: string; patientRef: string },
): Promise<SessionRow | Refusal> {
  const now = await freshSession(trx, sessionId);
  if (now.state !== 'ready_for_discharge') return now;
  const { readiness } = await dischargeGate(trx, now, actor.now, deps.drugBalanced);
  if (readiness.ready) return now;
  return changeSession(trx, database, actor, {
    sessionId,
    basedOn: now.version,
    strict: false,
    action: 'back_to_recovery',
    audit: 'session.back_to_recovery',
    where,
    detail: { missing: readiness.missing.map((m) => m.code).join(',') },
  });
}
