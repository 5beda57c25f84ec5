/**
 * The reads behind the responder report and its export: the questionnaires of a period (one table, the index made
 * for it), each patient's baseline, the patients treated in the period, and the plans' first sessions. Plain reads:
 * the service audits them.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { dayBounds } from '../../kernel/time/wall-clock.ts';
import type { Database } from '../../kernel/db/database.ts';
import { intakeBaseline } from './patient-outcomes-read.ts';
import type { Baseline, ReportRow, TreatedRow } from './report.ts';
import type { ReportFilters } from './report-filters.ts';

export interface ReportLocation {
  id: string;
  name: string;
  zone: string;
}

const chunks = <T>(xs: readonly T[], size = 500) => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
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

/** Each asked location's period as instants: from the start of `from` to the end of `to` in its own zone. */
function periodBounds(filters: ReportFilters, locations: readonly ReportLocation[]) {
  return locations
    .filter((l) => filters.locationId === null || l.id === filters.locationId)
    .map((l) => ({
      id: l.id,
      start: dayBounds(l.zone, filters.from).start,
      end: dayBounds(l.zone, filters.to).end,
    }));
}

/**
 * The questionnaires whose window opened in the period (each location's own days), scheduled by a plan, not
 * cancelled; staff entries outside the schedule ('visit') are not a time point of the series.
 */
export function periodQuery(db: Kysely<DB>, filters: ReportFilters, locations: readonly ReportLocation[]) {
  const within = periodBounds(filters, locations);
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

/** The period's patients as a subquery (optionally only those owing a questionnaire by `owedBy`). */
function periodPatients(db: Kysely<DB>, filters: ReportFilters, locations: readonly ReportLocation[], owedBy?: number) {
  let q = periodQuery(db, filters, locations);
  if (owedBy !== undefined)
    q = q.where((eb) => eb.or([eb('q.status', '=', 'complete'), eb('q.closes_at', '<=', owedBy)]));
  return q.select('q.patient_id');
}

/**
 * The rows the report needs; `now` decides which windows have closed. Read as arrays, outside any transaction (a
 * clinic's year is tens of thousands of rows, and an object per row costs more than the row): the caller audits
 * once the figures are built, before it shows them.
 */
export async function reportRows(
  database: Database,
  filters: ReportFilters,
  locations: readonly ReportLocation[],
  now: number,
): Promise<ReportRow[]> {
  const query = periodQuery(database.db, filters, locations)
    .select([
      'q.id',
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
    .compile();
  const rows = await database.readArrays(query);
  const out = new Array<ReportRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [id, patientId, code, locationId, timepoint, number, status, closesAt, completedAt, opensAt, pain, phq9] =
      rows[i] as [
        string,
        string,
        string,
        string,
        string,
        number | null,
        string,
        number,
        number | null,
        number,
        number | null,
        number | null,
      ];
    const complete = status === 'complete';
    out[i] = {
      id,
      patientId,
      protocol: code,
      locationId,
      timepoint,
      number: timepoint === 'pre_session' || timepoint === 'pre_booster' ? (number ?? null) : null,
      owed: complete || Number(closesAt) <= now,
      complete,
      at: Number(completedAt ?? opensAt),
      painAverage: pain,
      phq9,
    };
  }
  return out;
}

/**
 * The patients treated in the period: an infusion session (induction or booster) started in it, at that location, on
 * a plan of that protocol. Read as arrays outside any transaction, like `reportRows`.
 */
export async function treatedRows(
  database: Database,
  filters: ReportFilters,
  locations: readonly ReportLocation[],
): Promise<TreatedRow[]> {
  const within = periodBounds(filters, locations);
  if (within.length === 0) return [];
  let q = database.db
    .selectFrom('infusion_sessions as s')
    .innerJoin('plan_sessions as ps', 'ps.appointment_id', 's.appointment_id')
    .innerJoin('treatment_plans as tp', 'tp.id', 'ps.plan_id')
    .innerJoin('protocols as p', 'p.id', 'tp.protocol_id')
    .select(['s.patient_id', 'p.code', 's.location_id'])
    .distinct()
    .where((eb) =>
      eb.or(
        within.map((w) =>
          eb.and([eb('s.location_id', '=', w.id), eb('s.started_at', '>=', w.start), eb('s.started_at', '<', w.end)]),
        ),
      ),
    );
  if (filters.protocol !== null) q = q.where('p.code', '=', filters.protocol);
  const rows = (await database.readArrays(q.compile())) as Array<[string, string, string]>;
  return rows.map(([patientId, protocol, locationId]) => ({ patientId, protocol, locationId }));
}

/**
 * Each patient's baselines, as the patient's own page works them out, all taken before the first infusion: the
 * newest submitted intake's average pain and PHQ-9 when it has them, else the first complete before-session pain
 * and the first complete PHQ-9 completed before the patient's first infusion started (none when only later ones
 * exist). Read as arrays outside any transaction, like `reportRows`.
 */
export async function baselines(
  database: Database,
  filters: ReportFilters,
  locations: readonly ReportLocation[],
  /**
   * The patients: those owing a questionnaire by that instant (the export's rows), or the ids the caller has already
   * read (the report's rows: looked up by the patient index, without reading the period again for each table).
   */
  who?: { owedBy: number } | { ids: readonly string[] },
): Promise<Map<string, Baseline>> {
  return baselinesOf(
    database,
    who && 'ids' in who ? who.ids : periodPatients(database.db, filters, locations, who?.owedBy),
  );
}

/**
 * The baselines of the patients given: ids (read in chunks that keep each statement under the engines' parameter
 * limits; a patient's rows are all in one chunk, each chunk's oldest first, which is all the walk below needs), or a
 * query of them.
 */
export async function baselinesOf(
  database: Database,
  patients: readonly string[] | ReturnType<typeof periodPatients>,
): Promise<Map<string, Baseline>> {
  const out = new Map<string, Baseline>();
  const reads = (patients: readonly string[] | ReturnType<typeof periodPatients>) =>
    Promise.all([
      database.readArrays(
        database.db
          .selectFrom('intakes')
          .select(['patient_id', 'answers'])
          .where('status', '=', 'submitted')
          .where('patient_id', 'in', patients)
          .orderBy('submitted_at')
          .compile(),
      ),
      database.readArrays(
        database.db
          .selectFrom('questionnaires')
          .select(['id', 'patient_id', 'timepoint', 'pain_average', 'phq9_total', 'completed_at'])
          // Complete, said as the CHECK says it: with `status = 'complete'` SQLite walks the status index through
          // every complete questionnaire instead of the patient index.
          .where('completed_at', 'is not', null)
          .where('patient_id', 'in', patients)
          .where((eb) =>
            eb.or([
              eb.and([eb('timepoint', '=', 'pre_session'), eb('pain_average', 'is not', null)]),
              eb('phq9_total', 'is not', null),
            ]),
          )
          .orderBy('completed_at')
          .compile(),
      ),
      database.readArrays(
        database.db
          .selectFrom('infusion_sessions')
          .select(['patient_id', (eb) => eb.fn.min('started_at').as('first')])
          .where('started_at', 'is not', null)
          .where('patient_id', 'in', patients)
          .groupBy('patient_id')
          .compile(),
      ),
    ]);
  let intakes: unknown[][] = [];
  let firsts: unknown[][] = [];
  let infusions: unknown[][] = [];
  if (Array.isArray(patients)) {
    for (const ids of chunks(patients as readonly string[], 2_000)) {
      const [a, b, c] = await reads(ids);
      intakes.push(...a);
      firsts.push(...b);
      infusions.push(...c);
    }
  } else {
    [intakes, firsts, infusions] = await reads(patients);
  }
  const firstInfusion = new Map<string, number>();
  for (const [patientId, first] of infusions as Array<[string, number | string]>)
    firstInfusion.set(patientId, Number(first));
  // Oldest first, so the newest intake is the one kept.
  for (const [patientId, answers] of intakes as Array<[string, string]>)
    out.set(patientId, { ...intakeBaseline(answers), painFrom: null, phq9From: null });
  for (const [id, patientId, timepoint, pain, phq9, completedAt] of firsts as Array<
    [string, string, string, number | null, number | null, number | string]
  >) {
    const first = firstInfusion.get(patientId);
    // Oldest first: once one is at or after the first infusion, so are the rest.
    if (first !== undefined && Number(completedAt) >= first) continue;
    let b = out.get(patientId);
    if (!b) out.set(patientId, (b = { pain: null, phq9: null, painFrom: null, phq9From: null }));
    if (b.pain === null && timepoint === 'pre_session' && pain !== null) {
      b.pain = pain;
      b.painFrom = id;
    }
    if (b.phq9 === null && phq9 !== null) {
      b.phq9 = phq9;
      b.phq9From = id;
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
