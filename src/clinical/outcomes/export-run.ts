/**
 * The export jobs' worker. The instance that takes a request starts its job at once; every instance also runs this
 * periodically, which picks up a job still queued, takes over one whose worker stopped (a restart, a `kill -9`: its
 * lease lapses), fails one that has been tried too often, and removes expired jobs with their files. Work goes in
 * slices of whole patients, each committed with its progress, yielding to the event loop between slices so the
 * server keeps answering; a job taken over resumes after the last slice committed.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Database } from '../../kernel/db/database.ts';
import {
  claim,
  failExport,
  finishExport,
  nextWork,
  removeExpired,
  writeSlice,
  type ExportRow,
} from './export-repository.ts';
import { exportSlice, type ExportSpec } from './report-export.ts';
import type { ReportFilters } from './report-filters.ts';
import { reportLocations, reportProtocols } from './report-read.ts';
import type { ResponderSettings } from './responder.ts';

export const EXPORT_RUN_EVERY_MS = 30_000;
/** A worker renews its lease with each slice; one silent this long is taken to have stopped. */
export const EXPORT_LEASE_MS = 60_000;
/** A job tried this many times without finishing is failed (the requester may start it again). */
export const EXPORT_MAX_ATTEMPTS = 3;
/** Patients per slice: a slice is a few hundred rows, well under a second of work on either engine. */
export const EXPORT_SLICE_PATIENTS = 100;

export interface ExportRunOptions {
  /** Names this worker in the leases it takes. */
  owner?: string;
  slicePatients?: number;
  /** Stop after this many slices (a worker that stops mid-way, as after a crash). */
  maxSlices?: number;
}

export interface ExportRunCounts {
  finished: number;
  failed: number;
  removed: number;
  slices: number;
}

async function specOf(database: Database, job: ExportRow): Promise<ExportSpec> {
  const [locations, protocols] = await Promise.all([
    reportLocations(database.db, JSON.parse(job.location_ids) as string[]),
    reportProtocols(database.db),
  ]);
  const filters: ReportFilters = {
    protocol: job.protocol,
    locationId: job.location_id,
    from: job.period_from,
    to: job.period_to,
  };
  return {
    filters,
    locations,
    protocolNames: new Map(protocols.map((p) => [p.code, p.name])),
    asOf: Number(job.as_of),
    settings: JSON.parse(job.settings) as ResponderSettings,
    keySecret: job.key_secret ?? '',
  };
}

/** One pass: expired jobs removed, then every job waiting worked through (or failed), oldest first. */
export async function runExports(
  database: Database,
  now: () => number,
  options: ExportRunOptions = {},
): Promise<ExportRunCounts> {
  const owner = options.owner ?? randomUUID();
  const per = options.slicePatients ?? EXPORT_SLICE_PATIENTS;
  const counts: ExportRunCounts = { finished: 0, failed: 0, removed: 0, slices: 0 };
  counts.removed = await removeExpired(database.db, now());
  for (;;) {
    const job = await nextWork(database.db, now());
    if (!job) return counts;
    if (job.attempts >= EXPORT_MAX_ATTEMPTS || job.key_secret === null) {
      if (await failExport(database.db, job, now())) counts.failed++;
      continue;
    }
    if (!(await claim(database.db, job, owner, now(), EXPORT_LEASE_MS))) continue;
    const spec = await specOf(database, job);
    let seq = Number(job.chunks);
    let cursor = job.cursor;
    for (;;) {
      if (options.maxSlices !== undefined && counts.slices >= options.maxSlices) return counts;
      const slice = await exportSlice(database, spec, cursor, per);
      if (slice.last === null) {
        if (await finishExport(database.db, job.id, owner, now())) counts.finished++;
        break;
      }
      const last = slice.last;
      const written = await database.transact((trx) =>
        writeSlice(trx, { id: job.id, owner, seq }, { ...slice, last }, now() + EXPORT_LEASE_MS),
      );
      if (!written) break; // taken over by another worker: it carries on from what was committed
      counts.slices++;
      seq++;
      cursor = last;
      await yieldToLoop();
    }
  }
}

export interface ExportRunLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export class ExportRun {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ExportRunCounts | null> | undefined;
  readonly #owner = randomUUID();

  constructor(
    private readonly options: { database: Database; now: () => number; log: ExportRunLog; everyMs?: number },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.options.everyMs ?? EXPORT_RUN_EVERY_MS);
    this.#timer.unref();
  }

  /**
   * Works through what is waiting. Asked while a run is under way, it runs again after that one (which may have
   * looked for work before the new job was queued); callers asking meanwhile share that next run.
   */
  runOnce(): Promise<ExportRunCounts | null> {
    if (this.#running) return this.#running.then(() => this.runOnce());
    this.#running = runExports(this.options.database, this.options.now, { owner: this.#owner })
      .then((counts) => {
        if (counts.finished + counts.failed + counts.removed > 0) this.options.log.info({ ...counts }, 'export run');
        return counts;
      })
      .catch((err: unknown) => {
        this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'export run failed');
        return null;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
