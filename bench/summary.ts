/**
 * The patient summary's figures (issue 13 §4 and Speed): the demo seed's six months of outcomes in a fresh database,
 * one Chicago patient's clinical summary rendered through app.inject as a signed-in provider (the audited read, the
 * outcomes read, the chart); then the treated patients replicated to a clinic of `clinicPatients` (the 5,000,
 * with about 60,000 questionnaires) and to ten times that, each time the summaries of about 50 Chicago patients across
 * the clinic in turn (see summary-clinic.ts for what a copy holds). The seed and each growth are timed too.
 */
import { insertUser } from '../src/staff/users.ts';
import { seedDemoOutcomes } from '../src/seed/demo-outcomes.ts';
import { seedDemoProtocols } from '../src/seed/demo-protocols.ts';
import { providerCookie } from './clinical.ts';
import { startBenchRuntime } from './setup.ts';
import { collectGarbage, latencyOf, sample, type Latency } from './stats.ts';
import { markOriginals, replicate } from './summary-clinic.ts';

export interface ClinicSize {
  patients: number;
  questionnaires: number;
  /** How long growing the database to this size took. */
  seedSeconds: number;
  latency: Latency;
}

export interface SummaryResult {
  seedMs: number;
  patients: number;
  questionnaires: number;
  /** The demo patient's complete questionnaires. */
  patientRatings: number;
  bytes: number;
  base: Latency;
  /** Summaries of patients across the clinic at the size, then at ten times. */
  clinic: ClinicSize;
  tenfold: ClinicSize;
}

export async function measureSummary(opts: {
  now: number;
  runs: number;
  /** The clinic's size for the second measure (the issue's: 5,000); the third is ten times it. */
  clinicPatients: number;
  log: (line: string) => void;
}) {
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

    // The clinic at the size, then at ten times: the treated patients replicated with new ids.
    const originals = await markOriginals(database);
    const treated = async () =>
      (
        await db
          .selectFrom('treatment_plans')
          .select('patient_id')
          .where('location_id', '=', 'loc-chicago')
          .orderBy('patient_id')
          .execute()
      ).map((r) => r.patient_id);
    const clinicAt = async (patients: number, copiesSoFar: number) => {
      const copies = Math.ceil(patients / originals) - 1;
      const t0 = performance.now();
      if (copies > copiesSoFar) await replicate(database, copiesSoFar + 1, copies);
      const seedSeconds = (performance.now() - t0) / 1000;
      const [count, questionnaires, ids] = await Promise.all([
        db
          .selectFrom('patients')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow(),
        total(),
        treated(),
      ]);
      // Patients spread across the clinic: every k-th Chicago patient in id order (copies sort among originals).
      const spread = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / 50)) === 0);
      opts.log(
        `summary: ${Number(count.n)} patients, ${questionnaires} questionnaires (${seedSeconds.toFixed(1)} s to grow); ${spread.length} patients' summaries in turn`,
      );
      let next = 0;
      const getSpread = async () => {
        const id = spread[next++ % spread.length]!;
        const res = await app.inject({ method: 'GET', url: `/staff/patients/${id}/summary`, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`summary bench: the summary of ${id} answered ${res.statusCode}`);
      };
      collectGarbage();
      const latency = latencyOf(await sample(opts.runs, 10, getSpread));
      return { size: { patients: Number(count.n), questionnaires, seedSeconds, latency }, copies };
    };
    const clinic = await clinicAt(opts.clinicPatients, 0);
    const tenfold = await clinicAt(opts.clinicPatients * 10, clinic.copies);
    return {
      seedMs,
      patients,
      questionnaires: baseCount,
      patientRatings: Number(patient.n),
      bytes,
      base,
      clinic: clinic.size,
      tenfold: tenfold.size,
    } satisfies SummaryResult;
  } finally {
    await bench.teardown();
  }
}
