/**
 * The pre-infusion checks of a checked-in session: saving the checklist's answers (appended, not strict: they
 * overwrite nothing), declaring the checks done (strict, and only when `readiness` finds nothing missing or
 * blocking), going back to the checks, a provider's override of the start limits, and the patient leaving without
 * an infusion. Each runs in one transaction with its audit event through `changeSession`.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { raiseAlert } from '../intake/alerts-service.ts';
import { raiseFlags } from '../safety/flags-raise.ts';
import { item9Rule } from '../safety/item9-rule.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { sessionFor, freshSession, type SessionAccess } from './access.ts';
import { changeSession } from './change.ts';
import { answersFromForm } from './checkin-answers.ts';
import { CHECK_IN_SOURCE, checkinPart, checklistVersionText, START_VITALS_RULE } from './checkin-read.ts';
import { checkinRowId, insertCheckin, insertOverride } from './checkin-repository.ts';
import { STATE_LABELS } from './state.ts';

export type CheckResult = { ok: true; patientId: string; sessionId: string; saved: string } | Refusal;

type Form = Record<string, string>;

const versionOf = (form: Form): number | Refusal => {
  const v = Number(form.version);
  return Number.isInteger(v) && v >= 1
    ? v
    : refuse('invalid_request', 'This form is missing its version: reload the page.', { version: 'Reload the page.' });
};

const reasonSchema = (label: string, min: number, max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(min, `${label}: at least ${min} characters`).max(max, `${label}: at most ${max} characters`));

async function run(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  action: string,
  body: (trx: Kysely<DB>, access: SessionAccess) => Promise<string | Refusal>,
): Promise<CheckResult> {
  const access = await sessionFor(database, actor, raw.patientId, raw.sessionId, action);
  const result = await database.transact(async (trx) => {
    const outcome = await body(trx, access);
    // A refusal changes nothing but is filed, with its code (never the values typed).
    if (isRefusal(outcome))
      await auditStaff(trx, database, actor, action, 'failure', access.where, {
        session: access.session.id,
        reason: outcome.code,
      });
    return outcome;
  });
  if (isRefusal(result)) return result;
  return { ok: true, patientId: access.patient.id, sessionId: access.session.id, saved: result };
}

/** Saves the checklist's answers given so far (checked-in sessions only); a self-harm answer raises the alert. */
export function saveChecklist(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<CheckResult> {
  return run(database, actor, raw, 'session.checklist', async (trx, { session, where }) => {
    const fresh = await freshSession(trx, session.id);
    if (fresh.state !== 'checked_in')
      return refuse(
        'conflict',
        `The session is ${STATE_LABELS[fresh.state].toLowerCase()}: go back to the checks to change an answer.`,
      );
    const part = await checkinPart(trx, fresh, actor.now);
    const parsed = answersFromForm(form, new Set(part.readiness.asked));
    if ('errors' in parsed)
      return refuse('invalid_request', 'Some answers could not be saved: please check them.', parsed.errors);
    const basedOn = Number(form.version) || fresh.version;
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn,
      strict: false,
      audit: 'session.checklist',
      where,
      detail: { answered: Object.keys(parsed.answers).length, checklist: part.checklistVersion },
    });
    if (isRefusal(changed)) return changed;
    await insertCheckin(trx, {
      id: checkinRowId(session.id, changed.version),
      sessionId: session.id,
      answers: JSON.stringify(parsed.answers),
      checklistVersion: checklistVersionText(part.checklistVersion),
      by: actor.staff.userId,
      at: actor.now,
    });
    // Urinary symptoms, and the pre-session pain that tells a dose escalation with the same response.
    await raiseFlags(trx, {
      database,
      actor,
      patientId: session.patient_id,
      locationId: session.location_id,
      now: actor.now,
      kinds: ['urinary', 'dose_escalation'],
    });
    const item9 = parsed.answers.item9;
    const rule = item9 === undefined ? null : await item9Rule(trx);
    // Once a provider has assessed this check-in's answer, saving the same list again does not raise it anew.
    if (item9 !== undefined && rule && item9 >= rule.alertAt && (!part.item9Alert || part.item9Alert.open)) {
      const level = item9 >= rule.escalateAt ? 'urgent' : 'alert';
      const alert = await raiseAlert(trx, {
        patientId: session.patient_id,
        locationId: session.location_id,
        kind: 'phq9_item9',
        source: CHECK_IN_SOURCE,
        sourceId: session.id,
        level,
        now: actor.now,
      });
      if (alert.raised || alert.escalated)
        await auditStaff(trx, database, actor, alert.raised ? 'alert.raise' : 'alert.escalate', 'success', where, {
          alertId: alert.id,
          kind: 'phq9_item9',
          level,
          rule: rule.version,
        });
      return 'item9';
    }
    return 'checklist';
  });
}

/** Ready to start: refused, naming what is missing or blocks, unless every check holds. */
export function checksDone(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<CheckResult> {
  return run(database, actor, raw, 'session.checks_done', async (trx, { session, where }) => {
    const basedOn = versionOf(form);
    if (isRefusal(basedOn)) return basedOn;
    const part = await checkinPart(trx, await freshSession(trx, session.id), actor.now);
    const { missing, blockers } = part.readiness;
    if (missing.length + blockers.length > 0) {
      const message = `Not ready to start: ${missing.length} still to answer or record, ${blockers.length} blocking. “Before the start” lists which.`;
      return refuse('conflict', message, { checks: message });
    }
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn,
      strict: true,
      action: 'checks_done',
      audit: 'session.checks_done',
      where,
      detail: { overridden: part.readiness.overridden ? 1 : 0 },
    });
    return isRefusal(changed) ? changed : 'ready';
  });
}

/** Back to the checks from ready (an answer to change, a new concern). */
export function recheck(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<CheckResult> {
  return run(database, actor, raw, 'session.recheck', async (trx, { session, where }) => {
    const basedOn = versionOf(form);
    if (isRefusal(basedOn)) return basedOn;
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn,
      strict: true,
      action: 'recheck',
      audit: 'session.recheck',
      where,
    });
    return isRefusal(changed) ? changed : 'recheck';
  });
}

/** The patient leaves without an infusion, with the reason (nurses and providers). */
export function notGiven(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<CheckResult> {
  return run(database, actor, raw, 'session.not_given', async (trx, { session, where }) => {
    const basedOn = versionOf(form);
    if (isRefusal(basedOn)) return basedOn;
    const reason = reasonSchema('Reason', 3, 500).safeParse(form.not_given_reason ?? '');
    if (!reason.success)
      return refuse('invalid_request', reason.error.issues[0]!.message, {
        not_given_reason: reason.error.issues[0]!.message,
      });
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn,
      strict: true,
      action: 'not_given',
      patch: { not_given_reason: reason.data },
      audit: 'session.not_given',
      where,
    });
    return isRefusal(changed) ? changed : 'not_given';
  });
}

/**
 * A provider starts past the start limits on the latest pre-infusion reading, with the reason. It covers that
 * reading only: a later one past a limit blocks again.
 */
export function overrideStart(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<CheckResult> {
  return run(database, actor, raw, 'session.override', async (trx, { session, where }) => {
    if (!PRESCRIBER_ROLES.includes(actor.staff.role))
      return refuse('forbidden', 'Only a provider may override a start limit.');
    const basedOn = versionOf(form);
    if (isRefusal(basedOn)) return basedOn;
    const reason = reasonSchema('Reason for the override', 10, 1000).safeParse(form.override_reason ?? '');
    if (!reason.success)
      return refuse('invalid_request', reason.error.issues[0]!.message, {
        override_reason: reason.error.issues[0]!.message,
      });
    const fresh = await freshSession(trx, session.id);
    if (fresh.state !== 'checked_in') return refuse('conflict', 'A start limit is overridden during the checks only.');
    const part = await checkinPart(trx, fresh, actor.now);
    if (part.readiness.startBlockers.length === 0 || part.readiness.overridden)
      return refuse('conflict', 'The latest pre-infusion reading blocks nothing: there is nothing to override.');
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn,
      strict: true,
      audit: 'session.override',
      where,
      detail: { rule: START_VITALS_RULE, limits: part.readiness.startBlockers.map((b) => b.code).join(' ') },
    });
    if (isRefusal(changed)) return changed;
    await insertOverride(trx, {
      id: timeOrderedId(actor.now),
      sessionId: session.id,
      rule: START_VITALS_RULE,
      reason: reason.data,
      providerId: actor.staff.userId,
      at: actor.now,
    });
    return 'override';
  });
}
