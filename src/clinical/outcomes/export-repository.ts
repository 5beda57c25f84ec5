/**
 * The export jobs' rows (report_exports) and their files in chunks (report_export_chunks). Each write that moves a
 * job on is conditional on the lease it holds, so two server instances never both write one job.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, ReportExportTable } from '../../kernel/db/schema.ts';

export type ExportRow = Selectable<ReportExportTable>;

export async function insertExport(
  db: Kysely<DB>,
  row: Omit<ExportRow, 'patients_done' | 'rows_done' | 'chunks' | 'attempts'>,
) {
  await db.insertInto('report_exports').values(row).execute();
}

/** A job as its requester sees it; unknown, someone else's or expired is all the same: undefined. */
export function exportOf(db: Kysely<DB>, id: string, requestedBy: string, now: number) {
  return db
    .selectFrom('report_exports')
    .selectAll()
    .where('id', '=', id)
    .where('requested_by', '=', requestedBy)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** The oldest job waiting for a worker: queued, or running under a lease that lapsed (its worker stopped). */
export function nextWork(db: Kysely<DB>, now: number) {
  return db
    .selectFrom('report_exports')
    .selectAll()
    .where('expires_at', '>', now)
    .where((eb) =>
      eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', now)])]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/** Takes a job for `owner` if it is still as it was read (nobody else took it meanwhile); true when taken. */
export async function claim(db: Kysely<DB>, job: ExportRow, owner: string, now: number, leaseMs: number) {
  let q = db
    .updateTable('report_exports')
    .set({
      status: 'running',
      lease_owner: owner,
      lease_until: now + leaseMs,
      attempts: job.attempts + 1,
      started_at: job.started_at ?? now,
    })
    .where('id', '=', job.id)
    .where('status', '=', job.status)
    .where('attempts', '=', job.attempts);
  q = job.lease_owner === null ? q.where('lease_owner', 'is', null) : q.where('lease_owner', '=', job.lease_owner);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Ends a job that could not be finished (too many attempts); true when this call ended it. */
export async function failExport(db: Kysely<DB>, job: ExportRow, now: number) {
  const r = await db
    .updateTable('report_exports')
    .set({ status: 'failed', finished_at: now, key_secret: null, lease_owner: null, lease_until: null })
    .where('id', '=', job.id)
    .where('status', '=', job.status)
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * One slice written: its chunk, and the progress and a renewed lease, only while `owner` still holds the job and no
 * other slice was written since (`seq`). False when the job was taken over; the caller's transaction rolls back.
 */
export async function writeSlice(
  db: Kysely<DB>,
  job: { id: string; owner: string; seq: number },
  slice: { csv: string; patients: number; rows: number; last: string },
  leaseUntil: number,
) {
  const r = await db
    .updateTable('report_exports')
    .set((eb) => ({
      cursor: slice.last,
      patients_done: eb('patients_done', '+', slice.patients),
      rows_done: eb('rows_done', '+', slice.rows),
      chunks: job.seq + 1,
      lease_until: leaseUntil,
    }))
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', job.owner)
    .where('chunks', '=', job.seq)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await db.insertInto('report_export_chunks').values({ export_id: job.id, seq: job.seq, body: slice.csv }).execute();
  return true;
}

/** The job done: its key erased. False when it was no longer this owner's. */
export async function finishExport(db: Kysely<DB>, id: string, owner: string, now: number) {
  const r = await db
    .updateTable('report_exports')
    .set({ status: 'ready', finished_at: now, key_secret: null, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Jobs past their expiry, with their files; how many jobs went. */
export async function removeExpired(db: Kysely<DB>, now: number): Promise<number> {
  const expired = db.selectFrom('report_exports').select('id').where('expires_at', '<=', now);
  await db.deleteFrom('report_export_chunks').where('export_id', 'in', expired).execute();
  const r = await db.deleteFrom('report_exports').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The file's chunks in order, a few at a time (a large export never sits whole in memory). */
export async function* chunksOf(db: Kysely<DB>, id: string, count: number): AsyncGenerator<string> {
  const PER = 8;
  for (let seq = 0; seq < count; seq += PER) {
    const rows = await db
      .selectFrom('report_export_chunks')
      .select('body')
      .where('export_id', '=', id)
      .where('seq', '>=', seq)
      .where('seq', '<', seq + PER)
      .orderBy('seq')
      .execute();
    for (const r of rows) yield r.body;
  }
}
