/**
 * Alerts during a session: raising them from the readings and the clock (the pure engine in alerts.ts decides; each
 * is stored once by its key), the nurse's acknowledgement with the action taken, and escalation to the supervising
 * provider when an alert waits longer than the protocol's N minutes. Raising and escalating run after every vitals
 * entry, whenever the session page or the board is read, and from the server's periodic task, so an overdue reading
 * alerts without anyone entering anything.
 */
import type { Kysely } from 'kysely';
import { appendAudit, type AuditDetail } from '../../kernel/audit/audit.ts';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { enqueue } from '../../kernel/outbox/outbox.ts';
import { isRefusal, notFound, refuse, type Refusal } from '../../kernel/refusal.ts';
import type { SessionAccess } from './access.ts';
import { evaluateAlerts, type Alert } from './alerts.ts';
import {
  acknowledgeOnce,
  escalateOnce,
  escalationTarget,
  findAlert,
  insertNewAlerts,
  sessionProtocol,
  sessionReadings,
  waitingAlerts,
} from './alerts-repository.ts';
import { currentAlertRules, type AlertRules } from './alerts-settings.ts';
import { changeSession } from './change.ts';
import { findSession, type SessionRow } from './repository.ts';
import { isClosed } from './state.ts';

const MINUTE = 60_000;

/** An event of the server itself (the periodic task), or of the person whose request ran it. */
function auditAlerts(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor | null,
  action: string,
  session: SessionRow,
  detail: AuditDetail,
  now: number,
): Promise<void> {
  const where = { locationId: session.location_id, patientRef: session.patient_id };
  if (actor) return auditStaff(trx, database, actor, action, 'success', where, detail);
  return appendAudit(
    trx,
    database,
    { actorId: null, actorRole: 'system', ...where, action, outcome: 'success', ip: null, detail },
    now,
  );
}

/** The protocol's alert rules and the monitoring schedule of the session's plan. */
export async function sessionAlertRules(
  db: Kysely<DB>,
  session: SessionRow,
): Promise<AlertRules & { firstHourEveryMinutes: number; thenEveryMinutes: number; protocol: string | null }> {
  const protocol = await sessionProtocol(db, session.appointment_id);
  const rules = await currentAlertRules(db, protocol.code);
  return { ...rules, ...protocol, protocol: protocol.code };
}

/**
 * Raises the alerts the session's readings and the clock call for that it does not have yet, in `trx`: the new ones.
 * Nothing before the infusion starts (the start thresholds hold the start instead) and nothing once the session is
 * closed. A raised alert does not move the session's version: it overwrites nothing, and a nurse's open form must
 * not turn stale because a page was read.
 */
export async function refreshSessionAlerts(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor | null,
  session: SessionRow,
  now: number,
): Promise<Alert[]> {
  if (session.started_at === null || isClosed(session.state)) return [];
  const rules = await sessionAlertRules(trx, session);
  const { baseline, readings } = await sessionReadings(trx, session.id);
  const alerts = evaluateAlerts({
    thresholds: rules.thresholds,
    baseline: baseline?.vitals ?? null,
    readings,
    schedule: {
      startedAt: session.started_at,
      firstHourEveryMinutes: rules.firstHourEveryMinutes,
      thenEveryMinutes: rules.thenEveryMinutes,
      endedAt: session.stopped_at,
    },
    now,
  });
  const raised = await insertNewAlerts(trx, session.id, alerts, now, () => timeOrderedId(now));
  if (raised.length > 0)
    await auditAlerts(
      trx,
      database,
      actor,
      'session.alert.raise',
      session,
      {
        session: session.id,
        count: raised.length,
        codes: [...new Set(raised.map((a) => a.code))].join(' '),
      },
      now,
    );
  return raised;
}

/**
 * Escalates the session's alerts (or every open session's, without `sessionId`) that have waited longer than their
 * protocol's N minutes: each is marked once, whoever runs this and however often (the conditional UPDATE decides
 * which of two servers sends), and the provider gets one email through the outbox. The number escalated.
 */
export async function escalateWaitingAlerts(
  database: Database,
  now: number,
  options: { sessionId?: string; trx?: Kysely<DB>; actor?: Actor | null } = {},
): Promise<number> {
  const db = options.trx ?? database.db;
  // One minute is the shortest escalation a row may set: nothing raised since then can be due.
  const waiting = await waitingAlerts(db, now - MINUTE, options.sessionId);
  let escalated = 0;
  const rulesBySession = new Map<string, { minutes: number; session: SessionRow }>();
  for (const w of waiting) {
    let entry = rulesBySession.get(w.sessionId);
    if (!entry) {
      const session = await findSession(db, w.sessionId);
      if (!session) continue;
      entry = { minutes: (await sessionAlertRules(db, session)).escalationMinutes, session };
      rulesBySession.set(w.sessionId, entry);
    }
    if (w.raisedAt + entry.minutes * MINUTE > now) continue;
    const { session } = entry;
    const work = async (trx: Kysely<DB>) => {
      const to = await escalationTarget(trx, session.id);
      if (!(await escalateOnce(trx, w.alertId, to, now))) return false;
      if (to)
        await enqueue(
          trx,
          {
            kind: 'session_alert_escalation',
            refId: `${to} ${w.alertId}`,
            runAt: now,
            dedupeKey: `session-alert-escalation:${w.alertId}`,
            locationId: session.location_id,
          },
          now,
        );
      await auditAlerts(
        trx,
        database,
        options.actor ?? null,
        'session.alert.escalate',
        session,
        {
          session: session.id,
          alert: w.alertId,
          to: to ?? null,
        },
        now,
      );
      return true;
    };
    if (options.trx ? await work(options.trx) : await database.transact(work)) escalated++;
  }
  return escalated;
}

const CONTROL = /[\p{Cc}\p{Cf}]/u;

/** The action taken, as typed: required, kept as text (the page renders it escaped). */
function actionTaken(raw: unknown): string | Refusal {
  const text = typeof raw === 'string' ? raw.replace(/\r\n?/g, '\n').trim() : '';
  const fail = (message: string) => refuse('invalid_request', message, { action: message });
  if (text === '')
    return fail('Action taken: say what you did about this alert (for example “rate halved, BP rechecked”).');
  if (text.length > 500) return fail('Action taken: at most 500 characters.');
  if (CONTROL.test(text.replace(/\n/g, ''))) return fail('Action taken: no control or invisible characters.');
  return text;
}

/**
 * Acknowledges one alert of the session with the action taken. Not strict on the session's version (an
 * acknowledgement overwrites nothing of the session), but the alert itself is acknowledged once: a second one is
 * refused, naming who acknowledged it, and nothing is written.
 */
export async function acknowledgeAlert(
  database: Database,
  actor: Actor,
  access: SessionAccess,
  input: { alertId: unknown; version: unknown; action: unknown },
): Promise<{ ok: true } | Refusal> {
  const alertId = typeof input.alertId === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(input.alertId) ? input.alertId : '';
  const action = actionTaken(input.action);
  const version = Number(input.version);
  const existing = alertId ? await findAlert(database.db, alertId) : undefined;
  if (!existing || existing.session_id !== access.session.id) throw notFound('That alert');
  if (isRefusal(action)) return action;
  if (!Number.isInteger(version) || version < 1)
    return refuse('invalid_request', 'This form is incomplete: reload the page.', { version: 'Reload the page.' });
  return database.transact(async (trx) => {
    const current = await findAlert(trx, alertId);
    if (current?.acknowledged_at != null) return alreadyAcknowledged(trx, current.acknowledged_by);
    const changed = await changeSession(trx, database, actor, {
      sessionId: access.session.id,
      basedOn: version,
      strict: false,
      audit: 'session.alert.acknowledge',
      where: access.where,
      detail: { alert: alertId, code: existing.code },
    });
    if (isRefusal(changed)) return changed;
    // Two nurses at once on PostgreSQL: the loser's whole transaction (the version bump and its event) is undone.
    if (!(await acknowledgeOnce(trx, alertId, actor.staff.userId, action, actor.now)))
      throw await alreadyAcknowledged(trx, (await findAlert(trx, alertId))?.acknowledged_by ?? null);
    return { ok: true as const };
  });
}

async function alreadyAcknowledged(trx: Kysely<DB>, by: string | null): Promise<Refusal> {
  const who = by ? await trx.selectFrom('users').select('name').where('id', '=', by).executeTakeFirst() : undefined;
  const message = `${who?.name ?? 'Someone'} already acknowledged this alert; nothing was changed.`;
  return refuse('conflict', message, { action: message });
}
