import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { infusionReady } from '../../src/clinical/service.ts';
import { findLocation, getClinic } from '../../src/kernel/clinic.ts';
import { isInfusionGateRefusal } from '../../src/kernel/db/database.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { rescheduleAppointment, type BookingContext } from '../../src/scheduling/booking-service.ts';
import { bookSeries } from '../../src/scheduling/series-booking.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { appointmentRow } from '../helpers/appointments.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { GOOD_CHECKLIST, GOOD_VITALS, postSessionForm, signConsent } from '../helpers/checkin.ts';
import { post, readySession, stateOf } from '../helpers/infusion.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, demoAccount, signIn, type Browser } from '../helpers/staff.ts';

/**
 * The liver hold (issue 13 §3): an ALT, AST or ALP at 3 × the upper limit of normal holds further infusions until a
 * provider closes the flag. The database keeps it beside the infusion gate (migration 033), so every booking path of
 * test/http/infusion-gate.test.ts meets it; the start of an infusion is refused by its service and by the database.
 * One walk with the hold open, and the same walk after a provider clears it.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const DAY = 86_400_000;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const HELD = 'or a provider has put infusions on hold';

async function refusedByGate(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (err) {
    if (isInfusionGateRefusal(err)) return true;
    throw err;
  }
}

async function context(kind: 'infusion' | 'booster'): Promise<BookingContext> {
  const d = db();
  return {
    database: rt().database,
    clinic: (await getClinic(d))!,
    location: (await findLocation(d, 'chicago'))!,
    type: { ...(await findAppointmentType(d, kind))!, min_notice_min: 0, step_min: 5 },
    now: rt().clock.now(),
  };
}

/** An ALT of 200 U/L against 40 recorded by the nurse: the liver flag, holding. */
async function liverResult(patientId: string): Promise<string> {
  const nurse = await signIn(rt(), 'nurse@relief.example');
  const page = await nurse.get(`/staff/patients/${patientId}/clinical`);
  const res = await nurse.post(`/staff/patients/${patientId}/clinical/labs`, {
    _csrf: csrfFrom(page.body),
    lab_test: 'alt',
    lab_value: '200',
    lab_unit: 'U/L',
    lab_uln: '40',
  });
  expect(res.statusCode).toBe(303);
  const flag = await db()
    .selectFrom('clinical_alerts')
    .selectAll()
    .where('patient_id', '=', patientId)
    .where('kind', '=', 'liver')
    .executeTakeFirstOrThrow();
  expect(Number(flag.holds)).toBe(1);
  return flag.id;
}

async function bookFor(b: Browser, patientId: string, fields: Record<string, string>) {
  const csrf = csrfFrom((await b.get(`/staff/patients/${patientId}/book`)).body);
  return b.post(`/staff/patients/${patientId}/book`, {
    _csrf: csrf,
    location: 'chicago',
    provider: 'any',
    time: '10:00',
    ...fields,
  });
}

const goodStart = (visit: OrderedVisit) => ({
  drug: 'Ketamine',
  lot: 'KX-2291',
  expires_on: '2099-06-30',
  bag_mg: '100',
  bag_ml: '100',
  witness: visit.providerId,
  witness_code: totpCode(demoAccount('provider@relief.example').totp, rt().clock.now()),
  pump_rate: String(visit.mlPerHour),
});

/** 10:00 in Chicago (CDT) on a weekday of May 2026, when the clinic is open and the screening valid. */
const may = (day: number) => Date.parse(`2026-05-${String(day).padStart(2, '0')}T15:00:00.000Z`);
const mayDay = (day: number) => `2026-05-${String(day).padStart(2, '0')}`;

/** Every path: staff booking (infusion, booster), staff move, the booking service's reschedule, series, the database. */
async function walk(visit: OrderedVisit, session: string, booked: string, expectHeld: boolean) {
  const patient = visit.patientId;
  const desk = await signIn(rt(), 'frontdesk@relief.example');
  const results: Record<string, boolean> = {};

  expect(await infusionReady(db(), patient, visit.startsAt + 30 * DAY)).toBe(!expectHeld);
  for (const [type, day] of [
    ['infusion', expectHeld ? 12 : 13],
    ['booster', expectHeld ? 14 : 15],
  ] as const) {
    const res = await bookFor(desk, patient, { type, date: mayDay(day) });
    results[`staff booking ${type}`] = res.statusCode === 409;
    if (expectHeld) expect(text(res.body)).toContain(HELD);
    // The front desk learns that a provider must act, never why.
    expect(text(res.body)).not.toMatch(/liver|ALT|enzyme/i);
  }

  // The booked visit moved by staff, and by the booking service (online and series moves go through it).
  const admin = await signIn(rt(), 'admin@relief.example');
  const csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${booked}`)).body);
  const moved = await admin.post(`/staff/calendar/appointments/${booked}/reschedule`, {
    _csrf: csrf,
    date: mayDay(6),
    time: '10:00',
  });
  results['staff move'] = moved.statusCode === 409;
  const resched = await rescheduleAppointment(await context('infusion'), booked, may(7));
  results['booking service reschedule'] = !resched.ok && resched.reason === 'not_eligible';

  const series = await bookSeries(
    await context('infusion'),
    { patientId: patient },
    expectHeld ? [may(19), may(20)] : [may(26), may(27)],
  );
  results['series booking'] = !series.ok && series.reason === 'not_eligible';

  const row = appointmentRow({
    type_id: 'type-booster',
    nurse_id: 'nurse-nia',
    nurse_lane: 1,
    room_id: 'chair-chi-3',
    patient_id: patient,
    at: 60 * 24 * 50,
    minutes: 120,
    supervisor_id: 'prov-okafor',
    supervisor_lane: 1,
  });
  results['database insert'] = await refusedByGate(db().insertInto('appointments').values(row).execute());

  // Starting the infusion of the visit booked before the result: refused by the service, then by the database.
  // The clock only moves on: a sign-in code's step is used once.
  rt().clock.current = Math.max(rt().clock.now(), visit.startsAt + 5 * 60_000);
  const nurse = await signIn(rt(), 'nurse@relief.example');
  const start = await post(nurse, visit, session, 'start', goodStart(visit));
  results['infusion start'] = start.statusCode === 409;
  if (expectHeld) {
    expect(text(start.body)).toContain('Infusions are on hold for this patient');
    expect(await stateOf(rt(), session)).toBe('ready');
  }
  return results;
}

describe(`the liver hold on every path (${engine})`, () => {
  it('holds every booking path and the start while open; a provider’s close with an action lifts it on all of them', async () => {
    const visit = await orderedVisit(rt(), 'Holly');
    const session = await readySession(rt(), visit);
    // An infusion booked before the result, to be moved while the hold is open.
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const first = await bookFor(desk, visit.patientId, { type: 'infusion', date: mayDay(5) });
    expect(first.statusCode, text(first.body).slice(0, 600)).toBe(303);
    const booked = first.headers.location!.split('/').pop()!.split('?')[0]!;
    const flag = await liverResult(visit.patientId);

    const held = await walk(visit, session, booked, true);
    expect(held).toEqual({
      'staff booking infusion': true,
      'staff booking booster': true,
      'staff move': true,
      'booking service reschedule': true,
      'series booking': true,
      'database insert': true,
      'infusion start': true,
    });
    // The database refuses the start written around the service too.
    await expect(
      db()
        .updateTable('infusion_sessions')
        .set({ started_at: rt().clock.now(), version: 3 })
        .where('id', '=', session)
        .execute(),
    ).rejects.toThrow(/session_hold/);

    // A nurse cannot lift it, nor can the database be told a nurse did.
    const nurseId = visit.nurseId;
    await expect(
      db()
        .updateTable('clinical_alerts')
        .set({
          resolved_by: nurseId,
          resolved_at: rt().clock.now(),
          assessment: 'Looks fine to me now.',
          action: 'no_change',
        })
        .where('id', '=', flag)
        .execute(),
    ).rejects.toThrow(/a hold is cleared by a provider/);
    await expect(
      db()
        .updateTable('clinical_alerts')
        .set({ resolved_by: visit.providerId, resolved_at: rt().clock.now(), assessment: 'Repeat LFTs normal.' })
        .where('id', '=', flag)
        .execute(),
    ).rejects.toThrow(/a hold is cleared by a provider/);
    await expect(
      db().updateTable('clinical_alerts').set({ holds: 0 }).where('id', '=', flag).execute(),
    ).rejects.toThrow(/a flag keeps what raised it/);

    const provider = await signIn(rt(), 'provider@relief.example');
    const page = await provider.get(`/staff/safety/${flag}`);
    expect(text(page.body)).toContain('Closing this flag lifts the hold');
    const seq = await lastSeq(rt());
    const closed = await provider.post(`/staff/safety/${flag}/close`, {
      _csrf: csrfFrom(page.body),
      assessment: 'Repeat liver tests back within normal limits; discussed with hepatology.',
      action: 'dose_adjusted',
    });
    expect(closed.statusCode).toBe(303);
    expect(closed.headers.location).toBe(`/staff/safety/${flag}?saved=lifted`);
    const close = (await eventsAfter(rt(), seq)).find((e) => e.action === 'safety.flag_close');
    expect(close?.detail).toMatchObject({ holdLifted: true, action: 'dose_adjusted' });

    const lifted = await walk(visit, session, booked, false);
    expect(lifted).toEqual({
      'staff booking infusion': false,
      'staff booking booster': false,
      'staff move': false,
      'booking service reschedule': false,
      'series booking': false,
      'database insert': false,
      'infusion start': false,
    });
    expect(await stateOf(rt(), session)).toBe('infusing');
  });

  it('a checked-in patient on hold: the check-in lists the hold as blocking, and the checks cannot be declared done', async () => {
    const visit = await orderedVisit(rt(), 'Hugo');
    rt().clock.current = Math.max(rt().clock.now(), visit.startsAt - 30 * 60_000);
    const session = await checkedInSession(rt(), visit);
    await liverResult(visit.patientId);
    await signConsent(rt(), visit.patientId);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    // Everything else in order: the hold is the one thing that blocks.
    expect((await postSessionForm(nurse, visit, session, 'checklist', GOOD_CHECKLIST)).statusCode).toBe(303);
    expect((await postSessionForm(nurse, visit, session, 'vitals', GOOD_VITALS)).statusCode).toBe(303);
    const page = await nurse.get(`/staff/patients/${visit.patientId}/sessions/${session}`);
    expect(text(page.body)).toContain('Infusions are on hold for this patient');
    const done = await post(nurse, visit, session, 'checks-done', {});
    expect(done.statusCode).toBe(409);
    expect(text(done.body)).toContain('Infusions are on hold for this patient');
    expect(await stateOf(rt(), session)).toBe('checked_in');
  });

  it('a hold on one patient holds no one else', async () => {
    const held = await orderedVisit(rt(), 'Hana');
    const other = await orderedVisit(rt(), 'Otto');
    await liverResult(held.patientId);
    expect(await infusionReady(db(), held.patientId, held.startsAt + DAY)).toBe(false);
    expect(await infusionReady(db(), other.patientId, other.startsAt + DAY)).toBe(true);
    const row = appointmentRow({
      type_id: 'type-booster',
      nurse_id: 'nurse-nia',
      nurse_lane: 1,
      room_id: 'chair-chi-4',
      patient_id: other.patientId,
      at: 60 * 24 * 70,
      minutes: 120,
      supervisor_id: 'prov-okafor',
      supervisor_lane: 1,
      id: randomUUID(),
    });
    await db().insertInto('appointments').values(row).execute();
  });
});
