/**
 * Session alerts: the only writer of session_alerts, and the reads the alert engine needs (the session's readings,
 * its protocol and monitoring schedule, the provider an alert escalates to). An alert is inserted once by its key;
 * its acknowledgement and its escalation are each written once, by a conditional UPDATE that only one of two racing
 * writers wins (the database's trigger keeps them as written after that).
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionAlertTable } from '../../kernel/db/schema.ts';
import type { Alert, Reading } from './alerts.ts';
import { DEFAULT_PROTOCOLS } from '../protocols/protocol.ts';
import { sessionReadings as vitalsInOrder } from './discharge-repository.ts';

export type AlertRow = Selectable<SessionAlertTable>;

/** What raised an alert, as stored in `detail` (shown on the page; never written to the audit trail). */
export interface AlertDetail {
  measure: Alert['measure'];
  value: number;
  limit: number;
  at: number;
  baseline?: number;
}

const num = (v: unknown) => (v === null ? null : Number(v));
function alertOf(row: AlertRow): AlertRow {
  return {
    ...row,
    raised_at: Number(row.raised_at),
    acknowledged_at: num(row.acknowledged_at),
    escalated_at: num(row.escalated_at),
  };
}

export function detailOf(row: Pick<AlertRow, 'detail'>): AlertDetail {
  return JSON.parse(row.detail) as AlertDetail;
}

export async function sessionAlerts(db: Kysely<DB>, sessionId: string): Promise<AlertRow[]> {
  const rows = await db
    .selectFrom('session_alerts')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('raised_at')
    .orderBy('key')
    .execute();
  return rows.map(alertOf);
}

export async function findAlert(db: Kysely<DB>, id: string): Promise<AlertRow | undefined> {
  const row = await db.selectFrom('session_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && alertOf(row);
}

/** Inserts the alerts whose keys the session does not have yet; the ones it inserted. */
export async function insertNewAlerts(
  trx: Kysely<DB>,
  sessionId: string,
  alerts: readonly Alert[],
  now: number,
  newId: () => string,
): Promise<Alert[]> {
  if (alerts.length === 0) return [];
  const known = new Set(
    (await trx.selectFrom('session_alerts').select('key').where('session_id', '=', sessionId).execute()).map(
      (r) => r.key,
    ),
  );
  const fresh = alerts.filter((a) => !known.has(a.key));
  const inserted: Alert[] = [];
  for (const a of fresh) {
    const detail: AlertDetail = { measure: a.measure, value: a.value, limit: a.limit, at: a.at };
    if (a.baseline !== undefined) detail.baseline = a.baseline;
    // Another request may raise the same alert at the same moment: the unique key keeps one, this one steps aside.
    const r = await trx
      .insertInto('session_alerts')
      .values({
        id: newId(),
        session_id: sessionId,
        key: a.key,
        code: a.code,
        kind: a.kind,
        detail: JSON.stringify(detail),
        raised_at: now,
        acknowledged_at: null,
        acknowledged_by: null,
        action: null,
        escalated_at: null,
        escalated_to: null,
      })
      .onConflict((oc) => oc.columns(['session_id', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) inserted.push(a);
  }
  return inserted;
}

/** Writes the acknowledgement if the alert has none yet: false when someone acknowledged it first. */
export async function acknowledgeOnce(
  trx: Kysely<DB>,
  alertId: string,
  by: string,
  action: string,
  at: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('session_alerts')
    .set({ acknowledged_at: at, acknowledged_by: by, action })
    .where('id', '=', alertId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks the alert escalated if it is still open and not escalated: true for the one caller that did it. */
export async function escalateOnce(trx: Kysely<DB>, alertId: string, to: string | null, at: number): Promise<boolean> {
  const r = await trx
    .updateTable('session_alerts')
    .set({ escalated_at: at, escalated_to: to })
    .where('id', '=', alertId)
    .where('escalated_at', 'is', null)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Alerts waiting for an acknowledgement and not yet escalated, of sessions still open, raised at or before `before`. */
export async function waitingAlerts(
  db: Kysely<DB>,
  before: number,
  sessionId?: string,
): Promise<Array<{ alertId: string; sessionId: string; raisedAt: number }>> {
  const rows = await db
    .selectFrom('session_alerts as a')
    .innerJoin('infusion_sessions as s', 's.id', 'a.session_id')
    .select(['a.id', 'a.session_id', 'a.raised_at'])
    .where('a.acknowledged_at', 'is', null)
    .where('a.escalated_at', 'is', null)
    .where('a.raised_at', '<=', before)
    .where('s.state', 'not in', ['discharged', 'not_given'])
    .$if(sessionId !== undefined, (q) => q.where('a.session_id', '=', sessionId!))
    .execute();
  return rows.map((r) => ({ alertId: r.id, sessionId: r.session_id, raisedAt: Number(r.raised_at) }));
}

/** The readings of a session: the last pre-infusion one (the baseline) and those taken since the start. */
export async function sessionReadings(
  db: Kysely<DB>,
  sessionId: string,
): Promise<{ baseline: Reading | null; readings: Reading[] }> {
  let baseline: Reading | null = null;
  const readings: Reading[] = [];
  for (const { phase, takenAt, vitals } of await vitalsInOrder(db, sessionId)) {
    if (phase === 'pre') baseline = { takenAt, vitals };
    else readings.push({ takenAt, vitals });
  }
  return { baseline, readings };
}

export interface SessionProtocol {
  /** The plan's protocol code; null when the visit belongs to no plan. */
  code: string | null;
  firstHourEveryMinutes: number;
  thenEveryMinutes: number;
}

const FALLBACK_MONITORING = DEFAULT_PROTOCOLS[0]!.monitoring;

/**
 * The protocol of the session's appointment and the plan's monitoring schedule (the plan's copy of the protocol, as
 * the provider signed it). Without a plan, or a plan whose copy cannot be read, the shipped schedule applies: an
 * infusion is never left without one.
 */
export async function sessionProtocol(db: Kysely<DB>, appointmentId: string): Promise<SessionProtocol> {
  const row = await db
    .selectFrom('plan_sessions as ps')
    .innerJoin('treatment_plans as p', 'p.id', 'ps.plan_id')
    .innerJoin('protocols as pr', 'pr.id', 'p.protocol_id')
    .select(['pr.code', 'p.definition'])
    .where('ps.appointment_id', '=', appointmentId)
    .executeTakeFirst();
  const schedule = { ...FALLBACK_MONITORING };
  if (row) {
    try {
      const m = (JSON.parse(row.definition) as { monitoring?: Record<string, unknown> }).monitoring;
      const first = Number(m?.firstHourEveryMinutes);
      const then = Number(m?.thenEveryMinutes);
      if (Number.isInteger(first) && first > 0) schedule.firstHourEveryMinutes = first;
      if (Number.isInteger(then) && then > 0) schedule.thenEveryMinutes = then;
    } catch {
      // An unreadable copy keeps the shipped schedule (above).
    }
  }
  return {
    code: row?.code ?? null,
    firstHourEveryMinutes: schedule.firstHourEveryMinutes,
    thenEveryMinutes: schedule.thenEveryMinutes,
  };
}

/**
 * Who an alert of this session escalates to: the user account of the visit's supervising provider; failing that
 * (no supervisor booked, or their account disabled), the provider who wrote the session's dose order.
 */
export async function escalationTarget(db: Kysely<DB>, sessionId: string): Promise<string | null> {
  const row = await db
    .selectFrom('infusion_sessions as s')
    .innerJoin('appointments as a', 'a.id', 's.appointment_id')
    .leftJoin('users as su', (j) =>
      j
        .onRef('su.clinician_id', '=', 'a.supervisor_id')
        .on('su.disabled_at', 'is', null)
        .on('su.role', '=', 'provider'),
    )
    .leftJoin('dose_orders as o', 'o.id', 's.dose_order_id')
    .leftJoin('users as ou', (j) => j.onRef('ou.id', '=', 'o.ordered_by').on('ou.disabled_at', 'is', null))
    .select(['su.id as supervisor', 'ou.id as prescriber'])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  return row?.supervisor ?? row?.prescriber ?? null;
}

/** How many alerts wait for an acknowledgement, per session (the board's badge); sessions without any are left out. */
export async function openAlertCounts(db: Kysely<DB>, sessionIds: readonly string[]): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('session_alerts')
    .select(['session_id', db.fn.countAll<number>().as('n')])
    .where('session_id', 'in', sessionIds)
    .where('acknowledged_at', 'is', null)
    .groupBy('session_id')
    .execute();
  return new Map(rows.map((r) => [r.session_id, Number(r.n)]));
}
