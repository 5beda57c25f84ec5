/**
 * The patient summary's figures (issue 13 §4): the demo seed's six months of outcomes in a fresh database, then one
 * Chicago patient's clinical summary rendered through app.inject as a signed-in provider (the audited read, the
 * outcomes read, the chart); and again with ten times the questionnaires (every complete one copied nine times, a
 * minute apart), to show how the page's cost grows with the record. The seed itself is timed too.
 */
import { sql } from 'kysely';
import { insertUser } from '../src/staff/users.ts';
import { seedDemoOutcomes } from '../src/seed/demo-outcomes.ts';
import { seedDemoProtocols } from '../src/seed/demo-protocols.ts';
import { providerCookie } from './clinical.ts';
import { startBenchRuntime } from './setup.ts';
import { collectGarbage, latencyOf, sample, type Latency } from './stats.ts';

export interface SummaryResult {
  seedMs: number;
  patients: number;
  questionnaires: { base: number; tenfold: number };
  /** The measured patient's complete questionnaires, at the seed's size and at ten times. */
  patientRatings: { base: number; tenfold: number };
  bytes: number;
  base: Latency;
  tenfold: Latency;
}

export async function measureSummary(opts: { now: number; runs: number; log: (line: string) => void }) {
  const bench = await startBenchRuntime();
  try {
    const { runtime } = bench;
    const { database, app } = runtime;
    const db = database.db;
    // The seed writes as the demo provider and nurse (the bench seeds no staff of its own).
    for (const [email, role] of [
      ['provider@relief.example', 'provider'],
      ['nurse@relief.example', 'nurse'],
    ] as const)
      await insertUser(db, { email, name: `Bench ${role}`, role, locationIds: ['loc-chicago'] }, opts.now);
    await seedDemoProtocols(database, opts.now);
    const t = performance.now();
    const patients = await seedDemoOutcomes(database, opts.now);
    const seedMs = performance.now() - t;
    if (patients === 0) throw new Error('summary bench: the demo outcomes seed wrote nothing');

    // The Chicago patient with the most complete questionnaires: the longest record the demo has.
    const patient = await db
      .selectFrom('questionnaires')
      .select(['patient_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'complete')
      .where('location_id', '=', 'loc-chicago')
      .groupBy('patient_id')
      .orderBy('n', 'desc')
      .executeTakeFirstOrThrow();
    const { cookie } = await providerCookie(app, database, opts.now);
    const url = `/staff/patients/${patient.patient_id}/summary`;
    let bytes = 0;
    const get = async () => {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`summary bench: ${url} answered ${res.statusCode}`);
      bytes = res.body.length;
    };
    const total = async () =>
      Number(
        (
          await db
            .selectFrom('questionnaires')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    opts.log(
      `summary: ${patients} patients seeded in ${Math.round(seedMs)} ms; the summary of a patient with ${patient.n} questionnaires`,
    );
    collectGarbage();
    const base = latencyOf(await sample(opts.runs, 5, get));
    const baseCount = await total();

    // Nine copies of every complete questionnaire, a minute apart, each its own schedule key (ten times the table).
    for (let k = 1; k <= 9; k++)
      await sql`insert into questionnaires (id, patient_id, location_id, plan_id, protocol_id, appointment_id,
          schedule_key, timepoint, instruments, opens_at, closes_at, status, sent_at, reminded_at, completed_at,
          entered_by, answers, pain_now, pain_average, pain_worst, phq9_total, phq9_item9, gad7_total, interference,
          pgic, pgic_label, version, created_at, updated_at)
        select id || ${`-x${k}`}, patient_id, location_id, plan_id, protocol_id, null, schedule_key || ${`:x${k}`},
          timepoint, instruments, opens_at - ${k * 60_000}, closes_at, status, sent_at, reminded_at,
          completed_at - ${k * 60_000}, entered_by, answers, pain_now, pain_average, pain_worst, phq9_total,
          phq9_item9, gad7_total, interference, pgic, pgic_label, version, created_at, updated_at
        from questionnaires where status = 'complete' and schedule_key not like '%:x%'`.execute(db);
    const tenfoldCount = await total();
    opts.log(`summary: ${tenfoldCount} questionnaires (was ${baseCount}); the same summary again`);
    collectGarbage();
    const tenfold = latencyOf(await sample(opts.runs, 5, get));
    const ratings = async () =>
      Number(
        (
          await db
            .selectFrom('questionnaires')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('patient_id', '=', patient.patient_id)
            .where('status', '=', 'complete')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const tenfoldRatings = await ratings();
    return {
      seedMs,
      patients,
      questionnaires: { base: baseCount, tenfold: tenfoldCount },
      patientRatings: { base: Number(patient.n), tenfold: tenfoldRatings },
      bytes,
      base,
      tenfold,
    } satisfies SummaryResult;
  } finally {
    await bench.teardown();
  }
}
