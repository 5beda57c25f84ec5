/**
 * The clinic's side: a patient's questionnaires (status, scores and bands) and pain diary, read by nurses and
 * providers of the patient's location; and answers entered by staff at a visit, into an open questionnaire or a new
 * `visit` one, marked with who entered them. Every read and write is audited in its transaction.
 */
import type { Kysely } from 'kysely';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { notFound, refuse, type Refusal } from '../../kernel/refusal.ts';
import { dayBounds, today } from '../../kernel/time/wall-clock.ts';
import { PAIN_MEASURES } from '../instruments/pain.ts';
import { clinicalPatient } from '../patient-access.ts';
import { diaryOf } from './diary-repository.ts';
import { raiseItem9 } from './questionnaire-alert.ts';
import { readAnswers, readPostedAnswers, scoreAnswers, type Answers } from './questionnaire-answers.ts';
import { askedInstruments, type AskedInstrument } from './questionnaire-instruments.ts';
import {
  complete,
  findQuestionnaire,
  insertVisit,
  questionnairesOfPatient,
  savePartial,
  type QuestionnaireRow,
} from './questionnaire-repository.ts';
import { isOpen } from './questionnaire-schedule.ts';
import { INSTRUMENT_IDS } from './questionnaire-settings.ts';

export const VISIT_INSTRUMENTS: AskedInstrument[] = askedInstruments(INSTRUMENT_IDS, PAIN_MEASURES);

async function zoneOf(db: Kysely<DB>, locationId: string): Promise<string> {
  return (
    (await db.selectFrom('locations').select('time_zone').where('id', '=', locationId).executeTakeFirst())?.time_zone ??
    'UTC'
  );
}

/** A patient's questionnaires, newest window first; for other areas' pages and reports. */
export function patientQuestionnaires(db: Kysely<DB>, patientId: string): Promise<QuestionnaireRow[]> {
  return questionnairesOfPatient(db, patientId);
}

/** The Questionnaires tab. */
export async function questionnairesTab(database: Database, actor: Actor, rawId: unknown) {
  const action = 'questionnaire.staff_list';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const db = database.db;
  const [questionnaires, diary, zone] = await Promise.all([
    questionnairesOfPatient(db, patient.id),
    diaryOf(db, patient.id, 90),
    zoneOf(db, patient.location_id),
  ]);
  await database.transact((trx) =>
    auditStaff(trx, database, actor, action, 'success', where, {
      questionnaires: questionnaires.length,
      diaryDays: diary.length,
    }),
  );
  return { patient, questionnaires, diary, zone };
}

/** Starts a `visit` questionnaire (the full set), open until the end of the day in the location's zone. */
export async function startVisitQuestionnaire(
  database: Database,
  actor: Actor,
  rawId: unknown,
): Promise<{ patientId: string; questionnaireId: string }> {
  const action = 'questionnaire.start_visit';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const zone = await zoneOf(database.db, patient.location_id);
  const id = timeOrderedId(actor.now);
  await database.transact(async (trx) => {
    await insertVisit(trx, {
      id,
      patientId: patient.id,
      locationId: patient.location_id,
      instruments: VISIT_INSTRUMENTS,
      opensAt: actor.now,
      closesAt: dayBounds(zone, today(actor.now, zone)).end,
      now: actor.now,
    });
    await auditStaff(trx, database, actor, action, 'success', where, { questionnaireId: id });
  });
  return { patientId: patient.id, questionnaireId: id };
}

export interface FillView {
  patient: Awaited<ReturnType<typeof clinicalPatient>>['patient'];
  q: QuestionnaireRow;
  asked: AskedInstrument[];
  answers: Answers;
  zone: string;
}

async function openForStaff(database: Database, actor: Actor, rawId: unknown, rawQid: unknown, action: string) {
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const qid = typeof rawQid === 'string' && /^[0-9a-f-]{36}$/.test(rawQid) ? rawQid : '';
  const q = qid ? await findQuestionnaire(database.db, qid) : undefined;
  // Another patient's questionnaire under this patient's address is as absent as a made-up one.
  if (!q || q.patient_id !== patient.id) throw notFound();
  const view: FillView = {
    patient,
    q,
    asked: JSON.parse(q.instruments) as AskedInstrument[],
    answers: readAnswers(q.answers),
    zone: await zoneOf(database.db, patient.location_id),
  };
  return { view, where };
}

/** The form to fill one open questionnaire (a closed or complete one is shown read-only). */
export async function questionnaireForStaff(database: Database, actor: Actor, rawId: unknown, rawQid: unknown) {
  const action = 'questionnaire.staff_view';
  const { view, where } = await openForStaff(database, actor, rawId, rawQid, action);
  await database.transact((trx) =>
    auditStaff(trx, database, actor, action, 'success', where, { questionnaireId: view.q.id }),
  );
  return view;
}

export type StaffAnswerResult =
  { ok: true; done: 'complete' | 'partial'; view: FillView } | { ok: false; refusal: Refusal; view: FillView };

/** Staff answers, saved for later or sent, marked staff-entered; refusals name each item and write nothing. */
export async function answerForPatient(
  database: Database,
  actor: Actor,
  rawId: unknown,
  rawQid: unknown,
  rawBody: unknown,
): Promise<StaffAnswerResult> {
  const action = 'questionnaire.staff_answer';
  const { view, where } = await openForStaff(database, actor, rawId, rawQid, action);
  const { q } = view;
  const body = (typeof rawBody === 'object' && rawBody !== null ? rawBody : {}) as Record<string, unknown>;
  const fail = async (reason: string, refusal: Refusal): Promise<StaffAnswerResult> => {
    await database.transact((trx) =>
      auditStaff(trx, database, actor, action, 'failure', where, { questionnaireId: q.id, reason }),
    );
    return { ok: false, refusal, view };
  };
  if (!isOpen(q, actor.now))
    return fail(
      'closed',
      refuse('conflict', 'This questionnaire is not open now; start a new one for this visit.', {
        questionnaire: 'This questionnaire is not open now; start a new one for this visit.',
      }),
    );
  if (typeof body.version !== 'string' || Number(body.version) !== q.version)
    return fail(
      'stale',
      refuse('conflict', 'These answers were changed since the page was opened; check them and save again.', {
        version: 'These answers were changed since the page was opened; check them and save again.',
      }),
    );
  const read = readPostedAnswers(view.asked, view.answers, body);
  if (!read.ok) return fail('invalid', refuse('invalid_request', 'Some answers are out of range.', read.errors));
  const score = scoreAnswers(view.asked, read.answers);
  const send = body.intent === 'send';
  const ok = await database.transact(async (trx) => {
    const json = JSON.stringify(read.answers);
    const written =
      send && score.report
        ? await complete(trx, q, json, score.report, actor.staff.userId, actor.now)
        : await savePartial(trx, q, json, actor.staff.userId, actor.now);
    if (!written) return false;
    await auditStaff(trx, database, actor, action, 'success', where, {
      questionnaireId: q.id,
      status: send && score.report ? 'complete' : 'partial',
      answered: score.answered,
    });
    await raiseItem9(trx, q, read.answers.phq9, actor.now, (a, detail) =>
      auditStaff(trx, database, actor, a, 'success', where, detail),
    );
    return true;
  });
  if (!ok)
    return fail(
      'stale',
      refuse('conflict', 'These answers were changed since the page was opened; check them and save again.', {
        version: 'These answers were changed since the page was opened; check them and save again.',
      }),
    );
  return { ok: true, done: send && score.report ? 'complete' : 'partial', view };
}
