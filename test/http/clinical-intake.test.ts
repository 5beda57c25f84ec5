import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { consentCurrent, latestIntake } from '../../src/clinical/service.ts';
import { bookOnline, postForm, submitRequest } from '../helpers/journey.ts';
import { engine, useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { saveFlagRules } from '../helpers/safety.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';
const DAY = 24 * 3_600_000;

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** A new patient books a consultation online; returns the intake email and the link's path. */
async function bookedWithIntake(r: TestRuntime) {
  const appointmentId = await bookOnline(r, 'first');
  const before = r.mail.sent.length;
  await r.worker.runOnce();
  const mail = r.mail.sent.slice(before).find((m) => m.subject.startsWith('Before your visit'));
  if (!mail) throw new Error('no intake email');
  const path = /http:\/\/relief\.test(\/intake\/[A-Za-z0-9_.-]+)/.exec(mail.text)?.[1];
  if (!path) throw new Error('no intake link');
  const appt = await r.database.db
    .selectFrom('appointments')
    .select(['patient_id', 'starts_at'])
    .where('id', '=', appointmentId)
    .executeTakeFirstOrThrow();
  return { mail, path, appointmentId, patientId: appt.patient_id!, startsAt: Number(appt.starts_at) };
}

const intakeRow = (r: TestRuntime, patientId: string) =>
  r.database.db.selectFrom('intakes').selectAll().where('patient_id', '=', patientId).executeTakeFirstOrThrow();

const get = (r: TestRuntime, url: string) => r.app.inject({ method: 'GET', url });

describe(`intake by secure link (${engine})`, () => {
  it('booking a consultation online emails a signed, expiring link with no PHI; a changed link is refused', async () => {
    const { mail, path, startsAt } = await bookedWithIntake(rt());
    expect(mail.to).toBe(
      (await rt().database.db.selectFrom('patients').select('email').executeTakeFirstOrThrow()).email,
    );
    expect(mail.subject).toMatch(/^Before your visit with /);
    // The clinic's own name may say what it does; nothing else in the message may.
    const clinicName = /^Before your visit with (.+)$/.exec(mail.subject)![1]!;
    const own = mail.text.split('\n--\n')[0]!.replaceAll(clinicName, 'the clinic');
    expect(own).toContain('Hello Ana,');
    for (const word of [/Moreno/, /ketamine/i, /CRPS/i, /infusion/i, /pain/i, /depress/i, /consultation/i])
      expect(own).not.toMatch(word);
    expect(mail.html).not.toContain('Moreno');

    // The link opens the first section.
    const first = await get(rt(), path);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`${path}/history`);
    const page = await get(rt(), `${path}/history`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Are you pregnant, or could you be pregnant?');
    expect(text(page.body)).toContain('Have you ever had bleeding in the brain?');

    // A changed character: 404, recorded as a refusal naming nobody.
    const tampered = path.slice(0, -3) + (path.endsWith('A') ? 'BBB' : 'AAA');
    expect((await get(rt(), `${tampered}/history`)).statusCode).toBe(404);

    // Valid 14 days, or until a day after the visit when that is later.
    rt().clock.set(new Date(Math.max(rt().clock.now() + 14 * DAY, startsAt + DAY) + 60_000).toISOString());
    const expired = await get(rt(), `${path}/history`);
    expect(expired.statusCode).toBe(410);
    expect(text(expired.body)).toContain('This link has expired');
    const refusals = await rt()
      .database.db.selectFrom('audit_events')
      .select(['outcome', 'detail'])
      .where('action', '=', 'intake.view')
      .where('outcome', '=', 'failure')
      .execute();
    expect(refusals.map((e) => JSON.parse(e.detail ?? '{}').reason).sort()).toEqual(['expired', 'invalid']);
  });

  it('staff booking a consultation, for a request or from a patient’s page, sends the intake link in the same transaction', async () => {
    const before = rt().mail.sent.length;
    // For a request, from the calendar's booking form.
    expect((await submitRequest(rt(), { email: 'lead@example.com', phone: '(312) 555-0190' })).statusCode).toBe(303);
    const request = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'lead@example.com')
      .executeTakeFirstOrThrow();
    const desk = await signIn(rt(), DESK);
    const form = await desk.get('/staff/calendar/book?location=chicago');
    const booked = await desk.post('/staff/calendar/book', {
      _csrf: csrfFrom(form.body),
      location: 'chicago',
      request: request.id,
      provider: 'any',
      date: '2026-03-05',
      time: '11:00',
    });
    expect(booked.statusCode).toBe(303);
    // From a patient's page: a patient the clinic already knows.
    await rt()
      .database.db.insertInto('patients')
      .values({
        id: '0b7e7c1e-2f4a-4c1d-9a55-6f0e2d3c4b5a',
        first_name: 'Bo',
        last_name: 'Known',
        email: 'bo@example.com',
        phone: '+13125550191',
        contact_method: 'email',
        location_id: 'loc-chicago',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    const page = await desk.get('/staff/patients/0b7e7c1e-2f4a-4c1d-9a55-6f0e2d3c4b5a/book');
    const fromPatient = await desk.post('/staff/patients/0b7e7c1e-2f4a-4c1d-9a55-6f0e2d3c4b5a/book', {
      _csrf: csrfFrom(page.body),
      type: 'consultation',
      location: 'chicago',
      provider: 'any',
      date: '2026-03-05',
      time: '14:00',
    });
    expect(fromPatient.statusCode, fromPatient.body.slice(0, 300)).toBe(303);
    await rt().worker.runOnce();
    const links = rt()
      .mail.sent.slice(before)
      .filter((m) => m.subject.startsWith('Before your visit'));
    // The request form's own email is the booking link; the intake link comes with the booking only.
    expect(links.map((m) => m.to).sort()).toEqual(['bo@example.com', 'lead@example.com']);
    expect(await rt().database.db.selectFrom('intakes').select('id').execute()).toHaveLength(2);
  });

  it('keeps partial answers section by section, resumes from the same link, and refuses a stale tab', async () => {
    const { path, patientId } = await bookedWithIntake(rt());
    const saved = await postForm(rt(), `${path}/history`, {
      version: '1',
      pregnant_or_possible: 'no',
      seizure_disorder: 'yes',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${path}/medicines?saved=1`);
    const row = await intakeRow(rt(), patientId);
    expect(row.status).toBe('open');
    expect(Number(row.version)).toBe(2);
    expect(Number(row.questionnaire_version)).toBe(1);
    expect(JSON.parse(row.answers).facts).toEqual({ pregnant_or_possible: false, seizure_disorder: true });

    // Resumed later from the same link: the answers are there.
    const again = await get(rt(), `${path}/history`);
    expect(again.body).toMatch(/id="seizure_disorder-yes"[^>]*checked/);
    expect(again.body).toMatch(/id="pregnant_or_possible-no"[^>]*checked/);
    expect(again.body).toContain('name="version" value="2"');

    // A second tab still holding version 1 is refused, and nothing it sent is written.
    const stale = await postForm(rt(), `${path}/history`, { version: '1', seizure_disorder: 'no' });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('changed in another window or tab');
    expect(stale.body).toMatch(/id="seizure_disorder-yes"[^>]*checked/);
    expect(JSON.parse((await intakeRow(rt(), patientId)).answers).facts.seizure_disorder).toBe(true);

    // A refused answer names its field; nothing is saved.
    const bad = await postForm(rt(), `${path}/pain`, { version: '2', now: '11', average: '4' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Choose a number from 0 to 10.');
    expect(bad.body).toContain('href="#now-error"');
    expect(Number((await intakeRow(rt(), patientId)).version)).toBe(2);

    // The pain section stores the scale's version with the answers.
    expect((await postForm(rt(), `${path}/pain`, { version: '2', now: '6', average: '5' })).statusCode).toBe(303);
    const answers = JSON.parse((await intakeRow(rt(), patientId)).answers);
    expect(answers.pain).toEqual({ now: 6, average: 5 });
    expect(answers.versions.pain).toBe('nrs-2008.1');
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'outcome', 'actor_role', 'patient_ref'])
      .where('action', 'in', ['intake.save', 'intake.view'])
      .where('patient_ref', '=', patientId)
      .execute();
    expect(events.filter((e) => e.action === 'intake.save' && e.outcome === 'success')).toHaveLength(2);
    expect(events.every((e) => e.actor_role === 'patient')).toBe(true);
  });

  it('the item-9 alert follows the clinic’s rule: with the alert from 2, an answer of 1 shows the crisis resources but raises nothing, 2 raises it; the audit and the staff pages follow the rule', async () => {
    const version = await saveFlagRules(rt(), { item9AlertAt: 2, item9UrgentAt: 3 });
    const { path, patientId } = await bookedWithIntake(rt());
    const one = await postForm(rt(), `${path}/phq9`, { version: '1', q1: '1', q9: '1' });
    // The patient is offered help at any answer above "not at all", whatever the clinic's alert threshold.
    expect(one.headers.location).toBe(`${path}/support`);
    expect(await rt().database.db.selectFrom('clinical_alerts').select('id').execute()).toEqual([]);
    const provider = await signIn(rt(), PROVIDER);
    expect(text((await provider.get(`/staff/patients/${patientId}/intake`)).body)).toContain(
      'Answered “Several days”: no alert.',
    );
    expect((await postForm(rt(), `${path}/phq9`, { version: '2', q1: '1', q9: '2' })).statusCode).toBe(303);
    const alerts = await rt().database.db.selectFrom('clinical_alerts').selectAll().execute();
    expect(alerts).toMatchObject([{ kind: 'phq9_item9', source: 'intake', level: 'alert' }]);
    const raised = await rt()
      .database.db.selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'alert.raise')
      .execute();
    expect(raised.map((e) => JSON.parse(e.detail))).toEqual([
      expect.objectContaining({ level: 'alert', rule: `safety-flag-rules@${version}` }),
    ]);
  });

  it('PHQ-9 item 9 above "not at all": crisis resources at once, an alert, an email to the providers of that location only, the worklist, and an assessment closes it', async () => {
    // A provider who works in Denver only: not told of a Chicago patient.
    await rt()
      .database.db.insertInto('users')
      .values({
        id: 'u-denver-doc',
        email: 'denver.doc@relief.example',
        name: 'Dana Denver',
        role: 'provider',
        created_at: 0,
      })
      .execute();
    await rt()
      .database.db.insertInto('user_locations')
      .values({ user_id: 'u-denver-doc', location_id: 'loc-denver' })
      .execute();
    const { path, patientId } = await bookedWithIntake(rt());
    const before = rt().mail.sent.length;

    const saved = await postForm(rt(), `${path}/phq9`, { version: '1', q1: '1', q2: '2', q9: '1' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${path}/support`);
    const support = await get(rt(), `${path}/support`);
    expect(support.statusCode).toBe(200);
    expect(text(support.body)).toContain('Call or text 988');
    expect(text(support.body)).toContain('In an emergency, call 911');
    expect(support.body).toContain('href="tel:988"');

    const alerts = await rt().database.db.selectFrom('clinical_alerts').selectAll().execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      patient_id: patientId,
      location_id: 'loc-chicago',
      kind: 'phq9_item9',
      source: 'intake',
      level: 'alert',
      resolved_at: null,
    });
    // Saving the section again raises no second alert.
    expect((await postForm(rt(), `${path}/phq9`, { version: '2', q1: '1', q2: '2', q9: '1' })).statusCode).toBe(303);
    expect(await rt().database.db.selectFrom('clinical_alerts').select('id').execute()).toHaveLength(1);

    await rt().worker.runOnce();
    const told = rt()
      .mail.sent.slice(before)
      .filter((m) => m.subject === 'A patient needs a safety review in Relief');
    expect(told.map((m) => m.to)).toEqual([PROVIDER]);
    expect(told[0]!.text).toContain('http://relief.test/staff/worklist');
    expect(told[0]!.text).not.toMatch(/Ana|Moreno|PHQ|harm|suicid/i);

    // The worklist, with its count in the navigation, for the provider and the nurse of that location.
    const provider = await signIn(rt(), PROVIDER);
    const list = await provider.get('/staff/worklist');
    expect(list.statusCode).toBe(200);
    expect(text(list.body)).toContain('Ana Moreno');
    expect(list.body).toMatch(
      /href="\/staff\/worklist" aria-current="page">Worklist<span class="nav-count">1<span class="visually-hidden"> open/,
    );
    const nurse = await signIn(rt(), NURSE);
    expect(text((await nurse.get('/staff/worklist')).body)).toContain('Ana Moreno');

    // The staff intake page shows the item 9 status.
    const intakePage = await provider.get(`/staff/patients/${patientId}/intake`);
    expect(text(intakePage.body)).toContain('Answered “Several days”: alert.');

    // Closing needs an assessment and the action taken, each named when missing; a nurse may close an item-9 alert
    // raised between visits (issue 13's one closing rule).
    const alertId = alerts[0]!.id;
    const nurseList = await nurse.get('/staff/worklist');
    const empty = await nurse.post(`/staff/worklist/${alertId}/resolve`, {
      _csrf: csrfFrom(nurseList.body),
      assessment: ' ',
    });
    expect(empty.statusCode).toBe(400);
    expect(text(empty.body)).toContain('Assessment: write what was assessed and decided');
    expect(text(empty.body)).toContain('Action taken: choose what was done');
    expect(empty.body).toContain(`href="#assessment-${alertId}-error"`);
    expect(empty.body).toContain(`id="assessment-${alertId}-error"`);
    // A provider's action is not among a nurse's.
    const notHers = await nurse.post(`/staff/worklist/${alertId}/resolve`, {
      _csrf: csrfFrom(nurseList.body),
      assessment: 'C-SSRS screen done by phone: passive ideation, no plan. Safety plan agreed.',
      action: 'treatment_stopped',
    });
    expect(notHers.statusCode).toBe(400);
    const closed = await nurse.post(`/staff/worklist/${alertId}/resolve`, {
      _csrf: csrfFrom(nurseList.body),
      assessment: 'C-SSRS screen done by phone: passive ideation, no plan. Safety plan agreed.',
      action: 'patient_called',
    });
    expect(closed.statusCode).toBe(303);
    const after = await provider.get('/staff/worklist?saved=closed');
    expect(text(after.body)).toContain('No open alerts.');
    expect(after.body).not.toContain('class="nav-count"');
    const row = await rt().database.db.selectFrom('clinical_alerts').selectAll().executeTakeFirstOrThrow();
    expect(row.resolved_by).not.toBeNull();
    expect(row.assessment).toContain('Safety plan agreed');
    expect(row.action).toBe('patient_called');
    const audit = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'detail', 'actor_role'])
      .where('action', 'in', ['alert.raise', 'alert.resolve'])
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => [e.action, e.actor_role])).toEqual([
      ['alert.raise', 'patient'],
      ['alert.resolve', 'nurse'],
    ]);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ rule: 'safety-flag-rules@0' });
    expect(JSON.parse(audit[1]!.detail)).toEqual({
      alertId,
      kind: 'phq9_item9',
      action: 'patient_called',
      holdLifted: false,
    });
    expect(audit[1]!.detail).not.toContain('Safety plan');
    // The database keeps a resolved alert as it is, and every alert.
    await expect(
      rt()
        .database.db.updateTable('clinical_alerts')
        .set({ assessment: 'changed' })
        .where('id', '=', alertId)
        .execute(),
    ).rejects.toThrow(/kept as resolved/);
    await expect(rt().database.db.deleteFrom('clinical_alerts').where('id', '=', alertId).execute()).rejects.toThrow(
      /alerts are kept/,
    );
    if (engine === 'postgres')
      await expect(sql`truncate clinical_alerts`.execute(rt().database.db)).rejects.toThrow(/cannot be truncated/);
  });

  it('a later answer of "more than half the days" or more raises the open alert to urgent and tells the providers again; never lowered', async () => {
    const { path } = await bookedWithIntake(rt());
    const before = rt().mail.sent.length;
    expect((await postForm(rt(), `${path}/phq9`, { version: '1', q9: '1' })).statusCode).toBe(303);
    expect((await postForm(rt(), `${path}/phq9`, { version: '2', q9: '3' })).statusCode).toBe(303);
    expect((await postForm(rt(), `${path}/phq9`, { version: '3', q9: '1' })).statusCode).toBe(303);
    const alerts = await rt().database.db.selectFrom('clinical_alerts').select(['id', 'level']).execute();
    expect(alerts.map((a) => a.level)).toEqual(['urgent']);
    await rt().worker.runOnce();
    expect(
      rt()
        .mail.sent.slice(before)
        .filter((m) => m.subject === 'A patient needs a safety review in Relief')
        .map((m) => m.to),
    ).toEqual([PROVIDER, PROVIDER]);
    const list = await (await signIn(rt(), NURSE)).get('/staff/worklist');
    expect(text(list.body)).toContain('Urgent');
    await expect(
      rt().database.db.updateTable('clinical_alerts').set({ level: 'alert' }).where('id', '=', alerts[0]!.id).execute(),
    ).rejects.toThrow(/only ever raised to urgent/);
  });

  it('signing stores the SHA-256 of the version signed, the time and the address; a new version asks to sign again', async () => {
    const { path, patientId } = await bookedWithIntake(rt());
    const page = await get(rt(), `${path}/consent`);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Consent to ketamine infusion treatment');
    expect(text(page.body)).toContain('Controlled-substance agreement');
    expect(text(page.body)).toContain('Financial and cancellation policy');
    const docs = await rt().database.db.selectFrom('consent_documents').selectAll().execute();
    expect(docs).toHaveLength(3);
    const ketamine = docs.find((d) => d.code === 'ketamine-infusion')!;

    const unticked = await postForm(rt(), `${path}/consent`, {
      document: ketamine.id,
      'ketamine-infusion-name': 'Ana Moreno',
    });
    expect(unticked.statusCode).toBe(400);
    expect(text(unticked.body)).toContain('Tick the box to say you have read and agree to this document');

    const signed = await postForm(rt(), `${path}/consent`, {
      document: ketamine.id,
      'ketamine-infusion-name': '  Ana   Moreno ',
      'ketamine-infusion-agree': 'yes',
    });
    expect(signed.statusCode).toBe(303);
    const sig = await rt().database.db.selectFrom('consent_signatures').selectAll().executeTakeFirstOrThrow();
    expect(sig.sha256).toBe(createHash('sha256').update(ketamine.body).digest('hex'));
    expect(sig.sha256).toBe(ketamine.sha256);
    expect(sig.typed_name).toBe('Ana Moreno');
    expect(sig.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Number(sig.signed_at)).toBe(rt().clock.now());

    let status = await consentCurrent(rt().database.db, patientId);
    expect(status.documents.map((d) => [d.code, d.needsSigning])).toEqual([
      ['ketamine-infusion', false],
      ['controlled-substance', true],
      ['financial-cancellation', true],
    ]);

    // An administrator publishes version 2 (found under Clinic set-up): the patient must sign again.
    const admin = await signIn(rt(), ADMIN);
    expect((await admin.get('/staff/setup')).body).toContain('href="/staff/clinical-settings/consent"');
    const settings = await admin.get('/staff/clinical-settings/consent');
    expect(settings.statusCode).toBe(200);
    const published = await admin.post('/staff/clinical-settings/consent/ketamine-infusion', {
      _csrf: csrfFrom(settings.body),
      basedOn: '1',
      title: ketamine.title,
      body: `${ketamine.body}\n\nAdded: tell us if you are taking part in another study.`,
    });
    expect(published.statusCode).toBe(303);
    const v2 = await rt()
      .database.db.selectFrom('consent_documents')
      .selectAll()
      .where('code', '=', 'ketamine-infusion')
      .where('version', '=', 2)
      .executeTakeFirstOrThrow();
    expect(v2.sha256).toBe(createHash('sha256').update(v2.body).digest('hex'));
    // A second form still based on version 1 is refused as stale.
    const stale = await admin.post('/staff/clinical-settings/consent/ketamine-infusion', {
      _csrf: csrfFrom(settings.body),
      basedOn: '1',
      title: ketamine.title,
      body: `${ketamine.body}\n\nSomething else.`,
    });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('Version 2 was published since you opened this page');

    status = await consentCurrent(rt().database.db, patientId);
    const k = status.documents.find((d) => d.code === 'ketamine-infusion')!;
    expect(k).toMatchObject({ version: 2, needsSigning: true, signed: { version: 1 } });
    expect(text((await get(rt(), `${path}/consent`)).body)).toContain(
      'You signed an earlier version. This version has changed; please read it and sign again.',
    );
    // Signing the old version now is refused and shows the new text.
    const old = await postForm(rt(), `${path}/consent`, {
      document: ketamine.id,
      'ketamine-infusion-name': 'Ana Moreno',
      'ketamine-infusion-agree': 'yes',
    });
    expect(old.statusCode).toBe(409);
    expect(text(old.body)).toContain('This document has a new version since you opened the page');
  });

  it('shows clinicians the answers, scores with bands and printable signed copies; script as text; front desk and admin see none', async () => {
    const { path, patientId } = await bookedWithIntake(rt());
    await postForm(rt(), `${path}/medicines`, {
      version: '1',
      medications: '<script>alert(1)</script>\nGabapentin 300 mg',
      allergies: '',
      ketamine_allergy: 'no',
    });
    const phq = { version: '2', q1: '2', q2: '2', q3: '2', q4: '2', q5: '1', q6: '1', q7: '1', q8: '1', q9: '0' };
    expect((await postForm(rt(), `${path}/phq9`, phq)).headers.location).toBe(`${path}/gad7?saved=1`);
    const consent = await get(rt(), `${path}/consent`);
    const docId = /name="document" value="([^"]+)"/.exec(consent.body)![1]!;
    await postForm(rt(), `${path}/consent`, {
      document: docId,
      'ketamine-infusion-name': 'Ana Moreno',
      'ketamine-infusion-agree': 'yes',
    });
    // The patient never sees the score or its band.
    const review = await get(rt(), `${path}/review`);
    expect(text(review.body)).not.toMatch(/Moderate|Mild|PHQ-9 \(/);
    expect((await postForm(rt(), `${path}/review`, { version: '3' })).headers.location).toBe(`${path}/review?sent=1`);
    expect((await intakeRow(rt(), patientId)).status).toBe('submitted');
    expect((await postForm(rt(), `${path}/pain`, { version: '4', now: '3' })).statusCode).toBe(409);

    const latest = await latestIntake(rt().database.db, patientId);
    expect(latest?.scores.phq9.total).toBe(12);
    expect(latest?.scores.phq9.band?.label).toBe('Moderate');
    expect(latest?.answers.versions?.phq9).toBe('phq9-2001.1');

    const provider = await signIn(rt(), PROVIDER);
    const page = await provider.get(`/staff/patients/${patientId}/intake`);
    expect(page.statusCode).toBe(200);
    const t = text(page.body);
    expect(t).toContain('12 · Moderate');
    expect(t).toContain('Incomplete (0 of 7 answered)');
    expect(t).toContain('Answered “Not at all”: no alert.');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)');
    const copyHref = /href="(\/staff\/patients\/[^"]+\/intake\/consent\/[^"]+)"/.exec(page.body)![1]!;
    const copy = await provider.get(copyHref);
    expect(copy.statusCode).toBe(200);
    const sig = await rt().database.db.selectFrom('consent_signatures').selectAll().executeTakeFirstOrThrow();
    expect(text(copy.body)).toContain(sig.sha256);
    expect(text(copy.body)).toContain('Matches this version’s text Yes');
    const views = await rt()
      .database.db.selectFrom('audit_events')
      .select('action')
      .where('action', 'in', ['intake.staff_view', 'consent.staff_view'])
      .where('patient_ref', '=', patientId)
      .execute();
    expect(views.map((v) => v.action).sort()).toEqual(['consent.staff_view', 'intake.staff_view']);

    for (const email of [DESK, ADMIN]) {
      const b = await signIn(rt(), email);
      expect((await b.get(`/staff/patients/${patientId}/intake`)).statusCode, email).toBe(403);
      expect((await b.get(copyHref)).statusCode, email).toBe(403);
      expect((await b.get('/staff/worklist')).statusCode, email).toBe(403);
      expect((await b.get('/staff/calendar')).body).not.toContain('href="/staff/worklist"');
    }
  });
});
