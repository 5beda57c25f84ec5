import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

/** Staff booking and moving follow what the set-up says: whoever a type needs, and when they work. */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const THURSDAY = '2026-03-05';

async function patient(n: number): Promise<string> {
  const email = `c${n}@example.com`;
  const link = await requestAndGetLink(rt(), {
    first_name: 'C',
    last_name: `V${n}`,
    email,
    phone: `(312) 555-3${String(n).padStart(3, '0')}`,
  });
  const slot = offeredSlots((await rt().app.inject({ url: link })).body).filter(
    (t) => new Date(t).toISOString().slice(0, 10) !== THURSDAY,
  )[n]!;
  expect((await book(rt(), link, slot)).statusCode).toBe(303);
  return (await db().selectFrom('patients').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

describe(`staff booking follows the set-up (${engine})`, () => {
  it('a consultation set up to need a nurse and a room, no provider, is booked from the leads inbox with "Any"', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    let csrf = csrfFrom((await admin.get('/staff/setup/types/consultation')).body);
    const saved = await admin.post('/staff/setup/types/consultation', {
      _csrf: csrf,
      name: 'Consultation',
      duration: '45',
      buffer_before: '0',
      buffer_after: '15',
      notice: '12',
      step: '30',
      needs_nurse: 'yes',
      place: 'room',
      online_bookable: 'yes',
    });
    expect(saved.statusCode).toBe(200);
    expect((await submitRequest(rt(), { email: 'lead@example.com' })).statusCode).toBe(303);
    const request = await db()
      .selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'lead@example.com')
      .executeTakeFirstOrThrow();
    const form = await admin.get('/staff/calendar/book?location=chicago');
    expect(form.body).toContain('<option value="any" selected>Any available provider</option>');
    csrf = csrfFrom(form.body);
    const named = await admin.post('/staff/calendar/book', {
      _csrf: csrf,
      location: 'chicago',
      request: request.id,
      provider: 'prov-okafor',
      date: THURSDAY,
      time: '11:00',
    });
    expect(named.statusCode).toBe(400);
    expect(named.body).toContain('is not booked with a provider');
    // Off the 30-minute grid is fine for staff: any 5-minute time within hours.
    const res = await admin.post('/staff/calendar/book', {
      _csrf: csrf,
      location: 'chicago',
      request: request.id,
      provider: 'any',
      date: THURSDAY,
      time: '11:05',
    });
    expect(res.statusCode, res.body.replace(/[\s\S]*role="alert">/, '').slice(0, 300)).toBe(303);
    const appt = await db()
      .selectFrom('appointments')
      .select(['provider_id', 'nurse_id', 'room_id', 'starts_at'])
      .where('request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(appt).toMatchObject({
      provider_id: null,
      nurse_id: 'nurse-marcus',
      room_id: expect.stringMatching(/^room-chi-/),
      starts_at: Date.parse('2026-03-05T17:05:00.000Z'),
    });
  });

  it("moving an infusion outside its nurse's hours, or with a nurse no longer active, is refused and changes nothing", async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const id = await patient(1);
    let csrf = csrfFrom((await desk.get(`/staff/patients/${id}/book`)).body);
    const booked = await desk.post(`/staff/patients/${id}/book`, {
      _csrf: csrf,
      type: 'infusion',
      location: 'chicago',
      provider: 'any',
      date: THURSDAY,
      time: '10:00',
    });
    expect(booked.statusCode).toBe(303);
    const apptId = booked.headers.location!.split('/').pop()!.split('?')[0]!;
    const before = await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow();
    expect(before.nurse_id).toBe('nurse-marcus');
    csrf = csrfFrom((await desk.get(`/staff/calendar/appointments/${apptId}`)).body);
    // Marcus works 09:30–18:00: 08:00–12:00 starts before his day.
    const early = await desk.post(`/staff/calendar/appointments/${apptId}/reschedule`, {
      _csrf: csrf,
      date: THURSDAY,
      time: '08:00',
    });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Marcus Bell does not work at this location for all of that time');
    await db().updateTable('clinicians').set({ active: 0 }).where('id', '=', 'nurse-marcus').execute();
    const inactive = await desk.post(`/staff/calendar/appointments/${apptId}/reschedule`, {
      _csrf: csrf,
      date: THURSDAY,
      time: '11:00',
    });
    expect(inactive.statusCode).toBe(409);
    expect(
      await db().selectFrom('appointments').selectAll().where('id', '=', apptId).executeTakeFirstOrThrow(),
    ).toEqual(before);
    await db().updateTable('clinicians').set({ active: 1 }).where('id', '=', 'nurse-marcus').execute();
    const fine = await desk.post(`/staff/calendar/appointments/${apptId}/reschedule`, {
      _csrf: csrf,
      date: THURSDAY,
      time: '11:00',
    });
    expect(fine.statusCode).toBe(303);
  });

  it('consultations taken off online booking offer no times online and refuse a posted one; staff can still book', async () => {
    const link = await requestAndGetLink(rt(), { email: 'paused@example.com' });
    const slot = offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
    const admin = await signIn(rt(), 'admin@relief.example');
    const csrf = csrfFrom((await admin.get('/staff/setup/types/consultation')).body);
    expect(
      (
        await admin.post('/staff/setup/types/consultation', {
          _csrf: csrf,
          name: 'Consultation',
          duration: '45',
          buffer_before: '0',
          buffer_after: '15',
          notice: '12',
          step: '30',
          needs_provider: 'yes',
          place: 'room',
        })
      ).statusCode,
    ).toBe(200);
    const page = await rt().app.inject({ url: link });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Online booking is paused at the moment.');
    expect(offeredSlots(page.body)).toEqual([]);
    const posted = await book(rt(), link, slot);
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain('Online booking is paused');
    expect(await db().selectFrom('appointments').select('id').execute()).toEqual([]);
    const request = await db()
      .selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'paused@example.com')
      .executeTakeFirstOrThrow();
    const form = await admin.get('/staff/calendar/book?location=chicago');
    const res = await admin.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'any',
      date: THURSDAY,
      time: '11:00',
    });
    expect(res.statusCode).toBe(303);
  });

  it("booking on a request's behalf refuses a request the clinic closed as not a candidate, and leaves it closed", async () => {
    expect(
      (await submitRequest(rt(), { first_name: 'Noel', email: 'noel@example.com', phone: '(312) 555-0191' }))
        .statusCode,
    ).toBe(303);
    const request = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'noel@example.com')
      .executeTakeFirstOrThrow();
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const lead = await desk.get(`/staff/leads/${request.id}`);
    expect(
      (await desk.post(`/staff/leads/${request.id}/status`, { _csrf: csrfFrom(lead.body), status: 'not_candidate' }))
        .statusCode,
    ).toBe(303);

    // The booking form does not offer it (closed requests are not bookable, online or by staff)...
    const form = await desk.get('/staff/calendar/book?location=chicago');
    expect(form.body).not.toContain('Noel');
    // ...but a post naming it books it, and the clinic's decision is overwritten without a status-change event.
    const res = await desk.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'prov-okafor',
      date: '2026-03-03',
      time: '11:00',
    });
    const after = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('status')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    const booked = await rt()
      .database.db.selectFrom('appointments')
      .select('id')
      .where('request_id', '=', request.id)
      .execute();
    expect(
      { status: res.statusCode, requestStatus: after.status, appointments: booked.length },
      'a closed request was booked and reopened',
    ).toMatchObject({
      requestStatus: 'not_candidate',
      appointments: 0,
    });
  });
});
