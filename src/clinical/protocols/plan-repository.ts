import type { Kysely, Selectable } from 'kysely';
import type { DB, PlanSessionTable, PlanStatus, TreatmentPlanTable } from '../../kernel/db/schema.ts';

export type PlanRow = Selectable<TreatmentPlanTable>;
export type PlanSessionRow = Selectable<PlanSessionTable>;

/** A plan still in force or being prepared: a patient has at most one at a time. */
export const OPEN_STATUSES: readonly PlanStatus[] = ['draft', 'active', 'paused'];

export function findPlan(db: Kysely<DB>, id: string): Promise<PlanRow | undefined> {
  return db.selectFrom('treatment_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The patient's plans, newest first (on the patient index). */
export function plansOfPatient(db: Kysely<DB>, patientId: string): Promise<PlanRow[]> {
  return db
    .selectFrom('treatment_plans')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function openPlan(db: Kysely<DB>, patientId: string): Promise<PlanRow | undefined> {
  return db
    .selectFrom('treatment_plans')
    .selectAll()
    .where('patient_id', '=', patientId)
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function insertPlan(trx: Kysely<DB>, row: PlanRow): Promise<void> {
  await trx.insertInto('treatment_plans').values(row).execute();
}

/**
 * Moves a plan to a new status if it is still at the version read (and bumps it); false when someone changed it
 * meanwhile. Signing also writes who signed and when (allowed once: the database keeps a signed plan's figures).
 */
export async function updatePlanStatus(
  trx: Kysely<DB>,
  plan: Pick<PlanRow, 'id' | 'version' | 'status'>,
  change: { status: PlanStatus; reason: string | null; now: number; signedBy?: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('treatment_plans')
    .set({
      status: change.status,
      status_reason: change.reason,
      version: plan.version + 1,
      updated_at: change.now,
      ...(change.signedBy ? { signed_by: change.signedBy, signed_at: change.now } : {}),
    })
    .where('id', '=', plan.id)
    .where('version', '=', plan.version)
    .where('status', '=', plan.status)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The patient's newest signed, eligible screening that has not expired. The screening area owns the table; this is
 * the plan's read of it (the lead may route it through screening's service once that exists).
 */
export function eligibleScreening(db: Kysely<DB>, patientId: string, now: number) {
  return db
    .selectFrom('screenings')
    .select(['id', 'location_id', 'expires_at', 'signed_at'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'signed')
    .where('outcome', '=', 'eligible')
    .where('expires_at', '>', now)
    .orderBy('signed_at', 'desc')
    .executeTakeFirst();
}

/** A plan's sessions with their appointments, in order (inductions, then boosters). */
export function sessionsOfPlan(db: Kysely<DB>, planId: string) {
  return db
    .selectFrom('plan_sessions')
    .innerJoin('appointments', 'appointments.id', 'plan_sessions.appointment_id')
    .select([
      'plan_sessions.appointment_id',
      'plan_sessions.kind',
      'plan_sessions.number',
      'appointments.starts_at',
      'appointments.ends_at',
      'appointments.status',
      'appointments.location_id',
      'appointments.room_id',
      'appointments.nurse_id',
    ])
    .where('plan_sessions.plan_id', '=', planId)
    .orderBy('plan_sessions.kind', 'desc')
    .orderBy('plan_sessions.number')
    .orderBy('appointments.created_at')
    .execute();
}
export type PlanSessionView = Awaited<ReturnType<typeof sessionsOfPlan>>[number];

export async function insertPlanSessions(trx: Kysely<DB>, rows: PlanSessionRow[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('plan_sessions').values(rows).execute();
}

/** The plan behind an appointment of a series, if any. */
export function planOfAppointment(db: Kysely<DB>, appointmentId: string) {
  return db
    .selectFrom('plan_sessions')
    .innerJoin('treatment_plans', 'treatment_plans.id', 'plan_sessions.plan_id')
    .selectAll('treatment_plans')
    .select(['plan_sessions.kind as session_kind', 'plan_sessions.number as session_number'])
    .where('plan_sessions.appointment_id', '=', appointmentId)
    .executeTakeFirst();
}
