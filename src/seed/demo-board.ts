import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/database.ts';
import { isOverlapViolation } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { insertAppointment } from '../scheduling/repository.ts';
import { withBuffers } from '../scheduling/slots.ts';
import { makeDemoPatientsReady } from './demo-clinical.ts';
import { currentDocuments, ensureConsentDefaults, insertSignature } from '../clinical/intake/repository.ts';
import { insertPlanSessions } from '../clinical/protocols/plan-repository.ts';
import { calculateDose } from '../clinical/dosing/dose.ts';
import { DEFAULT_DOSING_SETTINGS, protocolSchema } from '../clinical/protocols/protocol.ts';
import type { SessionState } from '../clinical/sessions/state.ts';
import { infusedMg } from '../clinical/sessions/total.ts';
import { insertRecord } from '../clinical/sessions/record-repository.ts';
import { buildRecordSummary } from '../clinical/sessions/record-summary.ts';
import { findSession } from '../clinical/sessions/repository.ts';
import { ALDRETE_VERSION } from '../clinical/instruments/aldrete.ts';

const MINUTE = 60_000;
const LOCATION = 'loc-chicago';
const CHAIRS = [1, 2, 3, 4, 5, 6].map((n) => `chair-chi-${n}`);
const NURSES = ['nurse-nia', 'nurse-marcus'];
const SUPERVISOR = 'prov-okafor';

type Stage = 'booked' | Extract<SessionState, 'checked_in' | 'infusing' | 'recovering' | 'discharged'>;

/**
 * The demo day's chairs, each visit placed relative to the seed's `now` (minutes from the visit's start to now), so
 * the board is a working day at whatever hour the demo is seeded: one visit discharged, one recovering, one infusing
 * with its readings so far, one checked in and one still to come.
 */
const PLAN: ReadonlyArray<{ stage: Stage; sinceStart: number; kg: number; first: string; last: string }> = [
  { stage: 'discharged', sinceStart: 5 * 60 + 30, kg: 68, first: 'Hana', last: 'Sato' },
  { stage: 'recovering', sinceStart: 4 * 60 + 30, kg: 81, first: 'Owen', last: 'Price' },
  { stage: 'infusing', sinceStart: 75, kg: 74, first: 'Marta', last: 'Silva' },
  { stage: 'checked_in', sinceStart: 10, kg: 63, first: 'Tomas', last: 'Novak' },
  { stage: 'booked', sinceStart: -60, kg: 77, first: 'Grace', last: 'Adeyemi' },
];

interface Staff {
  nurse: string;
  provider: string;
}

/**
 * Today's nurse board at Chicago (issue 12's acceptance): five infusions of demo patients in treatment, in the states
 * a newcomer signed in as the demo nurse should see. Each is written as the day's rules would have it: a weight, a
 * dose order from the plan's protocol by the calculator, written by the demo provider and verified by the demo nurse;
 * a bag drawn by the nurse and witnessed by the provider; a supervising provider and a nurse lane on the visit; each
 * move of the session one version on, along the state machine's edges. Visits are placed in a free chair and lane;
 * one that finds none is left out (the database's overlap rules decide). Returns the number of visits written;
 * nothing without the demo provider and nurse accounts or patients ready for infusions.
 */
export async function seedDemoBoard(database: Database, now: number): Promise<number> {
  const db = database.db;
  const users = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'in', ['provider@relief.example', 'nurse@relief.example'])
    .execute();
  const staff = {
    nurse: users.find((u) => u.email === 'nurse@relief.example')?.id,
    provider: users.find((u) => u.email === 'provider@relief.example')?.id,
  };
  const type = await db
    .selectFrom('appointment_types')
    .select(['id', 'duration_min', 'buffer_before_min', 'buffer_after_min'])
    .where('kind', '=', 'infusion')
    .where('retired_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  const location = await db.selectFrom('locations').select('time_zone').where('id', '=', LOCATION).executeTakeFirst();
  if (!staff.nurse || !staff.provider || !type || !location) return 0;
  if (!(await boardPatients(database, now))) return 0;
  const patients = await readyPatients(db);
  let written = 0;
  const chairs = new Set<string>();
  for (const step of PLAN) {
    const patient = patients.get(step.first);
    if (!patient) continue;
    const startsAt = Math.floor((now - step.sinceStart * MINUTE) / (5 * MINUTE)) * 5 * MINUTE;
    const visit = await placeVisit(database, patient.id, type, startsAt, now, chairs);
    if (!visit) continue;
    await database.transact((trx) =>
      daySoFar(trx, { nurse: staff.nurse!, provider: staff.provider! }, patient, visit, step, now),
    );
    written++;
  }
  return written;
}

interface ReadyPatient {
  id: string;
  planId: string;
  planVersion: number;
  definition: string;
}

const emailOf = (step: (typeof PLAN)[number]) =>
  `${step.first.toLowerCase()}.${step.last.toLowerCase()}.board@example.com`;

/**
 * The day's patients, of their own (the calendar's demo patients already have their visits today), screened and
 * planned as makeDemoPatientsReady does for the calendar's. False when they exist already or no one can plan them.
 */
async function boardPatients(database: Database, now: number): Promise<boolean> {
  const emails = PLAN.map(emailOf);
  const existing = await database.db.selectFrom('patients').select('id').where('email', 'in', emails).execute();
  if (existing.length > 0) return false;
  const rows = PLAN.map((step, i) => ({
    id: timeOrderedId(now),
    first_name: step.first,
    last_name: step.last,
    email: emailOf(step),
    phone: `+1312555${String(2960 + i)}`,
    contact_method: 'email',
    location_id: LOCATION,
    created_at: now - 30 * 24 * 60 * MINUTE,
    updated_at: now - 30 * 24 * 60 * MINUTE,
  }));
  // Consent signed when they started treatment: without it the checked-in patient could not be started.
  const signedAt = now - 28 * 24 * 60 * MINUTE;
  await database.transact(async (trx) => {
    await trx.insertInto('patients').values(rows).execute();
    await ensureConsentDefaults(trx, signedAt);
    const documents = await currentDocuments(trx);
    for (const r of rows)
      for (const document of documents)
        await insertSignature(trx, {
          patientId: r.id,
          document,
          typedName: `${r.first_name} ${r.last_name}`,
          ip: '127.0.0.1',
          now: signedAt,
        });
  });
  return makeDemoPatientsReady(
    database,
    rows.map((r) => ({ id: r.id, locationId: LOCATION })),
    now,
  );
}

/** The day's patients by first name, each with their active plan. */
async function readyPatients(db: Kysely<DB>): Promise<Map<string, ReadyPatient>> {
  const rows = await db
    .selectFrom('patients as p')
    .innerJoin('treatment_plans as tp', 'tp.patient_id', 'p.id')
    .select(['p.id as patient_id', 'p.first_name', 'tp.id', 'tp.version', 'tp.definition'])
    .where('p.email', 'in', PLAN.map(emailOf))
    .where('tp.status', '=', 'active')
    .execute();
  return new Map(
    rows.map((r) => [
      r.first_name,
      { id: r.patient_id, planId: r.id, planVersion: Number(r.version), definition: r.definition },
    ]),
  );
}

/**
 * The visit in the first chair, nurse lane and supervision lane free for its whole time (within each nurse's and the
 * provider's set-up numbers); undefined when none is free, or when the database's overlap rules refuse it anyway.
 */
async function placeVisit(
  database: Database,
  patientId: string,
  type: { id: string; duration_min: number; buffer_before_min: number; buffer_after_min: number },
  startsAt: number,
  now: number,
  taken: Set<string>,
): Promise<{ id: string; startsAt: number; endsAt: number } | undefined> {
  const db = database.db;
  const endsAt = startsAt + type.duration_min * MINUTE;
  const span = withBuffers({ start: startsAt, end: endsAt }, type.buffer_before_min, type.buffer_after_min);
  const busy = await db
    .selectFrom('appointments')
    .select(['room_id', 'nurse_id', 'nurse_lane', 'supervisor_id', 'supervisor_lane'])
    .where('location_id', '=', LOCATION)
    .where('status', '=', 'booked')
    .where('busy_from', '<', span.end)
    .where('busy_to', '>', span.start)
    .execute();
  const clinicians = await db
    .selectFrom('clinicians')
    .select(['id', 'watches_at_once', 'supervises_at_once'])
    .where('id', 'in', [...NURSES, SUPERVISOR])
    .execute();
  const lanes = (n: number | undefined) => Array.from({ length: n ?? 1 }, (_, i) => i + 1);
  // A chair of its own where one is free, so each state has its own card on the board.
  const free = CHAIRS.filter((c) => !busy.some((b) => b.room_id === c));
  const chair = free.find((c) => !taken.has(c)) ?? free[0];
  const nurse = NURSES.flatMap((id) =>
    lanes(clinicians.find((c) => c.id === id)?.watches_at_once).map((lane) => ({ id, lane })),
  ).find((n) => !busy.some((b) => b.nurse_id === n.id && b.nurse_lane === n.lane));
  const supervision = lanes(clinicians.find((c) => c.id === SUPERVISOR)?.supervises_at_once).find(
    (lane) => !busy.some((b) => b.supervisor_id === SUPERVISOR && (b.supervisor_lane ?? 1) === lane),
  );
  if (!chair || !nurse || supervision === undefined) return undefined;
  const id = timeOrderedId(now);
  const created = now - 7 * 24 * 60 * MINUTE;
  try {
    await database.transact((trx) =>
      insertAppointment(trx, {
        id,
        location_id: LOCATION,
        type_id: type.id,
        request_id: null,
        provider_id: null,
        nurse_id: nurse.id,
        nurse_lane: nurse.lane,
        room_id: chair,
        supervisor_id: SUPERVISOR,
        supervisor_lane: supervision,
        starts_at: startsAt,
        ends_at: endsAt,
        busy_from: span.start,
        busy_to: span.end,
        status: 'booked',
        created_at: created,
        updated_at: created,
        patient_id: patientId,
        ...(startsAt <= now ? { attendance: 'arrived' as const } : {}),
      }),
    );
  } catch (err) {
    if (isOverlapViolation(err)) return undefined;
    throw err;
  }
  taken.add(chair);
  return { id, startsAt, endsAt };
}

/** The session as far as its stage, each row as the day's commands would have written it. */
async function daySoFar(
  trx: Kysely<DB>,
  staff: Staff,
  patient: ReadyPatient,
  visit: { id: string; startsAt: number },
  step: (typeof PLAN)[number],
  now: number,
): Promise<void> {
  const protocol = protocolSchema.parse(JSON.parse(patient.definition));
  // The visit is the plan's first session, as booking from the plan makes it: the day's rules (start limits,
  // discharge gate) are read from the plan behind the appointment.
  await insertPlanSessions(trx, [{ appointment_id: visit.id, plan_id: patient.planId, kind: 'induction', number: 1 }]);
  const weighedAt = now - 3 * 24 * 60 * MINUTE;
  const weightId = timeOrderedId(weighedAt);
  await trx
    .insertInto('weights')
    .values({
      id: weightId,
      patient_id: patient.id,
      kg: step.kg,
      entered_value: step.kg,
      entered_unit: 'kg',
      measured_at: weighedAt,
      measured_by: staff.nurse,
      created_at: weighedAt,
    })
    .execute();
  const { sources: _sources, ...settings } = DEFAULT_DOSING_SETTINGS;
  const sessionHours = protocol.induction.hoursPerSession;
  const bag = { drugMg: protocol.bag.drugMg, volumeMl: protocol.bag.volumeMl };
  const result = calculateDose({
    rule: protocol.dosing,
    settings,
    weight: { value: step.kg, unit: 'kg', measuredAt: weighedAt },
    bag,
    sessionHours,
    now: weighedAt,
  });
  if (!result.ok) throw new Error(`demo board: the calculator refused a ${step.kg} kg order`);
  const dose = result.dose;
  const orderId = timeOrderedId(weighedAt);
  await trx
    .insertInto('dose_orders')
    .values({
      id: orderId,
      plan_id: patient.planId,
      plan_version: patient.planVersion,
      appointment_id: visit.id,
      patient_id: patient.id,
      weight_id: weightId,
      weight_kg: dose.weightKg,
      bag_mg: bag.drugMg,
      bag_ml: bag.volumeMl,
      session_hours: sessionHours,
      mg_per_kg_h: dose.ordered.mgPerKgPerHour,
      bolus_mg_per_kg: 0,
      pump_rate_ml_h: dose.ordered.pumpRateMlPerHour,
      mg_per_hour: dose.ordered.mgPerHour,
      session_total_mg: dose.sessionTotalMg,
      calculation: JSON.stringify({ rule: protocol.dosing, weight: { value: step.kg, unit: 'kg' }, dose }),
      ordered_by: staff.provider,
      ordered_at: weighedAt,
      status: 'ordered',
      verified_by: null,
      verified_at: null,
      voided_at: null,
      void_reason: null,
    })
    .execute();
  const verifiedAt = weighedAt + 60 * MINUTE;
  await trx
    .insertInto('dose_checks')
    .values({
      id: timeOrderedId(verifiedAt),
      order_id: orderId,
      ordered_by: staff.provider,
      nurse_id: staff.nurse,
      entered: JSON.stringify({ weightKg: step.kg, bagMg: bag.drugMg, bagMl: bag.volumeMl }),
      match: 1,
      checked_at: verifiedAt,
    })
    .execute();
  await trx
    .updateTable('dose_orders')
    .set({ status: 'verified', verified_by: staff.nurse, verified_at: verifiedAt })
    .where('id', '=', orderId)
    .execute();
  if (step.stage === 'booked') return;

  const checkedInAt = visit.startsAt - 10 * MINUTE;
  const sessionId = timeOrderedId(checkedInAt);
  let version = 1;
  await trx
    .insertInto('infusion_sessions')
    .values({
      id: sessionId,
      appointment_id: visit.id,
      patient_id: patient.id,
      location_id: LOCATION,
      state: 'checked_in',
      version,
      dose_order_id: null,
      checked_in_at: checkedInAt,
      checked_in_by: staff.nurse,
      started_at: null,
      stopped_at: null,
      stop_reason: null,
      discharged_at: null,
      discharged_by: null,
      not_given_reason: null,
      updated_at: checkedInAt,
      updated_by: staff.nurse,
    })
    .execute();
  const move = async (at: number, by: string, set: Record<string, unknown>) => {
    await trx
      .updateTable('infusion_sessions')
      .set({ ...set, version: version + 1, updated_at: at, updated_by: by })
      .where('id', '=', sessionId)
      .execute();
    version++;
  };
  const vitals = async (phase: 'pre' | 'infusion' | 'recovery', takenAt: number, n: number) => {
    await trx
      .insertInto('session_vitals')
      .values({
        id: timeOrderedId(takenAt),
        session_id: sessionId,
        phase,
        taken_at: takenAt,
        recorded_at: takenAt,
        recorded_by: staff.nurse,
        late_reason: null,
        entry_key: `demo-${sessionId}-${n}`,
        // Readings that drift a little, as real ones do, and stay inside every shipped threshold.
        systolic: 124 + ((n * 7) % 13),
        diastolic: 78 + ((n * 5) % 9),
        heart_rate: 72 + ((n * 3) % 11),
        spo2: 97 + (n % 3),
        respiratory_rate: 14 + (n % 3),
        temperature_c: phase === 'pre' ? 36.7 : null,
        sedation: phase === 'pre' ? 0 : -1 + (n % 2),
        dissociation: phase === 'pre' ? 0 : n % 2,
      })
      .execute();
  };
  await vitals('pre', checkedInAt + 5 * MINUTE, 0);
  if (step.stage === 'checked_in') return;

  const startedAt = visit.startsAt + 5 * MINUTE;
  const minutesRun = Math.min(sessionHours * 60, Math.floor((now - startedAt) / MINUTE));
  const stoppedAt = step.stage === 'infusing' ? null : startedAt + sessionHours * 60 * MINUTE;
  await move(startedAt - 5 * MINUTE, staff.nurse, { state: 'ready' });
  await trx
    .insertInto('session_bags')
    .values({
      id: timeOrderedId(startedAt),
      session_id: sessionId,
      location_id: LOCATION,
      drug: 'ketamine',
      lot: 'DEMO-KET-2611',
      expires_on: '2027-11-30',
      drug_mg: bag.drugMg,
      volume_ml: bag.volumeMl,
      drawn_by: staff.nurse,
      witnessed_by: staff.provider,
      drawn_at: startedAt - 3 * MINUTE,
    })
    .execute();
  await move(startedAt, staff.nurse, { state: 'infusing', dose_order_id: orderId, started_at: startedAt });
  await trx
    .insertInto('session_events')
    .values({
      id: timeOrderedId(startedAt),
      session_id: sessionId,
      kind: 'start',
      at: startedAt,
      mg_per_hour: dose.ordered.mgPerHour,
      ml_per_hour: dose.ordered.pumpRateMlPerHour,
      reason: null,
      recorded_by: staff.nurse,
      recorded_at: startedAt,
    })
    .execute();
  // Readings on the protocol's schedule up to now (or the stop): every N minutes in the first hour, then every M.
  const { firstHourEveryMinutes: first, thenEveryMinutes: then } = protocol.monitoring;
  const end = stoppedAt === null ? minutesRun : sessionHours * 60;
  for (let m = first, n = 1; m <= end; m += m < 60 ? first : then, n++) {
    await vitals('infusion', startedAt + m * MINUTE, n);
  }
  if (stoppedAt === null) return;

  await trx
    .insertInto('session_events')
    .values({
      id: timeOrderedId(stoppedAt),
      session_id: sessionId,
      kind: 'stop',
      at: stoppedAt,
      mg_per_hour: null,
      ml_per_hour: null,
      reason: 'Infusion complete',
      recorded_by: staff.nurse,
      recorded_at: stoppedAt,
    })
    .execute();
  await move(stoppedAt, staff.nurse, { state: 'recovering', stopped_at: stoppedAt, stop_reason: 'Infusion complete' });
  await vitals('recovery', Math.min(now, stoppedAt + 15 * MINUTE), 90);
  if (step.stage === 'recovering') return;

  const fitAt = stoppedAt + protocol.discharge.minObservationMinutes * MINUTE;
  await vitals('recovery', fitAt - 5 * MINUTE, 91);
  // What was left in the bag is wasted with the provider as witness, so the drug balances before discharge.
  const given = infusedMg(
    [
      { kind: 'start', at: startedAt, mgPerHour: dose.ordered.mgPerHour },
      { kind: 'stop', at: stoppedAt, reason: 'Infusion complete' },
    ],
    stoppedAt,
    Math.min(bag.drugMg, dose.sessionTotalMg),
  ).mg;
  const bagRow = await trx
    .selectFrom('session_bags')
    .select('id')
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('session_waste')
    .values({
      id: timeOrderedId(stoppedAt + 5 * MINUTE),
      session_id: sessionId,
      bag_id: bagRow.id,
      mg: Math.round((bag.drugMg - given) * 100) / 100,
      wasted_by: staff.nurse,
      witnessed_by: staff.provider,
      at: stoppedAt + 5 * MINUTE,
    })
    .execute();
  await trx
    .insertInto('session_assessments')
    .values({
      id: timeOrderedId(fitAt),
      session_id: sessionId,
      aldrete_items: JSON.stringify({
        activity: 2,
        respiration: 2,
        circulation: 2,
        consciousness: 2,
        oxygenSaturation: 2,
      }),
      aldrete_score: 10,
      aldrete_at_least: protocol.discharge.aldreteAtLeast,
      aldrete_version: ALDRETE_VERSION,
      escort_name: 'A family member',
      escort_confirmed: 1,
      passed: 1,
      missing: '[]',
      assessed_by: staff.nurse,
      assessed_at: fitAt,
    })
    .execute();
  await move(fitAt, staff.nurse, { state: 'ready_for_discharge' });
  const dischargedAt = fitAt + 10 * MINUTE;
  await move(dischargedAt, staff.nurse, {
    state: 'discharged',
    discharged_at: dischargedAt,
    discharged_by: staff.nurse,
  });
  // The record written at discharge, left for the demo provider to co-sign (and then add to only by addenda).
  const session = await findSession(trx, sessionId);
  if (!session) return;
  await insertRecord(trx, {
    id: timeOrderedId(dischargedAt),
    session_id: sessionId,
    summary: JSON.stringify(await buildRecordSummary(trx, session)),
    written_at: dischargedAt,
    written_by: staff.nurse,
    cosigned_by: null,
    cosigned_at: null,
  });
}
