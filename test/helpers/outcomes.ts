/**
 * Outcome fixtures written straight to the database: questionnaires as the questionnaires part completes them (with
 * the report's score columns), a submitted intake, and plans at either location (through the plan fixtures of
 * clinical-plans.ts, so a change to what a plan needs is made once). The writers are another part's.
 */
import { randomUUID } from 'node:crypto';
import type { QuestionnaireStatus } from '../../src/kernel/db/schema.ts';
import { clinicalPatientFixture } from './clinical-orders.ts';
import { activePlanFor, suggestedProtocols } from './clinical-plans.ts';
import type { TestRuntime } from './runtime.ts';

export const DAY = 86_400_000;

export interface QuestionnaireFixture {
  patientId: string;
  locationId?: string;
  planId?: string | null;
  protocolId?: string | null;
  appointmentId?: string | null;
  timepoint: string;
  /** When its window opens; it closes 3 days later unless `closesAt`. */
  opensAt: number;
  closesAt?: number;
  status?: QuestionnaireStatus;
  /** For a complete one: when it was completed (default: an hour after it opened). */
  completedAt?: number;
  painNow?: number | null;
  painAverage?: number | null;
  painWorst?: number | null;
  phq9?: number | null;
  phq9Item9?: number | null;
  gad7?: number | null;
  interference?: number | null;
  pgic?: number | null;
  pgicLabel?: string | null;
}

export async function insertQuestionnaires(rt: TestRuntime, rows: QuestionnaireFixture[]): Promise<string[]> {
  const ids: string[] = [];
  const values = rows.map((q) => {
    const id = randomUUID();
    ids.push(id);
    const status = q.status ?? 'complete';
    const completedAt = status === 'complete' ? (q.completedAt ?? q.opensAt + 3_600_000) : null;
    return {
      id,
      patient_id: q.patientId,
      location_id: q.locationId ?? 'loc-chicago',
      plan_id: q.planId ?? null,
      protocol_id: q.protocolId ?? null,
      appointment_id: q.appointmentId ?? null,
      schedule_key: `test:${id}`,
      timepoint: q.timepoint,
      instruments: JSON.stringify([{ id: 'pain_nrs', version: 'nrs-2008.1' }]),
      opens_at: q.opensAt,
      closes_at: q.closesAt ?? q.opensAt + 3 * DAY,
      status,
      sent_at: q.opensAt,
      reminded_at: null,
      completed_at: completedAt,
      entered_by: null,
      answers: '{}',
      pain_now: status === 'complete' ? (q.painNow ?? null) : null,
      pain_average: status === 'complete' ? (q.painAverage ?? null) : null,
      pain_worst: status === 'complete' ? (q.painWorst ?? null) : null,
      phq9_total: status === 'complete' ? (q.phq9 ?? null) : null,
      phq9_item9: status === 'complete' ? (q.phq9Item9 ?? null) : null,
      gad7_total: status === 'complete' ? (q.gad7 ?? null) : null,
      interference: status === 'complete' ? (q.interference ?? null) : null,
      pgic: status === 'complete' ? (q.pgic ?? null) : null,
      pgic_label: status === 'complete' ? (q.pgicLabel ?? null) : null,
      created_at: q.opensAt,
      updated_at: completedAt ?? q.opensAt,
    };
  });
  for (let i = 0; i < values.length; i += 200)
    await rt.database.db
      .insertInto('questionnaires')
      .values(values.slice(i, i + 200))
      .execute();
  return ids;
}

/** A submitted intake with an average pain rating and, when given, every PHQ-9 and GAD-7 item at one value. */
export async function submittedIntake(
  rt: TestRuntime,
  patientId: string,
  at: number,
  scores: { painAverage?: number; phq9Item?: number; gad7Item?: number },
): Promise<void> {
  const items = (n: number, v: number | undefined) =>
    v === undefined ? undefined : Object.fromEntries(Array.from({ length: n }, (_, i) => [`q${i + 1}`, v]));
  const answers = {
    ...(scores.painAverage !== undefined ? { pain: { average: scores.painAverage } } : {}),
    ...(scores.phq9Item !== undefined ? { phq9: items(9, scores.phq9Item) } : {}),
    ...(scores.gad7Item !== undefined ? { gad7: items(7, scores.gad7Item) } : {}),
  };
  await rt.database.db
    .insertInto('intakes')
    .values({
      id: randomUUID(),
      patient_id: patientId,
      appointment_id: null,
      questionnaire_version: 1,
      answers: JSON.stringify(answers),
      status: 'submitted',
      started_at: at - 3_600_000,
      updated_at: at,
      submitted_at: at,
    })
    .execute();
}

/** The newest version of a suggested protocol (the library is written first when empty). */
export async function protocolOf(rt: TestRuntime, code = 'crps-10-day') {
  const db = rt.database.db;
  if (!(await db.selectFrom('protocols').select('id').limit(1).executeTakeFirst())) await suggestedProtocols(rt);
  return db
    .selectFrom('protocols')
    .select(['id', 'code'])
    .where('code', '=', code)
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
}

/** A signed, active plan of `code` at `locationId`, on a signed eligible screening (no sessions booked). */
export async function planAt(
  rt: TestRuntime,
  patientId: string,
  providerId: string,
  locationId = 'loc-chicago',
  code = 'crps-10-day',
): Promise<{ planId: string; protocolId: string }> {
  const protocol = await protocolOf(rt, code);
  const planId = await activePlanFor(rt, patientId, providerId, code, (d) => d, locationId);
  return { planId, protocolId: protocol.id };
}

/**
 * `n` Chicago patients on one protocol, each with an intake baseline and the follow-ups of a series whose relief
 * varies from patient to patient (some respond, some do not, some miss a questionnaire): a report with something
 * in every column, for the browser tests and screenshots.
 */
export async function outcomeCohort(rt: TestRuntime, providerId: string, n = 12): Promise<string[]> {
  const now = rt.clock.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const patientId = await clinicalPatientFixture(rt, { first_name: `Cohort${i}`, last_name: 'Outcome' });
    const { planId, protocolId } = await planAt(rt, patientId, providerId);
    // Average pain at intake, before sessions 1–4, end of induction, weeks 1, 4 and 12: four kinds of course.
    const course = [
      [7, 7, 7, 6, 7, 6, 6, 7, 7], // no response
      [8, 8, 7, 6, 5, 5, 5, 6, 7], // moderate, fading
      [6, 6, 5, 4, 3, 2, 2, 3, 3], // substantial, lasting
      [9, 9, 8, 6, 5, 4, 4, 6, 8], // substantial, then back
    ][i % 4]!;
    await submittedIntake(rt, patientId, now - 130 * DAY, {
      painAverage: course[0]!,
      phq9Item: 1 + (i % 2),
      gad7Item: 1,
    });
    const at = (d: number) => now - d * DAY;
    const score = (k: number) => ({ painNow: Math.min(10, course[k]! + (k % 2)), painAverage: course[k]! });
    const base = { patientId, planId, protocolId };
    await insertQuestionnaires(rt, [
      ...[120, 118, 116, 114].map((d, k) => ({ ...base, timepoint: 'pre_session', opensAt: at(d), ...score(k + 1) })),
      {
        ...base,
        timepoint: 'end_of_induction',
        opensAt: at(110),
        ...score(5),
        painWorst: Math.min(10, course[5]! + 2),
        phq9: 12 - (i % 4) * 2,
        gad7: 8,
        interference: 4.3,
        pgic: 3,
        pgicLabel: 'Minimally improved',
      },
      { ...base, timepoint: 'week_1', opensAt: at(103), ...score(6), phq9: 10 - (i % 4) * 2, gad7: 7 },
      i % 5 === 0
        ? { ...base, timepoint: 'week_4', opensAt: at(82), status: 'missed' as const }
        : {
            ...base,
            timepoint: 'week_4',
            opensAt: at(82),
            ...score(7),
            phq9: 9 - (i % 4),
            gad7: 6,
            pgic: 2,
            pgicLabel: 'Much improved',
          },
      i % 3 === 0
        ? { ...base, timepoint: 'week_12', opensAt: at(26), status: 'missed' as const }
        : { ...base, timepoint: 'week_12', opensAt: at(26), ...score(8), phq9: 8 - (i % 4), gad7: 5 },
    ]);
    ids.push(patientId);
  }
  return ids;
}

/**
 * A Chicago patient on a plan of `protocol` whose one infusion, an induction session or a booster, started at `at`
 * (booked, ordered, verified and started as the infusion-day fixtures do it): treated in a period holding `at`.
 */
export async function treatedPatient(
  rt: TestRuntime,
  first: string,
  at: number,
  kind: 'induction' | 'booster' = 'induction',
  protocol = 'crps-10-day',
): Promise<{ id: string; planId: string; protocolId: string }> {
  const { infusingSession, orderedVisit } = await import('./sessions.ts');
  const db = rt.database.db;
  const visit = await orderedVisit(rt, first, protocol);
  const plan = await db
    .selectFrom('plan_sessions as ps')
    .innerJoin('treatment_plans as tp', 'tp.id', 'ps.plan_id')
    .select(['ps.plan_id', 'tp.protocol_id'])
    .where('ps.appointment_id', '=', visit.appointmentId)
    .executeTakeFirstOrThrow();
  if (kind === 'booster')
    await db
      .updateTable('plan_sessions')
      .set({ kind: 'booster' })
      .where('appointment_id', '=', visit.appointmentId)
      .execute();
  await infusingSession(rt, visit, at);
  return { id: visit.patientId, planId: plan.plan_id, protocolId: plan.protocol_id };
}
