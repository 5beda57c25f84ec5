/**
 * Staff workspace edge cases found by an adversarial review (stop 7); each failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { submitRequest, bookOnline } from '../helpers/journey.ts';
import { Browser, csrfFrom, signIn } from '../helpers/staff.ts';
import { DEMO_PASSWORD } from '../../src/seed/demo-staff.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const PROVIDER = 'provider@relief.example';
const HOUR = 3_600_000;
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z'); // 9:00 AM CST

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const appointment = (id: string) =>
  rt().database.db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const userByEmail = (email: string) =>
  rt().database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();

describe(`staff workspace edge cases (${engine})`, () => {
  it('a password reset does not clear the pause that failed sign-in codes put on the account', async () => {
    // Someone who knows the password (and can read the mailbox) guesses codes until the account is paused.
    const attacker = new Browser(rt());
    const signInForm = await attacker.get('/staff/sign-in');
    const pw = await attacker.post('/staff/sign-in', {
      _csrf: csrfFrom(signInForm.body),
      email: DESK,
      password: DEMO_PASSWORD,
      next: '/staff',
    });
    expect(pw.statusCode).toBe(303);
    const mfa = await attacker.get(pw.headers.location as string);
    for (let i = 0; i < 10; i++) {
      expect(
        (await attacker.post('/staff/mfa', { _csrf: csrfFrom(mfa.body), code: String(100000 + i), next: '/staff' }))
          .statusCode,
      ).toBe(401);
    }
    const paused = await userByEmail(DESK);
    expect(paused.locked_until).toBeGreaterThan(rt().clock.now());

    // A password reset through the emailed link...
    const forgot = await attacker.get('/staff/forgot');
    expect((await attacker.post('/staff/forgot', { _csrf: csrfFrom(forgot.body), email: DESK })).statusCode).toBe(200);
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.to === DESK)!;
    const reset = /http:\/\/relief\.test(\/staff\/reset\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const form = await attacker.get(reset);
    const newPassword = 'quartz meadow lantern 77';
    expect(
      (await attacker.post(reset, { _csrf: csrfFrom(form.body), password: newPassword, confirm: newPassword }))
        .statusCode,
    ).toBe(303);

    // ...must not wipe the growing pause on codes: README says only a completed second step clears it.
    const after = await userByEmail(DESK);
    expect(
      { failed_logins: after.failed_logins, paused: (after.locked_until ?? 0) > rt().clock.now() },
      'the reset cleared the MFA pause and failure count',
    ).toEqual({
      failed_logins: paused.failed_logins,
      paused: true,
    });
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

  it("booking on a request's behalf refuses a request the clinic closed as not a candidate, and leaves it closed", async () => {
    expect(
      (await submitRequest(rt(), { first_name: 'Noel', email: 'noel@example.com', phone: '(312) 555-0191' }))
        .statusCode,
    ).toBe(303);
    const request = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'noel@example.com')
      .executeTakeFirstOrThrow();
    const desk = await signIn(rt(), DESK);
    const lead = await desk.get(`/staff/leads/${request.id}`);
    expect(
      (await desk.post(`/staff/leads/${request.id}/status`, { _csrf: csrfFrom(lead.body), status: 'not_candidate' }))
        .statusCode,
    ).toBe(303);

    // The booking form does not offer it (closed requests are not bookable, online or by staff)...
    const form = await desk.get('/staff/calendar/book?location=chicago');
    expect(form.body).not.toContain('Noel');
    // ...but a post naming it books it, and the clinic's decision is overwritten without a status-change event.
    const res = await desk.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'prov-okafor',
      date: '2026-03-03',
      time: '11:00',
    });
    const after = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('status')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    const booked = await rt()
      .database.db.selectFrom('appointments')
      .select('id')
      .where('request_id', '=', request.id)
      .execute();
    expect(
      { status: res.statusCode, requestStatus: after.status, appointments: booked.length },
      'a closed request was booked and reopened',
    ).toMatchObject({
      requestStatus: 'not_candidate',
      appointments: 0,
    });
  });

  it('each emergency-access reason stays in the audit trail when the session asks again', async () => {
    const provider = await signIn(rt(), PROVIDER);
    const form = await provider.get('/staff/break-glass');
    const first = 'Denver patient collapsed in Chicago lobby, need allergies';
    const second = 'Still treating the same patient, need the follow-up history';
    expect((await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: first })).statusCode).toBe(
      303,
    );
    rt().clock.advance(10 * 60_000);
    expect((await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: second })).statusCode).toBe(
      303,
    );

    const sessions = await rt().database.db.selectFrom('sessions').select('break_glass_reason').execute();
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'break_glass')
      .execute();
    const stored = [...sessions.map((s) => s.break_glass_reason ?? ''), ...events.map((e) => e.detail)];
    expect(
      stored.some((text) => text.includes(first)),
      'the justification of the first emergency access is kept nowhere',
    ).toBe(true);
  });
  it('an admin ending a session is audited with whose session it was; ending none answers 404 and is audited as a failure', async () => {
    const admin = await signIn(rt(), ADMIN);
    await signIn(rt(), DESK);
    const desk = await userByEmail(DESK);
    const target = (
      await rt()
        .database.db.selectFrom('sessions')
        .select('id_hash')
        .where('user_id', '=', desk.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id_hash;
    const page = await admin.get('/staff/sessions');
    expect((await admin.post(`/staff/sessions/${target}/end`, { _csrf: csrfFrom(page.body) })).statusCode).toBe(303);
    // A session id that belongs to nobody: nothing was ended, and the answer and the trail say so.
    expect((await admin.post(`/staff/sessions/${'0'.repeat(64)}/end`, { _csrf: csrfFrom(page.body) })).statusCode).toBe(
      404,
    );

    const ended = await rt()
      .database.db.selectFrom('audit_events')
      .select(['outcome', 'detail'])
      .where('action', '=', 'session.end')
      .orderBy('seq')
      .execute();
    expect(
      ended.map((e) => ({ outcome: e.outcome, user: (JSON.parse(e.detail) as { user?: string }).user ?? null })),
      'session.end events name no user, and a no-op is recorded as a success',
    ).toEqual([
      { outcome: 'success', user: desk.id },
      { outcome: 'failure', user: null },
    ]);
  });
});
