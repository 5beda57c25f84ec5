import { insertUser } from '../../src/staff/users.ts';
import { describe, expect, it } from 'vitest';
import { clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
import { eventsAfter, lastSeq, MARKED } from '../helpers/audit.ts';
import { DAY, insertQuestionnaires, planAt } from '../helpers/outcomes.ts';
import { engine, startTestRuntime, stopTestRuntime, useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { EXPORT_LEASE_MS, EXPORT_MAX_ATTEMPTS, runExports } from '../../src/clinical/outcomes/export-run.ts';
import { EXPORT_KEEP_MS, startExport } from '../../src/clinical/outcomes/export-service.ts';
import { reportChoices } from '../../src/clinical/outcomes/report-service.ts';

const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** `n` Chicago patients, each with two answered questionnaires in the last month and one missed. */
async function cohort(rt: TestRuntime, n: number) {
  const now = rt.clock.now();
  const providerId = await userId(rt, PROVIDER);
  for (let i = 0; i < n; i++) {
    const patientId = await clinicalPatientFixture(rt, {
      first_name: MARKED.first_name,
      last_name: `${i}-${MARKED.last_name}`,
    });
    const { planId, protocolId } = await planAt(rt, patientId, providerId);
    const base = { patientId, planId, protocolId };
    await insertQuestionnaires(rt, [
      { ...base, timepoint: 'pre_session', opensAt: now - 30 * DAY, painNow: 7, painAverage: 8 },
      { ...base, timepoint: 'week_1', opensAt: now - 20 * DAY, painNow: 4, painAverage: 4 },
      { ...base, timepoint: 'week_4', opensAt: now - 10 * DAY, status: 'missed' },
    ]);
  }
}

/** A provider other than the demo one, at Chicago, acting through the service as the route would. */
async function secondProvider(rt: TestRuntime) {
  return insertUser(
    rt.database.db,
    {
      email: 'second.provider@relief.example',
      name: 'Second Provider',
      role: 'provider',
      locationIds: ['loc-chicago'],
    },
    rt.clock.now(),
  );
}

function actorOf(rt: TestRuntime, userId: string) {
  return {
    staff: {
      userId,
      name: 'Provider',
      email: 'p@relief.example',
      role: 'provider' as const,
      locationIds: ['loc-chicago'],
      sessionIdHash: 'x',
      csrfToken: 'x',
      stage: 'active' as const,
      breakGlassUntil: null,
      idleTimeoutMs: 60_000,
    },
    ip: '127.0.0.9',
    now: rt.clock.now(),
  };
}

/** An export of the last year at every location, queued through the service and left for the run. */
async function queued(rt: TestRuntime, requester: string) {
  const actor = actorOf(rt, requester);
  const choices = await reportChoices(rt.database, actor);
  return startExport(rt.database, actor, choices, {
    protocol: null,
    locationId: null,
    from: '2025-03-02',
    to: '2026-03-02',
  });
}

async function startAs(b: Browser, fields: Record<string, string> = {}) {
  const page = await b.get('/staff/patients');
  return b.post('/staff/outcomes/exports', { _csrf: csrfFrom(page.body), ...fields });
}

const dataLines = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .slice(1);

describe(`the outcomes export, ready within a moment (${engine})`, () => {
  const rt = useTestRuntime({ seed: 'clinic-and-staff' });

  it('starts from a POST with the CSRF token and goes straight to the download; the start and the download are audited', async () => {
    await cohort(rt(), 3);
    const provider = await signIn(rt(), PROVIDER);
    const page = await provider.get('/staff/outcomes');
    expect(page.body).toContain('<form class="outcomes-export" method="post" action="/staff/outcomes/exports">');
    const forged = await provider.post('/staff/outcomes/exports', {});
    expect(forged.statusCode).toBe(403);
    const seq = await lastSeq(rt());
    const started = await startAs(provider);
    expect(started.statusCode).toBe(303);
    const location = String(started.headers.location);
    expect(location).toMatch(/^\/staff\/outcomes\/exports\/[0-9a-f-]{36}\/download$/);
    const file = await provider.get(location);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe('attachment; filename="relief-outcomes-2026-03-02.csv"');
    expect(dataLines(file.body)).toHaveLength(9);
    expect(file.body).not.toContain(MARKED.last_name);
    const events = (await eventsAfter(rt(), seq)).filter((e) => e.action.startsWith('outcomes.export'));
    const id = location.split('/')[4];
    expect(events).toEqual([
      expect.objectContaining({
        action: 'outcomes.export',
        outcome: 'success',
        detail: {
          export: id,
          protocol: 'all',
          location: 'all',
          from: '2025-03-02',
          to: '2026-03-02',
          rows: 9,
          patients: 3,
        },
      }),
      expect.objectContaining({
        action: 'outcomes.export.download',
        outcome: 'success',
        detail: { export: id, rows: 9, patients: 3 },
      }),
    ]);
  });

  it('refuses bad filters naming the field (400) and starts nothing', async () => {
    const provider = await signIn(rt(), PROVIDER);
    const bad = await startAs(provider, { from: '2026-02-01', to: '2026-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="to-error"');
    expect(text(bad.body)).toContain('The end is before the start');
    const elsewhere = await startAs(provider, { location: 'loc-denver' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('id="location-error"');
    const jobs = await rt().database.db.selectFrom('report_exports').select('id').execute();
    expect(jobs).toHaveLength(0);
  });

  it('is for providers only: nurses, the front desk and administrators get 403', async () => {
    for (const email of [NURSE, DESK, ADMIN]) {
      const b = await signIn(rt(), email);
      expect((await startAs(b)).statusCode, email).toBe(403);
    }
  });

  it('shows and serves an export to the provider who asked for it only: another provider gets 404', async () => {
    await cohort(rt(), 2);
    const job = await queued(rt(), await secondProvider(rt()));
    await runExports(rt().database, rt().clock.now);
    const provider = await signIn(rt(), PROVIDER);
    expect((await provider.get(`/staff/outcomes/exports/${job.id}`)).statusCode).toBe(404);
    expect((await provider.get(`/staff/outcomes/exports/${job.id}/download`)).statusCode).toBe(404);
    expect((await provider.get('/staff/outcomes/exports/not-an-id')).statusCode).toBe(404);
  });
});

describe(`the outcomes export, with its progress page (${engine})`, () => {
  // No wait: the button always shows the export's page, as it does for an export that takes longer than a moment.
  const rt = useTestRuntime({ seed: 'clinic-and-staff', env: { EXPORT_WAIT_MS: '0' } });

  it('shows n of N patients with a progress bar while it runs, then the download', async () => {
    await cohort(rt(), 5);
    const provider = await signIn(rt(), PROVIDER);
    const started = await startAs(provider);
    expect(started.statusCode).toBe(303);
    const page = String(started.headers.location);
    expect(page).toMatch(/^\/staff\/outcomes\/exports\/[0-9a-f-]{36}$/);
    await rt().exports.runOnce();
    const ready = await provider.get(page);
    expect(ready.statusCode).toBe(200);
    expect(text(ready.body)).toContain('Ready: 15 rows for 5 patients.');
    expect(ready.body).toContain(`href="${page}/download"`);
    expect(ready.body).not.toContain('<progress');
    expect(ready.body).not.toContain('export-progress.js');
    expect(dataLines((await provider.get(`${page}/download`)).body)).toHaveLength(15);
  });

  it('is one job for two server instances on one database: either shows its progress and serves its file', async () => {
    await cohort(rt(), 3);
    const provider = await signIn(rt(), PROVIDER);
    const started = await startAs(provider);
    const page = String(started.headers.location);
    await rt().exports.runOnce();
    const other = await startTestRuntime({
      clock: rt().clock,
      reuse: { dataDir: rt().config.dataDir, schema: rt().config.databaseSchema, databaseUrl: rt().config.databaseUrl },
    });
    try {
      // The same browser (its session is in the database), answered by the other instance.
      const onOther = async (url: string) =>
        other.app.inject({ method: 'GET', url, headers: { cookie: provider.cookieHeader } });
      const shown = await onOther(page);
      expect(shown.statusCode).toBe(200);
      expect(text(shown.body)).toContain('Ready: 9 rows for 3 patients.');
      const file = await onOther(`${page}/download`);
      expect(file.statusCode).toBe(200);
      expect(file.body).toBe((await provider.get(`${page}/download`)).body);
    } finally {
      await stopTestRuntime(other, true);
    }
  });

  it('works in slices: a job interrupted mid-way is taken over after its lease and resumes where it stopped', async () => {
    await cohort(rt(), 5);
    const providerId = await userId(rt(), PROVIDER);
    const job = await queued(rt(), providerId);
    const provider = await signIn(rt(), PROVIDER);
    const url = `/staff/outcomes/exports/${job.id}`;
    const waiting = await provider.get(url);
    expect(text(waiting.body)).toContain('Waiting to start: 0 of 5 patients.');
    // A worker that writes two slices of two patients, then dies (a kill -9: its lease stays).
    await runExports(rt().database, rt().clock.now, { owner: 'dead', slicePatients: 2, maxSlices: 2 });
    const midway = await provider.get(url);
    expect(midway.statusCode).toBe(200);
    expect(text(midway.body)).toContain('Preparing: 4 of 5 patients.');
    expect(midway.body).toContain('<progress max="5" value="4" aria-labelledby="export-count">');
    expect(midway.body).toContain(`<a href="${url}">Check progress</a>`);
    expect(midway.body).toContain('export-progress.js');
    // Not ready: the download leads back to the page.
    const early = await provider.get(`${url}/download`);
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe(url);
    // Within the lease nobody takes it over; after it, the next run does and finishes from patient 5.
    expect(await runExports(rt().database, rt().clock.now)).toMatchObject({ finished: 0, slices: 0 });
    rt().clock.advance(EXPORT_LEASE_MS + 1);
    expect(await runExports(rt().database, rt().clock.now)).toMatchObject({ finished: 1, slices: 1 });
    const row = await rt()
      .database.db.selectFrom('report_exports')
      .selectAll()
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ready', attempts: 2, key_secret: null, lease_owner: null });
    const lines = dataLines((await provider.get(`${url}/download`)).body);
    expect(lines).toHaveLength(15);
    // One key per patient across the slices of both workers: the key lived with the job.
    const keys = lines.map((l) => l.split(',')[0]);
    expect(new Set(keys).size).toBe(5);
    for (const k of new Set(keys)) expect(keys.filter((x) => x === k)).toHaveLength(3);
  });

  it('fails a job cleanly after repeated interruptions instead of leaving it running, and offers to start again', async () => {
    await cohort(rt(), 3);
    const job = await queued(rt(), await userId(rt(), PROVIDER));
    for (let i = 0; i < EXPORT_MAX_ATTEMPTS; i++) {
      await runExports(rt().database, rt().clock.now, { owner: `dead-${i}`, slicePatients: 1, maxSlices: 1 });
      rt().clock.advance(EXPORT_LEASE_MS + 1);
    }
    expect(await runExports(rt().database, rt().clock.now)).toMatchObject({ failed: 1, finished: 0 });
    const provider = await signIn(rt(), PROVIDER);
    const page = await provider.get(`/staff/outcomes/exports/${job.id}`);
    expect(text(page.body)).toContain('The export could not be finished.');
    expect(page.body).toContain('Start the export again');
    expect(page.body).not.toContain('<progress');
    const row = await rt()
      .database.db.selectFrom('report_exports')
      .select(['status', 'key_secret'])
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'failed', key_secret: null });
  });

  it('expires after an hour: gone from its page and download, then removed with its file by the run', async () => {
    await cohort(rt(), 2);
    const job = await queued(rt(), await userId(rt(), PROVIDER));
    await runExports(rt().database, rt().clock.now);
    const provider = await signIn(rt(), PROVIDER);
    expect((await provider.get(`/staff/outcomes/exports/${job.id}/download`)).statusCode).toBe(200);
    rt().clock.set(new Date(Number(job.created_at) + EXPORT_KEEP_MS).toISOString());
    const later = await signIn(rt(), PROVIDER); // an hour on, the first session has timed out
    expect((await provider.get('/staff/outcomes')).statusCode).toBe(303);
    expect((await later.get(`/staff/outcomes/exports/${job.id}`)).statusCode).toBe(404);
    expect((await later.get(`/staff/outcomes/exports/${job.id}/download`)).statusCode).toBe(404);
    expect(await runExports(rt().database, rt().clock.now)).toMatchObject({ removed: 1 });
    const db = rt().database.db;
    expect(await db.selectFrom('report_exports').select('id').execute()).toHaveLength(0);
    expect(await db.selectFrom('report_export_chunks').select('seq').execute()).toHaveLength(0);
  });
});
