import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, bookingPath, offeredTimes, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const DENVER_DESK = 'denver.desk@relief.example';
const NURSE = 'nurse@relief.example';
const PROVIDER = 'provider@relief.example';

const CHI = { marker: 'Zylberstein-CHI', email: 'zyl.chicago@example.com', location: 'chicago' };
const DEN = { marker: 'Zylberstein-DEN', email: 'zyl.denver@example.com', location: 'denver' };

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
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

/** The CSRF token of the person's newest session (a nurse has no leads page to take it from). */
async function sessionCsrf(email: string): Promise<string> {
  const row = await rt()
    .database.db.selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select('sessions.csrf_token')
    .where('users.email', '=', email)
    .where('sessions.revoked_at', 'is', null)
    .orderBy('sessions.created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return row.csrf_token;
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

async function noteCount(id: string): Promise<number> {
  return (await rt().database.db.selectFrom('request_notes').select('id').where('request_id', '=', id).execute())
    .length;
}

/** A page of the person's own, to take the CSRF token from. */
async function token(b: Browser): Promise<string> {
  return csrfFrom((await b.get('/staff/leads')).body);
}

function expectNoPatientData(body: string) {
  for (const secret of [CHI.marker, DEN.marker, CHI.email, DEN.email]) expect(body).not.toContain(secret);
}

describe(`leads inbox (${engine})`, () => {
  it('enforces the access matrix and audits every look, change and denial', async () => {
    const ids = { chicago: await createRequest(CHI), denver: await createRequest(DEN) };
    const sees: Record<string, Array<'chicago' | 'denver'>> = {
      [ADMIN]: ['chicago', 'denver'],
      [DESK]: ['chicago'],
      [DENVER_DESK]: ['denver'],
      [NURSE]: [],
      [PROVIDER]: ['chicago'],
    };
    for (const [email, visible] of Object.entries(sees)) {
      const b = await signIn(rt(), email);
      const nurse = email === NURSE;
      // A valid token for everyone, so that the nurse's posts are refused for the role, not for CSRF.
      const csrf = await sessionCsrf(email);
      const uid = await userId(email);

      // The list.
      let seq = await lastSeq();
      const list = await b.get('/staff/leads');
      let events = await eventsAfter(seq);
      expect(events).toHaveLength(1);
      if (nurse) {
        expect(list.statusCode, email).toBe(403);
        expectNoPatientData(list.body);
        expect(events[0]).toMatchObject({ actor_id: uid, action: 'access_denied', outcome: 'denied' });
      } else {
        expect(list.statusCode, email).toBe(200);
        expect(list.body.includes(CHI.marker), email).toBe(visible.includes('chicago'));
        expect(list.body.includes(DEN.marker), email).toBe(visible.includes('denver'));
        expect(events[0]).toMatchObject({ actor_id: uid, action: 'lead.list', outcome: 'success', patient_ref: null });
        expect(JSON.parse(events[0]!.detail)).toMatchObject({
          rows: visible.length,
          owner: 'anyone',
          status: 'any',
          location: 'all',
        });
      }

      for (const where of ['chicago', 'denver'] as const) {
        const id = ids[where];
        const allowed = visible.includes(where);
        const locationId = `loc-${where}`;
        const calls: Array<
          [string, () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>, string]
        > = [
          ['GET detail', () => b.get(`/staff/leads/${id}`), 'lead.view'],
          [
            'POST status',
            () => b.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'contacted' }),
            'lead.update_status',
          ],
          ['POST owner', () => b.post(`/staff/leads/${id}/owner`, { _csrf: csrf, owner: '' }), 'lead.assign'],
          [
            'POST notes',
            () => b.post(`/staff/leads/${id}/notes`, { _csrf: csrf, kind: 'call', body: 'Left a voicemail.' }),
            'lead.note',
          ],
          ['POST resend-link', () => b.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf }), 'lead.resend_link'],
        ];
        for (const [what, call, action] of calls) {
          const label = `${email} ${what} ${where}`;
          // The last link went out long enough ago for another (resending is rate-limited).
          if (what === 'POST resend-link') {
            await rt().worker.runOnce();
            await db()
              .updateTable('outbox')
              .set((eb) => ({ sent_at: eb('sent_at', '-', 11 * 60_000) }))
              .where('kind', '=', 'booking_link')
              .execute();
          }
          seq = await lastSeq();
          const res = await call();
          events = await eventsAfter(seq);
          expect(events, label).toHaveLength(1);
          const event = events[0]!;
          expect(event.actor_id, label).toBe(uid);
          if (nurse) {
            expect(res.statusCode, label).toBe(403);
            expect(event).toMatchObject({ action: 'access_denied', outcome: 'denied' });
          } else if (allowed) {
            expect(res.statusCode, label).toBe(what === 'GET detail' ? 200 : 303);
            if (what === 'GET detail') {
              expect(res.body).toContain(where === 'chicago' ? CHI.marker : DEN.marker);
              expect(res.body).toContain(where === 'chicago' ? CHI.email : DEN.email);
            } else {
              expect(res.headers.location, label).toBe(
                `/staff/leads/${id}${what === 'POST resend-link' ? '?done=link_sent' : ''}`,
              );
            }
            expect(event, label).toMatchObject({
              action,
              outcome: 'success',
              patient_ref: id,
              location_id: locationId,
            });
          } else {
            expect(res.statusCode, label).toBe(404);
            expect(res.body).toContain('We could not find that page.');
            expect(event, label).toMatchObject({ action, outcome: 'denied', patient_ref: id, location_id: locationId });
          }
          if (nurse || !allowed) expectNoPatientData(res.body);
          // Patient details never enter the trail.
          expectNoPatientData(event.detail);
        }
      }
    }
    // Denied writes changed nothing: each request's notes come only from those who may see it.
    expect(await noteCount(ids.chicago)).toBe(3); // admin, front desk, provider
    expect(await noteCount(ids.denver)).toBe(2); // admin, Denver desk
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('records each write with its details and sets updated_at, in one step with the change', async () => {
    const id = await createRequest(CHI);
    const b = await signIn(rt(), DESK);
    const csrf = await token(b);
    const me = await userId(DESK);
    const provider = await userId(PROVIDER);
    expect((await lead(id)).updated_at).toBeNull();

    rt().clock.advance(60_000);
    let seq = await lastSeq();
    expect((await b.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'contacted' })).statusCode).toBe(303);
    expect(await lead(id)).toEqual({ status: 'contacted', owner_id: null, updated_at: rt().clock.now() });
    let [event] = await eventsAfter(seq);
    expect(JSON.parse(event!.detail)).toEqual({ from: 'new', to: 'contacted' });

    rt().clock.advance(60_000);
    seq = await lastSeq();
    expect((await b.post(`/staff/leads/${id}/owner`, { _csrf: csrf, owner: provider })).statusCode).toBe(303);
    expect(await lead(id)).toEqual({ status: 'contacted', owner_id: provider, updated_at: rt().clock.now() });
    [event] = await eventsAfter(seq);
    expect(JSON.parse(event!.detail)).toEqual({ from: null, to: provider });

    seq = await lastSeq();
    expect((await b.post(`/staff/leads/${id}/owner`, { _csrf: csrf, owner: me })).statusCode).toBe(303);
    rt().clock.advance(60_000);
    expect(
      (await b.post(`/staff/leads/${id}/notes`, { _csrf: csrf, kind: 'email', body: '  Sent the intake forms.  ' }))
        .statusCode,
    ).toBe(303);
    const events = await eventsAfter(seq);
    expect(events.map((e) => e.action)).toEqual(['lead.assign', 'lead.note']);
    const note = await rt()
      .database.db.selectFrom('request_notes')
      .selectAll()
      .where('request_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(note).toMatchObject({ kind: 'email', body: 'Sent the intake forms.', author_id: me });
    expect(JSON.parse(events[1]!.detail)).toEqual({ noteId: note.id, kind: 'email', length: 22 });
    expect((await lead(id)).updated_at).toBe(rt().clock.now());

    const page = await b.get(`/staff/leads/${id}`);
    expect(page.body).toContain('Sent the intake forms.');
    expect(page.body).toContain('Email<br><small>Fran Desk, just now (');
    expect(page.body).toContain('Contacted');
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('refuses bad values with a message next to the field, keeps what was typed and writes nothing', async () => {
    const id = await createRequest(CHI);
    const b = await signIn(rt(), DESK);
    const csrf = await token(b);
    const before = await lead(id);
    const cases: Array<[string, Record<string, string>, string]> = [
      ['status', { status: 'archived' }, 'Choose a status from the list.'],
      ['status', { status: 'booked' }, 'Booked is set when a consultation is booked'],
      ['owner', { owner: 'not-a-user' }, 'Choose someone from the list.'],
      ['owner', { owner: '00000000-0000-4000-8000-000000000000' }, 'Choose someone from the list'],
      // Another location's desk cannot own a Chicago request.
      ['owner', { owner: await userId(DENVER_DESK) }, 'Choose someone from the list'],
      // Nurses do not work leads.
      ['owner', { owner: await userId(NURSE) }, 'Choose someone from the list'],
      ['notes', { kind: 'note', body: `Typed ${'x'.repeat(2001)}` }, 'Keep the note to 2,000 characters or fewer.'],
      ['notes', { kind: 'note', body: '   ' }, 'Write the note.'],
      ['notes', { kind: 'fax', body: 'Kept text here' }, 'Choose what kind of entry this is.'],
    ];
    for (const [path, fields, message] of cases) {
      const seq = await lastSeq();
      const res = await b.post(`/staff/leads/${id}/${path}`, { _csrf: csrf, ...fields });
      expect(res.statusCode, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(res.body).toContain('class="field-error"');
      expect(res.body).toContain(message);
      expect(res.body).toContain('aria-invalid="true"');
      expect(res.body).toContain(CHI.marker); // the request's page again
      if (fields.body) expect(res.body).toContain(fields.body.trim() === '' ? '<textarea' : fields.body);
      const events = await eventsAfter(seq);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        action: { status: 'lead.update_status', owner: 'lead.assign', notes: 'lead.note' }[path],
        outcome: 'failure',
        patient_ref: id,
      });
    }
    expect(await lead(id)).toEqual(before);
    expect(await noteCount(id)).toBe(0);
  });

  it('shows notes and patient text escaped', async () => {
    const id = await createRequest(CHI, {
      first_name: '<b>Bold</b>',
      message: 'Line one\n<img src=x onerror=alert(1)>',
    });
    const b = await signIn(rt(), DESK);
    const csrf = await token(b);
    expect(
      (
        await b.post(`/staff/leads/${id}/notes`, {
          _csrf: csrf,
          kind: 'note',
          body: '<script>alert("x")</script>\nsecond line',
        })
      ).statusCode,
    ).toBe(303);
    const page = await b.get(`/staff/leads/${id}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<b>Bold</b>');
    const list = await b.get('/staff/leads');
    expect(list.body).toContain('&lt;b&gt;Bold&lt;/b&gt;');
  });

  it('refuses a POST without the CSRF token and changes nothing', async () => {
    const id = await createRequest(CHI);
    const b = await signIn(rt(), DESK);
    const before = await lead(id);
    expect((await b.post(`/staff/leads/${id}/status`, { status: 'closed' })).statusCode).toBe(403);
    expect(
      (await b.post(`/staff/leads/${id}/notes`, { _csrf: 'forged-token', kind: 'note', body: 'x' })).statusCode,
    ).toBe(403);
    expect(await lead(id)).toEqual(before);
    expect(await noteCount(id)).toBe(0);
  });

  it('answers 404 for ids that are not UUIDs or unknown, and without a session sends to sign-in', async () => {
    const b = await signIn(rt(), ADMIN);
    for (const bad of ['not-a-uuid', '1', "1' or '1'='1", '00000000-0000-4000-8000-000000000000']) {
      const res = await b.get(`/staff/leads/${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(404);
      expect(res.body).toContain('We could not find that page.');
    }
    const anonymous = await rt().app.inject({ url: '/staff/leads' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/staff\/sign-in/);
  });

  it('keeps booked for booking: no going back to new or contacted by hand, but a booked lead can be closed', async () => {
    const link = await requestAndGetLink(rt(), { last_name: CHI.marker, email: CHI.email });
    const id = (
      await rt()
        .database.db.selectFrom('consultation_requests')
        .select('id')
        .where('email', '=', CHI.email)
        .executeTakeFirstOrThrow()
    ).id;
    const slot = (await offeredTimes(rt(), link)).find((t) => t >= rt().clock.now() + 2 * 86_400_000)!;
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    const b = await signIn(rt(), DESK);
    const page = await b.get(`/staff/leads/${id}`);
    expect(page.body).toContain('<option value="booked" selected disabled>Booked</option>');
    expect(page.body).toMatch(
      /Consultation with Dr. Amara Okafor at Chicago – River North: <time [^>]*>Wed, Mar 4, 2026, 9:00 AM CST<\/time> \(Booked\)/,
    );
    const csrf = csrfFrom(page.body);
    for (const status of ['new', 'contacted']) {
      const res = await b.post(`/staff/leads/${id}/status`, { _csrf: csrf, status });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This request has a booked consultation');
    }
    expect((await lead(id)).status).toBe('booked');
    expect((await b.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'closed' })).statusCode).toBe(303);
    expect((await lead(id)).status).toBe('closed');
  });

  it('lets a provider with emergency access open another location, flagged in the trail', async () => {
    const id = await createRequest(DEN);
    const b = await signIn(rt(), PROVIDER);
    expect((await b.get(`/staff/leads/${id}`)).statusCode).toBe(404);
    const provider = await userId(PROVIDER);
    await rt()
      .database.db.updateTable('sessions')
      .set({ break_glass_until: rt().clock.now() + 3_600_000 })
      .where('user_id', '=', provider)
      .execute();
    const seq = await lastSeq();
    const res = await b.get(`/staff/leads/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(DEN.marker);
    const [event] = await eventsAfter(seq);
    expect(event).toMatchObject({
      action: 'lead.view',
      outcome: 'success',
      patient_ref: id,
      location_id: 'loc-denver',
    });
    expect(JSON.parse(event!.detail)).toMatchObject({ breakGlass: true });
    // Once it has run out, the request is out of reach again.
    rt().clock.advance(3_600_001);
    const again = await signIn(rt(), PROVIDER);
    expect((await again.get(`/staff/leads/${id}`)).statusCode).toBe(404);
  });

  it('a request whose consultation is still booked is never put back to New or Contacted by hand (not even after Closed)', async () => {
    const email = 'reopen@example.com';
    const link = await requestAndGetLink(rt(), { last_name: 'Reopen', email });
    const id = await requestIdOf(email);
    const slot = (await offeredTimes(rt(), link)).find((t) => t >= rt().clock.now() + 2 * 86_400_000)!;
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

  it('lead page: the phone reads as a North American number and dials as stored (tel:+E.164)', async () => {
    const id = await createRequest(CHI, { phone: '312.555.0147' });
    const b = await signIn(rt(), DESK);
    const page = await b.get(`/staff/leads/${id}`);
    expect(page.body).toContain('<dt>Phone</dt><dd><a href="tel:+13125550147">(312) 555-0147</a></dd>');
  });

  it('lead: a patient cancelling online marks it "cancelled by the patient" with when, and emails its owner, else the front desk', async () => {
    const owned = { first_name: 'Owena', last_name: 'Owned-CHI', email: 'owned@example.com' };
    const free = { first_name: 'Freya', last_name: 'Free-CHI', email: 'free@example.com' };
    const byStaff = { first_name: 'Stef', last_name: 'Staff-CHI', email: 'bystaff@example.com' };
    const links = {
      owned: await requestAndGetLink(rt(), owned),
      free: await requestAndGetLink(rt(), free),
      byStaff: await requestAndGetLink(rt(), byStaff),
    };
    const ids = {
      owned: await requestIdOf(owned.email),
      free: await requestIdOf(free.email),
      byStaff: await requestIdOf(byStaff.email),
    };
    let desk = await signIn(rt(), DESK);
    let csrf = await token(desk);
    const provider = await userId(PROVIDER);
    expect((await desk.post(`/staff/leads/${ids.owned}/owner`, { _csrf: csrf, owner: provider })).statusCode).toBe(303);
    const offered = await offeredTimes(rt(), links.owned);
    const [s0, s1, s2] = [2, 3, 4].map((d) => offered.find((t) => t >= rt().clock.now() + d * 86_400_000)!);
    expect((await book(rt(), links.owned, s0!)).statusCode).toBe(303);
    expect((await book(rt(), links.free, s1!)).statusCode).toBe(303);
    expect((await book(rt(), links.byStaff, s2!)).statusCode).toBe(303);
    await rt().worker.runOnce();

    rt().clock.advance(3_600_000);
    const cancelledAt = rt().clock.now();
    const sentBefore = rt().mail.sent.length;
    for (const link of [links.owned, links.free])
      expect((await rt().app.inject({ method: 'POST', url: `${link}/cancel` })).statusCode).toBe(303);
    // The clinic cancelling is not news to the clinic: that lead goes back to New, and nobody is emailed.
    const staffCancelled = (await liveBookingOf(ids.byStaff))!.id;
    desk = await signIn(rt(), DESK); // the first session has timed out meanwhile
    csrf = await token(desk);
    const cancelled = await desk.post(`/staff/calendar/appointments/${staffCancelled}/cancel`, { _csrf: csrf });
    expect(cancelled.headers.location).toBe(`/staff/calendar/appointments/${staffCancelled}?done=cancelled`);
    expect((await requestRow(ids.owned)).status).toBe('cancelled');
    expect((await requestRow(ids.free)).status).toBe('cancelled');
    expect((await requestRow(ids.byStaff)).status).toBe('new');

    await rt().worker.runOnce();
    const notices = rt()
      .mail.sent.slice(sentBefore)
      .filter((m) => m.subject.includes('cancelled their consultation'));
    expect(notices.map((m) => [m.to, m.subject]).sort()).toEqual([
      [DESK, 'Freya cancelled their consultation'],
      [PROVIDER, 'Owena cancelled their consultation'],
    ]);
    for (const [m, id, person] of [
      [notices.find((n) => n.to === PROVIDER)!, ids.owned, owned],
      [notices.find((n) => n.to === DESK)!, ids.free, free],
    ] as const) {
      expect(m.text).toContain(`http://relief.test/staff/leads/${id}`);
      // The first name only: nothing else about the person.
      for (const text of [m.text, m.html]) {
        expect(text).not.toContain(person.last_name);
        expect(text).not.toContain(person.email);
        expect(text).not.toContain('555-0147');
        expect(text).not.toContain('fracture');
      }
    }

    // The lead says so, and when.
    rt().clock.advance(2 * 3_600_000);
    desk = await signIn(rt(), DESK);
    csrf = await token(desk);
    const page = await desk.get(`/staff/leads/${ids.owned}`);
    expect(page.body).toContain(
      `<dt>Status</dt><dd><strong>Cancelled by the patient</strong>, 2 h ago (<time datetime="${new Date(cancelledAt).toISOString()}">`,
    );
    expect(page.body).toContain('<option value="cancelled" selected disabled>Cancelled by the patient</option>');
    // The inbox can list exactly those.
    const list = await desk.get('/staff/leads?status=cancelled');
    expect(list.body).toContain(owned.last_name);
    expect(list.body).toContain(free.last_name);
    expect(list.body).not.toContain(byStaff.last_name);
    // Not a status to choose by hand; the others still are.
    const byHand = await desk.post(`/staff/leads/${ids.free}/status`, { _csrf: csrf, status: 'cancelled' });
    expect(byHand.statusCode).toBe(400);
    expect(byHand.body).toContain('Cancelled by the patient is set when a patient cancels online');
    // Booking again (with the same link) makes it booked again.
    expect((await book(rt(), links.owned, s1!)).statusCode).toBe(303);
    expect((await requestRow(ids.owned)).status).toBe('booked');
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('lead: "Book a consultation" opens the calendar booking form with the person and location chosen, and books', async () => {
    const id = await createRequest(CHI);
    const other = await createRequest(DEN);
    const desk = await signIn(rt(), DESK);
    const page = await desk.get(`/staff/leads/${id}`);
    const href = `/staff/calendar/book?location=loc-chicago&amp;request=${id}`;
    expect(page.body).toContain(`<a class="button button-small" href="${href}">Book a consultation</a>`);
    const form = await desk.get(href.replace('&amp;', '&'));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Book a consultation at Chicago');
    expect(form.body).toMatch(new RegExp(`<option value="${id}" selected>Ana ${CHI.marker} \\(received`));
    // Another location's request named in the address is not chosen, nor shown.
    const elsewhere = await desk.get(`/staff/calendar/book?location=loc-chicago&request=${other}`);
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).not.toContain(DEN.marker);
    expect(elsewhere.body).not.toContain(' selected>Ana');
    // Booking it through the calendar's own form marks the lead booked, and the lead offers no second booking.
    const booked = await desk.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: id,
      provider: 'any',
      date: '2026-03-05',
      time: '10:00',
    });
    expect(booked.statusCode).toBe(303);
    expect((await requestRow(id)).status).toBe('booked');
    const after = await desk.get(`/staff/leads/${id}`);
    expect(after.body).not.toContain('Book a consultation</a>');
    expect(after.body).not.toContain('Resend booking link');
    // A closed lead is not offered booking either; a nurse has no leads page at all.
    const csrf = csrfFrom(after.body);
    const closed = await createRequest({ ...CHI, email: 'closed@example.com', marker: 'Closed-CHI' });
    expect((await desk.post(`/staff/leads/${closed}/status`, { _csrf: csrf, status: 'closed' })).statusCode).toBe(303);
    const closedPage = await desk.get(`/staff/leads/${closed}`);
    expect(closedPage.body).not.toContain('Book a consultation</a>');
    expect(closedPage.body).toContain(
      'This lead is closed. To book a consultation, set its status to New or Contacted first.',
    );
  });

  it('lead: "Resend booking link" emails the link again (audited, PRG), and is refused when booked, closed or without email', async () => {
    const id = await createRequest(CHI);
    await rt().worker.runOnce();
    const desk = await signIn(rt(), DESK);
    const csrf = await token(desk);
    const page = await desk.get(`/staff/leads/${id}`);
    expect(page.body).toContain(`<form class="inline-form" method="post" action="/staff/leads/${id}/resend-link">`);

    // Without the CSRF token nothing is sent.
    const jobs = () =>
      db()
        .selectFrom('outbox')
        .select(['id', 'status'])
        .where('kind', '=', 'booking_link')
        .where('ref_id', '=', id)
        .execute();
    expect(await jobs()).toHaveLength(1);
    expect((await desk.post(`/staff/leads/${id}/resend-link`, {})).statusCode).toBe(403);
    expect(await jobs()).toHaveLength(1);

    // Rate-limited: not while the first is minutes old (nor twice in a row), with a message saying when.
    rt().clock.advance(4 * 60_000 + 30_000);
    let seq = await lastSeq();
    const early = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
    expect(early.statusCode).toBe(429);
    expect(early.body).toMatch(
      /A booking link went to them \d minutes ago\. So that they do not get several at once, you can send another in \d minutes?\./,
    );
    expect(await eventsAfter(seq)).toMatchObject([{ action: 'lead.resend_link', outcome: 'failure' }]);
    expect(await jobs()).toHaveLength(1);

    rt().clock.advance(6 * 60_000);
    seq = await lastSeq();
    const sentBefore = rt().mail.sent.length;
    const res = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/staff/leads/${id}?done=link_sent`);
    expect(await eventsAfter(seq)).toMatchObject([
      { action: 'lead.resend_link', outcome: 'success', patient_ref: id, location_id: 'loc-chicago' },
    ]);
    expect(await jobs()).toHaveLength(2);
    // A second click sends nothing more (whether the worker has sent the first yet or not).
    const again = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
    expect(again.statusCode).toBe(429);
    // Two presses at the same moment (a double click): one link, one refusal.
    rt().clock.advance(11 * 60_000);
    await rt().worker.runOnce();
    const both = await Promise.all([1, 2].map(() => desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf })));
    expect(both.map((r) => r.statusCode).sort()).toEqual([303, 429]);
    expect(await jobs()).toHaveLength(3);
    expect(again.body).toMatch(/A booking link (is already waiting to go out to them|went to them just now\.)/);
    const mail = rt().mail.sent.slice(sentBefore, sentBefore + 1);
    expect(mail.map((m) => [m.to, m.subject])).toEqual([
      [CHI.email, 'Book your consultation with Relief Infusion Clinic'],
    ]);
    const link = bookingPath(mail[0]!.text);
    expect((await rt().app.inject({ url: link })).statusCode).toBe(200);
    const shown = await desk.get(res.headers.location as string);
    expect(shown.body).toContain('<div class="notice notice-success" role="status"><p>The booking link is on its way');
    // A made-up notice in the address shows nothing.
    expect((await desk.get(`/staff/leads/${id}?done=%3Cb%3Ehi`)).body).not.toContain('notice-success');

    // Refused with a clear message and recorded: no email address …
    const refusedWith = async (message: string) => {
      seq = await lastSeq();
      const before = (await jobs()).length;
      const r = await desk.post(`/staff/leads/${id}/resend-link`, { _csrf: csrf });
      expect(r.statusCode, message).toBe(409);
      expect(r.body).toContain('<div class="notice notice-error" role="alert" id="resend-error"><p>' + message);
      expect(r.body).toContain('<title>Error: ');
      expect(await eventsAfter(seq)).toMatchObject([
        { action: 'lead.resend_link', outcome: 'failure', patient_ref: id },
      ]);
      expect((await jobs()).length).toBe(before);
    };
    await db().updateTable('consultation_requests').set({ email: '' }).where('id', '=', id).execute();
    await refusedWith('There is no email address for this lead. Call them at (312) 555-0147 instead.');
    await db().updateTable('consultation_requests').set({ email: CHI.email }).where('id', '=', id).execute();
    // … already booked …
    const booked = await desk.post('/staff/calendar/book', {
      _csrf: csrf,
      location: 'chicago',
      request: id,
      provider: 'any',
      date: '2026-03-05',
      time: '10:00',
    });
    expect(booked.statusCode).toBe(303);
    await refusedWith('This lead already has a booked consultation.');
    // … or closed.
    expect((await desk.post(`/staff/leads/${id}/status`, { _csrf: csrf, status: 'closed' })).statusCode).toBe(303);
    await refusedWith('This lead is closed.');
  });
});
