import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { insertBulkRequests } from '../helpers/requests.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z'); // Tuesday 3 March 2026, 9:00 AM CST

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const requestIdOf = async (email: string) =>
  (
    await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).id;
const requestRow = (id: string) =>
  rt()
    .database.db.selectFrom('consultation_requests')
    .select(['status'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const liveBookingOf = (requestId: string) =>
  rt()
    .database.db.selectFrom('appointments')
    .select(['id', 'status', 'location_id'])
    .where('request_id', '=', requestId)
    .where('status', '=', 'booked')
    .executeTakeFirst();

const bulkRequests = (count: number, from: number, prefix = 'Person') => insertBulkRequests(rt(), count, from, prefix);

const leadNames = (html: string) =>
  [...html.matchAll(/<a href="\/staff\/leads\/[0-9a-f-]+">[^<]*?(Person\d\d)<\/a>/g)].map((m) => m[1]!);
const auditSeqs = (html: string) => [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
const nextHref = (html: string) => /<a[^>]*href="([^"]*page=2[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');

/** Leads, reports and audit viewer edge cases found by an adversarial review (stop 7); each failed before its fix. */
describe(`leads, reports and audit viewer edge cases (${engine})`, () => {
  it('a request whose consultation is still booked is never put back to New or Contacted by hand (not even after Closed)', async () => {
    const email = 'reopen@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'Reopen', email });
    const id = await requestIdOf(email);
    const slot = offeredSlots((await rt().app.inject({ url: link })).body).find(
      (t) => t >= rt().clock.now() + 2 * 86_400_000,
    )!;
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get(`/staff/leads/${id}`)).body);
    // Closing a booked lead is allowed (the appointment is left alone).
    expect((await desk.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'closed' })).statusCode).toBe(303);
    // Reopening it as "New" while the consultation is still booked.
    const reopened = await desk.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'new' });
    expect(await liveBookingOf(id)).toBeDefined();
    // SHOULD: refused like the direct booked → new change is ("it returns to New by itself if the appointment is
    // cancelled"), or the request is booked again; never "new" with a live consultation.
    expect({ answer: reopened.statusCode, status: (await requestRow(id)).status }).toEqual({
      answer: 400,
      status: 'closed',
    });
  });

  it('leads paging: a request that arrives between two pages does not make the next page repeat one already shown', async () => {
    await bulkRequests(51, rt().clock.now()); // Person00 … Person50, Person50 newest
    const desk = await signIn(rt(), DESK);
    const first = await desk.get('/staff/leads?location=loc-chicago');
    const page1 = leadNames(first.body);
    expect(page1).toHaveLength(50);
    // Meanwhile a new request comes in from the website.
    rt().clock.advance(60_000);
    expect((await submitRequest(rt(), { last_name: 'Newcomer', email: 'newcomer@example.com' })).statusCode).toBe(303);
    const second = await desk.get(nextHref(first.body));
    const page2 = leadNames(second.body);
    // SHOULD: no request shown on both pages, and the one not yet shown (Person00) is on page 2.
    expect(page2.filter((n) => page1.includes(n))).toEqual([]);
    expect(page2).toContain('Person00');
  });

  it('audit viewer paging: page 2 does not repeat an event of page 1 (viewing page 1 is itself recorded)', async () => {
    const admin = await signIn(rt(), ADMIN);
    for (let i = 0; i < 60; i++) await admin.get('/staff/leads'); // 60 lead.list events, and then some
    const first = await admin.get('/staff/audit');
    expect(first.statusCode).toBe(200);
    const page1 = auditSeqs(first.body);
    expect(page1).toHaveLength(50);
    const second = await admin.get(nextHref(first.body));
    const page2 = auditSeqs(second.body);
    // SHOULD: pages are disjoint and continue where page 1 stopped.
    expect(page2.filter((s) => page1.includes(s))).toEqual([]);
    expect(page2[0]).toBe(Math.min(...page1) - 1);
  });

  it('conversion: a consultation marked arrived and then cancelled is not counted as attended', async () => {
    const email = 'arrived-cancelled@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'ArrivedCancelled', email });
    expect((await book(rt(), link, TUE_0900)).statusCode).toBe(303);
    const id = (await liveBookingOf(await requestIdOf(email)))!.id;
    // The day of the visit, 8:30 AM: marked arrived early, then the visit is cancelled (say the provider is called away).
    rt().clock.set('2026-03-03T14:30:00.000Z');
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get('/staff/calendar')).body);
    expect(
      (await desk.post(`/staff/calendar/appointments/${id}/attendance`, { _csrf: csrf, attendance: 'arrived' }))
        .statusCode,
    ).toBe(303);
    expect((await desk.post(`/staff/calendar/appointments/${id}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
    // The appointment's page now shows only "Cancelled" (no arrival) …
    const page = await desk.get(`/staff/calendar/appointments/${id}`);
    expect(page.body).not.toMatch(/Cancelled, Arrived/);
    // … SHOULD: and the figures agree: 1 received, 1 booked (even if cancelled later), 0 attended.
    const list = await desk.get('/staff/leads');
    const row = /<th scope="row">Chicago[^<]*<\/th>((?:<td>[^<]*<\/td>){4})/.exec(list.body)![1];
    expect(row).toBe('<td>1</td><td>1</td><td>100%</td><td>0</td>');
  });

  it("calendar: a visit at my location offers its request's page only to those who may read that request", async () => {
    // A Denver request whose person picked a Chicago time on the booking page.
    const email = 'denver-to-chicago@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'DenverToChicago', email, location: 'denver' });
    const requestId = await requestIdOf(email);
    const slot = offeredSlots((await rt().app.inject({ url: `${link}?location=chicago` })).body).find(
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

  it('leads: a consultation booked at another location is shown at its own location and clock, as the calendar shows it', async () => {
    // A Denver request whose person picked a Chicago time on the booking page.
    const email = 'denver-to-chicago2@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'DenverToChicago', email, location: 'denver' });
    const requestId = await requestIdOf(email);
    const slot = offeredSlots((await rt().app.inject({ url: `${link}?location=chicago` })).body).find(
      (t) => t >= rt().clock.now() + 2 * 86_400_000,
    )!;
    expect((await book(rt(), link, slot, 'chicago')).statusCode).toBe(303);
    const chicagoClock = DateTime.fromMillis(slot, { zone: 'America/Chicago' }).toFormat(
      'ccc, LLL d, yyyy, h:mm a ZZZZ',
    );
    const denverClock = DateTime.fromMillis(slot, { zone: 'America/Denver' }).toFormat('ccc, LLL d, yyyy, h:mm a ZZZZ');

    const admin = await signIn(rt(), ADMIN);
    const lead = (await admin.get(`/staff/leads/${requestId}`)).body;
    const list = (await admin.get('/staff/leads')).body;
    // SHOULD: the visit's own time (Chicago, where the person must go), not Denver's clock, on both pages.
    expect({ leadPage: lead.includes(chicagoClock), list: list.includes(chicagoClock) }).toEqual({
      leadPage: true,
      list: true,
    });
    expect(lead).not.toContain(denverClock);
  });
});
