import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLocation, getClinic } from '../../src/kernel/clinic.ts';
import { isInfusionGateRefusal, isSupervisorRequiredRefusal } from '../../src/kernel/db/database.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { bookSeries } from '../../src/scheduling/series-booking.ts';
import { rescheduleAppointment, type BookingContext } from '../../src/scheduling/booking-service.ts';
import { bookRequest } from '../../src/requests/service.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';
import { appointmentRow } from '../helpers/appointments.ts';
import { lastSeq, eventsAfter } from '../helpers/audit.ts';
import {
  makeInfusionReady,
  signedEligibleScreening,
  treatmentPlan,
  type ScreeningFixture,
} from '../helpers/clinical.ts';
import { submitRequest } from '../helpers/journey.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

/**
 * The infusion gate on every booking path (issue 11, section 3): no infusion or booster is booked for a patient
 * without a signed eligible screening valid at the visit's start and an active treatment plan. The database keeps the
 * rule (migration 024); the one booking service turns its refusal into `not_eligible`, and each path's page says so.
 *
 * PATHS names every place in src/ that writes a booked appointment, and where this file walks it. The last test greps
 * src/ for such call sites: a NEW PATH FAILS IT until it is added here, with its walk.
 */
const PATHS: Record<string, string> = {
  // Staff book any type for a known patient (calendar): walked over HTTP, every state of screening and plan.
  'src/calendar/book-for-patient.ts bookAppointment': 'staff booking for a patient',
  // Staff move any visit (calendar), in its own transaction: walked over HTTP.
  'src/calendar/move-service.ts moveAppointment': 'staff move',
  // bookRequest books the consultation type only (consultationType / bookingContext); the service it calls is walked
  // with an infusion type below, so a change of type on these paths still meets the gate and its answer.
  'src/calendar/service.ts bookRequest': 'the one booking service (staff book for a request)',
  'src/online-booking/changes.ts bookRequest': 'the one booking service (online booking)',
  'src/waitlist/offer-service.ts bookRequest': 'the one booking service (a waitlist offer taken)',
  'src/requests/booking.ts bookAppointment': 'the one booking service (bookRequest itself)',
  // Online moves go through the booking service's reschedule, walked with an infusion below.
  'src/online-booking/changes.ts rescheduleAppointment': 'the one booking service (online move)',
  'src/scheduling/booking-service.ts insertAppointment': 'the one booking service (every booking)',
  'src/scheduling/booking-service.ts moveAppointment': 'the one booking service (every reschedule)',
  // The scheduling repository's own writes: insert and move are what the database gate checks; attendance and
  // cancellation of a booked visit are never refused (walked in "the database itself").
  "src/scheduling/repository.ts insertInto('appointments')": 'the database itself',
  "src/scheduling/repository.ts updateTable('appointments')": 'the database itself',
  // The demo seed writes visits directly: its infusion patients are screened and planned first.
  'src/seed/demo-visits.ts insertAppointment': 'the demo seed',
  // The walk patient's consultation, already held: a consultation is not gated.
  'src/seed/demo-walk.ts insertAppointment': 'the demo seed',
  // Today's board: its infusion patients are screened and planned first (makeDemoPatientsReady), walked in the demo
  // day's test (test/http/session-board.test.ts), which the database gate would fail otherwise.
  'src/seed/demo-board.ts insertAppointment': 'the demo seed',
  // A plan's series: scheduling's bookSeries writes every session in one transaction (walked directly below, and over
  // HTTP in clinical-series.test.ts); a series session's move goes through the booking service's reschedule.
  'src/scheduling/series-booking.ts insertAppointment': 'series booking',
  'src/clinical/protocols/book-series.ts bookSeries': 'series booking',
  'src/clinical/protocols/change-series.ts rescheduleAppointment': 'the one booking service (a series session moved)',
};

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

const THURSDAY = '2026-03-05';
const THU_1000 = Date.parse('2026-03-05T16:00:00.000Z'); // 10:00 CST
const DAY = 86_400_000;
const NOT_READY = 'This patient has no signed eligible screening and active treatment plan';

let people = 0;
/** A patient at Chicago with nothing clinical on record. */
async function newPatient(): Promise<string> {
  const id = randomUUID();
  people += 1;
  const now = rt().clock.now();
  await db()
    .insertInto('patients')
    .values({
      id,
      first_name: 'Gate',
      last_name: `Walker${people}`,
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: 'loc-chicago',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

const providerUser = async () =>
  (await db().selectFrom('users').select('id').where('email', '=', 'provider@relief.example').executeTakeFirstOrThrow())
    .id;

/** A patient whose screening and plan are as given (a plan needs a screening to stand on). */
async function patientWith(screening: ScreeningFixture | null, plan: Parameters<typeof treatmentPlan>[3] | null) {
  const id = await newPatient();
  const scr = await signedEligibleScreening(rt(), id, await providerUser(), screening ?? {});
  if (plan) await treatmentPlan(rt(), id, scr, plan);
  return id;
}

async function bookFor(b: Browser, patientId: string, fields: Record<string, string> = {}) {
  const csrf = csrfFrom((await b.get(`/staff/patients/${patientId}/book`)).body);
  return b.post(`/staff/patients/${patientId}/book`, {
    _csrf: csrf,
    type: 'infusion',
    location: 'chicago',
    provider: 'any',
    date: THURSDAY,
    time: '10:00',
    ...fields,
  });
}

const visitsOf = (patientId: string) =>
  db().selectFrom('appointments').selectAll().where('patient_id', '=', patientId).execute();
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function context(kind: 'infusion' | 'booster' = 'infusion'): Promise<BookingContext> {
  const d = db();
  return {
    database: rt().database,
    clinic: (await getClinic(d))!,
    location: (await findLocation(d, 'chicago'))!,
    type: { ...(await findAppointmentType(d, kind))!, min_notice_min: 0, step_min: 5 },
    now: rt().clock.now(),
  };
}

async function refusedForNoSupervisor(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (err) {
    if (isSupervisorRequiredRefusal(err)) return true;
    throw err;
  }
}

async function refusedByGate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (err) {
    if (isInfusionGateRefusal(err)) return true;
    throw err;
  }
}

describe(`the infusion gate on every booking path (${engine})`, () => {
  it('staff booking for a patient: refused for every state short of a valid eligible screening and an active plan, with nothing written; booked once ready', async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const states: Array<[string, () => Promise<string>]> = [
      ['nothing on record', newPatient],
      ['a draft screening', () => patientWith({ status: 'draft' }, 'active')],
      ['a screening signed not eligible', () => patientWith({ outcome: 'not_eligible' }, 'active')],
      ['a screening that needs information', () => patientWith({ outcome: 'needs_information' }, 'active')],
      ['a screening expiring at the visit’s start', () => patientWith({ expiresAt: THU_1000 }, 'active')],
      ['a screening expired before the visit', () => patientWith({ expiresAt: THU_1000 - DAY }, 'active')],
      ['an eligible screening and no plan', () => patientWith({}, null)],
      ['a draft plan', () => patientWith({}, 'draft')],
      ['a paused plan', () => patientWith({}, 'paused')],
      ['a stopped plan', () => patientWith({}, 'stopped')],
      ['a completed plan', () => patientWith({}, 'completed')],
    ];
    for (const [state, make] of states) {
      const id = await make();
      const seq = await lastSeq(rt());
      for (const type of ['infusion', 'booster']) {
        const res = await bookFor(desk, id, { type });
        expect(res.statusCode, `${state}, ${type}`).toBe(409);
        const shown = text(res.body);
        expect(shown, state).toContain(NOT_READY);
        // The front desk learns that a clinician must act, never the screening's outcome.
        expect(shown).not.toMatch(/not eligible|needs information|expired|paused|stopped/i);
      }
      expect(await visitsOf(id), state).toEqual([]);
      const events = await eventsAfter(rt(), seq);
      expect(
        events.filter((e) => e.action === 'appointment.book').map((e) => [e.outcome, e.detail.reason]),
        state,
      ).toEqual([
        ['failure', 'not_eligible'],
        ['failure', 'not_eligible'],
      ]);
    }
    // One millisecond of validity past the start is enough; then an infusion and a booster are booked.
    const justValid = await patientWith({ expiresAt: THU_1000 + 1 }, 'active');
    expect((await bookFor(desk, justValid)).statusCode).toBe(303);
    const ready = await newPatient();
    await makeInfusionReady(rt(), ready);
    expect((await bookFor(desk, ready)).statusCode).toBe(303);
    expect((await bookFor(desk, ready, { type: 'booster', date: '2026-03-06' })).statusCode).toBe(303);
    // A follow-up or a consultation needs no screening.
    const fresh = await newPatient();
    expect((await bookFor(desk, fresh, { type: 'follow-up', time: '11:00' })).statusCode).toBe(303);
  });

  it('staff move: an infusion cannot be moved past its screening’s expiry or while the plan is paused; nothing changes', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    // Valid until Saturday 7 March, 00:00 UTC (Friday evening in Chicago).
    const id = await patientWith({ expiresAt: Date.parse('2026-03-07T00:00:00.000Z') }, 'active');
    const booked = await bookFor(admin, id);
    expect(booked.statusCode).toBe(303);
    const apptId = booked.headers.location!.split('/').pop()!.split('?')[0]!;
    const before = await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow();
    const move = async (date: string, time = '10:00') => {
      const csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${apptId}`)).body);
      return admin.post(`/staff/calendar/appointments/${apptId}/reschedule`, { _csrf: csrf, date, time });
    };
    const seq = await lastSeq(rt());
    const late = await move('2026-03-09');
    expect(late.statusCode).toBe(409);
    expect(text(late.body)).toContain(
      'This infusion cannot be moved there: the patient needs a signed eligible screening still valid at that time',
    );
    expect(
      await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow(),
    ).toEqual(before);
    const events = await eventsAfter(rt(), seq);
    expect(events.filter((e) => e.action === 'appointment.reschedule').map((e) => e.detail.reason)).toEqual([
      'not_eligible',
    ]);
    // Within the screening's validity it moves.
    expect((await move('2026-03-06')).statusCode).toBe(303);
    // A paused plan: no move, not even back to Thursday.
    await db().updateTable('treatment_plans').set({ status: 'paused' }).where('patient_id', '=', id).execute();
    expect((await move(THURSDAY)).statusCode).toBe(409);
    expect(
      (await db().selectFrom('appointments').select('starts_at').where('id', '=', apptId).executeTakeFirstOrThrow())
        .starts_at,
    ).toBe(Date.parse('2026-03-06T16:00:00.000Z'));
  });

  it('the one booking service: a booking for a request (online, staff, a waitlist offer) and a reschedule (online) answer not_eligible and write nothing', async () => {
    // A request's person, booked with an infusion type: the patient the booking would match or create is not ready.
    await submitRequest(rt(), { email: 'gate.request@example.com' });
    const request = await db()
      .selectFrom('consultation_requests')
      .select(['id', 'status', 'patient_id'])
      .where('email', '=', 'gate.request@example.com')
      .executeTakeFirstOrThrow();
    const jobs = async () => (await db().selectFrom('outbox').select('id').execute()).length;
    const jobsBefore = await jobs();
    const outcome = await bookRequest(await context(), request.id, THU_1000);
    expect(outcome).toEqual({ ok: false, reason: 'not_eligible' });
    // All or nothing: no appointment, no patient matched or created, the request untouched, no email queued.
    expect(await db().selectFrom('appointments').select('id').where('request_id', '=', request.id).execute()).toEqual(
      [],
    );
    expect(
      await db().selectFrom('patients').select('id').where('email', '=', 'gate.request@example.com').execute(),
    ).toEqual([]);
    expect(
      await db()
        .selectFrom('consultation_requests')
        .select(['status', 'patient_id'])
        .where('id', '=', request.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: request.status, patient_id: request.patient_id });
    expect(await jobs()).toBe(jobsBefore);

    // A booster the booking service moves past the screening's expiry.
    const id = await patientWith({ expiresAt: THU_1000 + 2 * DAY }, 'active');
    const ctx = await context('booster');
    const admin = await signIn(rt(), 'admin@relief.example');
    const booked = await bookFor(admin, id, { type: 'booster' });
    expect(booked.statusCode).toBe(303);
    const apptId = booked.headers.location!.split('/').pop()!.split('?')[0]!;
    const before = await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow();
    expect(await rescheduleAppointment(ctx, apptId, THU_1000 + 4 * DAY)).toEqual({ ok: false, reason: 'not_eligible' });
    expect(
      await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow(),
    ).toEqual(before);
    expect((await rescheduleAppointment(ctx, apptId, THU_1000 + DAY)).ok).toBe(true);
  });

  it('series booking: a series whose later sessions fall after the screening lapses, or for a paused plan, is refused whole and writes nothing', async () => {
    const starts = [0, 4, 5, 6].map((d) => THU_1000 + d * DAY);
    const jobs = async () => (await db().selectFrom('outbox').select('id').execute()).length;
    const jobsBefore = await jobs();
    // Valid for the first two sessions only.
    const lapsing = await patientWith({ expiresAt: THU_1000 + 3 * DAY }, 'active');
    expect(await bookSeries(await context(), { patientId: lapsing }, starts)).toEqual({
      ok: false,
      reason: 'not_eligible',
    });
    const paused = await patientWith({}, 'paused');
    expect(await bookSeries(await context(), { patientId: paused }, starts)).toEqual({
      ok: false,
      reason: 'not_eligible',
    });
    expect([...(await visitsOf(lapsing)), ...(await visitsOf(paused))]).toEqual([]);
    expect(await jobs()).toBe(jobsBefore);
    // Ready for all four: booked whole.
    const ready = await patientWith({}, 'active');
    const booked = await bookSeries(await context(), { patientId: ready }, starts);
    expect(booked.ok).toBe(true);
    expect(await visitsOf(ready)).toHaveLength(4);
  });

  it('the database itself refuses an infusion written around the services, on insert and on every update that makes one', async () => {
    const insert = (row: ReturnType<typeof appointmentRow>) => db().insertInto('appointments').values(row).execute();
    const infusion = (patient_id: string | null, at = 0) =>
      appointmentRow({
        type_id: 'type-infusion',
        nurse_id: 'nurse-nia',
        nurse_lane: 1,
        room_id: `chair-chi-${1 + (people % 6)}`,
        patient_id,
        at,
        minutes: 240,
        supervisor_id: 'prov-okafor',
        supervisor_lane: 1,
      });
    const stranger = await newPatient();
    expect(await refusedByGate(insert(infusion(stranger)))).toBe(true);
    expect(await refusedByGate(insert(infusion(null)))).toBe(true);
    expect(await refusedByGate(insert({ ...infusion(stranger), type_id: 'type-booster' }))).toBe(true);

    const ready = await newPatient();
    await makeInfusionReady(rt(), ready);
    const row = infusion(ready);
    await insert(row);
    const update = (set: Record<string, unknown>) =>
      db().updateTable('appointments').set(set).where('id', '=', row.id).execute();
    // Given to someone else, or moved past the screening's expiry (a year from now): refused.
    expect(await refusedByGate(update({ patient_id: stranger }))).toBe(true);
    const pastExpiry = row.starts_at + 400 * DAY;
    expect(
      await refusedByGate(
        update({
          starts_at: pastExpiry,
          ends_at: pastExpiry + 240 * 60_000,
          busy_from: pastExpiry,
          busy_to: pastExpiry + 240 * 60_000,
        }),
      ),
    ).toBe(true);
    // A consultation turned into an infusion for a patient who is not ready: refused.
    const consult = appointmentRow({ provider_id: 'prov-okafor', patient_id: stranger, at: 600 });
    await insert(consult);
    expect(
      await refusedByGate(
        db()
          .updateTable('appointments')
          .set({ type_id: 'type-infusion', supervisor_id: 'prov-okafor', supervisor_lane: 2 })
          .where('id', '=', consult.id)
          .execute(),
      ),
    ).toBe(true);
    // And a type's kind never changes (a consultation type made an infusion type would carry its visits past the gate).
    await expect(
      db().updateTable('appointment_types').set({ kind: 'infusion' }).where('id', '=', 'type-consultation').execute(),
    ).rejects.toThrow(/kind of an appointment type never changes/);

    // Once the plan is stopped: what happened is still noted and the visit can be cancelled, but not booked again.
    await db().updateTable('treatment_plans').set({ status: 'stopped' }).where('patient_id', '=', ready).execute();
    await update({ attendance: 'arrived' });
    await update({ attendance: null, status: 'cancelled' });
    expect(await refusedByGate(update({ status: 'booked' }))).toBe(true);
    expect(
      await db()
        .selectFrom('appointments')
        .select(['status', 'patient_id'])
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'cancelled', patient_id: ready });
  });

  it('the database refuses a booked infusion or booster without a supervising provider, on insert and on every update that makes one', async () => {
    const ready = await newPatient();
    await makeInfusionReady(rt(), ready);
    const insert = (row: ReturnType<typeof appointmentRow>) => db().insertInto('appointments').values(row).execute();
    const infusion = (over: Parameters<typeof appointmentRow>[0] = {}) =>
      appointmentRow({
        type_id: 'type-infusion',
        nurse_id: 'nurse-nia',
        nurse_lane: 1,
        room_id: 'chair-chi-1',
        patient_id: ready,
        minutes: 240,
        ...over,
      });
    expect(await refusedForNoSupervisor(insert(infusion()))).toBe(true);
    expect(await refusedForNoSupervisor(insert(infusion({ type_id: 'type-booster', minutes: 120 })))).toBe(true);
    expect(await visitsOf(ready)).toHaveLength(0);
    // A consultation needs none; a cancelled infusion is not booked and needs none either.
    await insert(appointmentRow({ provider_id: 'prov-okafor', patient_id: ready, at: -600 }));
    await insert(infusion({ status: 'cancelled', at: -1200 }));

    const row = infusion({ supervisor_id: 'prov-okafor', supervisor_lane: 1 });
    await insert(row);
    const update = (set: Record<string, unknown>) =>
      db().updateTable('appointments').set(set).where('id', '=', row.id).execute();
    // Its supervisor taken away, or a cancelled one booked again without one: refused.
    expect(await refusedForNoSupervisor(update({ supervisor_id: null, supervisor_lane: null }))).toBe(true);
    await update({ status: 'cancelled' });
    expect(await refusedForNoSupervisor(update({ status: 'booked', supervisor_id: null, supervisor_lane: null }))).toBe(
      true,
    );
    // Another provider's lane is a change of supervisor, not its removal.
    await update({ status: 'booked', supervisor_id: 'prov-reyes', supervisor_lane: 1 });
    expect(
      await db()
        .selectFrom('appointments')
        .select(['status', 'supervisor_id'])
        .where('id', '=', row.id)
        .executeTakeFirst(),
    ).toEqual({ status: 'booked', supervisor_id: 'prov-reyes' });
  });

  it('the demo seed: every infusion and booster it writes belongs to a screened patient with an active plan', async () => {
    rt().clock.set('2026-03-04T20:00:00.000Z');
    expect(await seedDemoVisits(rt().database, rt().clock.now())).toBeGreaterThan(50);
    const gated = await db()
      .selectFrom('appointments')
      .innerJoin('appointment_types', 'appointment_types.id', 'appointments.type_id')
      .select(['appointments.patient_id', 'appointments.starts_at'])
      .where('appointment_types.kind', 'in', ['infusion', 'booster'])
      .execute();
    expect(gated.length).toBeGreaterThan(20);
    for (const visit of gated) {
      const screening = await db()
        .selectFrom('screenings')
        .select('id')
        .where('patient_id', '=', visit.patient_id)
        .where('status', '=', 'signed')
        .where('outcome', '=', 'eligible')
        .where('expires_at', '>', visit.starts_at)
        .executeTakeFirst();
      const plan = await db()
        .selectFrom('treatment_plans')
        .select('id')
        .where('patient_id', '=', visit.patient_id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      expect(screening && plan, String(visit.patient_id)).toBeTruthy();
    }
  });

  it('every place in src/ that writes a booked appointment is a path walked here (a new one must be added to PATHS)', () => {
    expect(bookingCallSites()).toEqual(Object.keys(PATHS).sort());
  });
});

/** "file call" for each call in src/ that books, moves or writes appointments (declarations and migrations aside). */
function bookingCallSites(): string[] {
  const root = join(import.meta.dirname, '../..');
  const CALL =
    /(function\s+)?\b(insertAppointment|moveAppointment|rescheduleAppointment|bookAppointment|bookRequest|bookSeries)\(|(insertInto|updateTable)\('appointments'\)|sql[^`]*`[^`]*\b(insert\s+into|update)\s+appointments\b/gi;
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!path.endsWith(join('db', 'migrations'))) walk(path);
      } else if (/\.tsx?$/.test(entry.name)) {
        const file = relative(root, path).split('\\').join('/');
        for (const m of readFileSync(path, 'utf8').matchAll(CALL)) {
          if (m[1]) continue; // a declaration, not a call
          found.add(`${file} ${m[2] ?? (m[3] ? `${m[3]}('appointments')` : `sql ${m[4]}`)}`);
        }
      }
    }
  };
  walk(join(root, 'src'));
  return [...found].sort();
}
