import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, offeredTimes, requestAndGetLink, submitRequest } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';
import { patientNames } from '../../src/patients/service.ts';
import { auditStaff } from '../../src/kernel/audit/staff-audit.ts';

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

const auditSeqs = (html: string) => [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
const nextHref = (html: string) => /<a[^>]*href="([^"]*page=2[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
const lastSeq = async () =>
  Number(
    (await db().selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst())?.seq ?? 0,
  );
const eventsAfter = (seq: number) =>
  db().selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq').execute();

/** A person who booked online (so a patient, with events under the request and under the patient) at a location. */
async function bookedPerson(first: string, last: string, location = 'chicago') {
  const email = `${last.toLowerCase()}@example.com`;
  const link = await requestAndGetLink(rt(), { first_name: first, last_name: last, email, location });
  const slot = offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
  expect((await book(rt(), link, slot, location)).statusCode).toBe(303);
  const r = await db()
    .selectFrom('consultation_requests')
    .select(['id', 'patient_id'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return { requestId: r.id, patientId: r.patient_id! };
}

describe(`audit viewer (${engine})`, () => {
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

  it('audit viewer details: each event a short list of key and value, instants in UTC, in a cell of its own', async () => {
    const link = await requestAndGetLink(rt(), { first_name: 'Ana', last_name: 'Zylinski', email: 'zyl@example.com' });
    const slot = (await offeredTimes(rt(), link)).find((t) => t >= rt().clock.now() + 2 * 86_400_000)!;
    expect((await book(rt(), link, slot)).statusCode).toBe(303);
    expect((await rt().app.inject({ method: 'POST', url: `${link}/cancel` })).statusCode).toBe(303);
    const appt = await db().selectFrom('appointments').select('id').executeTakeFirstOrThrow();
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/audit?action=appointment.cancel');
    const iso = new Date(slot).toISOString();
    expect(page.body).toContain(
      `<td class="audit-detail-cell"><dl class="audit-detail"><div><dt>appointmentId</dt><dd>${appt.id}</dd></div>` +
        `<div><dt>startsAt</dt><dd><time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time></dd></div></dl></td>`,
    );
  });

  it('audit viewer names patients and requests (linked to their events) instead of ids, and records that as a patient list', async () => {
    const ana = await bookedPerson('Ana', 'Quorvath');
    // A request not booked yet: its events are filed under the request, named by its sender.
    expect(
      (await submitRequest(rt(), { first_name: 'Ben', last_name: 'Quillby', email: 'ben.q@example.com' })).statusCode,
    ).toBe(303);
    const ben = (
      await db()
        .selectFrom('consultation_requests')
        .select('id')
        .where('email', '=', 'ben.q@example.com')
        .executeTakeFirstOrThrow()
    ).id;
    // An event about a reference nobody can name (say a record since removed from a restored copy) keeps its id.
    const admin = await signIn(rt(), ADMIN);
    await rt().database.transact((trx) =>
      auditStaff(
        trx,
        rt().database,
        {
          staff: { userId: 'u', role: 'admin', locationIds: [], csrfToken: 'c', breakGlassUntil: null } as never,
          ip: '127.0.0.1',
          now: rt().clock.now(),
        },
        'lead.view',
        'success',
        { locationId: null, patientRef: 'gone-0000' },
      ),
    );
    const seq = await lastSeq();
    const page = await admin.get('/staff/audit');
    expect(page.statusCode).toBe(200);
    const href = (ref: string) => `<a href="/staff/audit?patient_ref=${ref}">`;
    expect(page.body).toContain(`${href(ana.patientId)}Ana Quorvath</a><br><small>Patient</small>`);
    expect(page.body).toContain(`${href(ana.requestId)}Ana Quorvath</a><br><small>Request</small>`);
    expect(page.body).toContain(`${href(ben)}Ben Quillby</a><br><small>Request</small>`);
    expect(page.body).toContain('<code class="audit-ref">gone-0000</code>');
    for (const id of [ana.patientId, ana.requestId, ben]) expect(page.body).not.toContain(`<code>${id}</code>`);
    // The page's own event, then the names shown, as a list of patients by count.
    const events = await eventsAfter(seq);
    expect(events.map((e) => e.action)).toEqual(['audit.view', 'patient.list']);
    expect(JSON.parse(events[1]!.detail)).toEqual({ names: 3 });
  });

  it('patient names: only those the viewer may see (their locations), the others are left to show as ids', async () => {
    const chicago = await bookedPerson('Cara', 'Chiwell');
    const denver = await bookedPerson('Dov', 'Denwick', 'denver');
    const staff = await db().selectFrom('users').select('id').where('email', '=', DESK).executeTakeFirstOrThrow();
    const actor = {
      staff: {
        userId: staff.id,
        role: 'front_desk',
        locationIds: ['loc-chicago'],
        csrfToken: 'c',
        breakGlassUntil: null,
      } as never,
      ip: '127.0.0.1',
      now: rt().clock.now(),
    };
    const refs = [chicago.patientId, chicago.requestId, denver.patientId, denver.requestId];
    const names = await patientNames(rt().database, actor, refs);
    expect([...names.keys()].sort()).toEqual([chicago.patientId, chicago.requestId].sort());
  });

  it('audit viewer filters by patient through a search (posted, so no name in the address), not a pasted id', async () => {
    const ana = await bookedPerson('Ana', 'Pellworth');
    await bookedPerson('Bo', 'Pellworth-Smith');
    const other = await bookedPerson('Cy', 'Otherly');
    const admin = await signIn(rt(), ADMIN);
    const first = await admin.get('/staff/audit?action=appointment');
    // No field to paste an id into any more.
    expect(first.body).not.toContain('id="patient_ref"');
    expect(first.body).toContain('<label for="q">Find a patient</label>');
    const csrf = csrfFrom(first.body);

    // Without the token, nothing; a search too short says so next to the field.
    expect((await admin.post('/staff/audit', { q: 'Pellworth' })).statusCode).toBe(403);
    const short = await admin.post('/staff/audit', { _csrf: csrf, q: 'P', action: 'appointment' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('<title>Error: Audit trail');
    expect(short.body).toContain('Enter at least 2 characters');
    expect(short.body).toContain('aria-invalid="true"');

    let seq = await lastSeq();
    const found = await admin.post('/staff/audit', { _csrf: csrf, q: 'pellworth', action: 'appointment' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('Patients matching “pellworth”');
    const section = found.body.slice(found.body.indexOf('<section class="audit-matches"'));
    const matches = [...section.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(matches.map((m) => m[1])).toEqual(['Ana Pellworth', 'Bo Pellworth-Smith']);
    // Each match is a link with the other filters kept and the patient's id: never the name searched for.
    expect(matches[0]![0]).toBe(`/staff/audit?patient_ref=${ana.patientId}&amp;action=appointment`);
    // The search is recorded by count only.
    const searched = (await eventsAfter(seq)).find((e) => e.action === 'patient.search')!;
    expect(JSON.parse(searched.detail)).toEqual({ results: 2, more: false });
    expect(searched.detail).not.toContain('ellworth');

    seq = await lastSeq();
    const filtered = await admin.get(matches[0]![0]!.replace(/&amp;/g, '&'));
    expect(filtered.statusCode).toBe(200);
    // The chosen patient by name, kept in the filter form, with the way back to everyone.
    expect(filtered.body).toContain('<span class="label">Patient</span><p><strong>Ana Pellworth</strong>');
    expect(filtered.body).toContain(`<input type="hidden" name="patient_ref" value="${ana.patientId}">`);
    expect(filtered.body).toContain('<a href="/staff/audit?action=appointment">Any patient</a>');
    // Only that person's events: booked under the patient, and the request's (filed before there was a patient).
    expect(filtered.body).toContain('appointment.book');
    expect(filtered.body).not.toContain('Bo Pellworth-Smith');
    expect(filtered.body).not.toContain(other.patientId);
    const viewed = (await eventsAfter(seq)).find((e) => e.action === 'audit.view')!;
    expect(viewed.patient_ref).toBe(ana.patientId);

    // Nobody else may search here: the viewer is administrators' alone.
    const desk = await signIn(rt(), DESK);
    expect(
      (await desk.post('/staff/audit', { _csrf: csrfFrom((await desk.get('/staff/leads')).body), q: 'pellworth' }))
        .statusCode,
    ).toBe(403);
  });
});
