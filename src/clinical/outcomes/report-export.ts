/**
 * The de-identified outcomes table as CSV: one row per questionnaire owed in the period (complete or missing), made
 * in slices of whole patients (in id order) so a job can write it a slice at a time, report "n of N patients", and
 * resume after the last slice written.
 *
 * De-identified: no name, birth date, contact or record id. Each patient gets a key made for this export alone (an
 * HMAC of their id under a random key kept only while the export runs), so rows of one patient go together but two
 * exports cannot be joined. Dates become whole days since the plan's first booked session, counted in the location's
 * zone (blank when the plan has no session booked). `asOf` (when it was asked for) decides what was owed, so a job
 * resumed later writes the rows it would have written at once.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { csvCell } from '../../kernel/audit/csv.ts';
import type { Database } from '../../kernel/db/database.ts';
import { zoned } from '../../kernel/time/format.ts';
import { percentChange } from '../instruments/pain.ts';
import type { Baseline } from './report.ts';
import type { ReportFilters } from './report-filters.ts';
import { baselinesOf, firstSessions, periodQuery, type ReportLocation } from './report-read.ts';
import { immpactClass, type ResponderSettings } from './responder.ts';

export const EXPORT_COLUMNS = [
  'patient_key',
  'protocol',
  'location',
  'timepoint',
  'session_number',
  'day_since_first_session',
  'status',
  'pain_now',
  'pain_average',
  'pain_worst',
  'baseline_pain',
  'relief_pct',
  'immpact_class',
  'phq9',
  'baseline_phq9',
  'gad7',
  'peg',
  'pgic',
  'pgic_label',
  'staff_entered',
] as const;

/** Numbers as they are (csvCell would guard a leading minus as if it were a formula); text neutralised and quoted. */
const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : csvCell(v));
const line = (values: Array<string | number | null>) => values.map(cell).join(',') + '\r\n';

/** The file's first line, with the byte-order mark spreadsheet programs need to read UTF-8. */
export const EXPORT_HEADER = `\uFEFF${line([...EXPORT_COLUMNS])}`;

/** What one export is of, fixed when it was asked for. */
export interface ExportSpec {
  filters: ReportFilters;
  /** The asker's locations then (each with its name and zone). */
  locations: ReportLocation[];
  protocolNames: ReadonlyMap<string, string>;
  asOf: number;
  settings: ResponderSettings;
  /** Keys the patient keys of this export (hex). */
  keySecret: string;
}

/**
 * The questionnaires owed by `asOf`: answered, or their window closed by then unanswered. (One answered while a job
 * runs joins it if its patient is still to come; the count asked for may then be a row short.)
 */
export function owedQuery(db: Kysely<DB>, filters: ReportFilters, locations: readonly ReportLocation[], asOf: number) {
  return periodQuery(db, filters, locations).where((eb) =>
    eb.or([eb('q.status', '=', 'complete'), eb('q.closes_at', '<=', asOf)]),
  );
}

/** How many rows and patients the export will hold. */
export async function exportSize(
  db: Kysely<DB>,
  filters: ReportFilters,
  locations: readonly ReportLocation[],
  asOf: number,
): Promise<{ rows: number; patients: number }> {
  const count = await owedQuery(db, filters, locations, asOf)
    .select((eb) => [
      eb.fn.countAll<number>().as('rows'),
      eb.fn.count<number>('q.patient_id').distinct().as('patients'),
    ])
    .executeTakeFirstOrThrow();
  return { rows: Number(count.rows), patients: Number(count.patients) };
}

export interface ExportSlice {
  /** The slice's data lines. */
  csv: string;
  patients: number;
  rows: number;
  /** The last patient written (where the next slice starts), or null when none was left. */
  last: string | null;
}

/** The rows of the next `limit` patients after `after` (in id order). */
export async function exportSlice(
  database: Database,
  spec: ExportSpec,
  after: string | null,
  limit: number,
): Promise<ExportSlice> {
  const db = database.db;
  const { filters, locations, asOf, settings } = spec;
  let next = owedQuery(db, filters, locations, asOf).select('q.patient_id').distinct();
  if (after !== null) next = next.where('q.patient_id', '>', after);
  const ids = (await next.orderBy('q.patient_id').limit(limit).execute()).map((r) => r.patient_id);
  if (ids.length === 0) return { csv: '', patients: 0, rows: 0, last: null };
  const [rows, patients] = await Promise.all([
    owedQuery(db, filters, locations, asOf)
      .where('q.patient_id', 'in', ids)
      .select([
        'q.id',
        'q.patient_id',
        'q.plan_id',
        'p.code',
        'q.location_id',
        'q.timepoint',
        'ps.number',
        'q.status',
        'q.opens_at',
        'q.completed_at',
        'q.pain_now',
        'q.pain_average',
        'q.pain_worst',
        'q.phq9_total',
        'q.gad7_total',
        'q.interference',
        'q.pgic',
        'q.pgic_label',
        'q.entered_by',
      ])
      .orderBy('q.patient_id')
      .orderBy('q.id')
      .execute(),
    baselinesOf(database, ids),
  ]);
  const plans = [...new Set(rows.flatMap((r) => (r.plan_id ? [r.plan_id] : [])))];
  const firsts = await firstSessions(db, plans);
  const byId = new Map(locations.map((l) => [l.id, l]));
  const secret = Buffer.from(spec.keySecret, 'hex');
  const keys = new Map<string, string>();
  const keyOf = (patientId: string) => {
    let key = keys.get(patientId);
    if (key === undefined)
      keys.set(patientId, (key = `P${createHmac('sha256', secret).update(patientId).digest('hex').slice(0, 12)}`));
    return key;
  };
  let csv = '';
  for (const r of rows) {
    const zone = byId.get(r.location_id)?.zone ?? 'UTC';
    const first = r.plan_id ? (firsts.get(r.plan_id) ?? null) : null;
    const at = Number(r.completed_at ?? r.opens_at);
    const day =
      first === null
        ? null
        : Math.round(zoned(at, zone).startOf('day').diff(zoned(first, zone).startOf('day'), 'days').days);
    const base: Baseline = patients.get(r.patient_id) ?? { pain: null, phq9: null };
    const complete = r.status === 'complete';
    // The questionnaire the baseline was taken from is no follow-up of itself: no relief, classed "baseline".
    const isBaseline = base.painFrom != null && base.painFrom === r.id;
    const measured = complete && r.pain_average !== null && base.pain !== null && !isBaseline;
    const relief = measured ? percentChange(base.pain!, r.pain_average!) : null;
    csv += line([
      keyOf(r.patient_id),
      spec.protocolNames.get(r.code) ?? r.code,
      byId.get(r.location_id)?.name ?? r.location_id,
      r.timepoint,
      r.timepoint === 'pre_session' || r.timepoint === 'pre_booster' ? (r.number ?? null) : null,
      day,
      complete ? 'complete' : 'missing',
      r.pain_now,
      r.pain_average,
      r.pain_worst,
      base.pain,
      relief === null ? null : Math.round(relief * 10) / 10,
      isBaseline ? 'baseline' : measured ? immpactClass(relief, settings) : null,
      r.phq9_total,
      base.phq9,
      r.gad7_total,
      r.interference === null ? null : Number(r.interference),
      r.pgic,
      r.pgic_label,
      complete ? (r.entered_by ? 'yes' : 'no') : null,
    ]);
  }
  return { csv, patients: ids.length, rows: rows.length, last: ids[ids.length - 1]! };
}
