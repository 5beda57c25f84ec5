/**
 * The outcomes export as a job: started by a provider for the report's filters (checked as the report checks them),
 * worked by the export run, and seen and downloaded by the one who asked it only, for an hour. The start and each
 * download are audited with ids and counts.
 */
import { randomBytes } from 'node:crypto';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { notFound } from '../../kernel/refusal.ts';
import { currentDefinition } from '../definitions/store.ts';
import { chunksOf, exportOf, insertExport, type ExportRow } from './export-repository.ts';
import { EXPORT_HEADER, exportSize } from './report-export.ts';
import type { ReportFilters } from './report-filters.ts';
import type { ReportChoices } from './report-service.ts';
import { RESPONDER_SETTINGS } from './responder-settings.ts';

/** How long an export can be downloaded; the run removes it then. */
export const EXPORT_KEEP_MS = 3_600_000;

export type ExportJob = ExportRow;

export async function startExport(
  database: Database,
  actor: Actor,
  choices: ReportChoices,
  filters: ReportFilters,
): Promise<ExportJob> {
  const now = actor.now;
  return database.transact(async (trx) => {
    const settings = await currentDefinition(trx, RESPONDER_SETTINGS);
    const size = await exportSize(trx, filters, choices.locations, now);
    const row = {
      id: timeOrderedId(now),
      requested_by: actor.staff.userId,
      protocol: filters.protocol,
      location_id: filters.locationId,
      period_from: filters.from,
      period_to: filters.to,
      location_ids: JSON.stringify(choices.locations.map((l) => l.id)),
      as_of: now,
      settings: JSON.stringify(settings.body),
      key_secret: randomBytes(32).toString('hex'),
      status: 'queued' as const,
      patients_total: size.patients,
      rows_total: size.rows,
      cursor: null,
      lease_owner: null,
      lease_until: null,
      created_at: now,
      started_at: null,
      finished_at: null,
      expires_at: now + EXPORT_KEEP_MS,
    };
    await insertExport(trx, row);
    await auditStaff(
      trx,
      database,
      actor,
      'outcomes.export',
      'success',
      { locationId: filters.locationId, patientRef: null },
      {
        export: row.id,
        protocol: filters.protocol ?? 'all',
        location: filters.locationId ?? 'all',
        from: filters.from,
        to: filters.to,
        rows: size.rows,
        patients: size.patients,
      },
    );
    return { ...row, patients_done: 0, rows_done: 0, chunks: 0, attempts: 0 };
  });
}

const idOf = (raw: unknown) => (typeof raw === 'string' && /^[0-9a-f-]{36}$/.test(raw) ? raw : null);

/** The job if this person asked for it and it has not expired; otherwise the plain 404. */
export async function exportFor(database: Database, actor: Actor, rawId: unknown): Promise<ExportJob> {
  const id = idOf(rawId);
  const job = id === null ? undefined : await exportOf(database.db, id, actor.staff.userId, actor.now);
  if (!job) throw notFound('That export');
  return job;
}

/** A ready export's file (header, then its chunks), the download audited first; null while it is not ready. */
export async function downloadExport(
  database: Database,
  actor: Actor,
  rawId: unknown,
): Promise<{ job: ExportJob; body: AsyncIterable<string> | null }> {
  const job = await exportFor(database, actor, rawId);
  if (job.status !== 'ready') return { job, body: null };
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'outcomes.export.download',
      'success',
      { locationId: job.location_id, patientRef: null },
      { export: job.id, rows: Number(job.rows_done), patients: Number(job.patients_done) },
    ),
  );
  async function* body(): AsyncGenerator<string> {
    yield EXPORT_HEADER;
    yield* chunksOf(database.db, job.id, Number(job.chunks));
  }
  return { job, body: body() };
}
