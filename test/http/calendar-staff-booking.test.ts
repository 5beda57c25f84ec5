import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
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
  const id = (await db().selectFrom('patients').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  // Screened and planned, so infusions may be booked (the infusion gate).
  await makeInfusionReady(rt(), id);
  return id;
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

describe(`booking from a calendar cell (${engine})`, () => {
  const cellLinks = (html: string) =>
    [...html.matchAll(/<a class="cal-free" href="([^"]+)"><span class="visually-hidden">([^<]+)<\/span>/g)].map(
      (m) => ({ href: m[1]!.replaceAll('&amp;', '&'), name: m[2]! }),
    );

  it('free cells inside opening hours and ahead of now link to the form with their time and column; nurses see none', async () => {
    expect((await submitRequest(rt(), { email: 'cell@example.com' })).statusCode).toBe(303);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const day = await desk.get(`/staff/calendar?location=chicago&date=${THURSDAY}`);
    const links = cellLinks(day.body);
    const okafor = links.find((l) => l.name === 'Book 9:15 AM with Dr. Amara Okafor');
    expect(okafor?.href).toBe(
      `/staff/calendar/book?location=chicago&date=${THURSDAY}&time=09%3A15&provider=prov-okafor`,
    );
    expect(links.find((l) => l.name === 'Book 9:15 AM with Nia Brooks')?.href).toContain('&nurse=nurse-nia');
    expect(links.find((l) => l.name === 'Book 9:15 AM with Chair 4')?.href).toContain('&room=chair-chi-4');
    // Opening hours are 8:00–18:00 on a Thursday: no cell before or after is offered.
    expect(links.some((l) => / (7:45|6:00 PM)/.test(l.name))).toBe(false);
    // Today before 9:00 AM (the clock) is past: those cells are not links.
    const today = cellLinks((await desk.get('/staff/calendar?location=chicago&date=2026-03-02')).body);
    expect(today.some((l) => l.name.startsWith('Book 9:00 AM'))).toBe(false);
    expect(today.some((l) => l.name.startsWith('Book 9:15 AM'))).toBe(true);
    // A key explains the grid's colours in words.
    for (const words of [
      'Consultation',
      'Arrived (green outline',
      'No-show (red dashed outline',
      'Outside opening hours',
    ])
      expect(day.body).toContain(words);

    const nurse = await signIn(rt(), 'nurse@relief.example');
    expect(cellLinks((await nurse.get(`/staff/calendar?location=chicago&date=${THURSDAY}`)).body)).toEqual([]);

    // The form the provider's cell opens: that provider chosen, that date and time, said in words.
    const form = await desk.get(okafor!.href);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<option value="prov-okafor" selected>Dr. Amara Okafor</option>');
    expect(form.body).toContain(`name="date" type="date" required value="${THURSDAY}"`);
    expect(form.body).toContain('name="time" type="time" step="300" required value="09:15"');
    expect(form.body).toContain('Chosen on the calendar: Thursday, March 5 at 9:15 AM, Dr. Amara Okafor.');
    // The hint agrees with the 12-hour control the browser shows.
    expect(form.body).toContain('In steps of 5 minutes.');
    expect(form.body).not.toContain('24-hour');
  });

  it('a forged or foreign column id is a 400 naming its field, on the form and when posted', async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const base = `/staff/calendar/book?location=chicago&date=${THURSDAY}&time=09:15`;
    for (const [param, words] of [
      ['provider=prov-reyes', 'Choose a provider at this location.'], // works in Denver only
      ['nurse=nurse-priya', 'Choose a nurse at this location.'], // Denver's nurse
      ['room=chair-den-1', 'Choose a chair or room at this location.'], // Denver's chair
      ['room=nope', 'Choose a chair or room at this location.'],
    ] as const) {
      const res = await desk.get(`${base}&${param}`);
      expect(res.statusCode, param).toBe(400);
      expect(res.body).toContain(words);
    }
    expect((await desk.get(`${base}&time=25:00`)).statusCode).toBe(400);
    expect((await desk.get('/staff/calendar/book?location=denver&date=2026-03-05')).statusCode).toBe(400);

    const id = await patient(1);
    const form = await desk.get(
      `/staff/patients/${id}/book?location=chicago&date=${THURSDAY}&time=10:00&room=chair-chi-3`,
    );
    const csrf = csrfFrom(form.body);
    const post = (over: Record<string, string>) =>
      desk.post(`/staff/patients/${id}/book`, {
        _csrf: csrf,
        type: 'infusion',
        location: 'chicago',
        provider: 'any',
        nurse: 'any',
        room: 'any',
        date: THURSDAY,
        time: '10:00',
        ...over,
      });
    for (const [over, field] of [
      [{ room: 'chair-den-1' }, 'room'],
      [{ room: 'room-chi-1' }, 'room'], // an infusion takes a chair, not a room
      [{ nurse: 'nurse-priya' }, 'nurse'],
      [{ nurse: 'prov-okafor' }, 'nurse'],
    ] as const) {
      const res = await post(over);
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.body).toContain(`href="#${field}"`);
    }
    expect(await db().selectFrom('appointments').select('id').where('patient_id', '=', id).execute()).toHaveLength(1);
  });

  it("a cell's column preselects the clinic's own type of the likely kind, whatever its code", async () => {
    const id = await patient(4);
    const types = await db().selectFrom('appointment_types').selectAll().execute();
    for (const [old, code, name] of [
      ['type-infusion', 'long-infusion', 'Long infusion'],
      ['type-follow-up', 'review', 'Review'],
    ] as const) {
      const row = types.find((t) => t.id === old)!;
      await db()
        .insertInto('appointment_types')
        .values({ ...row, id: `type-${code}`, code, name })
        .execute();
      await db().updateTable('appointment_types').set({ retired_at: 1 }).where('id', '=', old).execute();
    }
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const base = `/staff/patients/${id}/book?location=chicago&date=${THURSDAY}&time=10%3A30`;
    const fromChair = (await desk.get(`${base}&room=chair-chi-5`)).body;
    expect(fromChair).toContain('<option value="long-infusion" selected>');
    expect(fromChair).not.toContain('value="infusion"');
    const fromProvider = (await desk.get(`${base}&provider=prov-okafor`)).body;
    expect(fromProvider).toContain('<option value="review" selected>');
  });

  it("a chair's cell books an infusion for a patient found from the form, in that chair with that time", async () => {
    const id = await patient(2);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const day = await desk.get(`/staff/calendar?location=chicago&date=${THURSDAY}`);
    const chair = cellLinks(day.body).find((l) => l.name === 'Book 10:30 AM with Chair 5')!;
    const form = await desk.get(chair.href);
    expect(form.body).toContain('Or book this time for a patient');
    const found = await desk.post('/staff/calendar/book/patients', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      date: THURSDAY,
      time: '10:30',
      room: 'chair-chi-5',
      q: 'V2',
    });
    expect(found.statusCode).toBe(200);
    const link = /<a href="(\/staff\/patients\/[^"]+\/book\?[^"]+)">Book for C V2<\/a>/.exec(found.body)?.[1];
    expect(link?.replaceAll('&amp;', '&')).toBe(
      `/staff/patients/${id}/book?location=chicago&date=${THURSDAY}&time=10%3A30&room=chair-chi-5`,
    );
    expect((await desk.post('/staff/calendar/book/patients', { _csrf: csrfFrom(form.body), q: 'V' })).statusCode).toBe(
      400,
    );

    const book = await desk.get(link!.replaceAll('&amp;', '&'));
    expect(book.body).toContain('<option value="infusion" selected>');
    expect(book.body).toContain('<option value="chair-chi-5" selected>Chair 5</option>');
    const res = await desk.post(`/staff/patients/${id}/book`, {
      _csrf: csrfFrom(book.body),
      type: 'infusion',
      location: 'chicago',
      provider: 'any',
      nurse: 'any',
      room: 'chair-chi-5',
      date: THURSDAY,
      time: '10:30',
    });
    expect(res.statusCode).toBe(303);
    // Chair 1 was free too: the engine's first choice is not taken, the column's chair is.
    expect(
      await db()
        .selectFrom('appointments')
        .select(['room_id', 'starts_at'])
        .where('patient_id', '=', id)
        .where('type_id', '=', 'type-infusion')
        .executeTakeFirstOrThrow(),
    ).toEqual({ room_id: 'chair-chi-5', starts_at: Date.parse('2026-03-05T16:30:00.000Z') });

    // The same chair again at an overlapping time is refused, and the nearby times offered keep that chair.
    const other = await patient(3);
    const again = await desk.get(
      `/staff/patients/${other}/book?location=chicago&date=${THURSDAY}&time=11:00&room=chair-chi-5`,
    );
    const clash = await desk.post(`/staff/patients/${other}/book`, {
      _csrf: csrfFrom(again.body),
      type: 'infusion',
      location: 'chicago',
      provider: 'any',
      nurse: 'any',
      room: 'chair-chi-5',
      date: THURSDAY,
      time: '11:00',
    });
    expect(clash.statusCode).toBe(409);
    const alternative = /<form method="post" action="\/staff\/patients\/[^"]+\/book">(.*?)<\/form>/.exec(
      clash.body,
    )?.[1];
    expect(alternative).toContain('<input type="hidden" name="room" value="chair-chi-5"');
  });
});
