/**
 * Outcomes: the per-protocol responder report (issue 13 §2) over `patients` patients with ten questionnaires each,
 * a year of them at both locations (half the patients with an intake baseline, a tenth of the questionnaires missed),
 * called as the report route calls it (the service, its audit event included); then the same database grown to 10×
 * and timed again, to show how the cost grows. Seeded with multi-row inserts in transactions, through the runtime's
 * own database. The CSV export job (started, worked in slices, read back) is timed once at each size (info).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../src/kernel/db/schema.ts';
import type { Actor } from '../src/kernel/audit/staff-audit.ts';
import type { Database } from '../src/kernel/db/database.ts';
import { writeSuggestedProtocols } from '../src/clinical/service.ts';
import { downloadExport, startExport } from '../src/clinical/outcomes/export-service.ts';
import { runExports } from '../src/clinical/outcomes/export-run.ts';
import { checkFilters, reportChoices, responderReport } from '../src/clinical/outcomes/report-service.ts';
import { startBenchRuntime } from './setup.ts';
import { latencyOf, prng, sample, type Latency } from './stats.ts';

const DAY = 86_400_000;
const LOCATIONS = ['loc-chicago', 'loc-denver'];
const TIMEPOINTS: Array<[string, number]> = [
  ['pre_session', 0],
  ['pre_session', 2],
  ['pre_session', 4],
  ['pre_session', 6],
  ['end_of_induction', 10],
  ['week_1', 17],
  ['week_4', 38],
  ['week_12', 94],
  ['pre_booster', 120],
  ['pre_booster', 160],
];

export interface OutcomesSize {
  patients: number;
  questionnaires: number;
  report: Latency;
  exportMs: number;
  exportRows: number;
  seedSeconds: number;
}
export interface OutcomesResult {
  small: OutcomesSize;
  large: OutcomesSize;
  groups: number;
}

/** Rows in chunks small enough for either engine's limit on bound parameters. */
async function insertChunked<T extends keyof DB>(db: Kysely<DB>, table: T, rows: unknown[], per = 500) {
  for (let i = 0; i < rows.length; i += per)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + per) as never)
      .execute();
}

export async function seed(
  database: Database,
  now: number,
  from: number,
  count: number,
  userId: string,
  rulesId: string,
) {
  const protocols = await database.db.selectFrom('protocols').select(['id']).execute();
  const rand = prng(1000 + from);
  await database.transact(async (trx) => {
    const patients = [];
    const screenings = [];
    const plans = [];
    const intakes = [];
    const questionnaires: unknown[] = [];
    for (let i = from; i < from + count; i++) {
      const id = `bench-p-${i}`;
      const location = LOCATIONS[i % 2]!;
      const protocol = protocols[i % protocols.length]!.id;
      // First session somewhere in the past year, a little over four months before the clock at the latest.
      const start = now - Math.floor((130 + rand() * 235) * DAY);
      patients.push({
        id,
        first_name: 'Bench',
        last_name: `Patient ${i}`,
        email: `bench-${i}@example.com`,
        phone: '+13125550100',
        contact_method: 'email',
        location_id: location,
        created_at: start - 30 * DAY,
        updated_at: start - 30 * DAY,
      });
      screenings.push({
        id: `bench-s-${i}`,
        patient_id: id,
        location_id: location,
        intake_id: null,
        rules_definition_id: rulesId,
        outcome: 'eligible',
        status: 'signed',
        created_by: userId,
        created_at: start - 20 * DAY,
        updated_at: start - 20 * DAY,
        signed_by: userId,
        signed_at: start - 20 * DAY,
        expires_at: start + 345 * DAY,
      });
      plans.push({
        id: `bench-plan-${i}`,
        patient_id: id,
        location_id: location,
        protocol_id: protocol,
        screening_id: `bench-s-${i}`,
        definition: '{}',
        status: 'active',
        status_reason: null,
        created_by: userId,
        created_at: start - 10 * DAY,
        updated_at: start - 10 * DAY,
        signed_by: userId,
        signed_at: start - 10 * DAY,
      });
      const baseline = 4 + Math.floor(rand() * 7);
      if (i % 2 === 0)
        intakes.push({
          id: `bench-i-${i}`,
          patient_id: id,
          appointment_id: null,
          questionnaire_version: 1,
          answers: JSON.stringify({
            pain: { now: baseline, average: baseline },
            phq9: Object.fromEntries(Array.from({ length: 9 }, (_, k) => [`q${k + 1}`, (i + k) % 3])),
          }),
          status: 'submitted',
          started_at: start - 15 * DAY,
          updated_at: start - 14 * DAY,
          submitted_at: start - 14 * DAY,
        });
      const relief = rand() * 0.8 - 0.1;
      TIMEPOINTS.forEach(([timepoint, day], k) => {
        const opens = start + day * DAY - DAY;
        const missed = rand() < 0.1;
        const complete = !missed && opens + 3 * DAY <= now;
        const pain = Math.max(0, Math.min(10, Math.round(baseline * (1 - relief * Math.min(1, k / 4)))));
        const follow = timepoint !== 'pre_session' && timepoint !== 'pre_booster';
        questionnaires.push({
          id: randomUUID(),
          patient_id: id,
          location_id: location,
          plan_id: `bench-plan-${i}`,
          protocol_id: protocol,
          appointment_id: null,
          schedule_key: `bench:${i}:${k}`,
          timepoint,
          instruments: '[]',
          opens_at: opens,
          closes_at: opens + 3 * DAY,
          status: complete ? 'complete' : opens + 3 * DAY <= now ? 'missed' : 'sent',
          sent_at: opens,
          reminded_at: null,
          completed_at: complete ? opens + 3_600_000 : null,
          entered_by: null,
          answers: '{}',
          pain_now: complete ? pain : null,
          pain_average: complete ? pain : null,
          pain_worst: complete && follow ? Math.min(10, pain + 1) : null,
          phq9_total: complete && follow ? Math.floor(rand() * 20) : null,
          phq9_item9: complete && follow ? 0 : null,
          gad7_total: complete && follow ? Math.floor(rand() * 15) : null,
          interference: complete && follow ? Math.round(rand() * 100) / 10 : null,
          pgic: complete && follow ? 1 + Math.floor(rand() * 7) : null,
          pgic_label: complete && follow ? 'No change' : null,
          created_at: opens,
          updated_at: opens,
        });
      });
    }
    await insertChunked(trx, 'patients', patients);
    await insertChunked(trx, 'screenings', screenings);
    await insertChunked(trx, 'treatment_plans', plans);
    await insertChunked(trx, 'intakes', intakes);
    await insertChunked(trx, 'questionnaires', questionnaires, 400);
  });
}

export async function measureOutcomes(opts: {
  now: number;
  patients: number;
  runs: number;
  log: (line: string) => void;
}): Promise<OutcomesResult> {
  const { now } = opts;
  const bench = await startBenchRuntime();
  try {
    const { database } = bench.runtime;
    const userId = 'bench-provider';
    await database.db
      .insertInto('users')
      .values({
        id: userId,
        email: 'bench.provider@example.com',
        name: 'Bench Provider',
        role: 'provider',
        clinician_id: null,
        password_hash: null,
        totp_secret: null,
        totp_enabled_at: null,
        last_totp_step: null,
        locked_until: null,
        disabled_at: null,
        created_at: now,
      })
      .execute();
    const rulesId = randomUUID();
    await database.transact(async (trx) => {
      await writeSuggestedProtocols(trx, now, null);
      await trx
        .insertInto('clinical_definitions')
        .values({
          id: rulesId,
          kind: 'contraindication_rules',
          version: 1,
          body: '[]',
          source: 'bench',
          created_by: null,
          created_at: now,
        })
        .execute();
    });
    const actor: Actor = {
      staff: {
        userId,
        name: 'Bench Provider',
        email: 'bench.provider@example.com',
        role: 'provider',
        locationIds: LOCATIONS,
        sessionIdHash: '',
        csrfToken: '',
        stage: 'active',
        breakGlassUntil: null,
        idleTimeoutMs: 0,
      },
      ip: '127.0.0.1',
      now,
    };
    const choices = await reportChoices(database, actor);
    const filters = await checkFilters(database, actor, choices, {}, 'outcomes.report.view');
    let groups = 0;
    const measure = async (patients: number, seedSeconds: number): Promise<OutcomesSize> => {
      const report = latencyOf(
        await sample(opts.runs, 2, async () => {
          groups = (await responderReport(database, actor, choices, filters)).groups.length;
        }),
      );
      const t = performance.now();
      // The export job from start to file: queued, worked in slices by the run, then read back as a download.
      const job = await startExport(database, actor, choices, filters);
      await runExports(database, () => now);
      // The runtime's own export run may have claimed the job first: wait for whichever worker has it to finish.
      let { body } = await downloadExport(database, actor, job.id);
      for (let waited = 0; body === null && waited < 600_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ({ body } = await downloadExport(database, actor, job.id));
      }
      let exportRows = -1;
      for await (const chunk of body ?? []) exportRows += chunk.split('\r\n').length - 1;
      const exportMs = performance.now() - t;
      return { patients, questionnaires: patients * TIMEPOINTS.length, report, exportMs, exportRows, seedSeconds };
    };

    let t = performance.now();
    await seed(database, now, 0, opts.patients, userId, rulesId);
    const small = await measure(opts.patients, (performance.now() - t) / 1000);
    opts.log(`outcomes: report p50 ${small.report.p50.toFixed(1)} ms at ${opts.patients} patients; growing to 10×`);
    t = performance.now();
    for (let k = 1; k < 10; k++) await seed(database, now, k * opts.patients, opts.patients, userId, rulesId);
    const large = await measure(opts.patients * 10, (performance.now() - t) / 1000);
    return { small, large, groups };
  } finally {
    await bench.teardown();
  }
}
