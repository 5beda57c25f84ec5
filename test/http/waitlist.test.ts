import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink, postForm } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';
import { loggerOptions } from '../../src/kernel/log.ts';

const HOUR = 3_600_000;
const WED_0900_CHICAGO = Date.parse('2026-03-04T15:00:00.000Z');

const rt = useTestRuntime();

const post = (url: string, fields: Record<string, string> = {}) => postForm(rt(), url, fields);
const db = () => rt().database.db;
const THURSDAY = '2026-03-05';

/** Ben waits on the waitlist; Ana cancels; returns Ben's offer path. */
async function offerForBen(): Promise<string> {
  const ana = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana', phone: '(312) 555-0001' });
  expect((await book(rt(), ana, WED_0900_CHICAGO)).statusCode).toBe(303);
  const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben', phone: '(312) 555-0002' });
  expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);
  rt().mail.sent.length = 0;
  expect((await post(`${ana}/cancel`)).statusCode).toBe(303);
  await rt().worker.runOnce();
  const mail = rt().mail.sent.find(
    (m) => m.to === 'ben@example.com' && m.subject.startsWith('A consultation time opened up'),
  )!;
  return /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
}

describe('waitlist', () => {
  it('offers a freed time to waiting people; the first to accept gets it', async () => {
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    expect((await book(rt(), ana, WED_0900_CHICAGO)).statusCode).toBe(303);

    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    const cy = await requestAndGetLink(rt(), { email: 'cy@example.com', first_name: 'Cy' });
    const page = await rt().app.inject({ url: ben });
    expect(page.body).toContain('Join the waitlist');
    for (const link of [ben, cy]) {
      const joined = await post(`${link}/waitlist`, { location: 'chicago' });
      expect(joined.statusCode).toBe(303);
      expect((await rt().app.inject({ url: joined.headers.location as string })).body).toContain(
        'You are on the waitlist',
      );
    }

    rt().mail.sent.length = 0;
    expect((await post(`${ana}/cancel`)).statusCode).toBe(303);
    await rt().worker.runOnce();
    const offers = rt().mail.sent.filter((m) => m.subject.startsWith('A consultation time opened up'));
    expect(offers.map((m) => m.to).sort()).toEqual(['ben@example.com', 'cy@example.com']);
    expect(offers[0]!.text).toContain('Wednesday, March 4, 2026 at 9:00 AM CST');
    const offerPath = (to: string) =>
      /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(offers.find((m) => m.to === to)!.text)![1]!;

    const view = await rt().app.inject({ url: offerPath('cy@example.com') });
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('Book this time');
    const [first, second] = await Promise.all([post(offerPath('cy@example.com')), post(offerPath('ben@example.com'))]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses).toEqual([303, 409]);
    const booked = await rt()
      .database.db.selectFrom('appointments')
      .innerJoin('consultation_requests', 'consultation_requests.id', 'appointments.request_id')
      .select('consultation_requests.email')
      .where('appointments.starts_at', '=', WED_0900_CHICAGO)
      .where('appointments.status', '=', 'booked')
      .execute();
    expect(booked).toHaveLength(1);
    const loser = [first, second].find((r) => r.statusCode === 409)!;
    expect(loser.body).toContain('Someone else accepted this time');
  });

  it('lets a person leave the waitlist; expired or altered offers get a friendly page', async () => {
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com' });
    await post(`${ben}/waitlist`, { location: 'chicago' });
    const left = await post(`${ben}/waitlist/leave`);
    expect((await rt().app.inject({ url: left.headers.location as string })).body).toContain(
      'You have left the waitlist',
    );
    expect((await post(`${ben}/waitlist`, { location: 'atlantis' })).statusCode).toBe(400);
    const hostile = await rt().app.inject({
      method: 'POST',
      url: `${ben}/waitlist`,
      payload: { location: { toString: 1 } },
    });
    expect(hostile.statusCode).toBe(400);
    expect((await rt().app.inject({ url: '/waitlist/offer/garbage' })).statusCode).toBe(404);
    expect((await post('/waitlist/offer/garbage')).statusCode).toBe(404);
    expect(offeredSlots((await rt().app.inject({ url: ben })).body).length).toBeGreaterThan(0);
    // A request the clinic has closed joins nothing through its link.
    await rt()
      .database.db.updateTable('consultation_requests')
      .set({ status: 'closed' })
      .where('email', '=', 'ben@example.com')
      .execute();
    const closed = await post(`${ben}/waitlist`, { location: 'chicago' });
    expect(closed.statusCode).toBe(410);
    expect(await rt().database.db.selectFrom('waitlist_entries').select('status').execute()).toEqual([
      { status: 'left' },
    ]);
  });

  it('the front desk can put a lead on the waitlist, and a freed time is then offered to them', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com' });
    await book(rt(), ana, WED_0900_CHICAGO);
    await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    const ben = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'ben@example.com')
      .executeTakeFirstOrThrow();
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const page = await desk.get(`/staff/leads/${ben.id}`);
    expect(page.body).toContain('Add to the consultation waitlist');
    expect((await desk.post(`/staff/leads/${ben.id}/waitlist`, { _csrf: csrfFrom(page.body) })).statusCode).toBe(303);
    expect((await desk.get(`/staff/leads/${ben.id}`)).body).toContain('On the consultation waitlist');
    const audited = await rt()
      .database.db.selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'lead.waitlist')
      .execute();
    expect(audited).toHaveLength(1);
    rt().mail.sent.length = 0;
    await post(`${ana}/cancel`);
    await rt().worker.runOnce();
    expect(
      rt()
        .mail.sent.filter((m) => m.subject.startsWith('A consultation time opened up'))
        .map((m) => m.to),
    ).toEqual(['ben@example.com']);
  });

  it('a waitlist offer cannot be accepted once the clinic closed the request', async () => {
    const offer = await offerForBen();
    await db()
      .updateTable('consultation_requests')
      .set({ status: 'not_candidate' })
      .where('email', '=', 'ben@example.com')
      .execute();
    const res = await post(offer);
    const appts = await db()
      .selectFrom('appointments')
      .innerJoin('consultation_requests as r', 'r.id', 'appointments.request_id')
      .select(['r.status'])
      .where('r.email', '=', 'ben@example.com')
      .where('appointments.status', '=', 'booked')
      .execute();
    expect({ code: res.statusCode, appts }).toEqual({ code: 410, appts: [] });
  });

  it('a waitlist offer cannot be accepted while online booking is paused', async () => {
    const offer = await offerForBen();
    await db()
      .updateTable('appointment_types')
      .set({ online_bookable: 0 })
      .where('code', '=', 'consultation')
      .execute();
    const res = await post(offer);
    const appts = await db()
      .selectFrom('appointments')
      .innerJoin('consultation_requests as r', 'r.id', 'appointments.request_id')
      .select('appointments.id')
      .where('r.email', '=', 'ben@example.com')
      .where('appointments.status', '=', 'booked')
      .execute();
    expect({ code: res.statusCode, n: appts.length }).toEqual({ code: 409, n: 0 });
  });

  it('a freed time staff booked off the online grid is offered and can be accepted', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const admin = await signIn(rt(), 'admin@relief.example');
    // Leads booking at a 5-minute time (new rule): 11:05 Thursday.
    const lead = await requestAndGetLink(rt(), { email: 'lead@example.com', phone: '(312) 555-0201' });
    const request = await db()
      .selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'lead@example.com')
      .executeTakeFirstOrThrow();
    const form = await admin.get('/staff/calendar/book?location=chicago');
    const made = await admin.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'any',
      date: THURSDAY,
      time: '11:05',
    });
    expect(made.statusCode).toBe(303);
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', phone: '(312) 555-0202' });
    expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);
    rt().mail.sent.length = 0;
    expect((await post(`${lead}/cancel`)).statusCode).toBe(303);
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find(
      (m) => m.to === 'ben@example.com' && m.subject.startsWith('A consultation time opened up'),
    );
    expect(mail, 'an offer was emailed').toBeDefined();
    const offer = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(mail!.text)![1]!;
    const res = await post(offer);
    expect(res.body.includes('Someone else accepted this time') ? 'told someone else took it' : 'ok').toBe('ok');
    expect(res.statusCode).toBe(303);
  });

  it('a person who has since booked is off the waitlist: no offers they cannot accept, and joining again shows the booking', async () => {
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    expect((await book(rt(), ana, WED_0900_CHICAGO)).statusCode).toBe(303);

    // Ben finds nothing he likes, joins the waitlist, then books a time after all.
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);
    expect((await book(rt(), ben, WED_0900_CHICAGO + 48 * HOUR)).statusCode).toBe(303);
    const again = await post(`${ben}/waitlist`, { location: 'chicago' });
    expect(again.headers.location).toBe(ben);
    expect(await rt().database.db.selectFrom('waitlist_entries').select('status').execute()).toEqual([
      { status: 'booked' },
    ]);

    rt().mail.sent.length = 0;
    expect((await post(`${ana}/cancel`)).statusCode).toBe(303);
    await rt().worker.runOnce();
    const offers = rt().mail.sent.filter((m) => m.subject.startsWith('A consultation time opened up'));
    // If he follows the offer, the booking path refuses it (one live booking per request): the offer is useless to
    // him and took one of the five places from people still waiting.
    expect(
      offers.map((m) => m.to),
      'offer emails sent',
    ).toEqual([]);
  });

  it('waitlist offer links are not written to the request log', async () => {
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    expect((await book(rt(), ana, WED_0900_CHICAGO)).statusCode).toBe(303);
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);
    rt().mail.sent.length = 0;
    expect((await post(`${ana}/cancel`)).statusCode).toBe(303);
    await rt().worker.runOnce();
    const offer = rt().mail.sent.find((m) => m.subject.startsWith('A consultation time opened up'))!;
    const offerPath = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(offer.text)![1]!;
    expect((await post(offerPath)).statusCode).toBe(303); // Ben accepts
    // Whoever holds the offer URL later (say from a log) gets a fresh 14-day booking link to Ben's booking.
    const reopened = await rt().app.inject({ url: offerPath });
    const bookingLink = /href="(\/book\/[^"]+)"/.exec(reopened.body)![1]!;
    const manage = await rt().app.inject({ url: bookingLink });
    expect(manage.body).toContain('Cancel');
    expect(manage.body).toContain('Wednesday, March 4, 2026 at 9:00 AM CST');

    // The request serializer Fastify logs every request with (src/kernel/log.ts).
    const serialize = (
      loggerOptions('info') as { serializers: { req: (r: { method: string; url: string }) => { url: string } } }
    ).serializers.req;
    const token = offerPath.split('/').pop()!;
    expect(serialize({ method: 'GET', url: bookingLink }).url).not.toContain(bookingLink.split('/').pop()!);
    expect(serialize({ method: 'GET', url: offerPath }).url, 'logged URL of an offer link').not.toContain(token);
  });

  it('a patient moving a visit by half an hour does not offer the waitlist a time that is not free', async () => {
    // Wednesdays in Chicago only Dr. Okafor sees consultations (45 min + 15 min buffer).
    const ana = await requestAndGetLink(rt(), { email: 'ana@example.com', first_name: 'Ana' });
    expect((await book(rt(), ana, WED_0900_CHICAGO)).statusCode).toBe(303);
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', first_name: 'Ben' });
    expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);

    rt().mail.sent.length = 0;
    const moved = await post(`${ana}/reschedule`, { slot: String(WED_0900_CHICAGO + HOUR / 2), location: 'chicago' });
    expect(moved.statusCode).toBe(303);
    // 09:00 is not free: Dr. Okafor is with Ana from 09:30, and nobody else works then.
    expect(offeredSlots((await rt().app.inject({ url: ben })).body)).not.toContain(WED_0900_CHICAGO);
    await rt().worker.runOnce();
    const offers = rt().mail.sent.filter((m) => m.subject.startsWith('A consultation time opened up'));
    if (offers.length > 0) {
      // Show what Ben meets when he follows it: "someone else accepted this time", which is untrue.
      const path = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(offers[0]!.text)![1]!;
      const accept = await post(path);
      expect(
        { status: accept.statusCode, saysSomeoneElseTookIt: accept.body.includes('Someone else accepted this time') },
        'Ben accepting the offered 09:00',
      ).toEqual({ status: 303, saysSomeoneElseTookIt: false });
    }
    expect(
      offers.map((m) => m.text.includes('9:00 AM')),
      'offer emails for a time that is not free',
    ).toEqual([]);
  });
});
