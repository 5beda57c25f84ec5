import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredTimes, requestAndGetLink, submitRequest, bookOnline } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { appointmentRow } from '../helpers/appointments.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const NURSE = 'nurse@relief.example';
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z'); // 9:00 AM CST
const MIN = 60_000;

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

const appointment = (id: string) =>
  rt().database.db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const lastSeq = async () =>
  Number(
    (await rt().database.db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst())
      ?.seq ?? 0,
  );
const eventsAfter = (seq: number) =>
  rt().database.db.selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq').execute();
const rowLabels = (html: string) =>
  [...html.matchAll(/<th scope="row"><time datetime="[^"]+">([^<]+)<\/time>/g)].map((m) => m[1]);

const requestIdOf = async (email: string) =>
  (await db().selectFrom('consultation_requests').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const liveBookingOf = (requestId: string) =>
  db()
    .selectFrom('appointments')
    .select(['id', 'status', 'location_id'])
    .where('request_id', '=', requestId)
    .where('status', '=', 'booked')
    .executeTakeFirst();

/** A booked visit at Chicago in Consult room 1, written directly (no provider or nurse, so only the clock rules apply). */
async function visitAt(iso: string, minutes = 45): Promise<string> {
  const start = Date.parse(iso);
  const row = appointmentRow({
    id: randomUUID(),
    room_id: 'room-chi-1',
    starts_at: start,
    ends_at: start + minutes * MIN,
    busy_from: start,
    busy_to: start + minutes * MIN,
  });
  await db().insertInto('appointments').values(row).execute();
  return row.id;
}

async function csrf(b: Browser): Promise<string> {
  return csrfFrom((await b.get('/staff/calendar')).body);
}

describe(`staff calendar (${engine})`, () => {
  it("shows the front desk their location's calendar and refuses another location's, audited", async () => {
    const chicago = await bookOnline(rt(), TUE_0900, 'chicago', { first_name: 'Ana', last_name: 'Moreno' });
    const denver = await bookOnline(rt(), 'first', 'denver', { first_name: 'Dana', last_name: 'Quist' });
    const desk = await signIn(rt(), DESK);

    let seq = await lastSeq();
    const day = await desk.get('/staff/calendar?date=2026-03-03');
    expect(day.statusCode).toBe(200);
    expect(day.body).toContain('Calendar: Chicago');
    expect(day.body).toContain('Ana M.');
    expect(day.body).toContain(`href="/staff/calendar/appointments/${chicago}"`);
    expect(day.body).not.toContain('Dana');
    for (const column of ['Dr. Amara Okafor', 'Chair 1', 'Chair 6', 'Consult room 2'])
      expect(day.body).toContain(`<th scope="col">${column}</th>`);
    // Once in the provider's column, once in the room's: a link with the whole story.
    expect(
      day.body.match(
        /9:00 AM – 9:45 AM<\/span> <span class="appt-type">Consultation<\/span> <span class="appt-who">Ana M\.<\/span>/g,
      ),
    ).toHaveLength(2);
    let events = await eventsAfter(seq);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'calendar.view', outcome: 'success', location_id: 'loc-chicago' });
    expect(JSON.parse(events[0]!.detail)).toEqual({
      view: 'day',
      date: '2026-03-03',
      appointments: 1,
      cancelled: false,
    });

    // Default: first location, day view, today in the location's zone.
    expect((await desk.get('/staff/calendar')).body).toContain('Monday, March 2, 2026');
    const week = await desk.get('/staff/calendar?view=week&date=2026-03-04');
    expect(week.statusCode).toBe(200);
    expect(week.body).toContain('Monday, March 2');
    expect(week.body).toContain('Sunday, March 8');
    expect(week.body).toContain('Ana M.');

    seq = await lastSeq();
    const other = await desk.get('/staff/calendar?location=denver');
    expect(other.statusCode).toBe(400);
    expect(other.body).not.toContain('Dana');
    events = await eventsAfter(seq);
    expect(events.map((e) => [e.action, e.outcome, e.location_id])).toEqual([
      ['calendar.view', 'denied', 'loc-denver'],
    ]);

    const token = await csrf(desk);
    seq = await lastSeq();
    const refused = await desk.post(`/staff/calendar/appointments/${denver}/attendance`, {
      _csrf: token,
      attendance: 'no_show',
    });
    expect(refused.statusCode).toBe(404);
    expect((await desk.get(`/staff/calendar/appointments/${denver}`)).statusCode).toBe(404);
    expect((await desk.post(`/staff/calendar/appointments/${denver}/cancel`, { _csrf: token })).statusCode).toBe(404);
    events = await eventsAfter(seq);
    expect(events.map((e) => [e.action, e.outcome, e.location_id])).toEqual([
      ['appointment.attendance', 'denied', 'loc-denver'],
      ['appointment.view', 'denied', 'loc-denver'],
      ['appointment.cancel', 'denied', 'loc-denver'],
    ]);
    expect(await appointment(denver)).toMatchObject({ status: 'booked', attendance: null });
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('builds the day grid from local times on DST days in America/Chicago', async () => {
    // Sunday opening 1:00–4:00 AM, across both changes of 2026.
    await rt()
      .database.db.insertInto('opening_hours')
      .values({ location_id: 'loc-chicago', weekday: 7, opens_min: 60, closes_min: 240 })
      .execute();
    const admin = await signIn(rt(), ADMIN);
    const spring = rowLabels((await admin.get('/staff/calendar?location=chicago&date=2026-03-08')).body);
    expect(spring).toEqual([
      '1:00 AM CST',
      '1:15 AM CST',
      '1:30 AM CST',
      '1:45 AM CST',
      '3:00 AM CDT',
      '3:15 AM CDT',
      '3:30 AM CDT',
      '3:45 AM CDT',
    ]);
    const fall = rowLabels((await admin.get('/staff/calendar?location=chicago&date=2026-11-01')).body);
    expect(fall).toHaveLength(16);
    expect(fall.slice(0, 6)).toEqual([
      '1:00 AM CDT',
      '1:15 AM CDT',
      '1:30 AM CDT',
      '1:45 AM CDT',
      '1:00 AM CST',
      '1:15 AM CST',
    ]);
    expect(fall.at(-1)).toBe('3:45 AM CST');
    const ordinary = rowLabels((await admin.get('/staff/calendar?location=chicago&date=2026-03-02')).body);
    expect(ordinary).toHaveLength(40); // 8:00 AM – 6:00 PM
    expect([ordinary[0], ordinary.at(-1)]).toEqual(['8:00 AM', '5:45 PM']);
  });

  it('marks arrival on the day, audited, and shows it on the grid', async () => {
    const id = await bookOnline(rt(), TUE_0900);
    const early = await signIn(rt(), NURSE);
    const refused = await early.post(`/staff/calendar/appointments/${id}/attendance`, {
      _csrf: await csrf(early),
      attendance: 'arrived',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('from the day of the appointment');

    rt().clock.set('2026-03-03T14:55:00.000Z');
    const nurse = await signIn(rt(), NURSE);
    const seq = await lastSeq();
    const res = await nurse.post(`/staff/calendar/appointments/${id}/attendance`, {
      _csrf: await csrf(nurse),
      attendance: 'arrived',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/staff/calendar/appointments/${id}?done=arrived`);
    expect(await appointment(id)).toMatchObject({ attendance: 'arrived', status: 'booked' });
    const events = (await eventsAfter(seq)).filter((e) => e.action === 'appointment.attendance');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', location_id: 'loc-chicago' });
    expect(JSON.parse(events[0]!.detail)).toEqual({ appointmentId: id, from: null, to: 'arrived' });
    expect((await nurse.get(res.headers.location as string)).body).toContain('Marked as arrived.');
    expect((await nurse.get('/staff/calendar')).body).toContain('appt-arrived');
    // Nurses mark attendance but do not change the schedule.
    expect(
      (await nurse.post(`/staff/calendar/appointments/${id}/cancel`, { _csrf: await csrf(nurse) })).statusCode,
    ).toBe(403);
    // The leads inbox counts the visit as attended: requests → booked → attended.
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const leads = (await desk.get('/staff/leads?from=2026-03-01&to=2026-03-03')).body;
    // Received, booked, rate, cancelled (none), attended.
    expect(leads).toMatch(
      /<th scope="row">Chicago – River North<\/th><td>1<\/td><td>1<\/td><td>100%<\/td><td>0<\/td><td>1<\/td>/,
    );
  });

  it('books a consultation on behalf of a request, creating the patient, through the claim-guarded path', async () => {
    expect(
      (
        await submitRequest(rt(), {
          first_name: 'Bea',
          last_name: 'Quinn',
          email: 'bea@example.com',
          phone: '(312) 555-0199',
        })
      ).statusCode,
    ).toBe(303);
    const request = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'bea@example.com')
      .executeTakeFirstOrThrow();
    const desk = await signIn(rt(), DESK);
    const form = await desk.get('/staff/calendar/book?location=chicago');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Bea Quinn');
    expect(form.body).toContain('no override in this release');

    const seq = await lastSeq();
    // Today at 11:00: staff are not held to the online minimum notice.
    const fields = {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'prov-okafor',
      date: '2026-03-02',
      time: '11:00',
    };
    const res = await desk.post('/staff/calendar/book', fields);
    expect(res.statusCode).toBe(303);
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .selectAll()
      .where('request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(appt).toMatchObject({
      starts_at: Date.parse('2026-03-02T17:00:00.000Z'),
      provider_id: 'prov-okafor',
      status: 'booked',
    });
    expect(res.headers.location).toBe(`/staff/calendar/appointments/${appt.id}?done=booked`);
    const patient = await rt()
      .database.db.selectFrom('patients')
      .selectAll()
      .where('id', '=', appt.patient_id!)
      .executeTakeFirstOrThrow();
    expect(patient).toMatchObject({
      first_name: 'Bea',
      last_name: 'Quinn',
      email: 'bea@example.com',
      phone: '+13125550199',
      location_id: 'loc-chicago',
    });
    expect(
      await rt()
        .database.db.selectFrom('consultation_requests')
        .select(['status', 'patient_id'])
        .where('id', '=', request.id)
        .executeTakeFirst(),
    ).toEqual({ status: 'booked', patient_id: patient.id });
    expect((await eventsAfter(seq)).map((e) => [e.action, e.outcome, e.patient_ref])).toEqual([
      ['appointment.book', 'success', patient.id],
    ]);

    // Another request for the same provider and time: the database refuses it, and nearby free times are listed.
    expect(
      (await submitRequest(rt(), { first_name: 'Cal', email: 'cal@example.com', phone: '(312) 555-0198' })).statusCode,
    ).toBe(303);
    const second = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'cal@example.com')
      .executeTakeFirstOrThrow();
    const clash = await desk.post('/staff/calendar/book', { ...fields, request: second.id });
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toContain('That time is taken');
    expect(
      await rt().database.db.selectFrom('appointments').select('id').where('request_id', '=', second.id).execute(),
    ).toHaveLength(0);

    // Each nearby free time is a button that books it: a form posting everything as typed but that time, with CSRF.
    const alternatives = [...clash.body.matchAll(/<form method="post" action="\/staff\/calendar\/book">(.*?)<\/form>/g)]
      .map((m) => m[1]!)
      .filter((f) => f.includes('<button class="button button-small button-secondary" type="submit">Book <time'));
    expect(alternatives.length).toBeGreaterThan(0);
    const hidden = (form: string) =>
      Object.fromEntries(
        [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
    const first = hidden(alternatives[0]!);
    expect(first).toMatchObject({ location: 'chicago', request: second.id, provider: 'prov-okafor' });
    expect(first._csrf).toBe(fields._csrf);
    expect(`${first.date} ${first.time}`).not.toBe('2026-03-02 11:00');
    const rebooked = await desk.post('/staff/calendar/book', first);
    expect(rebooked.statusCode).toBe(303);
    const taken = await rt()
      .database.db.selectFrom('appointments')
      .select(['starts_at', 'provider_id'])
      .where('request_id', '=', second.id)
      .executeTakeFirstOrThrow();
    expect(taken.provider_id).toBe('prov-okafor');
    expect(taken.starts_at).toBe(Date.parse(/datetime="([^"]+)"/.exec(alternatives[0]!)![1]!));
  });

  it("a visit at my location offers its request's page only to those who may read that request", async () => {
    // A Denver request whose person picked a Chicago time on the booking page.
    const email = 'denver-to-chicago@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'DenverToChicago', email, location: 'denver' });
    const requestId = await requestIdOf(email);
    const slot = (await offeredTimes(rt(), `${link}?location=chicago`)).find(
      (t) => t >= rt().clock.now() + 2 * 86_400_000,
    )!;
    expect((await book(rt(), link, slot, 'chicago')).statusCode).toBe(303);
    const appt = (await liveBookingOf(requestId))!;
    expect(appt.location_id).toBe('loc-chicago');

    const desk = await signIn(rt(), DESK); // Chicago front desk: the visit is on their calendar
    const page = await desk.get(`/staff/calendar/appointments/${appt.id}`);
    expect(page.statusCode).toBe(200);
    // The request stays Denver's (the desk may not read it), so its page is not offered: no link that answers 404
    // and records a denial against the desk. Denver's desk, who may read it, gets the link.
    expect(page.body).not.toContain(`href="/staff/leads/${requestId}"`);
    const denverDesk = await signIn(rt(), 'denver.desk@relief.example');
    expect((await denverDesk.get(`/staff/calendar/appointments/${appt.id}`)).statusCode).toBe(404);
    const admin = await signIn(rt(), 'admin@relief.example');
    expect((await admin.get(`/staff/calendar/appointments/${appt.id}`)).body).toContain(
      `href="/staff/leads/${requestId}"`,
    );
  });

  it("a visit starting in the repeated hour shows its start's own offset, not the end's", async () => {
    // 1:30 AM CDT (06:30Z) for 45 minutes: it ends at 1:15 AM CST, after the clocks went back.
    const id = await visitAt('2026-11-01T06:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const page = (await admin.get(`/staff/calendar/appointments/${id}`)).body;
    const timeRow = /<dt>Time<\/dt><dd>([^<]*)<\/dd>/.exec(page)?.[1];
    // Shown as "1:30 AM – 1:15 AM CST", it reads as starting at 1:30 CST (an hour later) and ending before it starts.
    expect(timeRow).toBe('1:30 AM CDT – 1:15 AM CST');
  });

  it('the demo seed fills this week and the next at each location, with past visits marked', async () => {
    rt().clock.set('2026-03-04T20:00:00.000Z'); // Wednesday afternoon in Chicago and Denver
    const written = await seedDemoVisits(rt().database, rt().clock.now());
    expect(written).toBeGreaterThan(50);
    const admin = await signIn(rt(), ADMIN);
    for (const location of ['chicago', 'denver'])
      for (const date of ['2026-03-04', '2026-03-11']) {
        const week = await admin.get(`/staff/calendar?location=${location}&view=week&date=${date}`);
        const shown = week.body.match(/class="appt appt-type-/g) ?? [];
        expect(shown.length, `${location} ${date}`).toBeGreaterThan(15);
      }
    const rows = await db().selectFrom('appointments').select(['starts_at', 'ends_at', 'attendance']).execute();
    const now = rt().clock.now();
    const over = rows.filter((r) => Number(r.ends_at) <= now);
    expect(over.length).toBeGreaterThan(10);
    expect(over.every((r) => r.attendance !== null)).toBe(true);
    expect(over.some((r) => r.attendance === 'no_show')).toBe(true);
    expect(rows.filter((r) => Number(r.ends_at) > now).every((r) => r.attendance === null)).toBe(true);
    // Nothing before this week's Monday or after next week's Sunday (Chicago's zone is the earliest).
    expect(Math.min(...rows.map((r) => Number(r.starts_at)))).toBeGreaterThanOrEqual(
      Date.parse('2026-03-02T06:00:00Z'),
    );
    expect(Math.max(...rows.map((r) => Number(r.starts_at)))).toBeLessThan(Date.parse('2026-03-16T06:00:00Z'));
  });

  it("the demo's visits take the type in use of each kind, not a fixed code (types are the clinic's data)", async () => {
    rt().clock.set('2026-03-04T20:00:00.000Z');
    const infusion = await db()
      .selectFrom('appointment_types')
      .selectAll()
      .where('id', '=', 'type-infusion')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('appointment_types')
      .values({ ...infusion, id: 'type-long', code: 'long-infusion', name: 'Long infusion' })
      .execute();
    await db()
      .updateTable('appointment_types')
      .set({ retired_at: rt().clock.now() })
      .where('id', '=', infusion.id)
      .execute();
    await seedDemoVisits(rt().database, rt().clock.now());
    const byType = await db()
      .selectFrom('appointments')
      .select(['type_id', db().fn.countAll<number>().as('n')])
      .groupBy('type_id')
      .execute();
    const count = new Map(byType.map((r) => [r.type_id, Number(r.n)]));
    expect(count.get('type-long')).toBeGreaterThan(10);
    expect(count.has('type-infusion')).toBe(false);
    expect(count.get('type-consultation')).toBeGreaterThan(10);
  });
});
