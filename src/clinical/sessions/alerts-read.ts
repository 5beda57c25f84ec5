/**
 * The alerts part of a session page: reading the page first raises what the clock calls for (an overdue reading) and
 * escalates what has waited too long, in the page's own transaction, then returns the alerts in words, the chart's
 * data and the limits in force with their provenance.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { currentDefinition } from '../definitions/store.ts';
import type { ChartData, ChartRate } from './alerts-chart.tsx';
import { detailOf, sessionAlerts, sessionReadings, type AlertRow } from './alerts-repository.ts';
import { escalateWaitingAlerts, refreshSessionAlerts, sessionAlertRules } from './alerts-service.ts';
import { ALERT_LIMITS } from './alerts-settings.ts';
import type { SessionRow } from './repository.ts';
import type { SessionVisit } from './visit.ts';
import { VITALS_LIMITS, type VitalsMeasure } from './vitals.ts';

export interface AlertItem {
  id: string;
  kind: string;
  /** What raised it, in words. */
  words: string;
  raisedAt: number;
  acknowledged: { at: number; by: string; action: string } | null;
  escalated: { at: number; to: string | null } | null;
}

export interface SessionAlertsView {
  open: AlertItem[];
  acknowledged: AlertItem[];
  /** Null before the infusion starts: there is nothing to chart yet. */
  chart: ChartData | null;
  limits: {
    /** The protocol's own row, or `*`. */
    row: string;
    escalationMinutes: number;
    version: number;
    source: string;
    unverified: boolean;
  };
}

const MEASURE_WORDS: Record<string, string> = {
  systolic: 'Systolic pressure',
  diastolic: 'Diastolic pressure',
  heartRate: 'Heart rate',
  spo2: 'SpO₂',
  respiratoryRate: 'Respiratory rate',
  sedation: 'Sedation (RASS)',
};

function reading(measure: string, value: number): string {
  const limits = VITALS_LIMITS[measure as VitalsMeasure] as { unit: string } | undefined;
  const unit = limits?.unit ?? '';
  if (measure === 'sedation') return `RASS ${value > 0 ? `+${value}` : value}`;
  return `${MEASURE_WORDS[measure] ?? measure} ${value}${unit === '%' ? ' %' : unit ? ` ${unit}` : ''}`;
}

/** An alert in a nurse's words: the reading, when, and the limit it passed. */
export function alertWords(row: Pick<AlertRow, 'code' | 'kind' | 'detail'>, zone: string): string {
  const d = detailOf(row);
  const at = formatTime(d.at, zone);
  const high = row.code.endsWith('High');
  const side = row.code === 'sedationAtOrBelow' ? 'at or below' : high ? 'at or above' : 'at or below';
  switch (row.kind) {
    case 'overdue':
      return `Vitals overdue: a reading was due at ${at} and none was entered within ${d.limit} minutes.`;
    case 'rise':
      return `${reading(d.measure, d.value)} at ${at}: ${d.value - (d.baseline ?? 0)} mmHg above the pre-infusion ${d.baseline} (alerts at a rise of ${d.limit - (d.baseline ?? 0)}).`;
    case 'sustained':
      return `${MEASURE_WORDS[d.measure] ?? d.measure} ${side} ${d.limit} twice in a row: ${reading(d.measure, d.value).toLowerCase()} at ${at}.`;
    default:
      return `${reading(d.measure, d.value)} at ${at}: ${side} the limit of ${d.limit}.`;
  }
}

async function names(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The pump's rate over the session: each start or change, 0 while paused and after the stop. */
async function pumpRates(db: Kysely<DB>, sessionId: string): Promise<ChartRate[]> {
  const events = await db
    .selectFrom('session_events')
    .select(['kind', 'at', 'ml_per_hour'])
    .where('session_id', '=', sessionId)
    .orderBy('at')
    .orderBy('recorded_at')
    .execute();
  const rates: ChartRate[] = [];
  let running = 0;
  for (const e of events) {
    const at = Number(e.at);
    if (e.kind === 'start' || e.kind === 'rate') running = Number(e.ml_per_hour);
    const pumping = e.kind === 'start' || e.kind === 'rate' || e.kind === 'resume';
    rates.push({ at, mlPerHour: pumping ? running : 0 });
  }
  return rates;
}

/** Raises and escalates what is due, then reads the session's alerts and chart, in `trx` (the page's read). */
export async function loadSessionAlerts(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  session: SessionRow,
  visit: SessionVisit,
): Promise<SessionAlertsView> {
  await refreshSessionAlerts(trx, database, actor, session, actor.now);
  await escalateWaitingAlerts(database, actor.now, { sessionId: session.id, trx, actor });
  const [rows, rules, definition] = await Promise.all([
    sessionAlerts(trx, session.id),
    sessionAlertRules(trx, session),
    currentDefinition(trx, ALERT_LIMITS),
  ]);
  const who = await names(
    trx,
    rows.flatMap((r) => [r.acknowledged_by, r.escalated_to]).filter((x): x is string => x !== null),
  );
  const items = rows.map((r): AlertItem => ({
    id: r.id,
    kind: r.kind,
    words: alertWords(r, visit.timeZone),
    raisedAt: r.raised_at,
    acknowledged:
      r.acknowledged_at !== null
        ? { at: r.acknowledged_at, by: who.get(r.acknowledged_by ?? '') ?? 'Someone', action: r.action ?? '' }
        : null,
    escalated:
      r.escalated_at !== null
        ? { at: r.escalated_at, to: r.escalated_to ? (who.get(r.escalated_to) ?? null) : null }
        : null,
  }));
  let chart: ChartData | null = null;
  if (session.started_at !== null) {
    const { readings } = await sessionReadings(trx, session.id);
    const t = rules.thresholds;
    chart = {
      from: session.started_at,
      to: session.stopped_at ?? actor.now,
      zone: visit.timeZone,
      readings: readings.map((r) => ({
        at: r.takenAt,
        systolic: r.vitals.systolic,
        diastolic: r.vitals.diastolic,
        heartRate: r.vitals.heartRate,
        spo2: r.vitals.spo2,
        respiratoryRate: r.vitals.respiratoryRate,
        sedation: r.vitals.sedation,
      })),
      rate: await pumpRates(trx, session.id),
      limits: {
        systolicHigh: t.systolicHigh,
        systolicLow: t.systolicLow,
        diastolicHigh: t.diastolicHigh,
        diastolicLow: t.diastolicLow,
        heartRateHigh: t.heartRateHigh,
        heartRateLow: t.heartRateLow,
        spo2Low: t.spo2Low,
      },
    };
  }
  return {
    open: items.filter((i) => i.acknowledged === null),
    acknowledged: items.filter((i) => i.acknowledged !== null),
    chart,
    limits: {
      row: rules.row,
      escalationMinutes: rules.escalationMinutes,
      version: definition.version,
      source: definition.source,
      unverified: definition.unverified,
    },
  };
}
