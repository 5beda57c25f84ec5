/**
 * The reads behind a patient's clinical summary: each one small and indexed by patient, so the page stays fast with
 * years of questionnaires. Pure reads: the summary service audits them in its transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

/** The diagnoses still current (removed ones stay in the record's history, not here). */
export function currentDiagnoses(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('diagnoses')
    .select(['code', 'label', 'recorded_at'])
    .where('patient_id', '=', patientId)
    .where('removed_at', 'is', null)
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
}

/** The date of birth, when recorded (a referring physician matches the patient by it). */
export function dateOfBirth(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('clinical_profiles')
    .select('date_of_birth')
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
}

/** The newest plan that was ever in force (active, paused or completed): drafts and cancelled ones tell no story. */
export function latestSignedPlan(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('treatment_plans as tp')
    .select(['tp.id', 'tp.status', 'tp.definition', 'tp.signed_at', 'tp.location_id'])
    .where('tp.patient_id', '=', patientId)
    .where('tp.status', 'in', ['active', 'paused', 'completed'])
    .orderBy('tp.created_at', 'desc')
    .orderBy('tp.id', 'desc')
    .executeTakeFirst();
}

/** A plan's sessions in order, with whether each infusion was given (a session that started) and when. */
export function planProgress(db: Kysely<DB>, planId: string) {
  return db
    .selectFrom('plan_sessions as ps')
    .innerJoin('appointments as a', 'a.id', 'ps.appointment_id')
    .leftJoin('infusion_sessions as s', 's.appointment_id', 'a.id')
    .select(['ps.kind', 'ps.number', 'a.starts_at', 'a.status', 's.started_at', 's.state'])
    .where('ps.plan_id', '=', planId)
    .orderBy('a.starts_at')
    .execute();
}

/** The dose of the latest infusion that started: the order it was given by, and when. */
export function latestGivenDose(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('infusion_sessions as s')
    .innerJoin('dose_orders as o', 'o.id', 's.dose_order_id')
    .select(['o.mg_per_kg_h', 'o.session_total_mg', 'o.weight_kg', 'o.session_hours', 's.started_at'])
    .where('s.patient_id', '=', patientId)
    .where('s.started_at', 'is not', null)
    .orderBy('s.started_at', 'desc')
    .executeTakeFirst();
}

/** Safety alerts still waiting for an assessment. */
export function openAlertsOf(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('clinical_alerts')
    .select(['id', 'kind', 'source', 'level', 'raised_at'])
    .where('patient_id', '=', patientId)
    .where('resolved_at', 'is', null)
    .orderBy('raised_at', 'desc')
    .execute();
}

/** The next booked appointments at the given locations, soonest first. */
export function nextAppointments(
  db: Kysely<DB>,
  patientId: string,
  locationIds: readonly string[],
  now: number,
  limit: number,
) {
  if (locationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .select(['a.id', 'a.starts_at', 'a.ends_at', 't.name as type_name', 'l.name as location_name', 'l.time_zone'])
    .where('a.patient_id', '=', patientId)
    .where('a.status', '=', 'booked')
    .where('a.starts_at', '>', now)
    .where('a.location_id', 'in', locationIds)
    .orderBy('a.starts_at')
    .limit(limit)
    .execute();
}

/** Patients with a plan in force at these locations, with their plan's start: the clinician's list of who is in care. */
export function patientsInTreatment(db: Kysely<DB>, locationIds: readonly string[], limit: number) {
  if (locationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('treatment_plans as tp')
    .innerJoin('patients as p', 'p.id', 'tp.patient_id')
    .innerJoin('locations as l', 'l.id', 'tp.location_id')
    .select(['p.id', 'p.first_name', 'p.last_name', 'tp.status', 'tp.signed_at', 'l.name as location_name'])
    .where('tp.status', 'in', ['active', 'paused'])
    .where('tp.location_id', 'in', locationIds)
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .orderBy('p.id')
    .limit(limit)
    .execute();
}
