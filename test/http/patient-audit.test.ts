import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { bookingPath, newKey, VALID_REQUEST } from '../helpers/journey.ts';
import { byPatient, MARKED, oneEvent, send } from '../helpers/audit.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * What patients do themselves (the public form, their booking link, waitlist offers) is in the audit trail: one
 * event per action, actor 'patient' without a user id, the client's address, the request or patient it concerns,
 * ids and reason codes only.
 */

const IP = '203.0.113.9';
const HOUR = 3_600_000;
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z');
const WED_0900 = TUE_0900 + 24 * HOUR;
const THU_0900 = WED_0900 + 24 * HOUR;

const rt = useTestRuntime();

const requestRow = (email: string) =>
  rt()
    .database.db.selectFrom('consultation_requests')
    .select(['id', 'patient_id'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();

/** Sends the form as `MARKED` (or overrides) from IP; returns the booking link from the email. */
async function requestLink(overrides: Record<string, string> = {}): Promise<string> {
  const before = rt().mail.sent.length;
  const res = await send(rt(), 'POST', '/consultation', IP, {
    ...VALID_REQUEST,
    ...MARKED,
    form_key: newKey(),
    ...overrides,
  });
  expect(res.statusCode).toBe(303);
  await rt().worker.runOnce();
  return bookingPath(
    rt()
      .mail.sent.slice(before)
      .find((m) => m.subject.startsWith('Book your consultation'))!.text,
  );
}

describe(`patient self-service audit (${engine})`, () => {
  it('records each self-service action once, with the right fields and no PHI, and the chain verifies', async () => {
    const chicago = { location_id: 'loc-chicago', ...byPatient(rt(), IP) };
    const form = { ...VALID_REQUEST, ...MARKED, form_key: newKey() };
    // Without TRUST_PROXY a forwarded-for header is not believed: the trail keeps the connection's address.
    const created = await oneEvent(rt(), () =>
      rt().app.inject({
        method: 'POST',
        url: '/consultation',
        remoteAddress: IP,
        headers: { 'x-forwarded-for': '198.51.100.66' },
        payload: form,
      }),
    );
    const { id: requestId } = await requestRow(MARKED.email);
    expect(created).toEqual({
      action: 'request.create',
      outcome: 'success',
      patient_ref: requestId,
      detail: {},
      ...chicago,
    });
    await rt().worker.runOnce();
    const link = bookingPath(rt().mail.sent.find((m) => m.subject.startsWith('Book your consultation'))!.text);

    // Sending the same form again changes nothing and is recorded as a replay of that request.
    expect(await oneEvent(rt(), () => send(rt(), 'POST', '/consultation', IP, form))).toEqual({
      action: 'request.create',
      outcome: 'success',
      patient_ref: requestId,
      detail: { replay: true },
      ...chicago,
    });

    expect(await oneEvent(rt(), () => send(rt(), 'GET', link, IP))).toEqual({
      action: 'booking.view',
      outcome: 'success',
      patient_ref: requestId,
      detail: { page: 'book' },
      ...chicago,
    });

    const booked = await oneEvent(rt(), () =>
      send(rt(), 'POST', link, IP, { slot: String(WED_0900), location: 'chicago' }),
    );
    const { patient_id: patientId } = await requestRow(MARKED.email);
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .select('id')
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(patientId).toBeTruthy();
    expect(booked).toEqual({
      action: 'appointment.book',
      outcome: 'success',
      patient_ref: patientId,
      detail: { appointmentId: appt.id, requestId },
      ...chicago,
    });

    const about = { patient_ref: patientId, ...chicago };
    for (const [path, page] of [
      ['', 'manage'],
      ['/cancel', 'cancel'],
      ['/appointment.ics', 'ics'],
      ['/reschedule', 'reschedule'],
    ] as const) {
      const seen = await oneEvent(rt(), () => send(rt(), 'GET', `${link}${path}`, IP));
      expect(seen).toEqual({
        action: 'booking.view',
        outcome: 'success',
        detail: { page, appointmentId: appt.id },
        ...about,
      });
    }

    const moved = await oneEvent(rt(), () =>
      send(rt(), 'POST', `${link}/reschedule`, IP, { slot: String(THU_0900), location: 'chicago' }),
    );
    expect(moved).toEqual({
      action: 'appointment.reschedule',
      outcome: 'success',
      detail: { appointmentId: appt.id, from: WED_0900, to: THU_0900 },
      ...about,
    });
    const cancelled = await oneEvent(rt(), () => send(rt(), 'POST', `${link}/cancel`, IP));
    expect(cancelled).toEqual({
      action: 'appointment.cancel',
      outcome: 'success',
      detail: { appointmentId: appt.id, startsAt: THU_0900 },
      ...about,
    });

    const denver = { ...about, location_id: 'loc-denver' };
    expect(await oneEvent(rt(), () => send(rt(), 'POST', `${link}/waitlist`, IP, { location: 'denver' }))).toEqual({
      action: 'waitlist.join',
      outcome: 'success',
      detail: {},
      ...denver,
    });
    expect(await oneEvent(rt(), () => send(rt(), 'POST', `${link}/waitlist/leave`, IP, {}))).toEqual({
      action: 'waitlist.leave',
      outcome: 'success',
      detail: {},
      ...about,
    });
    const newLink = await oneEvent(rt(), () => send(rt(), 'POST', '/book/new-link', IP, { email: MARKED.email }));
    expect(newLink).toEqual({ action: 'booking.link_request', outcome: 'success', detail: {}, ...about });

    const api = await oneEvent(rt(), () =>
      rt().app.inject({
        method: 'POST',
        url: '/api/consultation-requests',
        remoteAddress: IP,
        payload: { ...form, form_key: newKey(), email: 'z2@example.com' },
      }),
    );
    expect(api).toMatchObject({
      action: 'request.create',
      outcome: 'success',
      patient_ref: (await requestRow('z2@example.com')).id,
    });

    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('records waitlist offers viewed and accepted under the person offered, and a second accept as gone', async () => {
    const first = await requestLink({ email: 'first@example.com' });
    expect((await send(rt(), 'POST', first, IP, { slot: String(WED_0900), location: 'chicago' })).statusCode).toBe(303);
    const waiting = await requestLink();
    await send(rt(), 'POST', `${waiting}/waitlist`, IP, { location: 'chicago' });
    rt().mail.sent.length = 0;
    await send(rt(), 'POST', `${first}/cancel`, IP);
    await rt().worker.runOnce();
    const offer = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(
      rt().mail.sent.find((m) => m.to === MARKED.email)!.text,
    )![1]!;
    const { id: requestId } = await requestRow(MARKED.email);
    const offerId = (await rt().database.db.selectFrom('waitlist_offers').select('id').executeTakeFirstOrThrow()).id;
    const who = { location_id: 'loc-chicago', ...byPatient(rt(), IP) };

    expect(await oneEvent(rt(), () => send(rt(), 'GET', offer, IP))).toEqual({
      action: 'waitlist.view',
      outcome: 'success',
      patient_ref: requestId,
      detail: { offerId },
      ...who,
    });
    const accepted = await oneEvent(rt(), () => send(rt(), 'POST', offer, IP, {}));
    const { patient_id: patientId } = await requestRow(MARKED.email);
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .select('id')
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(accepted).toEqual({
      action: 'waitlist.accept',
      outcome: 'success',
      patient_ref: patientId,
      detail: { appointmentId: appt.id, offerId },
      ...who,
    });
    const again = await oneEvent(rt(), () => send(rt(), 'POST', offer, IP, {}));
    expect(again).toEqual({
      action: 'waitlist.accept',
      outcome: 'failure',
      patient_ref: patientId,
      detail: { reason: 'gone', offerId },
      ...who,
    });
  });

  it('records refused and failed actions by reason, naming the person only when the link is authentic', async () => {
    const link = await requestLink();
    const { id: requestId } = await requestRow(MARKED.email);
    const nobody = { patient_ref: null, location_id: null, ...byPatient(rt(), IP) };
    const failure = (action: string, detail: Record<string, unknown>) => ({ action, outcome: 'failure', detail });
    const tampered = link.slice(0, -3) + 'AAA';

    expect(await oneEvent(rt(), () => send(rt(), 'GET', tampered, IP))).toEqual({
      ...failure('booking.view', { reason: 'invalid' }),
      ...nobody,
    });
    expect(await oneEvent(rt(), () => send(rt(), 'GET', '/book/not-a-token', IP))).toEqual({
      ...failure('booking.view', { reason: 'invalid' }),
      ...nobody,
    });
    expect(
      await oneEvent(rt(), () => send(rt(), 'POST', tampered, IP, { slot: String(TUE_0900), location: 'chicago' })),
    ).toEqual({ ...failure('appointment.book', { reason: 'invalid' }), ...nobody });
    expect(await oneEvent(rt(), () => send(rt(), 'POST', `${tampered}/cancel`, IP))).toEqual({
      ...failure('appointment.cancel', { reason: 'invalid' }),
      ...nobody,
    });
    expect(await oneEvent(rt(), () => send(rt(), 'POST', `${tampered}/waitlist`, IP, { location: 'chicago' }))).toEqual(
      {
        ...failure('waitlist.join', { reason: 'invalid' }),
        ...nobody,
      },
    );
    expect(await oneEvent(rt(), () => send(rt(), 'GET', '/waitlist/offer/garbage', IP))).toEqual({
      ...failure('waitlist.view', { reason: 'invalid' }),
      ...nobody,
    });
    expect(await oneEvent(rt(), () => send(rt(), 'POST', '/waitlist/offer/garbage', IP, {}))).toEqual({
      ...failure('waitlist.accept', { reason: 'invalid' }),
      ...nobody,
    });

    const request = { patient_ref: requestId, location_id: 'loc-chicago', ...byPatient(rt(), IP) };
    expect(await oneEvent(rt(), () => send(rt(), 'POST', link, IP, { slot: 'soon', location: 'chicago' }))).toEqual({
      ...failure('appointment.book', { reason: 'invalid' }),
      ...request,
    });
    expect(
      await oneEvent(rt(), () => send(rt(), 'POST', link, IP, { slot: String(TUE_0900), location: 'atlantis' })),
    ).toEqual({ ...failure('appointment.book', { reason: 'invalid' }), ...request });
    const other = await requestLink({ email: 'other@example.com' });
    expect((await send(rt(), 'POST', other, IP, { slot: String(TUE_0900), location: 'chicago' })).statusCode).toBe(303);
    const taken = await oneEvent(rt(), () =>
      send(rt(), 'POST', link, IP, { slot: String(TUE_0900), location: 'chicago' }),
    );
    expect(taken).toEqual({ ...failure('appointment.book', { reason: 'taken' }), ...request });
    expect(await oneEvent(rt(), () => send(rt(), 'POST', `${link}/cancel`, IP))).toEqual({
      ...failure('appointment.cancel', { reason: 'not_active' }),
      ...request,
    });

    // Inside the cutoff: refused, recorded, and the booking stands.
    expect((await send(rt(), 'POST', link, IP, { slot: String(WED_0900), location: 'chicago' })).statusCode).toBe(303);
    const { patient_id: patientId } = await requestRow(MARKED.email);
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .select('id')
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    const patient = { ...request, patient_ref: patientId };
    const moveTaken = await oneEvent(rt(), () =>
      send(rt(), 'POST', `${link}/reschedule`, IP, { slot: String(TUE_0900), location: 'chicago' }),
    );
    expect(moveTaken).toEqual({
      ...failure('appointment.reschedule', { reason: 'taken', appointmentId: appt.id }),
      ...patient,
    });
    rt().clock.set('2026-03-03T16:00:00.000Z'); // 23 h before Wednesday 09:00
    const late = await oneEvent(rt(), () => send(rt(), 'POST', `${link}/cancel`, IP));
    expect(late).toEqual({
      ...failure('appointment.cancel', { reason: 'too_late', appointmentId: appt.id }),
      ...patient,
      at: rt().clock.now(),
    });
    expect(
      (
        await rt()
          .database.db.selectFrom('appointments')
          .select('status')
          .where('id', '=', appt.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('booked');

    // An expired link is still ours: the person it was issued for is named.
    rt().clock.advance(15 * 24 * HOUR);
    expect(await oneEvent(rt(), () => send(rt(), 'GET', link, IP))).toEqual({
      ...failure('booking.view', { reason: 'expired' }),
      ...patient,
      at: rt().clock.now(),
    });
  });

  it('records refused form submissions and new-link requests without what was typed', async () => {
    const nobody = { patient_ref: null, location_id: null, ...byPatient(rt(), IP) };
    const form = { ...VALID_REQUEST, ...MARKED };
    const invalid = await oneEvent(rt(), () =>
      send(rt(), 'POST', '/consultation', IP, { ...form, email: 'zelphine-at-nowhere', form_key: newKey() }),
    );
    expect(invalid).toEqual({
      action: 'request.create',
      outcome: 'failure',
      detail: { reason: 'invalid', fields: 'email' },
      ...nobody,
    });
    const spam = await oneEvent(rt(), () =>
      send(rt(), 'POST', '/consultation', IP, { ...form, website: 'http://spam.example', form_key: newKey() }),
    );
    expect(spam).toEqual({
      action: 'request.create',
      outcome: 'failure',
      detail: { reason: 'spam_suspected' },
      ...nobody,
    });
    const key = newKey();
    await send(rt(), 'POST', '/consultation', IP, { ...form, form_key: key });
    const reused = await oneEvent(rt(), () =>
      send(rt(), 'POST', '/consultation', IP, { ...form, phone: '(312) 555-0100', form_key: key }),
    );
    expect(reused).toEqual({
      action: 'request.create',
      outcome: 'failure',
      detail: { reason: 'key_reused' },
      ...nobody,
    });

    const unknown = await oneEvent(rt(), () =>
      send(rt(), 'POST', '/book/new-link', IP, { email: 'nobody@example.com' }),
    );
    expect(unknown).toEqual({
      action: 'booking.link_request',
      outcome: 'failure',
      detail: { reason: 'unknown' },
      ...nobody,
    });
    const garbled = await oneEvent(rt(), () => send(rt(), 'POST', '/book/new-link', IP, { email: MARKED.first_name }));
    expect(garbled).toEqual({
      action: 'booking.link_request',
      outcome: 'failure',
      detail: { reason: 'invalid' },
      ...nobody,
    });
  });

  it('records a closed request’s link as refused, and the client’s address behind a trusted proxy', async () => {
    await rt.restart({ env: { TRUST_PROXY: 'true' } });
    const link = await requestLink();
    const { id: requestId } = await requestRow(MARKED.email);
    await rt()
      .database.db.updateTable('consultation_requests')
      .set({ status: 'closed' })
      .where('id', '=', requestId)
      .execute();
    const closed = await oneEvent(rt(), () =>
      rt().app.inject({ url: link, remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '198.51.100.23' } }),
    );
    expect(closed).toEqual({
      action: 'booking.view',
      outcome: 'failure',
      patient_ref: requestId,
      location_id: 'loc-chicago',
      detail: { reason: 'closed' },
      ...byPatient(rt(), '198.51.100.23'),
    });
  });

  it('files a forwarded address that is not an IP as unreadable, behind a trusted proxy, and still answers', async () => {
    await rt.restart({ env: { TRUST_PROXY: 'true' } });
    const link = await requestLink();
    const { id: requestId } = await requestRow(MARKED.email);
    const forged = `<script>${'x'.repeat(300)}`;
    const event = await oneEvent(rt(), async () => {
      const res = await rt().app.inject({
        url: link,
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': forged },
      });
      expect(res.statusCode).toBe(200);
      return res;
    });
    expect(event).toMatchObject({ action: 'booking.view', patient_ref: requestId, ip: 'unreadable' });
  });

  it('shows patients’ own events readably in the admin viewer, and its filters and export find them', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const link = await requestLink();
    await send(rt(), 'POST', link, IP, { slot: String(WED_0900), location: 'chicago' });
    const { id: requestId, patient_id: patientId } = await requestRow(MARKED.email);
    const admin = await signIn(rt(), 'admin@relief.example');
    const actions = (html: string) => [...html.matchAll(/<td><code>([a-z_.]+)<\/code>/g)].map((m) => m[1]);

    const mine = await admin.get('/staff/audit?person=patient');
    expect(mine.statusCode).toBe(200);
    expect(actions(mine.body)).toEqual(['appointment.book', 'request.create']);
    expect(mine.body.match(/Patient \(self-service\)/g)).toHaveLength(2);
    // Who acted stays "Patient (self-service)"; whom it was about is named, since an administrator may see them.
    expect(mine.body).toContain(`${MARKED.first_name} ${MARKED.last_name}</a><br><small>Patient</small>`);

    // A patient id also finds what was filed under the request before the booking made the patient.
    const theirs = await admin.get(`/staff/audit?patient_ref=${patientId}`);
    expect(actions(theirs.body)).toEqual(['appointment.book', 'request.create']);
    expect(theirs.body).toContain(`patient_ref=${requestId}`);

    const csv = await admin.get('/staff/audit.csv?person=patient&action=request');
    const lines = csv.body.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(',patient,request.create,success,');
  });

  it('stops writing refusals for an address that tries many bad links: thirty per ten minutes, then 429 and nothing written', async () => {
    const link = await requestLink();
    const count = async () =>
      Number(
        (
          await rt()
            .database.db.selectFrom('audit_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const scanner = '198.51.100.66';
    for (let i = 0; i < 30; i++)
      expect((await send(rt(), 'GET', `/book/not-a-real-token-${i}`, scanner)).statusCode).toBe(404);
    expect(await count()).toBe(before + 30);
    for (const path of ['/book/another-fake', `${link}`, '/waitlist/offer/fake']) {
      const res = await send(rt(), 'GET', path, scanner);
      expect(res.statusCode, path).toBe(429);
      expect(res.body).toContain('Please wait ten minutes');
    }
    expect(await count()).toBe(before + 30);
    // Another address, and the real link from it, are unaffected.
    expect((await send(rt(), 'GET', link, IP)).statusCode).toBe(200);
    // Ten minutes on, the scanner's address is heard again.
    rt().clock.advance(10 * 60_000);
    expect((await send(rt(), 'GET', '/book/yet-another-fake', scanner)).statusCode).toBe(404);
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });
});
