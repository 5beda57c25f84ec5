/**
 * The de-identified outcomes table as CSV, streamed: one row per questionnaire owed in the period (complete or
 * missing), read in pages so a large clinic's export starts at once and never sits whole in memory; the browser's
 * own download indicator shows its progress, and it needs no script.
 *
 * De-identified: no name, birth date, contact or record id. Each patient gets a key made for this export alone (an
 * HMAC of their id under a random key that is never stored), so rows of one patient go together but two exports
 * cannot be joined. Dates become whole days since the plan's first booked session, counted in the location's zone
 * (blank when the plan has no session booked). The export is audited with its filters and row count before the first
 * row is sent.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import { csvCell } from '../../kernel/audit/csv.ts';
import type { Database } from '../../kernel/db/database.ts';
import { zoned } from '../../kernel/time/format.ts';
import { currentDefinition } from '../definitions/store.ts';
import { percentChange } from '../instruments/pain.ts';
import type { Baseline } from './report.ts';
import type { ReportFilters } from './report-filters.ts';
import { baselines, firstSessions, periodQuery, type ReportLocation } from './report-read.ts';
import { immpactClass } from './responder.ts';
import { RESPONDER_SETTINGS } from './responder-settings.ts';
import type { ReportChoices } from './report-service.ts';

const PAGE = 1000;

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

export interface OutcomesExport {
  rows: number;
  body: AsyncIterable<string>;
}

export async function outcomesExport(
  database: Database,
  actor: Actor,
  choices: ReportChoices,
  filters: ReportFilters,
): Promise<OutcomesExport> {
  const now = actor.now;
  const owed = (db: Kysely<DB>) =>
    periodQuery(db, filters, choices.locations).where((eb) =>
      eb.or([eb('q.status', '=', 'complete'), eb('q.closes_at', '<=', now)]),
    );
  const { rows, settings } = await database.transact(async (trx) => {
    const settings = await currentDefinition(trx, RESPONDER_SETTINGS);
    const ids = await owed(trx).select('q.patient_id').distinct().execute();
    const count = await owed(trx)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = Number(count.n);
    await auditStaff(
      trx,
      database,
      actor,
      'outcomes.export',
      'success',
      { locationId: filters.locationId, patientRef: null },
      {
        protocol: filters.protocol ?? 'all',
        location: filters.locationId ?? 'all',
        from: filters.from,
        to: filters.to,
        rows,
        patients: ids.length,
      },
    );
    return { rows, settings: settings.body };
  });

  const patients = await baselines(database, filters, choices.locations, { owedBy: now });
  const secret = randomBytes(32);
  const keyOf = (patientId: string) => `P${createHmac('sha256', secret).update(patientId).digest('hex').slice(0, 12)}`;
  const locations = new Map<string, ReportLocation>(choices.locations.map((l) => [l.id, l]));
  const protocolNames = new Map(choices.protocols.map((p) => [p.code, p.name]));

  async function* body(): AsyncGenerator<string> {
    yield `\uFEFF${line([...EXPORT_COLUMNS])}`;
    const firsts = new Map<string, number | null>();
    let after = '';
    for (;;) {
      const page = await owed(database.db)
        .where('q.id', '>', after)
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
        .orderBy('q.id')
        .limit(PAGE)
        .execute();
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      const unknown = [...new Set(page.flatMap((r) => (r.plan_id && !firsts.has(r.plan_id) ? [r.plan_id] : [])))];
      if (unknown.length > 0) {
        const found = await firstSessions(database.db, unknown);
        for (const id of unknown) firsts.set(id, found.get(id) ?? null);
      }
      let chunk = '';
      for (const r of page) {
        const zone = locations.get(r.location_id)?.zone ?? 'UTC';
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
        chunk += line([
          keyOf(r.patient_id),
          protocolNames.get(r.code) ?? r.code,
          locations.get(r.location_id)?.name ?? r.location_id,
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
      yield chunk;
    }
  }
  return { rows, body: body() };
}
