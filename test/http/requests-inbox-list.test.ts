import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { insertBulkRequests } from '../helpers/requests.ts';
import { book, offeredTimes, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

/** The leads list: its filters and pages, the times it shows, and the conversion figures over a period. */
const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';

const CHI = { marker: 'Zylberstein-CHI', email: 'zyl.chicago@example.com', location: 'chicago' };
const DEN = { marker: 'Zylberstein-DEN', email: 'zyl.denver@example.com', location: 'denver' };

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z'); // Tuesday 3 March 2026, 9:00 AM CST

async function createRequest(
  p: { marker: string; email: string; location: string },
  extra: Record<string, string> = {},
): Promise<string> {
  const res = await submitRequest(rt(), { last_name: p.marker, email: p.email, location: p.location, ...extra });
  expect(res.statusCode).toBe(303);
  const row = await rt()
    .database.db.selectFrom('consultation_requests')
    .select('id')
    .where('email', '=', p.email)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function lastSeq(): Promise<number> {
  const row = await rt()
    .database.db.selectFrom('audit_events')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

async function eventsAfter(seq: number) {
  return rt().database.db.selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq', 'asc').execute();
}

async function userId(email: string): Promise<string> {
  return (await rt().database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow())
    .id;
}

async function lead(id: string) {
  return rt()
    .database.db.selectFrom('consultation_requests')
    .select(['status', 'owner_id', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const requestIdOf = async (email: string) =>
  (
    await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).id;
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
const nextHref = (html: string) => /<a[^>]*href="([^"]*page=2[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');

describe(`leads list and conversion (${engine})`, () => {
  it('filters, shows times and live consultations, counts conversion and pages by 50', async () => {
    const chicago = await createRequest(CHI);
    await createRequest(DEN);
    // Send their booking-link emails now, so that requestAndGetLink below finds the link of its own request.
    await rt().worker.runOnce();
    // Booked, then cancelled and booked again: one booked request. Booked and cancelled: counted as cancelled.
    const rebooked = await requestAndGetLink(rt(), { last_name: 'Rebooked-CHI', email: 'rebooked@example.com' });
    const offered = await offeredTimes(rt(), rebooked);
    // Days apart, so that none of them overlaps another, and beyond the 24 h cancellation cut-off.
    const [s0, s1, s2] = [2, 3, 4].map((d) => offered.find((t) => t >= rt().clock.now() + d * 86_400_000)!);
    expect((await book(rt(), rebooked, s0!)).statusCode).toBe(303);
    expect((await rt().app.inject({ method: 'POST', url: `${rebooked}/cancel` })).statusCode).toBe(303);
    expect((await book(rt(), rebooked, s1!)).statusCode).toBe(303);
    const cancelled = await requestAndGetLink(rt(), { last_name: 'Cancelled-CHI', email: 'cancelled@example.com' });
    expect((await book(rt(), cancelled, s2!)).statusCode).toBe(303);
    expect((await rt().app.inject({ method: 'POST', url: `${cancelled}/cancel` })).statusCode).toBe(303);

    rt().clock.advance(3 * 3_600_000);
    const b = await signIn(rt(), DESK);
    const list = await b.get('/staff/leads');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('3 h ago');
    expect(list.body).toContain('Mar 2, 2026, 9:00 AM CST');
    // The live, rebooked consultation in Chicago time; the cancelled ones are not shown as live.
    const zoned = (t: number) =>
      DateTime.fromMillis(t, { zone: 'America/Chicago' }).toFormat('ccc, LLL d, yyyy, h:mm a ZZZZ');
    expect(list.body).toContain(zoned(s1!));
    expect(list.body).not.toContain(zoned(s0!));
    expect(list.body).not.toContain(zoned(s2!));
    // Conversion: Chicago only for this desk; 3 received, 1 booked, 1 cancelled.
    expect(list.body).toMatch(/<th scope="row">Chicago[^<]*<\/th><td>3<\/td><td>1<\/td><td>33\.3%<\/td><td>1<\/td>/);
    expect(list.body).not.toMatch(/<th scope="row">Denver/);
    expect(list.body).not.toContain('<option value="loc-denver"');
    expect(await lead(chicago)).toMatchObject({ status: 'new' });

    const bookedOnly = await b.get('/staff/leads?status=booked');
    expect(bookedOnly.body).toContain('Rebooked-CHI');
    expect(bookedOnly.body).not.toContain(CHI.marker);
    const csrf = csrfFrom(list.body);
    await b.post(`/staff/leads/${chicago}/owner`, { _csrf: csrf, owner: await userId(DESK) });
    const mine = await b.get('/staff/leads?owner=me');
    expect(mine.body).toContain(CHI.marker);
    expect(mine.body).not.toContain('Rebooked-CHI');
    const unassigned = await b.get('/staff/leads?owner=unassigned');
    expect(unassigned.body).not.toContain(CHI.marker);
    expect(unassigned.body).toContain('Rebooked-CHI');
    // A period before any request counts nothing.
    const earlier = await b.get('/staff/leads?from=2026-01-01&to=2026-01-31');
    expect(earlier.body).toMatch(/<th scope="row">Chicago[^<]*<\/th><td>0<\/td><td>0<\/td><td>—<\/td>/);

    // Another location, a made-up one and a malformed filter are refused.
    let seq = await lastSeq();
    expect((await b.get('/staff/leads?location=loc-denver')).statusCode).toBe(400);
    expect(await eventsAfter(seq)).toMatchObject([
      { action: 'lead.list', outcome: 'denied', location_id: 'loc-denver' },
    ]);
    expect((await b.get('/staff/leads?status=archived')).statusCode).toBe(400);
    expect((await b.get('/staff/leads?from=2026-02-30')).statusCode).toBe(400);

    // 50 per page, newest first.
    await insertBulkRequests(rt(), 52, rt().clock.now());
    seq = await lastSeq();
    const first = await b.get('/staff/leads?location=loc-chicago');
    expect(first.body).toContain('Person51');
    expect(first.body.indexOf('Person51')).toBeLessThan(first.body.indexOf('Person50'));
    expect(first.body).toContain('Person02');
    expect(first.body).not.toContain('Person01');
    expect(first.body).toContain('rel="next"');
    const [listed] = await eventsAfter(seq);
    expect(JSON.parse(listed!.detail)).toMatchObject({ location: 'loc-chicago', rows: 50, page: 1 });
    const next = /href="([^"]*page=2[^"]*)"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await b.get(next);
    expect(second.body).toContain('Person01');
    expect(second.body).toContain(CHI.marker);
    expect(second.body).not.toContain('Person02');
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
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
    // … SHOULD: and the figures agree: 1 received, none booked, 1 cancelled, 0 attended.
    const list = await desk.get('/staff/leads');
    const row = /<th scope="row">Chicago[^<]*<\/th>((?:<td>[^<]*<\/td>){5})/.exec(list.body)![1];
    expect(row).toBe('<td>1</td><td>0</td><td>0%</td><td>1</td><td>0</td>');
  });

  it('conversion: over mixed leads, a cancelled booking counts as cancelled, not booked (by the patient or the clinic)', async () => {
    const people = ['Waiting', 'Live', 'PatientCancel', 'ClinicCancel', 'Rebooked', 'Attended'] as const;
    const links: Record<string, string> = {};
    for (const who of people)
      links[who] = await requestAndGetLink(rt(), {
        last_name: `${who}-CHI`,
        email: `${who.toLowerCase()}@example.com`,
      });
    const offered = await offeredTimes(rt(), links.Live!);
    const day = (d: number) => offered.find((t) => t >= rt().clock.now() + d * 86_400_000)!;
    expect((await book(rt(), links.Attended!, TUE_0900)).statusCode).toBe(303);
    expect((await book(rt(), links.Live!, day(2))).statusCode).toBe(303);
    expect((await book(rt(), links.PatientCancel!, day(3))).statusCode).toBe(303);
    expect((await book(rt(), links.ClinicCancel!, day(4))).statusCode).toBe(303);
    expect((await book(rt(), links.Rebooked!, day(5))).statusCode).toBe(303);
    for (const who of ['PatientCancel', 'Rebooked'])
      expect((await rt().app.inject({ method: 'POST', url: `${links[who]}/cancel` })).statusCode).toBe(303);
    expect((await book(rt(), links.Rebooked!, day(6))).statusCode).toBe(303);

    // The day of the first visit: the person arrives; the clinic cancels another visit.
    rt().clock.set('2026-03-03T14:30:00.000Z');
    const desk = await signIn(rt(), DESK);
    const csrf = csrfFrom((await desk.get('/staff/calendar')).body);
    const attended = (await liveBookingOf(await requestIdOf('attended@example.com')))!.id;
    const clinicCancel = (await liveBookingOf(await requestIdOf('cliniccancel@example.com')))!.id;
    expect(
      (await desk.post(`/staff/calendar/appointments/${attended}/attendance`, { _csrf: csrf, attendance: 'arrived' }))
        .statusCode,
    ).toBe(303);
    expect((await desk.post(`/staff/calendar/appointments/${clinicCancel}/cancel`, { _csrf: csrf })).statusCode).toBe(
      303,
    );

    // 6 received; booked: Live, Rebooked, Attended (50%); cancelled: PatientCancel, ClinicCancel; attended: 1.
    const list = await desk.get('/staff/leads');
    const row = /<th scope="row">Chicago[^<]*<\/th>((?:<td>[^<]*<\/td>){5})/.exec(list.body)![1];
    expect(row).toBe('<td>6</td><td>3</td><td>50%</td><td>2</td><td>1</td>');
    expect(list.body).toContain('<th scope="col">Cancelled</th>');
  });

  it('leads: a consultation booked at another location is shown at its own location and clock, as the calendar shows it', async () => {
    // A Denver request whose person picked a Chicago time on the booking page.
    const email = 'denver-to-chicago2@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'DenverToChicago', email, location: 'denver' });
    const requestId = await requestIdOf(email);
    const slot = (await offeredTimes(rt(), `${link}?location=chicago`)).find(
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

  it("leads: the default 30-day period for a chosen location ends on that location's today, not the first location's", async () => {
    // A Denver request received at noon on Monday 9 February 2026 (Denver time, MST).
    await db()
      .insertInto('consultation_requests')
      .values({
        id: '00000000-0000-4000-8000-00000000d001',
        idempotency_key: 'review-denver-1',
        body_hash: 'x',
        location_id: 'loc-denver',
        first_name: 'Dora',
        last_name: 'Periodtest',
        email: 'dora@example.com',
        phone: '+13035550147',
        contact_method: 'email',
        reason: 'crps',
        heard_from: '',
        message: '',
        consent_at: Date.parse('2026-02-09T19:00:00Z'),
        status: 'new',
        created_at: Date.parse('2026-02-09T19:00:00Z'),
      })
      .execute();
    // Tuesday 10 March, 11:30 PM in Denver (already 00:30 on Wednesday 11 March in Chicago).
    rt().clock.set('2026-03-11T05:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const res = await admin.get('/staff/leads?location=loc-denver');
    expect(res.statusCode).toBe(200);
    // Denver's last 30 days ending today (10 March): 9 February – 10 March, and Dora's request is in it.
    const caption = /<caption id="conversion-caption">([^<]*)</.exec(res.body)?.[1];
    const denverReceived = /<th scope="row">Denver[^<]*<\/th><td>(\d+)<\/td>/.exec(res.body)?.[1];
    expect({ caption, denverReceived }).toEqual({
      caption: 'Conversion of requests received February 9, 2026 – March 10, 2026 (each location&#39;s own time zone)',
      denverReceived: '1',
    });
  });
});
