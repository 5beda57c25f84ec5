import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { bookedPatient, offeredSlots, requestAndGetLink, bookOnline } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { appointmentRow } from '../helpers/appointments.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const HOUR = 3_600_000;
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z'); // 9:00 AM CST
const TUE_1000 = TUE_0900 + HOUR;
const THURSDAY = '2026-03-05';
const MIN = 60_000;

/** Staff moving and cancelling visits from the calendar: what a move may take, and what it frees. */
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

/** Chicago opens on Sundays 1:00–4:00 AM, across the clock change (as the existing DST grid test does). */
const openSundayNights = () =>
  db()
    .insertInto('opening_hours')
    .values({ location_id: 'loc-chicago', weekday: 7, opens_min: 60, closes_min: 240 })
    .execute();

async function csrf(b: Browser): Promise<string> {
  return csrfFrom((await b.get('/staff/calendar')).body);
}

describe(`staff calendar: moves and cancellations (${engine})`, () => {
  it('lets staff cancel inside the online cutoff, freeing the time for online booking at once', async () => {
    const id = await bookOnline(rt(), TUE_0900);
    rt().clock.advance(HOUR); // Monday 10:00: 23 h before the visit, past the 24 h online limit.
    const otherLink = await requestAndGetLink(rt(), { email: 'waiting@example.com' });
    expect(offeredSlots((await rt().app.inject({ url: otherLink })).body)).not.toContain(TUE_0900);

    const desk = await signIn(rt(), DESK);
    const seq = await lastSeq();
    const res = await desk.post(`/staff/calendar/appointments/${id}/cancel`, { _csrf: await csrf(desk) });
    expect(res.statusCode).toBe(303);
    expect(await appointment(id)).toMatchObject({ status: 'cancelled' });
    const events = (await eventsAfter(seq)).filter((e) => e.action === 'appointment.cancel');
    expect(events.map((e) => e.outcome)).toEqual(['success']);
    expect(offeredSlots((await rt().app.inject({ url: otherLink })).body)).toContain(TUE_0900);

    // Hidden from the grid by default, shown with the toggle.
    expect((await desk.get('/staff/calendar?date=2026-03-03')).body).not.toContain('(Cancelled)');
    expect((await desk.get('/staff/calendar?date=2026-03-03&cancelled=show')).body).toContain('(Cancelled)');
  });

  it('refuses to move an appointment onto a taken time (409, nothing changed) and moves it to a free one', async () => {
    const a = await bookOnline(rt(), TUE_0900);
    const b = await bookOnline(rt(), TUE_1000);
    expect((await appointment(b)).provider_id).toBe((await appointment(a)).provider_id);
    const before = await appointment(a);
    const desk = await signIn(rt(), DESK);
    const token = await csrf(desk);

    let seq = await lastSeq();
    const taken = await desk.post(`/staff/calendar/appointments/${a}/reschedule`, {
      _csrf: token,
      date: '2026-03-03',
      time: '10:00',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('That time is taken');
    expect(await appointment(a)).toEqual(before);
    const [event] = await eventsAfter(seq);
    expect(event).toMatchObject({ action: 'appointment.reschedule', outcome: 'failure' });
    expect(JSON.parse(event!.detail)).toMatchObject({ reason: 'taken' });

    expect(
      (
        await desk.post(`/staff/calendar/appointments/${a}/reschedule`, {
          _csrf: token,
          date: '2026-03-03',
          time: '19:00',
        })
      ).statusCode,
    ).toBe(400);

    seq = await lastSeq();
    const moved = await desk.post(`/staff/calendar/appointments/${a}/reschedule`, {
      _csrf: token,
      date: '2026-03-03',
      time: '11:30',
    });
    expect(moved.statusCode).toBe(303);
    expect(await appointment(a)).toMatchObject({
      starts_at: TUE_0900 + 2.5 * HOUR,
      room_id: before.room_id,
      provider_id: before.provider_id,
    });
    expect((await eventsAfter(seq)).map((e) => [e.action, e.outcome])).toEqual([['appointment.reschedule', 'success']]);
  });

  it('moving a visit out of a room taken out of use puts it in another room of the same kind', async () => {
    const id = await bookOnline(rt(), TUE_0900, 'chicago', { first_name: 'Rhea' });
    const room = (await appointment(id)).room_id!;
    expect(room).toMatch(/^room-chi-/);

    const admin = await signIn(rt(), ADMIN);
    const roomsPage = await admin.get('/staff/setup/locations/loc-chicago/rooms');
    const out = await admin.post(`/staff/setup/locations/loc-chicago/rooms/${room}/deactivate`, {
      _csrf: csrfFrom(roomsPage.body),
    });
    expect(out.statusCode).toBe(200);
    // The set-up page lists the visit so that the front desk moves it.
    expect(out.body).toContain('Rhea');

    const desk = await signIn(rt(), DESK);
    const token = csrfFrom((await desk.get('/staff/calendar')).body);
    const TUE_1100 = TUE_0900 + 2 * HOUR;
    const res = await desk.post(`/staff/calendar/appointments/${id}/reschedule`, {
      _csrf: token,
      date: '2026-03-03',
      time: '11:00',
    });
    const after = await appointment(id);
    const held = await rt()
      .database.db.selectFrom('rooms')
      .select('active')
      .where('id', '=', after.room_id!)
      .executeTakeFirstOrThrow();
    // The visit leaves the out-of-use room for the other consult room, free at 11:00.
    expect({
      status: res.statusCode,
      movedTo1100: after.starts_at === TUE_1100,
      roomInUse: held.active === 1,
      kind: after.room_id!.startsWith('room-chi-'),
    }).toEqual({
      status: 303,
      movedTo1100: true,
      roomInUse: true,
      kind: true,
    });
  });

  it('a staff move into the patient’s own other visit is refused in those words', async () => {
    const desk = await signIn(rt(), 'admin@relief.example');
    const id = await bookedPatient(rt(), THURSDAY);
    await makeInfusionReady(rt(), id);
    const mk = async (time: string, type = 'infusion') => {
      const csrf = csrfFrom((await desk.get(`/staff/patients/${id}/book`)).body);
      const r = await desk.post(`/staff/patients/${id}/book`, {
        _csrf: csrf,
        type,
        location: 'chicago',
        provider: 'any',
        date: THURSDAY,
        time,
      });
      expect(r.statusCode, r.body.replace(/[\s\S]*role="alert">/, '').slice(0, 200)).toBe(303);
      return r.headers.location!.split('/').pop()!.split('?')[0]!;
    };
    await mk('10:00');
    const fu = await mk('15:00', 'follow-up');
    const csrf = csrfFrom((await desk.get(`/staff/calendar/appointments/${fu}`)).body);
    const moved = await desk.post(`/staff/calendar/appointments/${fu}/reschedule`, {
      _csrf: csrf,
      date: THURSDAY,
      time: '11:00',
    });
    expect(moved.statusCode).toBe(409);
    const text0 = moved.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    // Okafor and room 1 are free at 11:00; it is the patient who is in the infusion chair then.
    expect(text0).toContain('has another appointment at that time');
  });

  it('submitting the move form of a visit in the repeated hour, unchanged, does not move it an hour earlier', async () => {
    await openSundayNights();
    // 1:30 AM CST, the second 1:30 of Sunday 1 November 2026 (07:30Z).
    const id = await visitAt('2026-11-01T07:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get(`/staff/calendar/appointments/${id}`);
    expect(page.statusCode).toBe(200);
    const shown = {
      date: /id="date" name="date"[^>]*value="([^"]+)"/.exec(page.body)?.[1],
      time: /id="time" name="time"[^>]*value="([^"]+)"/.exec(page.body)?.[1],
    };
    expect(shown).toEqual({ date: '2026-11-01', time: '01:30' });
    await admin.post(`/staff/calendar/appointments/${id}/reschedule`, {
      _csrf: csrfFrom(page.body),
      date: shown.date!,
      time: shown.time!,
    });
    const after = await db()
      .selectFrom('appointments')
      .select('starts_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // It stays at 1:30 AM CST (or the form is refused as ambiguous); it is not silently moved to 1:30 AM CDT, an hour earlier.
    expect(new Date(Number(after.starts_at)).toISOString()).toBe('2026-11-01T07:30:00.000Z');
  });
});
