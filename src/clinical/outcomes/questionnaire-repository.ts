/**
 * The only writer of `questionnaires`. Every change of status is a conditional update on the status it leaves, so
 * two servers running the same schedule never both send, remind or mark one questionnaire; answers are saved on
 * the version read, so two windows never overwrite each other unseen.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, PlanStatus, QuestionnaireTable } from '../../kernel/db/schema.ts';
import type { QuestionnaireReport } from './questionnaire-answers.ts';
import type { AskedInstrument } from './questionnaire-instruments.ts';
import type { OwedQuestionnaire, ScheduleSession } from './questionnaire-schedule.ts';

export type QuestionnaireRow = Selectable<QuestionnaireTable>;

import { OPEN_STATUSES } from './questionnaire-schedule.ts';

export { OPEN_STATUSES };

export interface PlanToSchedule {
  id: string;
  patient_id: string;
  location_id: string;
  protocol_id: string;
  protocol_code: string;
  status: PlanStatus;
  time_zone: string;
}

/** Plans still followed, and plans with a questionnaire still open (stopped since: theirs are cancelled). */
export function plansToSchedule(db: Kysely<DB>, followed: readonly PlanStatus[]): Promise<PlanToSchedule[]> {
  return db
    .selectFrom('treatment_plans as p')
    .innerJoin('protocols as r', 'r.id', 'p.protocol_id')
    .innerJoin('locations as l', 'l.id', 'p.location_id')
    .select([
      'p.id',
      'p.patient_id',
      'p.location_id',
      'p.protocol_id',
      'r.code as protocol_code',
      'p.status',
      'l.time_zone',
    ])
    .where((eb) =>
      eb.or([
        eb('p.status', 'in', [...followed]),
        eb(
          'p.id',
          'in',
          eb
            .selectFrom('questionnaires')
            .select('plan_id')
            .where('status', 'in', [...OPEN_STATUSES])
            .where('plan_id', 'is not', null)
            .$narrowType<{ plan_id: string }>(),
        ),
      ]),
    )
    .execute();
}

export async function sessionsOfPlan(db: Kysely<DB>, planId: string): Promise<ScheduleSession[]> {
  const rows = await db
    .selectFrom('plan_sessions as s')
    .innerJoin('appointments as a', 'a.id', 's.appointment_id')
    .select(['s.appointment_id', 's.kind', 'a.starts_at', 'a.ends_at', 'a.status'])
    .where('s.plan_id', '=', planId)
    .execute();
  return rows.map((r) => ({
    appointmentId: r.appointment_id,
    kind: r.kind,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    cancelled: r.status === 'cancelled',
  }));
}

export async function questionnairesOfPlan(db: Kysely<DB>, planId: string): Promise<QuestionnaireRow[]> {
  return db.selectFrom('questionnaires').selectAll().where('plan_id', '=', planId).execute();
}

/** Inserts what is owed unless its schedule key exists: true when this call wrote it. */
export async function insertOwed(
  trx: Kysely<DB>,
  row: {
    id: string;
    plan: PlanToSchedule;
    owed: OwedQuestionnaire;
    now: number;
  },
): Promise<boolean> {
  const { plan, owed, now } = row;
  const result = await trx
    .insertInto('questionnaires')
    .values({
      id: row.id,
      patient_id: plan.patient_id,
      location_id: plan.location_id,
      plan_id: plan.id,
      protocol_id: plan.protocol_id,
      appointment_id: owed.appointmentId,
      schedule_key: owed.scheduleKey,
      timepoint: owed.timepoint,
      instruments: JSON.stringify(owed.instruments),
      opens_at: owed.opensAt,
      closes_at: owed.closesAt,
      status: 'scheduled',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('schedule_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** A questionnaire entered by staff at a visit, outside the schedule. */
export async function insertVisit(
  trx: Kysely<DB>,
  row: {
    id: string;
    patientId: string;
    locationId: string;
    instruments: AskedInstrument[];
    opensAt: number;
    closesAt: number;
    now: number;
  },
): Promise<void> {
  await trx
    .insertInto('questionnaires')
    .values({
      id: row.id,
      patient_id: row.patientId,
      location_id: row.locationId,
      plan_id: null,
      protocol_id: null,
      appointment_id: null,
      schedule_key: `visit:${row.id}`,
      timepoint: 'visit',
      instruments: JSON.stringify(row.instruments),
      opens_at: row.opensAt,
      closes_at: row.closesAt,
      status: 'scheduled',
      created_at: row.now,
      updated_at: row.now,
    })
    .execute();
}

/** A window moved with its anchor (a session rebooked), while nothing has been sent yet. */
export async function moveWindow(trx: Kysely<DB>, id: string, opensAt: number, closesAt: number, now: number) {
  const r = await trx
    .updateTable('questionnaires')
    .set({ opens_at: opensAt, closes_at: closesAt, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Moves one questionnaire from one of `from` to `to`: false when another run (or the patient) moved it first. */
export async function moveStatus(
  trx: Kysely<DB>,
  id: string,
  from: readonly QuestionnaireRow['status'][],
  to: 'sent' | 'missed' | 'cancelled',
  now: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('questionnaires')
    .set({ status: to, updated_at: now, ...(to === 'sent' ? { sent_at: now } : {}) })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function markReminded(trx: Kysely<DB>, id: string, now: number): Promise<boolean> {
  const r = await trx
    .updateTable('questionnaires')
    .set({ reminded_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['sent', 'partial'])
    .where('reminded_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Scheduled and opened, still open: to send. Entered-by-staff ones are never mailed. */
export function dueToSend(db: Kysely<DB>, now: number) {
  return db
    .selectFrom('questionnaires')
    .select(['id', 'patient_id', 'location_id'])
    .where('status', '=', 'scheduled')
    .where('opens_at', '<=', now)
    .where('closes_at', '>', now)
    .where('timepoint', '!=', 'visit')
    .execute();
}

export function dueReminders(db: Kysely<DB>, now: number, afterMs: number) {
  return db
    .selectFrom('questionnaires')
    .select(['id', 'patient_id', 'location_id'])
    .where('status', 'in', ['sent', 'partial'])
    .where('reminded_at', 'is', null)
    .where('sent_at', '<=', now - afterMs)
    .where('closes_at', '>', now)
    .execute();
}

export function dueMissed(db: Kysely<DB>, now: number) {
  return db
    .selectFrom('questionnaires')
    .select(['id', 'patient_id', 'location_id', 'timepoint'])
    .where('status', 'in', [...OPEN_STATUSES])
    .where('closes_at', '<=', now)
    .execute();
}

export function findQuestionnaire(db: Kysely<DB>, id: string): Promise<QuestionnaireRow | undefined> {
  return db.selectFrom('questionnaires').selectAll().where('id', '=', id).executeTakeFirst();
}

export function questionnairesOfPatient(db: Kysely<DB>, patientId: string): Promise<QuestionnaireRow[]> {
  return db
    .selectFrom('questionnaires')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('opens_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Keeps partial answers, on the version read and while open: false when it moved on. */
export async function savePartial(
  trx: Kysely<DB>,
  q: Pick<QuestionnaireRow, 'id' | 'version'>,
  answers: string,
  enteredBy: string | null,
  now: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('questionnaires')
    .set({
      answers,
      status: 'partial',
      // A patient continuing what staff started leaves it marked staff-entered.
      ...(enteredBy ? { entered_by: enteredBy } : {}),
      version: q.version + 1,
      updated_at: now,
    })
    .where('id', '=', q.id)
    .where('version', '=', q.version)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('closes_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Completes it with its report columns in the same statement. */
export async function complete(
  trx: Kysely<DB>,
  q: Pick<QuestionnaireRow, 'id' | 'version'>,
  answers: string,
  report: QuestionnaireReport,
  enteredBy: string | null,
  now: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('questionnaires')
    .set({
      ...report,
      answers,
      status: 'complete',
      completed_at: now,
      ...(enteredBy ? { entered_by: enteredBy } : {}),
      version: q.version + 1,
      updated_at: now,
    })
    .where('id', '=', q.id)
    .where('version', '=', q.version)
    .where('status', 'in', [...OPEN_STATUSES])
    .where('closes_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function patientFirstName(db: Kysely<DB>, patientId: string) {
  return db.selectFrom('patients').select(['first_name', 'email']).where('id', '=', patientId).executeTakeFirst();
}
