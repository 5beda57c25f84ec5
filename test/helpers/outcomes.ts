/**
 * Outcome fixtures written straight to the database: questionnaires as the questionnaires part completes them (with
 * the report's score columns), a submitted intake, and plans at either location. The writers are another part's.
 */
import { randomUUID } from 'node:crypto';
import type { QuestionnaireStatus } from '../../src/kernel/db/schema.ts';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
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
  if (!(await db.selectFrom('protocols').select('id').limit(1).executeTakeFirst()))
    await rt.database.transact((trx) => writeSuggestedProtocols(trx, rt.clock.now(), null));
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
  const db = rt.database.db;
  const now = rt.clock.now();
  const protocol = await protocolOf(rt, code);
  const definition = await db
    .selectFrom('protocols')
    .select('definition')
    .where('id', '=', protocol.id)
    .executeTakeFirstOrThrow();
  let rules = await db
    .selectFrom('clinical_definitions')
    .select('id')
    .where('kind', '=', 'contraindication_rules')
    .executeTakeFirst();
  if (!rules) {
    rules = { id: randomUUID() };
    await db
      .insertInto('clinical_definitions')
      .values({
        id: rules.id,
        kind: 'contraindication_rules',
        version: 1,
        body: '[]',
        source: 'test',
        created_by: null,
        created_at: now,
      })
      .execute();
  }
  const screening = randomUUID();
  await db
    .insertInto('screenings')
    .values({
      id: screening,
      patient_id: patientId,
      location_id: locationId,
      intake_id: null,
      rules_definition_id: rules.id,
      outcome: 'eligible',
      status: 'signed',
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
      expires_at: now + 365 * DAY,
    })
    .execute();
  const planId = randomUUID();
  await db
    .insertInto('treatment_plans')
    .values({
      id: planId,
      patient_id: patientId,
      location_id: locationId,
      protocol_id: protocol.id,
      screening_id: screening,
      definition: definition.definition,
      status: 'active',
      status_reason: null,
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
    })
    .execute();
  return { planId, protocolId: protocol.id };
}
