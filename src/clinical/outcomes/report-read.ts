/**
 * The reads behind the responder report and its export: the questionnaires of a period (one table, the index made
 * for it), each patient's baseline, and the plans' first sessions. Plain reads: the service audits them.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { dayBounds } from '../../kernel/time/wall-clock.ts';
import { intakeScores } from './patient-outcomes-read.ts';
import type { Baseline, ReportRow } from './report.ts';
import type { ReportFilters } from './report-filters.ts';

export interface ReportLocation {
  id: string;
  name: string;
  zone: string;
}

const CHUNK = 500;
const chunks = <T>(xs: readonly T[]) => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
};

export async function reportLocations(db: Kysely<DB>, ids: readonly string[]): Promise<ReportLocation[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('locations')
    .select(['id', 'name', 'time_zone'])
    .where('id', 'in', [...ids])
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, zone: r.time_zone }));
}

export async function locationExists(db: Kysely<DB>, id: string): Promise<boolean> {
  return (await db.selectFrom('locations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Each protocol's code with the name of its newest version, by name. */
export async function reportProtocols(db: Kysely<DB>): Promise<Array<{ code: string; name: string }>> {
  const rows = await db.selectFrom('protocols').select(['code', 'version', 'definition']).execute();
  const newest = new Map<string, { version: number; name: string }>();
  for (const r of rows) {
    const seen = newest.get(r.code);
    if (seen && seen.version >= r.version) continue;
    const name = (JSON.parse(r.definition) as { name?: unknown }).name;
    newest.set(r.code, { version: r.version, name: typeof name === 'string' ? name : r.code });
  }
  return [...newest.entries()]
    .map(([code, v]) => ({ code, name: v.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The questionnaires whose window opened in the period (each location's own days), scheduled by a plan, not
 * cancelled; staff entries outside the schedule ('visit') are not a time point of the series.
 */
export function periodQuery(db: Kysely<DB>, filters: ReportFilters, locations: readonly ReportLocation[]) {
  const within = locations
    .filter((l) => filters.locationId === null || l.id === filters.locationId)
    .map((l) => ({
      id: l.id,
      start: dayBounds(l.zone, filters.from).start,
      end: dayBounds(l.zone, filters.to).end,
    }));
  let q = db
    .selectFrom('questionnaires as q')
    .innerJoin('protocols as p', 'p.id', 'q.protocol_id')
    .leftJoin('plan_sessions as ps', 'ps.appointment_id', 'q.appointment_id')
    .where('q.status', '<>', 'cancelled')
    .where('q.timepoint', '<>', 'visit')
    .where((eb) =>
      within.length === 0
        ? sql<boolean>`1 = 0`
        : eb.or(
            within.map((w) =>
              eb.and([eb('q.location_id', '=', w.id), eb('q.opens_at', '>=', w.start), eb('q.opens_at', '<', w.end)]),
            ),
          ),
    );
  if (filters.protocol !== null) q = q.where('p.code', '=', filters.protocol);
  return q;
}

/** The rows the report needs; `now` decides which windows have closed. */
export async function reportRows(
  db: Kysely<DB>,
  filters: ReportFilters,
  locations: readonly ReportLocation[],
  now: number,
): Promise<ReportRow[]> {
  const rows = await periodQuery(db, filters, locations)
    .select([
      'q.patient_id',
      'p.code',
      'q.location_id',
      'q.timepoint',
      'ps.number',
      'q.status',
      'q.closes_at',
      'q.completed_at',
      'q.opens_at',
      'q.pain_average',
      'q.phq9_total',
    ])
    .execute();
  return rows.map((r) => {
    const complete = r.status === 'complete';
    return {
      patientId: r.patient_id,
      protocol: r.code,
      locationId: r.location_id,
      timepoint: r.timepoint,
      number: r.timepoint === 'pre_session' || r.timepoint === 'pre_booster' ? (r.number ?? null) : null,
      owed: complete || Number(r.closes_at) <= now,
      complete,
      at: Number(r.completed_at ?? r.opens_at),
      painAverage: r.pain_average,
      phq9: r.phq9_total,
    };
  });
}

/**
 * Each patient's baseline, as the patient's own page works it out: the newest submitted intake's average pain and
 * PHQ-9 when it has them, else the first complete before-session pain and the first complete PHQ-9.
 */
export async function baselines(db: Kysely<DB>, patientIds: readonly string[]): Promise<Map<string, Baseline>> {
  const out = new Map<string, Baseline>();
  for (const ids of chunks(patientIds)) {
    const [intakes, firsts] = await Promise.all([
      db
        .selectFrom('intakes')
        .select(['patient_id', 'answers', 'submitted_at'])
        .where('status', '=', 'submitted')
        .where('patient_id', 'in', ids)
        .orderBy('submitted_at')
        .execute(),
      db
        .selectFrom('questionnaires')
        .select(['patient_id', 'timepoint', 'pain_average', 'phq9_total', 'completed_at'])
        .where('status', '=', 'complete')
        .where('patient_id', 'in', ids)
        .where((eb) =>
          eb.or([
            eb.and([eb('timepoint', '=', 'pre_session'), eb('pain_average', 'is not', null)]),
            eb('phq9_total', 'is not', null),
          ]),
        )
        .orderBy('completed_at')
        .execute(),
    ]);
    const fromIntake = new Map<string, Baseline>();
    // Oldest first, so the newest intake is the one kept.
    for (const i of intakes) {
      const s = intakeScores(i.answers, Number(i.submitted_at));
      fromIntake.set(i.patient_id, { pain: s.painAverage, phq9: s.phq9 });
    }
    for (const id of ids) {
      const intake = fromIntake.get(id);
      out.set(id, { pain: intake?.pain ?? null, phq9: intake?.phq9 ?? null });
    }
    for (const f of firsts) {
      const b = out.get(f.patient_id)!;
      if (b.pain === null && f.timepoint === 'pre_session' && f.pain_average !== null) b.pain = f.pain_average;
      if (b.phq9 === null && f.phq9_total !== null) b.phq9 = f.phq9_total;
    }
  }
  return out;
}

/** When each plan's first booked session starts (plans without one are left out). */
export async function firstSessions(db: Kysely<DB>, planIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const ids of chunks(planIds)) {
    const rows = await db
      .selectFrom('plan_sessions as ps')
      .innerJoin('appointments as a', 'a.id', 'ps.appointment_id')
      .select(['ps.plan_id', (eb) => eb.fn.min('a.starts_at').as('first')])
      .where('ps.plan_id', 'in', ids)
      .where('a.status', '=', 'booked')
      .groupBy('ps.plan_id')
      .execute();
    for (const r of rows) if (r.first !== null) out.set(r.plan_id, Number(r.first));
  }
  return out;
}
