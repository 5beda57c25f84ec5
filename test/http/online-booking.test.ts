import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { isOverlapViolation } from '../../src/kernel/db/database.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import {
  book,
  bookedPatient,
  bookingPath,
  formBody,
  nextIp,
  offeredSlots,
  postForm,
  requestAndGetLink,
} from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const TUE_0900_CHICAGO = Date.parse('2026-03-03T15:00:00.000Z');
const THURSDAY = '2026-03-05';

const rt = useTestRuntime();

async function bookingsAt(start: number) {
  return rt()
    .database.db.selectFrom('appointments')
    .selectAll()
    .where('starts_at', '=', start)
    .where('status', '=', 'booked')
    .execute();
}

describe('online booking', () => {
  it('offers clinic-local times from tomorrow on, respecting minimum notice, and books one at once', async () => {
    const link = await requestAndGetLink(rt());
    const page = await rt().app.inject({ url: link });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Central Time');
    expect(page.body).toContain('America/Chicago');
    const slots = offeredSlots(page.body);
    expect(slots.length).toBeGreaterThan(10);
    // Now is Monday 09:00 Chicago and notice is 12 h: nothing before Tuesday 09:00.
    expect(slots[0]).toBe(TUE_0900_CHICAGO);
    expect(page.body).toContain('Tuesday, March 3, 2026');
    for (const s of slots) expect(s).toBeGreaterThanOrEqual(rt().clock.now() + 12 * 3_600_000);

    const res = await book(rt(), link, TUE_0900_CHICAGO);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${link}?status=booked`);
    const manage = await rt().app.inject({ url: res.headers.location as string });
    expect(manage.body).toContain('Your consultation is booked');
    expect(manage.body).toContain('Tuesday, March 3, 2026 at 9:00 AM CST');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);

    // The same link now leads to the manage page, and a second click books nothing more.
    const again = await book(rt(), link, TUE_0900_CHICAGO + 3_600_000);
    expect(again.statusCode).toBe(303);
    const all = await rt().database.db.selectFrom('appointments').select('id').where('status', '=', 'booked').execute();
    expect(all).toHaveLength(1);
  });

  it('sends a confirmation with an .ics invitation and queues the 48 h and 2 h reminders', async () => {
    const link = await requestAndGetLink(rt());
    await book(rt(), link, TUE_0900_CHICAGO + 24 * 3_600_000); // Wednesday 09:00
    await rt().worker.runOnce();
    const confirmation = rt().mail.sent.find((m) => m.subject.includes('is booked'))!;
    expect(confirmation).toBeDefined();
    expect(confirmation.text).toContain('Wednesday, March 4, 2026 at 9:00 AM CST');
    expect(confirmation.ics?.content).toContain('DTSTART;TZID=America/Chicago:20260304T090000');
    expect(confirmation.ics?.method).toBe('PUBLISH');
    expect(confirmation.text).not.toContain('Moreno');
    const reminders = await rt()
      .database.db.selectFrom('outbox')
      .select(['run_at', 'status'])
      .where('kind', '=', 'appointment_reminder')
      .orderBy('run_at')
      .execute();
    // 48 h before the visit is already past, so only the 2 h reminder is queued.
    expect(reminders.map((r) => new Date(r.run_at).toISOString())).toEqual(['2026-03-04T13:00:00.000Z']);

    // Reminders go out when due, through the same outbox.
    rt().clock.set('2026-03-04T13:00:30.000Z');
    await rt().worker.runOnce();
    expect(rt().mail.sent.some((m) => m.subject.startsWith('Reminder'))).toBe(true);
  });

  it('queues both reminders for a visit far enough ahead', async () => {
    const link = await requestAndGetLink(rt());
    const page = await rt().app.inject({ url: `${link}?from=2026-03-10` });
    const slot = offeredSlots(page.body)[0]!;
    expect(new Date(slot).toISOString()).toBe('2026-03-10T14:00:00.000Z'); // 09:00 CDT, after the spring-forward change
    await book(rt(), link, slot);
    const reminders = await rt()
      .database.db.selectFrom('outbox')
      .select('run_at')
      .where('kind', '=', 'appointment_reminder')
      .orderBy('run_at')
      .execute();
    expect(reminders.map((r) => r.run_at)).toEqual([slot - 48 * 3_600_000, slot - 2 * 3_600_000]);
  });

  it('reschedules and cancels through the link; a cancelled booking cannot be moved through it', async () => {
    const link = await requestAndGetLink(rt());
    const wednesday = TUE_0900_CHICAGO + 24 * 3_600_000;
    await book(rt(), link, wednesday);
    const later = TUE_0900_CHICAGO + 48 * 3_600_000; // Thursday 09:00
    const pick = await rt().app.inject({ url: `${link}/reschedule` });
    expect(pick.statusCode).toBe(200);
    expect(offeredSlots(pick.body)).toContain(later);
    const moved = await rt().app.inject({
      method: 'POST',
      url: `${link}/reschedule`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `slot=${later}&location=chicago`,
    });
    expect(moved.statusCode).toBe(303);
    expect(await bookingsAt(wednesday)).toHaveLength(0);
    expect(await bookingsAt(later)).toHaveLength(1);

    // The old time is free again for someone else.
    const other = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    expect(offeredSlots((await rt().app.inject({ url: other })).body)).toContain(wednesday);

    const cancel = await rt().app.inject({ method: 'POST', url: `${link}/cancel` });
    expect(cancel.statusCode).toBe(303);
    expect(await bookingsAt(later)).toHaveLength(0);
    // Cancelling frees the time at once.
    expect(offeredSlots((await rt().app.inject({ url: other })).body)).toContain(later);

    const stale = await rt().app.inject({
      method: 'POST',
      url: `${link}/reschedule`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `slot=${later}&location=chicago`,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('cancelled');
    expect(await bookingsAt(later)).toHaveLength(0);

    await rt().worker.runOnce();
    const cancelled = rt().mail.sent.find((m) => m.subject.includes('is cancelled'))!;
    expect(cancelled.ics?.method).toBe('CANCEL');
    expect(rt().mail.sent.some((m) => m.subject.startsWith('New time'))).toBe(true);
  });

  it('refuses online changes inside the cancellation cutoff', async () => {
    const link = await requestAndGetLink(rt());
    await book(rt(), link, TUE_0900_CHICAGO);
    rt().clock.set('2026-03-02T16:00:00.000Z'); // 23 h before: inside the 24 h cutoff
    const manage = await rt().app.inject({ url: link });
    expect(manage.body).toContain('can no longer be changed online');
    const cancel = await rt().app.inject({ method: 'POST', url: `${link}/cancel` });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.body).toContain('call us');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);
  });

  it('answers a time taken a moment ago with the nearest alternatives', async () => {
    const first = await requestAndGetLink(rt());
    const second = await requestAndGetLink(rt(), { email: 'ben@example.com' });
    expect((await book(rt(), first, TUE_0900_CHICAGO)).statusCode).toBe(303);
    const res = await book(rt(), second, TUE_0900_CHICAGO);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('That time was just taken');
    const alternatives = offeredSlots(res.body);
    expect(alternatives.length).toBeGreaterThan(0);
    expect(alternatives).not.toContain(TUE_0900_CHICAGO);
    expect(Math.abs(alternatives[0]! - TUE_0900_CHICAGO)).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('fifty simultaneous bookings of one time: exactly one succeeds, the rest hear it was taken', async () => {
    const links: string[] = [];
    for (let i = 0; i < 50; i++) links.push(await requestAndGetLink(rt(), { email: `p${i}@example.com` }));
    const results = await Promise.all(links.map((l) => book(rt(), l, TUE_0900_CHICAGO)));
    const ok = results.filter((r) => r.statusCode === 303);
    const taken = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(taken).toHaveLength(49);
    for (const r of taken) expect(r.body).toContain('That time was just taken');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);
  });

  it('stops online booking once the clinic has closed the request', async () => {
    const link = await requestAndGetLink(rt());
    await rt().database.db.updateTable('consultation_requests').set({ status: 'not_candidate' }).execute();
    const page = await rt().app.inject({ url: link });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Online booking is closed for this request');
    expect((await book(rt(), link, TUE_0900_CHICAGO)).statusCode).toBe(410);
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(0);
  });

  it('the database itself rejects an overlapping appointment, outside any application check', async () => {
    const link = await requestAndGetLink(rt());
    await book(rt(), link, TUE_0900_CHICAGO);
    const [appt] = await bookingsAt(TUE_0900_CHICAGO);
    let error: unknown;
    try {
      const start = TUE_0900_CHICAGO + 10 * 60_000;
      await rt()
        .database.db.insertInto('appointments')
        .values({
          ...appt!,
          id: 'intruder',
          request_id: null,
          patient_id: null,
          room_id: null,
          starts_at: start,
          ends_at: start + 30 * 60_000,
          busy_from: start,
          busy_to: start + 30 * 60_000,
        })
        .execute();
    } catch (err) {
      error = err;
    }
    expect(isOverlapViolation(error)).toBe(true);
    expect(await bookingsAt(TUE_0900_CHICAGO + 10 * 60_000)).toHaveLength(0);
  });

  it('switches location and shows that location’s own time zone', async () => {
    const link = await requestAndGetLink(rt());
    const denver = await rt().app.inject({ url: `${link}?location=denver` });
    expect(denver.statusCode).toBe(200);
    expect(denver.body).toContain('Mountain Time');
    const slots = offeredSlots(denver.body);
    // Lindqvist works in Denver on Mon/Wed/Fri from 09:00 MST = 16:00Z; Reyes from 12:00.
    const first = DateTime.fromMillis(slots[0]!, { zone: 'America/Denver' });
    expect(first.toFormat('ccc HH:mm')).toBe('Tue 12:00');
    const res = await book(rt(), link, slots[0]!, 'denver');
    expect(res.statusCode).toBe(303);
    const [appt] = await bookingsAt(slots[0]!);
    expect(appt!.location_id).toBe('loc-denver');
  });

  it('gives friendly pages for tampered, expired and unknown links, and bad input gets 4xx', async () => {
    const link = await requestAndGetLink(rt());
    const tampered = await rt().app.inject({ url: link.slice(0, -3) + 'AAA' });
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).toContain('Get a new link');
    expect((await rt().app.inject({ url: '/book/not-a-token' })).statusCode).toBe(404);
    expect((await rt().app.inject({ url: `/book/${'x'.repeat(2000)}` })).statusCode).toBeLessThan(500);
    expect((await rt().app.inject({ url: `${link}?from=2026-02-30` })).statusCode).toBe(400);
    expect((await rt().app.inject({ url: `${link}?location=atlantis` })).statusCode).toBe(400);
    expect((await book(rt(), link, Number.NaN)).statusCode).toBe(400);
    const notOffered = await book(rt(), link, TUE_0900_CHICAGO + 7 * 60_000);
    expect(notOffered.statusCode).toBe(409);
    const past = await book(rt(), link, Date.parse('2026-03-01T15:00:00.000Z'));
    expect(past.statusCode).toBe(409);

    rt().clock.advance(15 * 24 * 3_600_000);
    const expired = await rt().app.inject({ url: link });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link has expired');

    // Asking for a new link answers the same for known and unknown addresses; the known one gets mail.
    const before = rt().mail.sent.length;
    for (const email of ['ana@example.com', 'nobody@example.com']) {
      const res = await rt().app.inject({
        method: 'POST',
        url: '/book/new-link',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `email=${encodeURIComponent(email)}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('a new booking link is on its way');
    }
    await rt().worker.runOnce();
    const fresh = rt().mail.sent.slice(before);
    expect(fresh).toHaveLength(1);
    expect((await rt().app.inject({ url: bookingPath(fresh[0]!.text) })).statusCode).toBe(200);
    const bad = await rt().app.inject({
      method: 'POST',
      url: '/book/new-link',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=%3Cscript%3E',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<script>');
  });

  // An answer that waited for the mail to go out would take measurably longer for a known address than for an
  // unknown one (the same page either way), telling who has a request or an account. The job must still be waiting
  // when the answer arrives; the worker takes it right after.
  it('"send me a new link" answers before any mail work starts, so a known address takes no longer than an unknown one', async () => {
    await requestAndGetLink(rt(), { email: 'known.patient@example.org' });
    rt().clock.advance(11 * 60_000); // past the ten-minute de-duplication, so the ask really queues a mail
    rt().mail.sent.length = 0;
    await rt().worker.runOnce();
    const res = await rt().app.inject({
      method: 'POST',
      url: '/book/new-link',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ email: 'known.patient@example.org' }),
    });
    expect(res.statusCode).toBe(200);
    const waiting = await rt()
      .database.db.selectFrom('outbox')
      .select('status')
      .where('kind', '=', 'booking_link')
      .where('status', '!=', 'sent')
      .execute();
    expect(
      waiting.map((j) => j.status),
      'the new-link job when the answer arrives',
    ).toEqual(['pending']);
  });

  it('online, a person with a staff-booked visit is not offered times during it', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const desk = await signIn(rt(), 'admin@relief.example');
    const id = await bookedPatient(rt(), THURSDAY);
    const p = await rt().database.db.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const csrf = csrfFrom((await desk.get(`/staff/patients/${id}/book`)).body);
    expect(
      (
        await desk.post(`/staff/patients/${id}/book`, {
          _csrf: csrf,
          type: 'infusion',
          location: 'chicago',
          provider: 'any',
          date: THURSDAY,
          time: '10:00',
        })
      ).statusCode,
    ).toBe(303);
    // Same person, new request (e.g. a second consultation): matched to the same patient.
    const link = await requestAndGetLink(rt(), {
      first_name: p.first_name,
      last_name: p.last_name,
      email: p.email,
      phone: p.phone,
    });
    const slots = offeredSlots((await rt().app.inject({ url: link })).body);
    const infusion = { start: Date.parse('2026-03-05T16:00:00.000Z'), end: Date.parse('2026-03-05T20:00:00.000Z') };
    expect(slots.some((t) => t >= infusion.start && t < infusion.end)).toBe(false);
    // Right after it is still offered (nothing else of theirs then).
    expect(slots.some((t) => t >= infusion.end && t < infusion.end + 2 * 3_600_000)).toBe(true);
    // Posted anyway, the database refuses it and nothing is booked.
    const res = await book(rt(), link, Date.parse('2026-03-05T17:00:00.000Z'));
    expect(res.statusCode).toBe(409);
  });

  it('a request the clinic marked not a candidate stays so when the person cancels', async () => {
    const link = await requestAndGetLink(rt(), { email: 'nc@example.com', phone: '(312) 555-0301' });
    const slots = offeredSlots((await rt().app.inject({ url: link })).body);
    expect((await book(rt(), link, slots[2]!)).statusCode).toBe(303);
    await rt()
      .database.db.updateTable('consultation_requests')
      .set({ status: 'not_candidate' })
      .where('email', '=', 'nc@example.com')
      .execute();
    expect((await postForm(rt(), `${link}/cancel`)).statusCode).toBe(303);
    const status = (
      await rt()
        .database.db.selectFrom('consultation_requests')
        .select('status')
        .where('email', '=', 'nc@example.com')
        .executeTakeFirstOrThrow()
    ).status;
    const page = await rt().app.inject({ url: link });
    expect({ status, page: page.statusCode }).toEqual({ status: 'not_candidate', page: 410 });
  });
});
