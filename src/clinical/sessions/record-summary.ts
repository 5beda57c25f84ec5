/**
 * The session record's summary: what happened in the session, written once at discharge from the session's own
 * entries, so the signed record reads the same whatever is later added elsewhere. Names are resolved when written.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import type { AldreteAnswers } from '../instruments/aldrete.ts';
import { dischargeOverride, latestAssessment, sessionReadings, type VitalsReading } from './discharge-repository.ts';
import type { SessionRow } from './repository.ts';
import { infusedMg, type TimelineEvent } from './total.ts';

export interface RecordSummary {
  checkedInAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  stoppedEarly: boolean;
  stopReason: string | null;
  dischargedAt: number;
  dischargedBy: string;
  /** mg delivered, to 0.1 mg, and the highest rate set. */
  totalMg: number;
  highestMgPerHour: number;
  runningMinutes: number;
  vitals: VitalsReading[];
  alerts: Array<{
    code: string;
    kind: string;
    /**
     * The stored detail (JSON: measure, value, limit), so the signed record says the reading in words. Absent from
     * records written before it was kept: those name the alert only.
     */
    detail?: string;
    raisedAt: number;
    acknowledgedAt: number | null;
    acknowledgedBy: string | null;
    action: string | null;
    escalatedAt: number | null;
  }>;
  sideEffects: Array<{ effect: string; grade: number; action: string; at: number }>;
  medications: Array<{ drug: string; doseMg: number; route: string; reason: string; at: number }>;
  aldrete: { score: number; atLeast: number; items: AldreteAnswers; by: string; at: number } | null;
  escort: string | null;
  override: { reason: string; provider: string; at: number } | null;
}

async function nameOf(db: Kysely<DB>, userId: string | null): Promise<string | null> {
  if (userId === null) return null;
  const row = await db.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirst();
  return row?.name ?? null;
}

async function timeline(db: Kysely<DB>, sessionId: string): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('session_events')
    .select(['kind', 'at', 'mg_per_hour', 'reason'])
    .where('session_id', '=', sessionId)
    .orderBy('at')
    .orderBy('recorded_at')
    .execute();
  return rows.map((r): TimelineEvent => {
    const at = Number(r.at);
    if (r.kind === 'start') return { kind: 'start', at, mgPerHour: Number(r.mg_per_hour) };
    if (r.kind === 'rate') return { kind: 'rate', at, mgPerHour: Number(r.mg_per_hour), reason: r.reason ?? '' };
    return { kind: r.kind, at, reason: r.reason ?? '' };
  });
}

/** The pump's limit: the lesser of the bags' drug and the order's session maximum. */
async function limitMg(db: Kysely<DB>, session: SessionRow): Promise<number> {
  const bags = await db.selectFrom('session_bags').select('drug_mg').where('session_id', '=', session.id).execute();
  const inBags = bags.reduce((sum, b) => sum + Number(b.drug_mg), 0);
  const order = session.dose_order_id
    ? await db
        .selectFrom('dose_orders')
        .select('session_total_mg')
        .where('id', '=', session.dose_order_id)
        .executeTakeFirst()
    : undefined;
  return order ? Math.min(inBags, Number(order.session_total_mg)) : inBags;
}

export async function buildRecordSummary(db: Kysely<DB>, session: SessionRow): Promise<RecordSummary> {
  const until = session.stopped_at ?? session.discharged_at ?? 0;
  const [events, limit, vitals, alerts, sideEffects, medications, assessment, override] = await Promise.all([
    timeline(db, session.id),
    limitMg(db, session),
    sessionReadings(db, session.id),
    db
      .selectFrom('session_alerts as a')
      .leftJoin('users as u', 'u.id', 'a.acknowledged_by')
      .select([
        'a.code',
        'a.kind',
        'a.detail',
        'a.raised_at',
        'a.acknowledged_at',
        'u.name',
        'a.action',
        'a.escalated_at',
      ])
      .where('a.session_id', '=', session.id)
      .orderBy('a.raised_at')
      .execute(),
    db
      .selectFrom('session_side_effects')
      .select(['effect', 'grade', 'action', 'at'])
      .where('session_id', '=', session.id)
      .orderBy('at')
      .execute(),
    db
      .selectFrom('session_medications')
      .select(['drug', 'dose_mg', 'route', 'reason', 'at'])
      .where('session_id', '=', session.id)
      .orderBy('at')
      .execute(),
    latestAssessment(db, session.id),
    dischargeOverride(db, session.id),
  ]);
  const infused = infusedMg(events, until, limit);
  const optional = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    checkedInAt: session.checked_in_at,
    startedAt: session.started_at,
    stoppedAt: session.stopped_at,
    stoppedEarly: session.stopped_early === 1,
    stopReason: session.stop_reason,
    dischargedAt: session.discharged_at ?? 0,
    dischargedBy: (await nameOf(db, session.discharged_by)) ?? '',
    totalMg: Math.round(infused.mg * 10) / 10,
    highestMgPerHour: infused.highestMgPerHour,
    runningMinutes: Math.round(infused.runningMs / 60_000),
    vitals,
    alerts: alerts.map((a) => ({
      code: a.code,
      kind: a.kind,
      detail: a.detail,
      raisedAt: Number(a.raised_at),
      acknowledgedAt: optional(a.acknowledged_at),
      acknowledgedBy: a.name,
      action: a.action,
      escalatedAt: optional(a.escalated_at),
    })),
    sideEffects: sideEffects.map((e) => ({ effect: e.effect, grade: e.grade, action: e.action, at: Number(e.at) })),
    medications: medications.map((m) => ({
      drug: m.drug,
      doseMg: Number(m.dose_mg),
      route: m.route,
      reason: m.reason,
      at: Number(m.at),
    })),
    aldrete: assessment
      ? {
          score: assessment.aldrete_score,
          atLeast: assessment.aldrete_at_least,
          items: JSON.parse(assessment.aldrete_items) as AldreteAnswers,
          by: (await nameOf(db, assessment.assessed_by)) ?? '',
          at: assessment.assessed_at,
        }
      : null,
    escort: assessment?.escort_confirmed === 1 ? assessment.escort_name : null,
    override: override ?? null,
  };
}
