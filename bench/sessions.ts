/**
 * The infusion day's figures (issue 12): the nurse board of a location with 12 chairs in use, rendered through
 * app.inject as a signed-in provider; a vitals entry's round trip through its route (validation, the reading, the
 * alert engine, the audit event); a change reaching another open board over its server-sent event stream, on a real
 * socket; and the session chart of 40 readings rendered to SVG.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../src/kernel/db/database.ts';
import { insertUser } from '../src/staff/users.ts';
import { SessionChart } from '../src/clinical/sessions/alerts-chart.tsx';
import { makeDemoPatientsReady } from '../src/seed/demo-clinical.ts';
import { providerCookie } from './clinical.ts';
import { collectGarbage, latencyOf, sample, type Latency } from './stats.ts';

const LOCATION = 'loc-chicago';
const CHAIRS = 12;
/** A provider of the bench's own supervises its chairs (one lane each), clear of the demo seed's visits. */
const SUPERVISOR = 'bench-supervisor';
const MINUTE = 60_000;

export interface SessionsResult {
  cards: number;
  bytes: number;
  board: Latency;
  vitals: Latency;
  /** Milliseconds from a change's commit to the event on another open board, each run. */
  sse: number[];
  /** The session chart with 40 readings, rendered. */
  chart: Latency;
}

/**
 * 12 chairs of their own at Chicago, each with a patient infusing since an hour ago on a verified order and a
 * witnessed bag, 8 readings and an open alert: the board at its busiest.
 */
async function seedChairs(database: Database, providerId: string, now: number) {
  const db = database.db;
  await db
    .insertInto('clinicians')
    .values({
      id: SUPERVISOR,
      name: 'Bench Supervisor',
      credentials: 'MD',
      active: 1,
      kind: 'provider',
      supervises_at_once: 12,
    })
    .execute();
  const nurseId = await insertUser(
    db,
    {
      email: `bench.nurse.${randomUUID().slice(0, 8)}@relief.example`,
      name: 'Bench Nurse',
      role: 'nurse',
      locationIds: [LOCATION],
    },
    now,
  );
  const type = await db
    .selectFrom('appointment_types')
    .select('id')
    .where('kind', '=', 'infusion')
    .executeTakeFirstOrThrow();
  const patients = Array.from({ length: CHAIRS }, (_, i) => ({
    id: randomUUID(),
    first_name: `Chair${i + 1}`,
    last_name: 'Bench',
    email: `bench.board.${i}.${randomUUID().slice(0, 6)}@example.com`,
    phone: '+13125550199',
    contact_method: 'email',
    location_id: LOCATION,
    created_at: now,
    updated_at: now,
  }));
  await database.transact(async (trx) => {
    await trx.insertInto('patients').values(patients).execute();
    await trx
      .insertInto('rooms')
      .values(
        patients.map((_, i) => ({
          id: `bench-chair-${i + 1}`,
          location_id: LOCATION,
          name: `Bench chair ${i + 1}`,
          kind: 'chair' as const,
          active: 1,
        })),
      )
      .execute();
  });
  await makeDemoPatientsReady(
    database,
    patients.map((p) => ({ id: p.id, locationId: LOCATION })),
    now,
  );
  const startsAt = now - 60 * MINUTE;
  const sessions: Array<{ id: string; patientId: string }> = [];
  for (const [i, p] of patients.entries()) {
    await database.transact(async (trx) => {
      const plan = await trx
        .selectFrom('treatment_plans')
        .select(['id', 'version'])
        .where('patient_id', '=', p.id)
        .executeTakeFirstOrThrow();
      const appointmentId = randomUUID();
      await trx
        .insertInto('appointments')
        .values({
          id: appointmentId,
          location_id: LOCATION,
          type_id: type.id,
          request_id: null,
          provider_id: null,
          nurse_id: null,
          nurse_lane: null,
          room_id: `bench-chair-${i + 1}`,
          patient_id: p.id,
          // The database requires a supervising provider on every booked infusion (migration 027).
          supervisor_id: SUPERVISOR,
          supervisor_lane: i + 1,
          starts_at: startsAt,
          ends_at: startsAt + 240 * MINUTE,
          busy_from: startsAt,
          busy_to: startsAt + 240 * MINUTE,
          status: 'booked',
          created_at: now,
          updated_at: now,
        })
        .execute();
      const weightId = randomUUID();
      await trx
        .insertInto('weights')
        .values({
          id: weightId,
          patient_id: p.id,
          kg: 70,
          entered_value: 70,
          entered_unit: 'kg',
          measured_at: now - MINUTE,
          measured_by: nurseId,
          created_at: now,
        })
        .execute();
      const orderId = randomUUID();
      await trx
        .insertInto('dose_orders')
        .values({
          id: orderId,
          plan_id: plan.id,
          plan_version: Number(plan.version),
          appointment_id: appointmentId,
          patient_id: p.id,
          weight_id: weightId,
          weight_kg: 70,
          bag_mg: 100,
          bag_ml: 100,
          session_hours: 4,
          mg_per_kg_h: 0.35,
          bolus_mg_per_kg: 0,
          pump_rate_ml_h: 24.5,
          mg_per_hour: 24.5,
          session_total_mg: 98,
          calculation: '{}',
          ordered_by: providerId,
          ordered_at: now - 2 * MINUTE,
          status: 'ordered',
          verified_by: null,
          verified_at: null,
          voided_at: null,
          void_reason: null,
        })
        .execute();
      await trx
        .insertInto('dose_checks')
        .values({
          id: randomUUID(),
          order_id: orderId,
          ordered_by: providerId,
          nurse_id: nurseId,
          entered: '{}',
          match: 1,
          checked_at: now - MINUTE,
        })
        .execute();
      await trx
        .updateTable('dose_orders')
        .set({ status: 'verified', verified_by: nurseId, verified_at: now - MINUTE })
        .where('id', '=', orderId)
        .execute();
      const sessionId = randomUUID();
      const at = startsAt;
      await trx
        .insertInto('infusion_sessions')
        .values({
          id: sessionId,
          appointment_id: appointmentId,
          patient_id: p.id,
          location_id: LOCATION,
          state: 'checked_in',
          version: 1,
          dose_order_id: null,
          checked_in_at: at - 10 * MINUTE,
          checked_in_by: nurseId,
          started_at: null,
          stopped_at: null,
          stop_reason: null,
          discharged_at: null,
          discharged_by: null,
          not_given_reason: null,
          updated_at: at,
          updated_by: nurseId,
        })
        .execute();
      await trx
        .updateTable('infusion_sessions')
        .set({ state: 'ready', version: 2, updated_at: at, updated_by: nurseId })
        .where('id', '=', sessionId)
        .execute();
      await trx
        .insertInto('session_bags')
        .values({
          id: randomUUID(),
          session_id: sessionId,
          location_id: LOCATION,
          drug: 'ketamine',
          lot: 'BENCH-1',
          expires_on: '2099-12-31',
          drug_mg: 100,
          volume_ml: 100,
          drawn_by: nurseId,
          witnessed_by: providerId,
          drawn_at: at,
        })
        .execute();
      await trx
        .updateTable('infusion_sessions')
        .set({
          state: 'infusing',
          version: 3,
          dose_order_id: orderId,
          started_at: at,
          updated_at: at,
          updated_by: nurseId,
        })
        .where('id', '=', sessionId)
        .execute();
      for (let n = 0; n < 8; n++) {
        const takenAt = at + n * 7 * MINUTE;
        await trx
          .insertInto('session_vitals')
          .values({
            id: randomUUID(),
            session_id: sessionId,
            phase: n === 0 ? 'pre' : 'infusion',
            taken_at: takenAt,
            recorded_at: takenAt,
            recorded_by: nurseId,
            late_reason: null,
            entry_key: randomUUID(),
            systolic: 120 + n,
            diastolic: 80,
            heart_rate: 75,
            spo2: 98,
            respiratory_rate: 14,
            temperature_c: null,
            sedation: 0,
            dissociation: 0,
          })
          .execute();
      }
      await trx
        .insertInto('session_alerts')
        .values({
          id: randomUUID(),
          session_id: sessionId,
          key: `absolute:systolicHigh:${at}`,
          code: 'systolicHigh',
          kind: 'absolute',
          // What the alert engine writes (the pages word the alert from it).
          detail: JSON.stringify({ measure: 'systolic', value: 184, limit: 180, at }),
          raised_at: at,
          acknowledged_at: null,
          acknowledged_by: null,
          action: null,
          escalated_at: null,
          escalated_to: null,
        })
        .execute();
      sessions.push({ id: sessionId, patientId: p.id });
    });
  }
  return { sessions, nurseId };
}

/** Opens the board's event stream on a real socket; resolves each time an event arrives. */
function openStream(origin: string, cookie: string) {
  let text = '';
  let wake: (() => void) | undefined;
  const req = request(`${origin}/staff/board/events?location=chicago`, { agent: false, headers: { cookie } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      wake?.();
    });
  });
  req.on('error', () => undefined);
  req.end();
  const events = () => (text.match(/event: change/g) ?? []).length;
  const next = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no board event within 5 s')), 5000);
      wake = () => {
        if (events() > count) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  return { events, next, close: () => req.destroy() };
}

export async function measureSessions(
  app: FastifyInstance,
  origin: string,
  database: Database,
  now: number,
  runs: number,
): Promise<SessionsResult> {
  const { cookie, userId } = await providerCookie(app, database, now);
  const { sessions } = await seedChairs(database, userId, now);
  const url = '/staff/board?location=chicago';
  let cards = 0;
  const render = async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    cards = (res.body.match(/class="board-card /g) ?? []).length;
    return res.body.length;
  };
  const bytes = await render();
  collectGarbage();
  const board = await sample(runs, 20, render);

  // A reading's round trip through the vitals route, as a clinician's form posts it (the alert engine runs in it).
  const { id: sessionId, patientId } = sessions[0]!;
  const page = `/staff/patients/${patientId}/sessions/${sessionId}`;
  const opened = await app.inject({ method: 'GET', url: page, headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(opened.body)?.[1];
  if (opened.statusCode !== 200 || !csrf) throw new Error(`GET ${page} answered ${opened.statusCode}`);
  const entry = async () => {
    const form = new URLSearchParams({
      _csrf: csrf,
      version: '0',
      entry_key: randomUUID(),
      systolic: '124',
      diastolic: '80',
      heart_rate: '74',
      spo2: '98',
      respiratory_rate: '14',
      temperature: '',
      sedation: '0',
      dissociation: '0',
    });
    const res = await app.inject({
      method: 'POST',
      url: `${page}/vitals`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    if (res.statusCode !== 303) throw new Error(`POST vitals answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
  const vitals = await sample(runs, 10, entry);

  // Another board open: each change (a reading on another chair) timed from its commit to the event.
  const stream = openStream(origin, cookie);
  await new Promise((r) => setTimeout(r, 1500));
  const sse: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = stream.events();
    const arrived = stream.next(before);
    await entry();
    const t0 = performance.now();
    await arrived;
    sse.push(performance.now() - t0);
  }
  stream.close();

  // The session chart with 40 readings (every 6 minutes over 4 hours) and the pump's rate, rendered to SVG.
  const from = now - 240 * MINUTE;
  const readings = Array.from({ length: 40 }, (_, i) => ({
    at: from + i * 6 * MINUTE,
    systolic: 118 + (i % 7) * 4,
    diastolic: 76 + (i % 5) * 2,
    heartRate: 70 + (i % 9),
    spo2: 95 + (i % 4),
    respiratoryRate: 12 + (i % 5),
    sedation: 0,
  }));
  const chartData = {
    from,
    to: now,
    zone: 'America/Chicago',
    readings,
    rate: [
      { at: from, mlPerHour: 24.5 },
      { at: from + 90 * MINUTE, mlPerHour: 20 },
    ],
    limits: {
      systolicHigh: 180,
      systolicLow: 89,
      diastolicHigh: 110,
      diastolicLow: null,
      heartRateHigh: 151,
      heartRateLow: 49,
      spo2Low: 89,
    },
  };
  collectGarbage();
  const chart = await sample(runs, 20, async () => SessionChart(chartData).value.length);
  return { cards, bytes, board: latencyOf(board), vitals: latencyOf(vitals), sse, chart: latencyOf(chart) };
}
