import { sql, type Kysely } from 'kysely';

/**
 * The outcomes report's de-identified CSV export as a job (issue 13 §2: "a progress indicator if it takes longer than
 * a moment"). The job is a row, so whichever server instance answers can show its progress and serve the file, and
 * any instance's periodic run can take over a job whose worker died.
 *
 * - `report_exports`: who asked (only they see it), the filters as checked when they asked (`location_ids`: the
 *   locations they worked at then; `as_of`: the instant that decides which windows had closed), the responder
 *   settings used (`settings`, JSON), progress (`patients_done` of `patients_total`, rows likewise; `cursor`: the last
 *   patient written, in id order), and the worker's lease (`lease_owner`, `lease_until`; `attempts` bounds retries).
 *   `key_secret` keys the per-export patient keys while the job runs and is erased when it ends, so two exports
 *   still cannot be joined. `expires_at`: the run removes the job and its file then.
 * - `report_export_chunks`: the CSV's data lines, one chunk per slice, written with the progress that counts them.
 *
 * Also an index of dose checks by order, which migration 022's guard reads on every verification ("a matching check
 * of this order exists"): without it each verification scans every check ever made. The summary bench found it when
 * it grew the clinic to 5,000 patients (the demo's verifications, copied, took minutes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('protocol', 'text')
    .addColumn('location_id', 'text', (c) => c.references('locations.id'))
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('location_ids', 'text', (c) => c.notNull())
    .addColumn('as_of', 'bigint', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('key_secret', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'ready', 'failed')`))
    .addColumn('patients_total', 'integer', (c) => c.notNull())
    .addColumn('patients_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_total', 'integer', (c) => c.notNull())
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cursor', 'text')
    .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addCheckConstraint('report_exports_done_whole', sql`(status in ('ready', 'failed')) = (finished_at is not null)`)
    .execute();
  // The run's look for work (queued, or running with a lapsed lease) and for what has expired.
  await db.schema.createIndex('report_exports_work').on('report_exports').columns(['status', 'lease_until']).execute();
  await db.schema.createIndex('report_exports_expiry').on('report_exports').column('expires_at').execute();
  await db.schema
    .createTable('report_export_chunks')
    .addColumn('export_id', 'text', (c) => c.notNull().references('report_exports.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_export_chunks_pk', ['export_id', 'seq'])
    .execute();
  await db.schema.createIndex('dose_checks_by_order').on('dose_checks').column('order_id').execute();
}
