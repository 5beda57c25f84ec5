/**
 * The outcomes of one patient, as the patient's outcomes tab and the clinical summary show them: the responder
 * analysis and the series behind the chart. A plain read: the caller checks who asks and audits it in its
 * transaction (pass the transaction as `db`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { scoreQuestionnaire } from '../instruments/questionnaire.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import { readIntakeAnswers } from '../intake/answers.ts';
import { currentDefinition } from '../definitions/store.ts';
import {
  patientResponse,
  type IntakeScores,
  type Observation,
  type PatientResponse,
  type ResponderSettings,
  type SessionMark,
} from './responder.ts';
import { RESPONDER_SETTINGS } from './responder-settings.ts';

export interface PatientOutcomes {
  patientId: string;
  /** The patient's location's time zone: days on the chart and in the table are that location's. */
  zone: string;
  intake: IntakeScores | null;
  /** Complete questionnaires, oldest first. */
  observations: Observation[];
  /** When each infusion session started, oldest first (the chart's ticks). */
  sessions: number[];
  /** The same sessions with their plan's kind and number (what preceded each response). */
  sessionMarks: SessionMark[];
  response: PatientResponse;
  settings: { body: ResponderSettings; version: number; unverified: boolean };
}

export async function patientOutcomes(db: Kysely<DB>, patientId: string): Promise<PatientOutcomes> {
  // One after another: the caller's transaction is one connection, and PostgreSQL's client takes one query at a time.
  const patient = await db
    .selectFrom('patients')
    .innerJoin('locations', 'locations.id', 'patients.location_id')
    .select('locations.time_zone')
    .where('patients.id', '=', patientId)
    .executeTakeFirstOrThrow();
  const intakeRow = await db
    .selectFrom('intakes')
    .select(['answers', 'submitted_at'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'submitted')
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('questionnaires')
    .select([
      'completed_at',
      'timepoint',
      'pain_now',
      'pain_average',
      'pain_worst',
      'phq9_total',
      'gad7_total',
      'interference',
      'pgic',
      'pgic_label',
    ])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'complete')
    .orderBy('completed_at')
    .orderBy('id')
    .execute();
  const sessions = await db
    .selectFrom('infusion_sessions as s')
    .leftJoin('plan_sessions as ps', 'ps.appointment_id', 's.appointment_id')
    .select(['s.started_at', 'ps.kind', 'ps.number'])
    .where('s.patient_id', '=', patientId)
    .where('s.started_at', 'is not', null)
    .orderBy('s.started_at')
    .execute();
  const settings = await currentDefinition(db, RESPONDER_SETTINGS);
  const intake =
    intakeRow && intakeRow.submitted_at !== null ? intakeScores(intakeRow.answers, intakeRow.submitted_at) : null;
  const observations: Observation[] = rows.map((r) => ({
    at: Number(r.completed_at),
    timepoint: r.timepoint,
    painNow: r.pain_now,
    painAverage: r.pain_average,
    painWorst: r.pain_worst,
    phq9: r.phq9_total,
    gad7: r.gad7_total,
    interference: r.interference === null ? null : Number(r.interference),
    pgic: r.pgic,
    pgicLabel: r.pgic_label,
  }));
  const sessionMarks: SessionMark[] = sessions.map((s) => ({
    at: Number(s.started_at),
    kind: s.kind ?? null,
    number: s.number ?? null,
  }));
  return {
    patientId,
    zone: patient.time_zone,
    intake,
    observations,
    sessions: sessionMarks.map((s) => s.at),
    sessionMarks,
    response: patientResponse(intake, observations, settings.body, sessionMarks),
    settings: { body: settings.body, version: settings.version, unverified: settings.unverified },
  };
}

/** The intake's average pain and its PHQ-9 and GAD-7 totals (null where it was not fully answered). */
export function intakeScores(json: string, at: number): IntakeScores {
  const answers = readIntakeAnswers(json);
  return {
    at: Number(at),
    painAverage: answers.pain?.average ?? null,
    phq9: answers.phq9 ? scoreQuestionnaire(PHQ9, answers.phq9).total : null,
    gad7: answers.gad7 ? scoreQuestionnaire(GAD7, answers.gad7).total : null,
  };
}

/**
 * The intake's average pain and PHQ-9 total read from its stored JSON without the full schema: the report reads
 * thousands of intakes, and needs two numbers of each. A value that is not a number in range counts as unanswered.
 */
export function intakeBaseline(json: string): { pain: number | null; phq9: number | null } {
  let answers: { pain?: { average?: unknown }; phq9?: Record<string, unknown> };
  try {
    answers = JSON.parse(json) as typeof answers;
  } catch {
    return { pain: null, phq9: null };
  }
  const average = answers.pain?.average;
  const pain = typeof average === 'number' && average >= 0 && average <= 10 ? average : null;
  const items = answers.phq9;
  const phq9 = items ? scoreQuestionnaire(PHQ9, items as Record<string, number | null>).total : null;
  return { pain, phq9 };
}
