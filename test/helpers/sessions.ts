/**
 * Infusion-day fixtures written straight to the database: a patient whose infusion is booked with a VERIFIED dose
 * order (what the day starts from), and sessions moved on to a given state, so each part of the day can be tested
 * without walking every earlier part through HTTP (the browser test and the state tests walk them for real).
 */
import { randomUUID } from 'node:crypto';
import { activePlanFixture, clinicalPatientFixture, userId, weightFixture } from './clinical-orders.ts';
import type { TestRuntime } from './runtime.ts';

export interface OrderedVisit {
  patientId: string;
  appointmentId: string;
  orderId: string;
  startsAt: number;
  providerId: string;
  nurseId: string;
  /** The order's figures: 70 kg, 0.35 mg/kg/h = 24.5 mg/h; a 100 mg in 100 mL bag (1 mg/mL) at 24.5 mL/h, 4 h. */
  mgPerHour: number;
  mlPerHour: number;
  sessionTotalMg: number;
}

/**
 * A Chicago patient with an active plan, a weight and one infusion booked the day after the clock's (10:00–14:00
 * Chicago), whose dose order a provider wrote and the demo nurse verified (the plan on `protocol`; the order's figures
 * are the same whatever it is). Move the clock to `startsAt` to be "on
 * the day".
 */
export async function orderedVisit(rt: TestRuntime, first = 'Rosa', protocol = 'crps-10-day'): Promise<OrderedVisit> {
  const db = rt.database.db;
  const providerId = await userId(rt, 'provider@relief.example');
  const nurseId = await userId(rt, 'nurse@relief.example');
  const patientId = await clinicalPatientFixture(rt, { first_name: first });
  const weightId = await weightFixture(rt, patientId, nurseId, 70);
  const { plan, appointments } = await activePlanFixture(rt, patientId, providerId, protocol, 1);
  const appointmentId = appointments[0]!;
  const appt = await db
    .selectFrom('appointments')
    .select('starts_at')
    .where('id', '=', appointmentId)
    .executeTakeFirstOrThrow();
  const planRow = await db.selectFrom('treatment_plans').select('version').where('id', '=', plan).executeTakeFirst();
  const orderId = randomUUID();
  const now = rt.clock.now();
  const figures = { mgPerHour: 24.5, mlPerHour: 24.5, sessionTotalMg: 98 };
  await db
    .insertInto('dose_orders')
    .values({
      id: orderId,
      plan_id: plan,
      plan_version: Number((planRow as { version?: number } | undefined)?.version ?? 1),
      appointment_id: appointmentId,
      patient_id: patientId,
      weight_id: weightId,
      weight_kg: 70,
      bag_mg: 100,
      bag_ml: 100,
      session_hours: 4,
      mg_per_kg_h: 0.35,
      bolus_mg_per_kg: 0,
      pump_rate_ml_h: figures.mlPerHour,
      mg_per_hour: figures.mgPerHour,
      session_total_mg: figures.sessionTotalMg,
      calculation: '[]',
      ordered_by: providerId,
      ordered_at: now,
      status: 'ordered',
      verified_by: null,
      verified_at: null,
      voided_at: null,
      void_reason: null,
    })
    .execute();
  await db
    .insertInto('dose_checks')
    .values({
      id: randomUUID(),
      order_id: orderId,
      ordered_by: providerId,
      nurse_id: nurseId,
      entered: '{}',
      match: 1,
      checked_at: now,
    })
    .execute();
  await db
    .updateTable('dose_orders')
    .set({ status: 'verified', verified_by: nurseId, verified_at: now })
    .where('id', '=', orderId)
    .execute();
  return { patientId, appointmentId, orderId, startsAt: Number(appt.starts_at), providerId, nurseId, ...figures };
}

/** A session checked in for `visit` by the demo nurse at `at` (the clock's time by default): its id. */
export async function checkedInSession(rt: TestRuntime, visit: OrderedVisit, at = rt.clock.now()): Promise<string> {
  const id = randomUUID();
  await rt.database.db
    .insertInto('infusion_sessions')
    .values({
      id,
      appointment_id: visit.appointmentId,
      patient_id: visit.patientId,
      location_id: 'loc-chicago',
      state: 'checked_in',
      version: 1,
      dose_order_id: null,
      checked_in_at: at,
      checked_in_by: visit.nurseId,
      started_at: null,
      stopped_at: null,
      stop_reason: null,
      discharged_at: null,
      discharged_by: null,
      not_given_reason: null,
      updated_at: at,
      updated_by: visit.nurseId,
    })
    .execute();
  return id;
}

/**
 * A session infusing since `at`: checked in, ready, a 100 mg bag drawn by the nurse and witnessed by the provider,
 * the pump started at the order's rate. Its id.
 */
export async function infusingSession(rt: TestRuntime, visit: OrderedVisit, at = rt.clock.now()): Promise<string> {
  const db = rt.database.db;
  const id = await checkedInSession(rt, visit, at - 20 * 60_000);
  const move = (version: number, set: Record<string, unknown>) =>
    db
      .updateTable('infusion_sessions')
      .set({ ...set, version: version + 1, updated_at: at, updated_by: visit.nurseId })
      .where('id', '=', id)
      .execute();
  await move(1, { state: 'ready' });
  await db
    .insertInto('session_bags')
    .values({
      id: randomUUID(),
      session_id: id,
      location_id: 'loc-chicago',
      drug: 'ketamine',
      lot: 'LOT-TEST-1',
      expires_on: '2099-12-31',
      drug_mg: 100,
      volume_ml: 100,
      drawn_by: visit.nurseId,
      witnessed_by: visit.providerId,
      drawn_at: at - 5 * 60_000,
    })
    .execute();
  await move(2, { state: 'infusing', dose_order_id: visit.orderId, started_at: at });
  await db
    .insertInto('session_events')
    .values({
      id: randomUUID(),
      session_id: id,
      kind: 'start',
      at,
      mg_per_hour: visit.mgPerHour,
      ml_per_hour: visit.mlPerHour,
      reason: null,
      recorded_by: visit.nurseId,
      recorded_at: at,
    })
    .execute();
  return id;
}

/** The infusion of `infusingSession` stopped at `stoppedAt` ("Infusion complete"): recovering, version 4. */
export async function stopInfusion(rt: TestRuntime, visit: OrderedVisit, id: string, stoppedAt: number): Promise<void> {
  const db = rt.database.db;
  await db
    .insertInto('session_events')
    .values({
      id: randomUUID(),
      session_id: id,
      kind: 'stop',
      at: stoppedAt,
      mg_per_hour: null,
      ml_per_hour: null,
      reason: 'Infusion complete',
      recorded_by: visit.nurseId,
      recorded_at: stoppedAt,
    })
    .execute();
  await db
    .updateTable('infusion_sessions')
    .set({
      state: 'recovering',
      version: 4,
      stopped_at: stoppedAt,
      stop_reason: 'Infusion complete',
      updated_at: stoppedAt,
      updated_by: visit.nurseId,
    })
    .where('id', '=', id)
    .execute();
}
