import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { book, bookingPath, formBody, nextIp, postForm, requestAndGetLink } from '../helpers/journey.ts';

const TUE_0900_CHICAGO = Date.parse('2026-03-03T15:00:00.000Z');
const WED_0900_CHICAGO = Date.parse('2026-03-04T15:00:00.000Z');

/** The booking link: friendly pages for bad ones, and a new one on request, the same for known and unknown addresses. */
const rt = useTestRuntime();
const post = (url: string, fields: Record<string, string> = {}) => postForm(rt(), url, fields);

describe('online booking: the link', () => {
  it('gives friendly pages for tampered, expired and unknown links, and bad input gets 4xx', async () => {
    const link = await requestAndGetLink(rt());
    const tampered = await rt().app.inject({ url: link.slice(0, -3) + 'AAA' });
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).toContain('Get a new link');
    expect((await rt().app.inject({ url: '/book/not-a-token' })).statusCode).toBe(404);
    expect((await rt().app.inject({ url: `/book/${'x'.repeat(2000)}` })).statusCode).toBeLessThan(500);
    expect((await rt().app.inject({ url: `${link}?day=${'9'.repeat(41)}` })).statusCode).toBe(400);
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

  it('"send me a new link" leads a person to their booked consultation, not to a duplicate request the clinic closed', async () => {
    const first = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    expect((await book(rt(), first, WED_0900_CHICAGO)).statusCode).toBe(303);
    // Ana sends the form a second time; the front desk closes that duplicate lead.
    await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    const requests = await rt()
      .database.db.selectFrom('consultation_requests')
      .select(['id', 'status'])
      .orderBy('created_at')
      .execute();
    expect(requests.map((r) => r.status)).toEqual(['booked', 'new']);
    await rt()
      .database.db.updateTable('consultation_requests')
      .set({ status: 'closed' })
      .where('id', '=', requests[1]!.id)
      .execute();

    // She has lost her email and asks for a new link, to move her booked visit.
    rt().clock.advance(60_000);
    rt().mail.sent.length = 0;
    const asked = await post('/book/new-link', { email: 'ana@example.com' });
    expect(asked.statusCode).toBe(200);
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('Book your consultation'))!;
    const link = /http:\/\/relief\.test(\/book\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    const page = await rt().app.inject({ url: link });
    expect(
      { status: page.statusCode, showsHerBooking: page.body.includes('Wednesday, March 4, 2026 at 9:00 AM CST') },
      'the new link',
    ).toEqual({ status: 200, showsHerBooking: true });
  });
});
