import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { book, bookingPath, offeredSlots, postForm, requestAndGetLink } from '../helpers/journey.ts';

const HOUR = 3_600_000;
const TUE_0900_CHICAGO = Date.parse('2026-03-03T15:00:00.000Z');

/** What a person does with a booking after making it, through their link, and the emails that come with it. */
const rt = useTestRuntime();
const post = (url: string, fields: Record<string, string> = {}) => postForm(rt(), url, fields);

async function bookingsAt(start: number) {
  return rt()
    .database.db.selectFrom('appointments')
    .selectAll()
    .where('starts_at', '=', start)
    .where('status', '=', 'booked')
    .execute();
}

describe('online booking: changes and reminders', () => {
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
    const page = await rt().app.inject({ url: `${link}?day=2026-03-10` });
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
    const pick = await rt().app.inject({ url: `${link}/reschedule?day=2026-03-05` });
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
    expect(offeredSlots((await rt().app.inject({ url: `${other}?day=2026-03-04` })).body)).toContain(wednesday);

    const cancel = await rt().app.inject({ method: 'POST', url: `${link}/cancel` });
    expect(cancel.statusCode).toBe(303);
    expect(await bookingsAt(later)).toHaveLength(0);
    // Cancelling frees the time at once.
    expect(offeredSlots((await rt().app.inject({ url: `${other}?day=2026-03-05` })).body)).toContain(later);

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
    expect(cancel.body).toContain('Too close to change online');
    const move = await post(`${link}/reschedule`, { slot: String(TUE_0900_CHICAGO + 48 * HOUR), location: 'chicago' });
    expect(move.statusCode).toBe(409);
    expect(move.body).toContain('Too close to change online');
    expect(await bookingsAt(TUE_0900_CHICAGO)).toHaveLength(1);
  });

  it("a visit too close to change online: the reschedule and cancel pages say why and give the location's own number", async () => {
    const link = await requestAndGetLink(rt());
    await book(rt(), link, TUE_0900_CHICAGO);
    rt().clock.set('2026-03-02T16:00:00.000Z'); // 23 h before: inside the 24 h cutoff
    const clinicPhone = '(312) 555-0140';
    const chicagoPhone = '(312) 555-0141';
    for (const page of ['reschedule', 'cancel']) {
      const res = await rt().app.inject({ url: `${link}/${page}` });
      expect(res.statusCode, page).toBe(409);
      const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(res.body)![1]!;
      expect(main, page).toContain('<h1>Too close to change online</h1>');
      expect(main, page).not.toContain('Already done');
      expect(main, page).toContain('Tuesday, March 3, 2026 at 9:00 AM CST');
      expect(main, page).toContain('Online changes close 24 hours before a visit');
      expect(main, page).toContain(`<a href="tel:3125550141">${chicagoPhone}</a>`);
      // The page's own copy names the location's number, not the main clinic's (the footer still carries that one).
      expect(main, page).not.toContain(clinicPhone);
    }
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'outcome', 'detail'])
      .where('action', '=', 'booking.view')
      .where('outcome', '=', 'failure')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => JSON.parse(String(e.detail)) as { reason: string; page: string })).toEqual([
      expect.objectContaining({ reason: 'too_late', page: 'reschedule' }),
      expect.objectContaining({ reason: 'too_late', page: 'cancel' }),
    ]);
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
    expect((await post(`${link}/cancel`)).statusCode).toBe(303);
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

  it('moving a visit away and back to its first time keeps its 48 h and 2 h reminders', async () => {
    const link = await requestAndGetLink(rt());
    const page = await rt().app.inject({ url: `${link}?day=2026-03-10` });
    const [first, , other] = offeredSlots(page.body);
    expect(new Date(first!).toISOString()).toBe('2026-03-10T14:00:00.000Z');
    expect((await book(rt(), link, first!)).statusCode).toBe(303);
    expect((await post(`${link}/reschedule`, { slot: String(other!), location: 'chicago' })).statusCode).toBe(303);
    rt().clock.advance(60_000);
    expect((await post(`${link}/reschedule`, { slot: String(first!), location: 'chicago' })).statusCode).toBe(303);
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .select(['id', 'starts_at'])
      .where('status', '=', 'booked')
      .executeTakeFirstOrThrow();
    expect(appt.starts_at).toBe(first);

    const pending = await rt()
      .database.db.selectFrom('outbox')
      .select('run_at')
      .where('kind', '=', 'appointment_reminder')
      .where('ref_id', '=', appt.id)
      .where('status', '=', 'pending')
      .orderBy('run_at')
      .execute();
    expect(
      pending.map((r) => r.run_at),
      'pending reminders for the visit as it now stands',
    ).toEqual([first! - 48 * HOUR, first! - 2 * HOUR]);

    // And the patient really gets no reminder at all.
    await rt().worker.runOnce();
    rt().mail.sent.length = 0;
    rt().clock.set(new Date(first! - 2 * HOUR + 30_000).toISOString());
    await rt().worker.runOnce();
    expect(rt().mail.sent.filter((m) => m.subject.startsWith('Reminder')).length).toBeGreaterThan(0);
  });

  it('a reminder inside the online cutoff says to call instead of offering online changes; no email names a condition or treatment', async () => {
    const link = await requestAndGetLink(rt());
    const slot = offeredSlots((await rt().app.inject({ url: `${link}?day=2026-03-10` })).body)[0]!;
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    await rt().worker.runOnce();
    rt().clock.set(new Date(slot - 48 * HOUR + 60_000).toISOString());
    await rt().worker.runOnce();
    rt().clock.set(new Date(slot - 2 * HOUR + 60_000).toISOString());
    await rt().worker.runOnce();
    const reminders = rt().mail.sent.filter((m) => m.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(2);
    expect(reminders[0]!.text).toContain('Reschedule or cancel online until 24 hours before your visit');
    expect(reminders[1]!.text).not.toContain('Reschedule or cancel online');
    expect(reminders[1]!.text).toContain('too close to change online now. To change or cancel, please call Chicago');
    expect(reminders[1]!.html).not.toContain('Manage my booking');
    // (The clinic's own name is its branding, which the clinic chooses; it is left out of this check.)
    for (const mail of rt().mail.sent) {
      expect(`${mail.subject} ${mail.text}`.replaceAll('Relief Infusion Clinic', ''), mail.subject).not.toMatch(
        /\b(pain|infusion|ketamine|CRPS)\b/i,
      );
    }
  });

  it('the .ics from the confirmation page carries the long-lived manage link, which outlives the 14-day booking link', async () => {
    const link = await requestAndGetLink(rt());
    // Six weeks ahead: well past the booking link's 14 days.
    const slot = offeredSlots((await rt().app.inject({ url: `${link}?day=2026-04-14` })).body)[0]!;
    expect(new Date(slot).toISOString()).toBe('2026-04-14T14:00:00.000Z');
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    const ics = await rt().app.inject({ url: `${link}/appointment.ics` });
    expect(ics.statusCode).toBe(200);
    // Unfold the calendar file's 75-octet lines before reading its URL property.
    const unfolded = ics.body.replace(/\r\n[ \t]/g, '');
    const url = /^URL(?:;[^:]*)?:(\S+)\r?$/m.exec(unfolded)?.[1];
    expect(url).toMatch(/^http:\/\/relief\.test\/book\//);
    const manage = bookingPath(url!);
    expect(unfolded).toContain(`Manage your booking: http://relief.test${manage}`);

    rt().clock.advance(15 * 24 * 3_600_000);
    expect((await rt().app.inject({ url: link })).statusCode, 'the booking link has expired').toBe(410);
    const page = await rt().app.inject({ url: manage });
    expect(page.statusCode, 'the .ics link still opens').toBe(200);
    expect(page.body).toContain('<h1>Your consultation</h1>');
    expect(page.body).toContain('Tuesday, April 14, 2026 at 9:00 AM CDT');
    // Like the email's: it lasts until a week after the visit, then stops.
    rt().clock.set(new Date(slot + 6 * 24 * 3_600_000).toISOString());
    expect((await rt().app.inject({ url: manage })).statusCode).toBe(200);
    rt().clock.set(new Date(slot + 8 * 24 * 3_600_000).toISOString());
    expect((await rt().app.inject({ url: manage })).statusCode).toBe(410);
  });
});
