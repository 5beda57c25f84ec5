import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn, searchPatientsAs } from '../helpers/staff.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const DENVER_DESK = 'denver.desk@relief.example';
const NURSE = 'nurse@relief.example';
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z');
const WED_0900 = TUE_0900 + 24 * 3_600_000;

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

/** Requests a consultation and books a time (the first offered when none is given); returns the request's id. */
async function requestAndBook(fields: Record<string, string>, slot?: number): Promise<string> {
  const location = fields.location ?? 'chicago';
  const link = await requestAndGetLink(rt(), fields);
  const at = slot ?? offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
  expect((await book(rt(), link, at, location)).statusCode).toBe(303);
  const row = await rt()
    .database.db.selectFrom('appointments')
    .select('request_id')
    .where('starts_at', '=', at)
    .where('location_id', '=', `loc-${location}`)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.request_id!;
}

const patients = () => rt().database.db.selectFrom('patients').selectAll().orderBy('created_at').execute();
const lastSeq = async () =>
  Number(
    (await rt().database.db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst())
      ?.seq ?? 0,
  );
const eventsAfter = (seq: number) =>
  rt().database.db.selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq').execute();

describe(`patients (${engine})`, () => {
  it('is one patient when the same person requests twice and books twice', async () => {
    const first = await requestAndBook({ email: 'ana@example.com', phone: '(312) 555-0147' }, TUE_0900);
    // The same person again: the email typed in capitals, the phone written differently.
    const second = await requestAndBook({ email: 'ANA@Example.com', phone: '312-555-0147' }, WED_0900);
    expect(first).not.toBe(second);
    const all = await patients();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      first_name: 'Ana',
      last_name: 'Moreno',
      email: 'ana@example.com',
      phone: '+13125550147',
      location_id: 'loc-chicago',
      contact_method: 'email',
    });
    const appointments = await rt().database.db.selectFrom('appointments').select('patient_id').execute();
    expect(appointments.map((a) => a.patient_id)).toEqual([all[0]!.id, all[0]!.id]);
    const requests = await rt().database.db.selectFrom('consultation_requests').select('patient_id').execute();
    expect(requests.map((r) => r.patient_id)).toEqual([all[0]!.id, all[0]!.id]);

    // Two bookings of one new person at the same moment still make one patient (the insert tolerates the race).
    const links = [
      await requestAndGetLink(rt(), { first_name: 'Rae', email: 'rae@example.com', phone: '(312) 555-0150' }),
      await requestAndGetLink(rt(), { first_name: 'Rae', email: 'rae@example.com', phone: '(312) 555-0150' }),
    ];
    const results = await Promise.all([
      book(rt(), links[0]!, TUE_0900 + 3_600_000),
      book(rt(), links[1]!, WED_0900 + 3_600_000),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([303, 303]);
    expect((await patients()).filter((p) => p.email === 'rae@example.com')).toHaveLength(1);

    // Same email, another phone: another person (a shared family inbox).
    await requestAndBook({ first_name: 'Luis', email: 'ana@example.com', phone: '(312) 555-0148' });
    expect(await patients()).toHaveLength(3);
  });

  it("scopes search and the patient's page to the person's locations, and audits both without the search text", async () => {
    const chicagoRequest = await requestAndBook(
      { last_name: 'Zylberstein', email: 'zyl.chi@example.com', phone: '(312) 555-0101' },
      TUE_0900,
    );
    await requestAndBook({
      last_name: 'Zylberstein',
      email: 'zyl.den@example.com',
      phone: '(720) 555-0102',
      location: 'denver',
    });
    const all = await patients();
    expect(all).toHaveLength(2);
    const chi = all.find((p) => p.location_id === 'loc-chicago');
    const den = all.find((p) => p.location_id === 'loc-denver');

    const desk = await signIn(rt(), DESK);
    // A note in the request's contact log shows on the patient's page.
    const lead = await desk.get(`/staff/leads/${chicagoRequest}`);
    expect(
      (
        await desk.post(`/staff/leads/${chicagoRequest}/notes`, {
          _csrf: csrfFrom(lead.body),
          kind: 'call',
          body: 'Called about parking.',
        })
      ).statusCode,
    ).toBe(303);

    let seq = await lastSeq();
    const found = await searchPatientsAs(desk, 'zylber');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('zyl.chi@example.com');
    expect(found.body).not.toContain('zyl.den@example.com');
    let events = await eventsAfter(seq);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'patient.search', outcome: 'success', patient_ref: null });
    expect(JSON.parse(events[0]!.detail)).toEqual({ results: 1, more: false });
    expect(events[0]!.detail.toLowerCase()).not.toContain('zylber');
    // By phone, however it is written.
    expect((await searchPatientsAs(desk, '(312) 555-0101')).body).toContain('zyl.chi@example.com');

    const admin = await signIn(rt(), ADMIN);
    const both = await searchPatientsAs(admin, 'ZYLBERSTEIN');
    expect(both.body).toContain('zyl.chi@example.com');
    expect(both.body).toContain('zyl.den@example.com');
    expect((await signIn(rt(), DENVER_DESK).then((b) => searchPatientsAs(b, 'zylber'))).body).not.toContain(
      'zyl.chi@example.com',
    );

    seq = await lastSeq();
    const page = await desk.get(`/staff/patients/${chi!.id}`);
    expect(page.statusCode).toBe(200);
    for (const text of [
      'Zylberstein',
      'zyl.chi@example.com',
      '+13125550101',
      'Email',
      'Consultation',
      'Dr. Amara Okafor',
      'Booked',
      'Not marked',
      'Called about parking.',
    ]) {
      expect(page.body, text).toContain(text);
    }
    events = await eventsAfter(seq);
    expect(events.map((e) => [e.action, e.outcome, e.patient_ref, e.location_id])).toEqual([
      ['patient.view', 'success', chi!.id, 'loc-chicago'],
    ]);
    expect(JSON.parse(events[0]!.detail)).toEqual({ appointments: 1, requests: 1, notes: 1 });

    seq = await lastSeq();
    const elsewhere = await desk.get(`/staff/patients/${den!.id}`);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.body).not.toContain('zyl.den@example.com');
    events = await eventsAfter(seq);
    expect(events.map((e) => [e.action, e.outcome, e.patient_ref, e.location_id])).toEqual([
      ['patient.view', 'denied', den!.id, 'loc-denver'],
    ]);

    // Nurses see the patient's page too; unknown ids are a plain 404.
    expect((await (await signIn(rt(), NURSE)).get(`/staff/patients/${chi!.id}`)).statusCode).toBe(200);
    expect((await desk.get('/staff/patients/not-a-patient')).statusCode).toBe(404);
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('escapes script in names on the search, patient and calendar pages', async () => {
    const first = '<script>alert(x)</script>';
    const last = '"><img src=x onerror=alert(2)>';
    await requestAndBook(
      { first_name: first, last_name: last, email: 'xss@example.com', phone: '(312) 555-0111' },
      TUE_0900,
    );
    const [patient] = await patients();
    expect(patient!.first_name).toBe(first);
    const desk = await signIn(rt(), DESK);
    const pages = [
      await searchPatientsAs(desk, 'xss@example.com'),
      await desk.get(`/staff/patients/${patient!.id}`),
      await desk.get('/staff/calendar?date=2026-03-03'),
      await desk.get('/staff/calendar?date=2026-03-03&view=week'),
    ];
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('&lt;script&gt;alert(x)&lt;/script&gt;');
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('<img src=x');
    }
    expect(pages[1]!.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('patient search does not put names, emails or phone numbers in the URL (the search form is not sent with GET)', async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const page = await desk.get('/staff/patients');
    expect(page.statusCode).toBe(200);
    const form = /<form[^>]*action="\/staff\/patients"[^>]*>/.exec(page.body)?.[0] ?? '';
    expect(form).not.toBe('');
    const method = /method="([a-z]+)"/i.exec(form)?.[1]?.toLowerCase() ?? 'get';
    // With GET, "?q=Ana+Moreno" lands in browser history and in any reverse proxy's access log (the app's own logs
    // drop query strings precisely because of this; the audit trail leaves the search text out for the same reason).
    expect(method, `search form: ${form}`).toBe('post');
  });
});
