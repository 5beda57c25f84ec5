/**
 * The clinical core's figures: the screening page of a patient with a full intake and a full record, rendered through
 * app.inject as a signed-in provider, next to the bare read of the same rows; and booking a 10-session infusion
 * series from an active plan in one transaction, at the main database's 20,000 appointments, next to ten single
 * bookings of the same kind.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../src/kernel/db/database.ts';
import { createSession } from '../src/kernel/http/sessions.ts';
import { SESSION_COOKIE } from '../src/kernel/http/guard.ts';
import { insertUser } from '../src/staff/users.ts';
import { INTAKE_FACTS } from '../src/clinical/intake/answers.ts';
import { PHQ9 } from '../src/clinical/instruments/phq9.ts';
import { GAD7 } from '../src/clinical/instruments/gad7.ts';
import { PAIN_NRS } from '../src/clinical/instruments/pain.ts';
import { DateTime } from 'luxon';
import { getClinic, findLocation } from '../src/kernel/clinic.ts';
import { wallInstant } from '../src/kernel/time/wall-clock.ts';
import { findAppointmentType } from '../src/scheduling/availability.ts';
import { availability, bookAppointment, type BookingContext } from '../src/scheduling/booking-service.ts';
import { bookSeries, cancelSeries } from '../src/scheduling/series-booking.ts';
import { makeDemoPatientsReady } from '../src/seed/demo-clinical.ts';
import { latencyOf, sample, collectGarbage, type Latency } from './stats.ts';

const LOCATION = 'loc-chicago';
const DAY = 86_400_000;

/** A provider's signed-in session, made directly (the bench seeds no staff and needs no password step). */
export async function providerCookie(app: FastifyInstance, database: Database, now: number) {
  const userId = await insertUser(
    database.db,
    {
      email: `bench.screening.${randomUUID().slice(0, 8)}@relief.example`,
      name: 'Bench Screener',
      role: 'provider',
      locationIds: [LOCATION],
    },
    now,
  );
  const settings = { idleMs: app.deps.config.sessionIdleMs, absoluteMs: app.deps.config.sessionMaxMs };
  const { token } = await createSession(
    database.db,
    { userId, stage: 'active', ip: '127.0.0.1', userAgent: 'relief-bench' },
    Date.now(),
    settings,
  );
  return { cookie: `${SESSION_COOKIE}=${token}`, userId };
}

/** Every intake question answered, every questionnaire item, and a record as full as a real first visit's. */
export async function seedFullPatient(database: Database, by: string, now: number): Promise<string> {
  const patientId = randomUUID();
  const answers = {
    facts: Object.fromEntries(INTAKE_FACTS.map((f) => [f.key, f.type === 'boolean' ? false : null])),
    medications: 'Gabapentin 300 mg three times a day; sertraline 50 mg daily; oxycodone 5 mg as needed',
    allergies: 'Penicillin (rash)',
    symptoms: { sensory: true, vasomotor: true, sudomotor_oedema: true, motor_trophic: false },
    pain: { now: 7, average: 6, worst: 9 },
    phq9: Object.fromEntries(PHQ9.items.map((item, i) => [item.key, i === 8 ? 0 : 1])),
    gad7: Object.fromEntries(GAD7.items.map((item) => [item.key, 1])),
    versions: { pain: PAIN_NRS.version, phq9: PHQ9.version, gad7: GAD7.version },
  };
  const id = () => randomUUID();
  await database.transact(async (trx) => {
    await trx
      .insertInto('patients')
      .values({
        id: patientId,
        first_name: 'Bench',
        last_name: 'Screening',
        email: `bench.screening.${patientId.slice(0, 8)}@example.com`,
        phone: '+13125550199',
        contact_method: 'email',
        location_id: LOCATION,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('intakes')
      .values({
        id: id(),
        patient_id: patientId,
        appointment_id: null,
        questionnaire_version: 1,
        answers: JSON.stringify(answers),
        status: 'submitted',
        version: 9,
        started_at: now - 3 * DAY,
        updated_at: now - 2 * DAY,
        submitted_at: now - 2 * DAY,
      })
      .execute();
    await trx
      .insertInto('clinical_profiles')
      .values({
        patient_id: patientId,
        date_of_birth: '1979-04-12',
        sex: 'female',
        pregnancy_possible: 0,
        height_cm: 168,
        updated_by: by,
        updated_at: now,
      })
      .execute();
    for (let i = 0; i < 6; i++)
      await trx
        .insertInto('weights')
        .values({
          id: id(),
          patient_id: patientId,
          kg: 70 + i / 10,
          entered_value: 70 + i / 10,
          entered_unit: 'kg',
          measured_at: now - i * 7 * DAY,
          measured_by: by,
          created_at: now,
        })
        .execute();
    for (const substance of ['Penicillin', 'Latex'])
      await trx
        .insertInto('allergies')
        .values({
          id: id(),
          patient_id: patientId,
          substance,
          ketamine: 0,
          reaction: 'Rash',
          recorded_by: by,
          recorded_at: now,
        })
        .execute();
    const meds: Array<[string, string[]]> = [
      ['Gabapentin 300 mg', []],
      ['Sertraline 50 mg', []],
      ['Oxycodone 5 mg', ['opioid']],
      ['Lorazepam 0.5 mg', ['benzodiazepine']],
      ['Lamotrigine 100 mg', ['lamotrigine']],
      ['Amitriptyline 25 mg', []],
      ['Omeprazole 20 mg', []],
      ['Vitamin D 1000 IU', []],
    ];
    for (const [name, classes] of meds)
      await trx
        .insertInto('medications')
        .values({
          id: id(),
          patient_id: patientId,
          name,
          dose: null,
          classes: JSON.stringify(classes),
          recorded_by: by,
          recorded_at: now,
        })
        .execute();
    for (const [code, label] of [
      ['G90.512', 'Complex regional pain syndrome I of left upper limb'],
      ['M79.642', 'Pain in left hand'],
    ] as const)
      await trx
        .insertInto('diagnoses')
        .values({ id: id(), patient_id: patientId, code, label, recorded_by: by, recorded_at: now })
        .execute();
    for (const [test, value] of [
      ['alt', 28],
      ['ast', 24],
      ['alp', 80],
    ] as const)
      await trx
        .insertInto('lab_results')
        .values({
          id: id(),
          patient_id: patientId,
          test,
          value,
          unit: 'U/L',
          upper_limit: 40,
          finding: null,
          taken_at: now - DAY,
          recorded_by: by,
          recorded_at: now,
        })
        .execute();
    await trx
      .insertInto('lab_results')
      .values({
        id: id(),
        patient_id: patientId,
        test: 'ecg',
        value: null,
        unit: null,
        upper_limit: null,
        finding: 'Sinus rhythm, normal intervals',
        taken_at: now - DAY,
        recorded_by: by,
        recorded_at: now,
      })
      .execute();
    await trx
      .insertInto('pdmp_checks')
      .values({
        id: id(),
        patient_id: patientId,
        checked_at: now - DAY,
        checked_by: by,
        result: 'no_concerns',
        note: null,
      })
      .execute();
  });
  return patientId;
}

export interface ScreeningPageResult {
  page: Latency;
  read: Latency;
  bytes: number;
}

/** GET /staff/patients/:id/screening for the full patient, against the bare read of the rows the page shows. */
export async function measureScreeningPage(
  app: FastifyInstance,
  database: Database,
  now: number,
  runs: number,
): Promise<ScreeningPageResult> {
  const { cookie, userId } = await providerCookie(app, database, now);
  const patientId = await seedFullPatient(database, userId, now);
  const url = `/staff/patients/${patientId}/screening`;
  const render = async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
    return res.body.length;
  };
  const db = database.db;
  const tables = [
    'intakes',
    'weights',
    'allergies',
    'medications',
    'diagnoses',
    'lab_results',
    'pdmp_checks',
    'screenings',
  ] as const;
  const read = () =>
    Promise.all([
      db.selectFrom('patients').selectAll().where('id', '=', patientId).execute(),
      db.selectFrom('clinical_profiles').selectAll().where('patient_id', '=', patientId).execute(),
      ...tables.map((t) => db.selectFrom(t).selectAll().where('patient_id', '=', patientId).execute()),
    ]);
  const bytes = await render();
  collectGarbage();
  const page: number[] = [],
    bare: number[] = [];
  for (const fn of [render, read]) await sample(0, 20, fn);
  for (let block = 0; block < 4; block++) {
    page.push(...(await sample(runs / 4, 0, render)));
    bare.push(...(await sample(runs / 4, 0, read)));
  }
  return { page: latencyOf(page), read: latencyOf(bare), bytes };
}

export interface SeriesResult {
  series: Latency;
  singles: Latency;
  sessions: number;
}

/**
 * Booking a plan's 10 induction sessions at Chicago in one transaction (scheduling's bookSeries, as the plan page
 * does), against ten single bookings of the same times one after another (the same-run baseline). The times are the
 * first free infusion start at or after 10:00 on ten weekdays from four weeks ahead (clear of the calendar section's
 * busy week); each run is cancelled again, untimed, so every run books into the same 20,000-appointment database.
 */
export async function measureSeriesBooking(database: Database, now: number, runs: number): Promise<SeriesResult> {
  const db = database.db;
  const [clinic, location, type] = await Promise.all([
    getClinic(db),
    findLocation(db, 'chicago'),
    findAppointmentType(db, 'infusion'),
  ]);
  if (!clinic || !location || !type) throw new Error('demo clinic incomplete (Chicago, infusion)');
  const ctx: BookingContext = { database, clinic, location, type, now };
  const zone = location.time_zone;
  await insertUser(
    db,
    {
      email: 'bench.series.provider@relief.example',
      name: 'Bench Series Provider',
      role: 'provider',
      locationIds: [LOCATION],
    },
    now,
  );
  const patientId = await seedFullPatient(
    database,
    (
      await db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'bench.series.provider@relief.example')
        .executeTakeFirstOrThrow()
    ).id,
    now,
  );
  if (!(await makeDemoPatientsReady(database, [{ id: patientId, locationId: LOCATION }], now)))
    throw new Error('could not make the bench patient ready for infusions');

  const firstDay = DateTime.fromMillis(now, { zone }).startOf('week').plus({ weeks: 4 });
  const slots = await availability(ctx, firstDay.toMillis(), firstDay.plus({ weeks: 3 }).toMillis());
  const starts: number[] = [];
  for (let d = 0; d < 21 && starts.length < 10; d++) {
    const day = firstDay.plus({ days: d });
    if (day.weekday > 5) continue;
    const from = wallInstant(zone, day.toISODate()!, 10 * 60);
    const slot = slots.find((s) => s.start >= from && s.start < from + 6 * 3_600_000);
    if (slot) starts.push(slot.start);
  }
  if (starts.length < 10) throw new Error(`only ${starts.length} weekdays with a free infusion time at Chicago`);

  const cancel = async (ids: string[]) => {
    await cancelSeries(database, ids, now);
  };
  const series = async () => {
    const outcome = await bookSeries(ctx, { patientId }, starts);
    if (!outcome.ok) throw new Error(`series booking refused: ${outcome.reason}`);
    return outcome.appointments.map((a) => a.id);
  };
  const singles = async () => {
    const ids: string[] = [];
    for (const start of starts) {
      const outcome = await bookAppointment(ctx, { patientId }, start);
      if (!outcome.ok) throw new Error(`single booking refused: ${outcome.reason}`);
      ids.push(outcome.appointment.id);
    }
    return ids;
  };
  const timed = async (book: () => Promise<string[]>) => {
    const t0 = performance.now();
    const ids = await book();
    const ms = performance.now() - t0;
    await cancel(ids);
    return ms;
  };
  collectGarbage();
  const a: number[] = [],
    b: number[] = [];
  for (let warm = 0; warm < 3; warm++) {
    await timed(series);
    await timed(singles);
  }
  for (let i = 0; i < runs; i++) {
    a.push(await timed(series));
    b.push(await timed(singles));
  }
  return { series: latencyOf(a), singles: latencyOf(b), sessions: starts.length };
}
