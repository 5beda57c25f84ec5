import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { book, offeredTimes, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

/**
 * A nurse watches up to a set number of infusions at once, one lane each (src/scheduling/repository.ts). When the
 * set-up changes (a nurse added, a number lowered, a nurse out of use) bookings stay where they are and are listed,
 * and a staff move never puts a nurse over their number. The demo clinic has two nurses in Chicago (Marcus Bell
 * 09:30–18:00, Nia Brooks 08:00–16:30), each watching two infusions at once, and six chairs.
 */
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';
const THURSDAY = '2026-03-05';

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

/** Three people each booked into an infusion on Thursday at 10:00 by staff; returns the appointment ids. */
async function threeInfusions(b: Browser): Promise<string[]> {
  const booked: string[] = [];
  for (const id of [await patient(), await patient(), await patient()]) {
    const r = await bookFor(b, id, {});
    expect(r.statusCode).toBe(303);
    booked.push(idFrom(r.headers.location));
  }
  return booked;
}

describe(`a nurse's lanes when the set-up changes (${engine})`, () => {
  it('an admin adds a nurse and a schedule, and a fifth infusion fits; lowering or ending a nurse keeps and lists their bookings', async () => {
    const admin = await signIn(rt(), ADMIN);
    const [a, b, c, d, e] = [
      await patient('Ada'),
      await patient('Bo'),
      await patient('Cy'),
      await patient('Di'),
      await patient('Ed'),
    ];
    for (const id of [a, b, c, d]) expect((await bookFor(admin, id, {})).statusCode).toBe(303);
    expect((await bookFor(admin, e, {})).statusCode).toBe(409);

    let csrf = csrfFrom((await admin.get('/staff/setup/clinicians')).body);
    const hostile = await admin.post('/staff/setup/clinicians', {
      _csrf: csrf,
      name: '<img src=x onerror=alert(1)>',
      credentials: '',
      kind: 'nurse',
    });
    expect(hostile.statusCode).toBe(400);
    expect(hostile.body).toContain('Use plain text only');
    expect(hostile.body).not.toContain('<img src=x');
    expect(
      (
        await admin.post('/staff/setup/clinicians', {
          _csrf: csrf,
          name: 'Jo Park',
          credentials: 'RN',
          kind: 'surgeon',
        })
      ).statusCode,
    ).toBe(400);
    const added = await admin.post('/staff/setup/clinicians', {
      _csrf: csrf,
      name: 'Jo Park',
      credentials: 'RN',
      kind: 'nurse',
    });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('Jo Park added.');
    const jo = await db().selectFrom('clinicians').selectAll().where('name', '=', 'Jo Park').executeTakeFirstOrThrow();
    expect(jo).toMatchObject({ kind: 'nurse', credentials: 'RN', active: 1, watches_at_once: 1 });

    const hours: Record<string, string> = { _csrf: csrf };
    for (const loc of ['loc-chicago', 'loc-denver']) {
      for (let wd = 1; wd <= 7; wd++) {
        if (loc === 'loc-chicago' && wd <= 5)
          Object.assign(hours, { [`${loc}-d${wd}-from`]: '08:00', [`${loc}-d${wd}-to`]: '18:00' });
        else hours[`${loc}-d${wd}-off`] = 'yes';
      }
    }
    expect((await admin.post(`/staff/setup/clinicians/${jo.id}/hours`, hours)).statusCode).toBe(200);
    const third = await bookFor(admin, e, {});
    expect(third.statusCode, third.body.replace(/[\s\S]*role="alert">/, '').slice(0, 400)).toBe(303);
    expect(await row(idFrom(third.headers.location))).toMatchObject({
      nurse_id: jo.id,
      nurse_lane: 1,
      room_id: 'chair-chi-5',
    });

    // Marcus down to one infusion at a time: his second lane's infusion stays booked and is listed.
    const csrfM = csrfFrom((await admin.get('/staff/setup/clinicians/nurse-marcus')).body);
    expect(
      (
        await admin.post('/staff/setup/clinicians/nurse-marcus', {
          _csrf: csrfM,
          name: 'Marcus Bell',
          credentials: 'RN',
          active: 'yes',
          watches_at_once: '9',
        })
      ).statusCode,
    ).toBe(400);
    const lowered = await admin.post('/staff/setup/clinicians/nurse-marcus', {
      _csrf: csrfM,
      name: 'Marcus Bell',
      credentials: 'RN',
      active: 'yes',
      watches_at_once: '1',
    });
    expect(lowered.statusCode).toBe(200);
    expect(lowered.body).toContain('the nurse now watches fewer infusions at once');
    expect(lowered.body.match(/the nurse now watches fewer infusions at once/g)).toHaveLength(1);

    // Out of use: their infusion stays booked, is listed to be moved, and they are offered no more.
    csrf = csrfFrom((await admin.get(`/staff/setup/clinicians/${jo.id}`)).body);
    const off = await admin.post(`/staff/setup/clinicians/${jo.id}`, {
      _csrf: csrf,
      name: 'Jo Park',
      credentials: 'RN',
    });
    expect(off.statusCode).toBe(200);
    expect(off.body).toContain('These bookings now conflict');
    expect(off.body).toContain('the provider or nurse is no longer active');
    expect(off.body).toContain(`/staff/calendar/appointments/${idFrom(third.headers.location)}`);
    expect((await row(idFrom(third.headers.location))).status).toBe('booked');
    const f = await patient('Fay');
    expect((await bookFor(admin, f, { time: '10:30' })).statusCode).toBe(409);
    const events = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['setup.clinician_add', 'setup.clinician_edit'])
      .orderBy('seq')
      .execute();
    expect(events.map((x) => x.action)).toEqual([
      'setup.clinician_add',
      'setup.clinician_edit',
      'setup.clinician_edit',
    ]);

    // Only administrators manage clinicians.
    const desk = await signIn(rt(), DESK);
    expect((await desk.get('/staff/setup/clinicians')).statusCode).toBe(403);
    expect(
      (
        await desk.post('/staff/setup/clinicians', {
          _csrf: csrfFrom((await desk.get('/staff/calendar')).body),
          name: 'Mal Icious',
          credentials: '',
          kind: 'nurse',
        })
      ).statusCode,
    ).toBe(403);
    expect(await db().selectFrom('clinicians').select('id').where('name', '=', 'Mal Icious').execute()).toEqual([]);
  });

  it('a staff move puts an infusion back into a lane within a lowered number', async () => {
    const desk = await signIn(rt(), 'admin@relief.example');
    const booked = await threeInfusions(desk);
    // third: nurse-marcus seat 2
    const third = await db()
      .selectFrom('appointments')
      .selectAll()
      .where('id', '=', booked[2]!)
      .executeTakeFirstOrThrow();
    expect([third.nurse_id, third.nurse_lane]).toEqual(['nurse-marcus', 2]);
    await db().updateTable('clinicians').set({ watches_at_once: 1 }).where('id', '=', 'nurse-marcus').execute();
    const csrf = csrfFrom((await desk.get(`/staff/calendar/appointments/${third.id}`)).body);
    // Move it to Friday, when Marcus has nobody else: lane 1 is free, yet it stays in lane 2.
    const moved = await desk.post(`/staff/calendar/appointments/${third.id}/reschedule`, {
      _csrf: csrf,
      date: '2026-03-06',
      time: '10:00',
    });
    expect(moved.statusCode).toBe(303);
    const after = await db()
      .selectFrom('appointments')
      .selectAll()
      .where('id', '=', third.id)
      .executeTakeFirstOrThrow();
    const max = (
      await db()
        .selectFrom('clinicians')
        .select('watches_at_once')
        .where('id', '=', 'nurse-marcus')
        .executeTakeFirstOrThrow()
    ).watches_at_once;
    expect(after.nurse_lane, 'seat must be within watches_at_once').toBeLessThanOrEqual(max);
  });

  it('a staff move cannot put a nurse over a lowered number', async () => {
    const desk = await signIn(rt(), 'admin@relief.example');
    const booked = await threeInfusions(desk);
    await db().updateTable('clinicians').set({ watches_at_once: 1 }).where('id', '=', 'nurse-marcus').execute();
    // Online/staff booking would now refuse a second Marcus infusion at 10:30; the move gives him one.
    const csrf = csrfFrom((await desk.get(`/staff/calendar/appointments/${booked[2]}`)).body);
    const moved = await desk.post(`/staff/calendar/appointments/${booked[2]}/reschedule`, {
      _csrf: csrf,
      date: THURSDAY,
      time: '10:30',
    });
    const overlapping = await db()
      .selectFrom('appointments')
      .select(['id', 'nurse_lane'])
      .where('nurse_id', '=', 'nurse-marcus')
      .where('status', '=', 'booked')
      .execute();
    expect({ code: moved.statusCode, overlapping: overlapping.length }).toEqual({ code: 409, overlapping: 2 });
  });

  it("lowering a nurse's number lists nothing when the nurse has one patient at that time", async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const booked = await threeInfusions(admin);
    // Cancel Marcus's lane-1 infusion: he now watches one patient (lane 2) at 10:00.
    let csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${booked[0]}`)).body);
    expect((await admin.post(`/staff/calendar/appointments/${booked[0]}/cancel`, { _csrf: csrf })).statusCode).toBe(
      303,
    );
    csrf = csrfFrom((await admin.get('/staff/setup/clinicians/nurse-marcus')).body);
    const lowered = await admin.post('/staff/setup/clinicians/nurse-marcus', {
      _csrf: csrf,
      name: 'Marcus Bell',
      credentials: 'RN',
      active: 'yes',
      watches_at_once: '1',
    });
    expect(lowered.statusCode).toBe(200);
    expect(lowered.body).not.toContain('the nurse now watches fewer infusions at once');
  });
});
