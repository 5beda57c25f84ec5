import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { book, offeredTimes, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

/**
 * Appointment types that need a nurse and a chair (infusions), booked by staff for a known patient. The demo clinic
 * has two nurses in Chicago (Marcus Bell 09:30–18:00, Nia Brooks 08:00–16:30), each watching two infusions at once,
 * and six chairs; an infusion is 240 minutes with 15 before and 30 after.
 */
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';
const THURSDAY = '2026-03-05';
const THU_1000 = Date.parse('2026-03-05T16:00:00.000Z'); // 10:00 CST

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

let people = 0;
/** A person who booked a consultation online at Chicago: a patient record exists. */
async function patient(first = 'Robin'): Promise<string> {
  people += 1;
  const email = `inf${people}@example.com`;
  const link = await requestAndGetLink(rt(), {
    first_name: first,
    last_name: `Vale${people}`,
    email,
    phone: `(312) 555-${2000 + people}`,
  });
  // Any day but the Thursday the infusions are booked on: a person cannot be at two visits at once.
  const slot = (await offeredTimes(rt(), link)).filter((t) => new Date(t).toISOString().slice(0, 10) !== THURSDAY)[
    people
  ]!;
  expect((await book(rt(), link, slot)).statusCode).toBe(303);
  const id = (await db().selectFrom('patients').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  // Screened and planned, so infusions may be booked (the infusion gate).
  await makeInfusionReady(rt(), id);
  return id;
}

async function bookFor(b: Browser, patientId: string, fields: Record<string, string>) {
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
const idFrom = (location: string | undefined) => location!.split('/').pop()!.split('?')[0]!;
const row = (id: string) => db().selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe(`infusions: nurse and chair (${engine})`, () => {
  it('books a nurse lane and a chair for the whole infusion, no provider, spreading over the nurses; a fifth at once finds no nurse and writes nothing', async () => {
    const desk = await signIn(rt(), DESK);
    const [a, b, c, d, e] = [
      await patient('Ada'),
      await patient('Bo'),
      await patient('Cy'),
      await patient('Di'),
      await patient('Ed'),
    ];

    const first = await bookFor(desk, a, {});
    expect(first.statusCode, first.body.slice(0, 400)).toBe(303);
    expect(first.headers.location).toMatch(/\?done=booked$/);
    const one = await row(idFrom(first.headers.location));
    expect(one).toMatchObject({
      starts_at: THU_1000,
      ends_at: THU_1000 + 240 * 60_000,
      provider_id: null,
      nurse_id: 'nurse-marcus',
      nurse_lane: 1,
      room_id: 'chair-chi-1',
      patient_id: a,
      request_id: null,
      status: 'booked',
    });
    expect([one.busy_from, one.busy_to]).toEqual([THU_1000 - 15 * 60_000, THU_1000 + 270 * 60_000]);

    // Each nurse's first lane before either's second.
    const placed = [];
    for (const id of [b, c, d]) placed.push(await row(idFrom((await bookFor(desk, id, {})).headers.location)));
    expect(placed.map((x) => [x.nurse_id, x.nurse_lane, x.room_id, x.provider_id])).toEqual([
      ['nurse-nia', 1, 'chair-chi-2', null],
      ['nurse-marcus', 2, 'chair-chi-3', null],
      ['nurse-nia', 2, 'chair-chi-4', null],
    ]);

    const before = await db().selectFrom('appointments').select('id').execute();
    const fifth = await bookFor(desk, e, {});
    expect(fifth.statusCode).toBe(409);
    expect(fifth.body).toContain('An infusion needs a nurse and a chair free for its whole time');
    expect(fifth.body).toContain('Free times nearby');
    expect(fifth.body).toContain('value="infusion" selected');
    expect(await db().selectFrom('appointments').select('id').execute()).toHaveLength(before.length);

    // The patient page offers booking; the day grid has the nurses' columns with the infusions in them.
    expect((await desk.get(`/staff/patients/${a}`)).body).toContain(`href="/staff/patients/${a}/book"`);
    const day = await desk.get(`/staff/calendar?location=chicago&date=${THURSDAY}`);
    for (const column of ['Marcus Bell', 'Nia Brooks']) expect(day.body).toContain(`<th scope="col">${column}</th>`);
    expect(day.body).toContain('<th scope="colgroup" colspan="2">Nurses</th>');
    // Each infusion shows in its nurse's column and its chair's column; a nurse's column holds both of theirs.
    expect(
      day.body.match(/<span class="appt-type">Infusion<\/span> <span class="appt-who">Ada V\.<\/span>/g),
    ).toHaveLength(2);
    expect(day.body.match(/<span class="appt-type">Infusion<\/span>/g)).toHaveLength(8);
    const week = await desk.get(`/staff/calendar?location=chicago&date=${THURSDAY}&view=week`);
    expect(week.body).toContain('<h3>Marcus Bell</h3>');
    // The appointment page names the nurse and the chair, and no provider.
    const page = await desk.get(`/staff/calendar/appointments/${one.id}`);
    expect(page.body).toMatch(/<dt>Nurse<\/dt>\s*<dd>Marcus Bell<\/dd>/);
    expect(page.body).not.toContain('<dt>Provider</dt>');
    expect(page.body).toContain('<dt>Chair</dt>');
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('emails the patient the time and place without naming the kind of visit, with a calendar file and no self-service link', async () => {
    const desk = await signIn(rt(), DESK);
    const id = await patient('Robin');
    await rt().worker.runOnce();
    const sentBefore = rt().mail.sent.length;
    const res = await bookFor(desk, id, {});
    expect(res.statusCode).toBe(303);
    await rt().worker.runOnce();
    const mail = rt()
      .mail.sent.slice(sentBefore)
      .find((m) => m.subject.includes('is booked'))!;
    expect(mail.to).toBe(`inf${people}@example.com`);
    expect(mail.subject).toMatch(/^Your appointment at .+ is booked$/);
    // (The demo clinic's own name has the word in it; the visit itself is never named.)
    for (const text of [mail.text, mail.html, mail.ics!.content].map((t) =>
      t.replaceAll('Relief Infusion Clinic', ''),
    )) {
      expect(text).not.toMatch(/infusion|ketamine/i);
      expect(text).not.toContain(`Vale${people}`);
      expect(text).not.toContain('/book/');
    }
    expect(mail.text).toContain('Hello Robin,');
    expect(mail.text).toContain('please call');
    expect(mail.ics!.content).toContain('SUMMARY:Appointment at Chicago');

    // Cancelling from the calendar emails the cancellation the same way.
    const b = desk;
    const csrf = csrfFrom((await b.get(`/staff/calendar/appointments/${idFrom(res.headers.location)}`)).body);
    expect(
      (await b.post(`/staff/calendar/appointments/${idFrom(res.headers.location)}/cancel`, { _csrf: csrf })).statusCode,
    ).toBe(303);
    await rt().worker.runOnce();
    const cancelled = rt().mail.sent.find(
      (m) => m.subject.startsWith('Your appointment at') && m.subject.endsWith('is cancelled'),
    )!;
    expect(cancelled.ics!.method).toBe('CANCEL');
    expect(cancelled.text.replaceAll('Relief Infusion Clinic', '')).not.toMatch(/infusion/i);
  });

  it('fifteen simultaneous infusions at one time: exactly four succeed, two per nurse in four chairs, and the rest are told it is not free', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) ids.push(await patient(`P${String.fromCharCode(97 + i)}`));
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get(`/staff/patients/${ids[0]}/book`)).body);
    const results = await Promise.all(
      ids.map((id) =>
        desk.post(`/staff/patients/${id}/book`, {
          _csrf: csrf,
          type: 'infusion',
          location: 'chicago',
          provider: 'any',
          date: THURSDAY,
          time: '10:00',
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([...Array(4).fill(303), ...Array(11).fill(409)]);
    const booked = await db()
      .selectFrom('appointments')
      .select(['nurse_id', 'nurse_lane', 'room_id'])
      .where('starts_at', '=', THU_1000)
      .where('status', '=', 'booked')
      .execute();
    expect(booked.map((x) => `${x.nurse_id}#${x.nurse_lane}`).sort()).toEqual([
      'nurse-marcus#1',
      'nurse-marcus#2',
      'nurse-nia#1',
      'nurse-nia#2',
    ]);
    expect(new Set(booked.map((x) => x.room_id)).size).toBe(4);
  });

  it('under contention every free lane and chair still gets taken: six lanes, six chairs, twenty people at once → six', async () => {
    await db().updateTable('clinicians').set({ watches_at_once: 3 }).where('kind', '=', 'nurse').execute();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await patient(`Q${String.fromCharCode(97 + i)}`));
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get(`/staff/patients/${ids[0]}/book`)).body);
    const results = await Promise.all(
      ids.map((id) =>
        desk.post(`/staff/patients/${id}/book`, {
          _csrf: csrf,
          type: 'infusion',
          location: 'chicago',
          provider: 'any',
          date: THURSDAY,
          time: '10:00',
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(6);
    const booked = await db()
      .selectFrom('appointments')
      .select(['room_id'])
      .where('starts_at', '=', THU_1000)
      .where('status', '=', 'booked')
      .execute();
    expect(new Set(booked.map((x) => x.room_id)).size).toBe(6);
  });

  it('one person cannot be booked twice at once, even by two staff members at the same moment', async () => {
    const desk = await signIn(rt(), DESK);
    const admin = await signIn(rt(), ADMIN);
    const id = await patient('Ann');
    const [x, y] = await Promise.all([bookFor(desk, id, {}), bookFor(admin, id, { time: '11:00' })]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([303, 409]);
    expect(
      await db()
        .selectFrom('appointments')
        .select('id')
        .where('patient_id', '=', id)
        .where('type_id', '=', 'type-infusion')
        .execute(),
    ).toHaveLength(1);
    // Asked afterwards, the answer says why.
    const again = await bookFor(desk, id, { time: '12:00' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Ann already has an appointment at that time.');
    // Right after the visit is fine: the chair's clean-up is not the person's time.
    const after = await bookFor(desk, id, { type: 'follow-up', time: x.statusCode === 303 ? '14:00' : '15:00' });
    expect(after.statusCode, after.body.replace(/[\s\S]*role="alert">/, '').slice(0, 300)).toBe(303);
  });

  it('refuses bad and hostile input with 400 and a message, and another location with a denial', async () => {
    const desk = await signIn(rt(), DESK);
    const id = await patient();
    const count = async () => (await db().selectFrom('appointments').select('id').execute()).length;
    const before = await count();
    const cases: Array<[Record<string, string>, string]> = [
      [{ type: '<script>alert(1)</script>' }, 'Choose the kind of appointment.'],
      [{ time: '25:00' }, 'Enter a time like 09:30.'],
      [{ date: '2026-02-30' }, 'Enter the date like 2026-03-10.'],
      [{ provider: 'prov-okafor' }, 'not booked with a provider'],
      [{ type: 'follow-up', provider: 'prov-reyes' }, 'Choose a provider who works at this location.'],
      [{ date: '2026-03-01' }, 'Choose a time in the future'],
      [{ date: '9999-12-31' }, 'Choose a date within the next two years.'],
      [{ location: 'denver' }, 'Choose a location from the list.'],
    ];
    for (const [fields, message] of cases) {
      const res = await bookFor(desk, id, fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.body, JSON.stringify(fields)).toContain(message);
      expect(res.body).not.toContain('<script>alert(1)</script>');
    }
    expect(await count()).toBe(before);
    const denied = await db()
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'location_id'])
      .where('outcome', '=', 'denied')
      .where('action', '=', 'appointment.book')
      .execute();
    expect(denied).toEqual([{ action: 'appointment.book', outcome: 'denied', location_id: 'loc-denver' }]);
    // Unknown or malformed patient ids are the plain 404.
    for (const bad of ['not-a-uuid', '00000000-0000-4000-8000-000000000000'])
      expect((await desk.get(`/staff/patients/${bad}/book`)).statusCode).toBe(404);
  });

  it('a follow-up the admin sets to need a nurse too pairs the provider with a free nurse', async () => {
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get('/staff/setup/types/follow-up');
    const csrf = csrfFrom(form.body);
    const saved = await admin.post('/staff/setup/types/follow-up', {
      _csrf: csrf,
      name: 'Follow-up',
      duration: '30',
      buffer_before: '0',
      buffer_after: '0',
      notice: '12',
      step: '30',
      needs_provider: 'yes',
      needs_nurse: 'yes',
      place: 'room',
    });
    expect(saved.statusCode).toBe(200);
    expect(
      await db()
        .selectFrom('appointment_types')
        .select(['needs_provider', 'needs_nurse', 'place'])
        .where('code', '=', 'follow-up')
        .executeTakeFirstOrThrow(),
    ).toEqual({ needs_provider: 1, needs_nurse: 1, place: 'room' });
    expect((await admin.get('/staff/setup/types')).body).toContain('<td>Provider, nurse, room</td>');
    const id = await patient();
    const res = await bookFor(admin, id, { type: 'follow-up', provider: 'prov-okafor', time: '11:00' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await row(idFrom(res.headers.location))).toMatchObject({
      provider_id: 'prov-okafor',
      nurse_id: 'nurse-marcus',
      room_id: expect.stringMatching(/^room-chi-/),
    });
  });
});
