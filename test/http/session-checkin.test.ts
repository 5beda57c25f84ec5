import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECKIN_CHECKLIST, saveDefinition, START_LIMITS } from '../../src/clinical/service.ts';
import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import { appointmentRow } from '../helpers/appointments.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { GOOD_CHECKLIST, GOOD_VITALS, onTheDay, postSessionForm, sessionUrl, signConsent } from '../helpers/checkin.ts';
import { formFields } from '../helpers/forms.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { saveFlagRules } from '../helpers/safety.ts';
import { checkedInSession, infusingSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const checkInUrl = (visit: OrderedVisit) => `/staff/appointments/${visit.appointmentId}/check-in`;

const session = (id: string) =>
  db().selectFrom('infusion_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function checkInThroughPage(b: Browser, visit: OrderedVisit) {
  const page = await b.get(checkInUrl(visit));
  expect(page.statusCode, page.body.slice(0, 500)).toBe(200);
  return b.post(checkInUrl(visit), { _csrf: csrfFrom(page.body) });
}

/** A patient on the day, consent signed, checked in through the page by the demo nurse: the session's id. */
async function checkedIn(b?: Browser) {
  const visit = await orderedVisit(rt());
  await signConsent(rt(), visit.patientId);
  onTheDay(rt(), visit);
  const nurse = b ?? (await signIn(rt(), 'nurse@relief.example'));
  const res = await checkInThroughPage(nurse, visit);
  expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
  const row = await db()
    .selectFrom('infusion_sessions')
    .select('id')
    .where('appointment_id', '=', visit.appointmentId)
    .executeTakeFirstOrThrow();
  return { visit, nurse, sessionId: row.id };
}

async function readyToCheck(opts: { checklist?: Record<string, string>; vitals?: Record<string, string> } = {}) {
  const f = await checkedIn();
  const c = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', opts.checklist ?? GOOD_CHECKLIST);
  expect(c.statusCode, c.body.slice(0, 1500)).toBe(303);
  const v = await postSessionForm(f.nurse, f.visit, f.sessionId, 'vitals', opts.vitals ?? GOOD_VITALS);
  expect(v.statusCode, v.body.slice(0, 1500)).toBe(303);
  return f;
}

describe('check-in', () => {
  it('begins the session, marks the appointment arrived and audits it; a second check-in goes to the same session', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(checkInUrl(visit));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Check in Rosa');
    const seq = await lastSeq(rt());
    const res = await nurse.post(checkInUrl(visit), { _csrf: csrfFrom(page.body) });
    expect(res.statusCode).toBe(303);
    const rows = await db()
      .selectFrom('infusion_sessions')
      .selectAll()
      .where('appointment_id', '=', visit.appointmentId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toBe('checked_in');
    expect(res.headers.location).toBe(`${sessionUrl(visit, rows[0]!.id)}?saved=checked_in`);
    const appt = await db()
      .selectFrom('appointments')
      .select('attendance')
      .where('id', '=', visit.appointmentId)
      .executeTakeFirstOrThrow();
    expect(appt.attendance).toBe('arrived');
    const events = await eventsAfter(rt(), seq);
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['session.check_in:success']);
    expect(events[0]!.detail).toMatchObject({ appointmentId: visit.appointmentId, session: rows[0]!.id });

    const shown = await nurse.get(res.headers.location as string);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Checked in, and marked arrived on the calendar.');

    const again = await nurse.post(checkInUrl(visit), { _csrf: csrfFrom(page.body) });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(sessionUrl(visit, rows[0]!.id));
    expect((await nurse.get(checkInUrl(visit))).headers.location).toBe(sessionUrl(visit, rows[0]!.id));
    expect(
      await db()
        .selectFrom('infusion_sessions')
        .select('id')
        .where('appointment_id', '=', visit.appointmentId)
        .execute(),
    ).toHaveLength(1);
  });

  it('is offered on the calendar’s appointment page of an infusion, to clinicians only', async () => {
    const visit = await orderedVisit(rt());
    // The calendar's pages take appointment ids as booked through it (UUIDs).
    const start = visit.startsAt + 5 * 86_400_000;
    const row = appointmentRow({
      id: randomUUID(),
      type_id: 'type-infusion',
      room_id: 'chair-chi-2',
      patient_id: visit.patientId,
      minutes: 240,
      supervisor_id: 'prov-okafor',
      supervisor_lane: 2,
    });
    Object.assign(row, {
      starts_at: start,
      ends_at: start + 240 * 60_000,
      busy_from: start,
      busy_to: start + 240 * 60_000,
    });
    await db().insertInto('appointments').values(row).execute();
    const url = `/staff/appointments/${row.id}/check-in`;
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(`/staff/calendar/appointments/${row.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${url}"`);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const deskPage = await desk.get(`/staff/calendar/appointments/${row.id}`);
    expect(deskPage.statusCode).toBe(200);
    expect(deskPage.body).not.toContain(url);
  });

  it('is refused before the day, to the front desk and administrators, and elsewhere than the person’s locations', async () => {
    const visit = await orderedVisit(rt());
    rt().clock.set(new Date(visit.startsAt - 26 * 3_600_000).toISOString()); // the day before
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const early = await nurse.get(checkInUrl(visit));
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('checked in on the day of their appointment only');
    const post = await nurse.post(checkInUrl(visit), { _csrf: csrfFrom(early.body) });
    expect(post.statusCode).toBe(409);
    expect(await db().selectFrom('infusion_sessions').select('id').execute()).toHaveLength(0);

    onTheDay(rt(), visit);
    for (const email of ['frontdesk@relief.example', 'admin@relief.example', 'denver.desk@relief.example']) {
      const b = await signIn(rt(), email);
      expect((await b.get(checkInUrl(visit))).statusCode, email).toBe(403);
      const form = await b.get('/staff/calendar');
      expect(csrfFrom(form.body), email).not.toBe('');
      expect((await b.post(checkInUrl(visit), { _csrf: csrfFrom(form.body) })).statusCode, email).toBe(403);
    }
    // A nurse of Denver only: the Chicago appointment does not exist for her, and the attempt is filed.
    const nurseId = visit.nurseId;
    await db().deleteFrom('user_locations').where('user_id', '=', nurseId).execute();
    await db().insertInto('user_locations').values({ user_id: nurseId, location_id: 'loc-denver' }).execute();
    const elsewhere = await signIn(rt(), 'nurse@relief.example');
    const seq = await lastSeq(rt());
    expect((await elsewhere.get(checkInUrl(visit))).statusCode).toBe(404);
    const events = await eventsAfter(rt(), seq);
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['session.check_in_view:denied']);
    expect((await elsewhere.get('/staff/appointments/no-such-appointment/check-in')).statusCode).toBe(404);
    expect(await db().selectFrom('infusion_sessions').select('id').execute()).toHaveLength(0);
  });
});

describe('pre-infusion checks', () => {
  it('moves to ready only when the checklist, consent and pre-infusion vitals are complete', async () => {
    const f = await checkedIn();
    const early = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('Not ready to start');
    expect(early.body).toContain('Identity: not yet confirmed.');
    expect(early.body).toContain('Pre-infusion vitals: none recorded yet.');
    expect((await session(f.sessionId)).state).toBe('checked_in');

    const partial = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', { identity: 'yes', pain: '4' });
    expect(partial.statusCode).toBe(303);
    expect(partial.headers.location).toContain('saved=checklist');
    const page = await f.nurse.get(sessionUrl(f.visit, f.sessionId));
    expect(page.body).toContain('Going home: no escort or ride home yet.');
    expect(page.body).not.toContain('Identity: not yet confirmed.');
    // The saved answers fill the form again.
    expect(formFields(page.body, `${sessionUrl(f.visit, f.sessionId)}/checklist`)).toMatchObject({
      identity: 'yes',
      pain: '4',
    });

    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', GOOD_CHECKLIST);
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'vitals', GOOD_VITALS);
    const seq = await lastSeq(rt());
    const done = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(done.statusCode, /error-summary[\s\S]{0,600}/.exec(done.body)?.[0]).toBe(303);
    expect(done.headers.location).toContain('saved=ready');
    expect((await session(f.sessionId)).state).toBe('ready');
    const events = await eventsAfter(rt(), seq);
    expect(events.filter((e) => e.action !== 'session.view').map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'session.checks_done:success',
    ]);
    expect(events.find((e) => e.action === 'session.checks_done')!.detail).toMatchObject({
      from: 'checked_in',
      to: 'ready',
    });

    // Ready: the checklist is no longer open to change; back to the checks first.
    const form = (await f.nurse.get(sessionUrl(f.visit, f.sessionId))).body;
    const late = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/checklist`, {
      _csrf: csrfFrom(form),
      version: '3',
      ...GOOD_CHECKLIST,
    });
    expect(late.statusCode).toBe(409);
    const back = await postSessionForm(f.nurse, f.visit, f.sessionId, 'recheck', {});
    expect(back.statusCode).toBe(303);
    expect((await session(f.sessionId)).state).toBe('checked_in');
  });

  it('saves the answers as an appended row with the checklist version, refusing impossible answers by field', async () => {
    const f = await checkedIn();
    const bad = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', {
      ...GOOD_CHECKLIST,
      pain: '11',
      food_hours: 'soon',
      escort_phone: 'call me',
      item9: '7',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Pain now: a whole number from 0 to 10');
    expect(bad.body).toContain('Hours since solid food: whole or half hours');
    expect(bad.body).toContain('Escort’s phone');
    expect(bad.body).toContain('Thoughts of self-harm: a whole number from 0 to 3');
    expect(bad.body).toContain('value="call me"'); // the form keeps what was typed
    expect(await db().selectFrom('session_checkins').select('id').execute()).toHaveLength(0);

    const seq = await lastSeq(rt());
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', GOOD_CHECKLIST);
    const events = (await eventsAfter(rt(), seq)).filter((e) => e.action !== 'session.view');
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual(['session.checklist:success']);
    expect(events[0]!.detail).toMatchObject({ session: f.sessionId, answered: 8, checklist: 0 });
    expect(JSON.stringify(events[0])).not.toContain('Sam Test'); // answers stay out of the trail
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', { ...GOOD_CHECKLIST, pain: '3' });
    const rows = await db().selectFrom('session_checkins').selectAll().where('session_id', '=', f.sessionId).execute();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.checklist_version)).toEqual(['checkin-checklist@0', 'checkin-checklist@0']);
    expect(JSON.parse(rows.find((r) => r.answers.includes('"pain":3'))!.answers)).toMatchObject({
      identity: true,
      escort: { kind: 'escort', name: 'Sam Test' },
      pain: 3,
    });
  });

  it('blocks while consent is not current', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await checkInThroughPage(nurse, visit);
    const { id } = await db().selectFrom('infusion_sessions').select('id').executeTakeFirstOrThrow();
    await postSessionForm(nurse, visit, id, 'checklist', GOOD_CHECKLIST);
    await postSessionForm(nurse, visit, id, 'vitals', GOOD_VITALS);
    const res = await postSessionForm(nurse, visit, id, 'checks-done', {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Consent is not current');
    await signConsent(rt(), visit.patientId);
    expect((await postSessionForm(nurse, visit, id, 'checks-done', {})).statusCode).toBe(303);
  });

  it('holds the fasting rule, met as the hours pass', async () => {
    const f = await readyToCheck({ checklist: { ...GOOD_CHECKLIST, food_hours: '4.5', fluid_hours: '1' } });
    const res = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Solid food: too recent for the rule.');
    expect(res.body).toContain('Clear fluids: too recent for the rule.');
    rt().clock.advance(89 * 60_000);
    const nurse = await signIn(rt(), 'nurse@relief.example'); // signed out after a while without activity; +30 s
    expect((await postSessionForm(nurse, f.visit, f.sessionId, 'checks-done', {})).statusCode).toBe(409);
    rt().clock.advance(30_000); // 6 h since food, 2.5 h since fluids
    expect((await postSessionForm(nurse, f.visit, f.sessionId, 'checks-done', {})).statusCode).toBe(303);
  });

  it('asks the urinary screen at a serial infusion, and no pregnancy test where the record rules it out', async () => {
    const visit = await orderedVisit(rt());
    await signConsent(rt(), visit.patientId);
    await db()
      .updateTable('plan_sessions')
      .set({ number: 2 })
      .where('appointment_id', '=', visit.appointmentId)
      .execute();
    await db()
      .insertInto('clinical_profiles')
      .values({
        patient_id: visit.patientId,
        date_of_birth: '1980-01-01',
        sex: 'male',
        pregnancy_possible: 0,
        height_cm: 180,
        version: 1,
        updated_by: visit.nurseId,
        updated_at: rt().clock.now(),
      })
      .execute();
    onTheDay(rt(), visit);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await checkInThroughPage(nurse, visit);
    const { id } = await db().selectFrom('infusion_sessions').select('id').executeTakeFirstOrThrow();
    const page = (await nurse.get(sessionUrl(visit, id))).body;
    expect(page).toContain('Urinary symptoms (serial infusions)');
    expect(page).not.toContain('Pregnancy test today');
    const { pregnancy: _p, ...checklist } = GOOD_CHECKLIST;
    await postSessionForm(nurse, visit, id, 'checklist', { ...checklist, u1: 'no', u2: 'yes' });
    await postSessionForm(nurse, visit, id, 'vitals', GOOD_VITALS);
    const missing = await postSessionForm(nurse, visit, id, 'checks-done', {});
    expect(missing.statusCode).toBe(409);
    expect(missing.body).toContain('Urinary questions: not all answered.');
    const bad = await postSessionForm(nurse, visit, id, 'checklist', { u3: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Urinary question: yes or no');
    await postSessionForm(nurse, visit, id, 'checklist', { u3: 'no' });
    const row = await db()
      .selectFrom('session_checkins')
      .select('answers')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.answers).urinary).toEqual({ u1: false, u2: true, u3: false });
    expect((await postSessionForm(nurse, visit, id, 'checks-done', {})).statusCode).toBe(303);
  });

  it('blocks a positive pregnancy test', async () => {
    const f = await readyToCheck({ checklist: { ...GOOD_CHECKLIST, pregnancy: 'positive' } });
    const res = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Pregnancy test positive: no infusion.');
  });
});

describe('start limits and their override', () => {
  it('blocks a pre-infusion reading past a start limit until a provider overrides it with a reason', async () => {
    const f = await readyToCheck({ vitals: { ...GOOD_VITALS, systolic: '180', diastolic: '95' } });
    const blocked = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('Systolic pressure 180 mmHg: at or above the start limit of 180.');

    // Nurses do not override; the form is not offered to them and the command is refused.
    const page = (await f.nurse.get(sessionUrl(f.visit, f.sessionId))).body;
    expect(page).not.toContain('/override"');
    const byNurse = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/override`, {
      _csrf: csrfFrom(page),
      version: '4',
      override_reason: 'Known hypertension, usual for her',
    });
    expect(byNurse.statusCode).toBe(403);

    const provider = await signIn(rt(), 'provider@relief.example');
    const short = await postSessionForm(provider, f.visit, f.sessionId, 'override', { override_reason: 'ok' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('Reason for the override: at least 10 characters');
    const seq = await lastSeq(rt());
    const ok = await postSessionForm(provider, f.visit, f.sessionId, 'override', {
      override_reason: 'Known hypertension, usual reading for her; recheck in 15 minutes',
    });
    expect(ok.statusCode, ok.body.slice(0, 1500)).toBe(303);
    const overrides = await db().selectFrom('session_overrides').selectAll().execute();
    expect(overrides).toMatchObject([{ rule: 'start_vitals', session_id: f.sessionId }]);
    const events = await eventsAfter(rt(), seq);
    expect(events.find((e) => e.action === 'session.override')).toMatchObject({
      outcome: 'success',
      detail: { rule: 'start_vitals', limits: 'systolicHigh' },
    });
    // Nothing to override twice.
    expect((await postSessionForm(provider, f.visit, f.sessionId, 'checks-done', {})).statusCode).toBe(303);
    expect((await session(f.sessionId)).state).toBe('ready');

    // A new reading past a limit takes the ready session back to its checks: the override covered the earlier one.
    rt().clock.advance(60_000);
    const again = await postSessionForm(f.nurse, f.visit, f.sessionId, 'vitals', { ...GOOD_VITALS, diastolic: '112' });
    expect(again.headers.location).toContain('saved=vitals_blocks');
    expect((await session(f.sessionId)).state).toBe('checked_in');
    expect((await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {})).statusCode).toBe(409);
  });

  it('refuses an override when nothing blocks, and one based on a page that is out of date', async () => {
    const f = await readyToCheck();
    const provider = await signIn(rt(), 'provider@relief.example');
    const page = (await provider.get(sessionUrl(f.visit, f.sessionId))).body;
    const none = await provider.post(`${sessionUrl(f.visit, f.sessionId)}/override`, {
      _csrf: csrfFrom(page),
      version: /name="version" value="(\d+)"/.exec(page)![1]!,
      override_reason: 'No reason to override at all here',
    });
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain('there is nothing to override');
    const stale = await provider.post(`${sessionUrl(f.visit, f.sessionId)}/checks-done`, {
      _csrf: csrfFrom(page),
      version: '1',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else changed this session');
    expect((await session(f.sessionId)).state).toBe('checked_in');
  });
});

describe('the checklist and the start limits are the clinic’s data', () => {
  async function admin(): Promise<Actor> {
    const row = await db()
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'admin@relief.example')
      .executeTakeFirstOrThrow();
    const staff = { userId: row.id, name: row.name, email: row.email, role: 'admin', locationIds: [] };
    return { staff: staff as unknown as Actor['staff'], ip: '203.0.113.5', now: rt().clock.now() };
  }

  it('asks what the protocol’s own row lists, with its fasting rule, and blocks by the saved start limits', async () => {
    const saved = await saveDefinition(rt().database, await admin(), CHECKIN_CHECKLIST, {
      body: [
        {
          protocol: '*',
          items: ['identity', 'consent', 'fasting', 'escort', 'pain'],
          foodHours: 6,
          clearFluidHours: 2,
        },
        {
          protocol: 'crps-10-day',
          items: ['identity', 'consent', 'fasting', 'escort'],
          foodHours: 8,
          clearFluidHours: 3,
        },
      ],
      source: 'Medical director, December 2026',
      basedOn: 0,
    });
    expect(saved.ok).toBe(true);
    const limits = await saveDefinition(rt().database, await admin(), START_LIMITS, {
      body: { ...START_LIMITS.defaults, systolicHigh: 160 },
      source: 'Medical director, December 2026',
      basedOn: 0,
    });
    expect(limits.ok).toBe(true);
    const f = await readyToCheck({
      checklist: {
        identity: 'yes',
        food_hours: '7',
        fluid_hours: '3',
        escort: 'ride',
        ride_detail: 'Her brother drives',
      },
      vitals: { ...GOOD_VITALS, systolic: '160' },
    });
    const page = (await f.nurse.get(sessionUrl(f.visit, f.sessionId))).body;
    expect(page).not.toContain('Pain now (0 to 10)'); // the CRPS row does not ask it
    expect(page).toContain('The rule: at least 8 h.');
    const res = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Solid food: too recent for the rule.');
    expect(res.body).toContain('Systolic pressure 160 mmHg: at or above the start limit of 160.');
    const row = await db().selectFrom('session_checkins').select('checklist_version').executeTakeFirstOrThrow();
    expect(row.checklist_version).toBe('checkin-checklist@1');
  });

  it('refuses a checklist without identity and consent, or without a row for every protocol', async () => {
    const noIdentity = await saveDefinition(rt().database, await admin(), CHECKIN_CHECKLIST, {
      body: [{ protocol: '*', items: ['consent'], foodHours: 6, clearFluidHours: 2 }],
      source: 'x',
      basedOn: 0,
    });
    expect(noIdentity.ok).toBe(false);
    const noStar = await saveDefinition(rt().database, await admin(), CHECKIN_CHECKLIST, {
      body: [{ protocol: 'crps-10-day', items: ['identity', 'consent'], foodHours: 6, clearFluidHours: 2 }],
      source: 'x',
      basedOn: 0,
    });
    expect(noStar.ok).toBe(false);
  });
});

describe('thoughts of self-harm at check-in', () => {
  it('follows the clinic’s item-9 rule: with the alert from 2, an answer of 1 raises nothing and 2 raises it, the audit naming the rule’s version', async () => {
    const version = await saveFlagRules(rt(), { item9AlertAt: 2, item9UrgentAt: 3 });
    const f = await readyToCheck({ checklist: { ...GOOD_CHECKLIST, item9: '1' } });
    const alertsOf = () =>
      db().selectFrom('clinical_alerts').selectAll().where('patient_id', '=', f.visit.patientId).execute();
    expect(await alertsOf()).toEqual([]);
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', { ...GOOD_CHECKLIST, item9: '2' });
    expect(await alertsOf()).toMatchObject([{ kind: 'phq9_item9', source: 'check_in', level: 'alert' }]);
    const raised = await db().selectFrom('audit_events').select('detail').where('action', '=', 'alert.raise').execute();
    expect(raised.map((e) => JSON.parse(e.detail))).toEqual([
      expect.objectContaining({ kind: 'phq9_item9', level: 'alert', rule: `safety-flag-rules@${version}` }),
    ]);
  });

  it('raises the worklist alert and blocks the start until a provider records an assessment', async () => {
    const f = await readyToCheck({ checklist: { ...GOOD_CHECKLIST, item9: '1' } });
    const alerts = await db()
      .selectFrom('clinical_alerts')
      .selectAll()
      .where('patient_id', '=', f.visit.patientId)
      .execute();
    expect(alerts).toMatchObject([{ kind: 'phq9_item9', source: 'check_in', source_id: f.sessionId, level: 'alert' }]);
    const mails = await db().selectFrom('outbox').select('kind').where('kind', '=', 'safety_review').execute();
    expect(mails.length).toBeGreaterThan(0);
    const raised = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'alert.raise')
      .execute();
    expect(raised.map((e) => JSON.parse(e.detail))).toEqual([
      expect.objectContaining({ kind: 'phq9_item9', level: 'alert' }),
    ]);
    const blocked = await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body).toContain('a provider records an assessment on the worklist');

    // Saving the list again keeps one alert; a higher answer makes it urgent.
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', { ...GOOD_CHECKLIST, item9: '2' });
    const after = await db()
      .selectFrom('clinical_alerts')
      .selectAll()
      .where('patient_id', '=', f.visit.patientId)
      .execute();
    expect(after).toHaveLength(1);
    expect(after[0]!.level).toBe('urgent');

    // The answer stops today's start, so a provider closes it: the nurse's worklist says so and refuses her.
    const nurseList = await f.nurse.get('/staff/worklist');
    expect(nurseList.body).toContain('A provider closes this one');
    expect(nurseList.body).not.toContain(`/staff/worklist/${after[0]!.id}/resolve`);
    const byNurse = await f.nurse.post(`/staff/worklist/${after[0]!.id}/resolve`, {
      _csrf: csrfFrom(nurseList.body),
      assessment: 'Passive thoughts only, no plan or intent; safety plan reviewed.',
      action: 'patient_called',
    });
    expect(byNurse.statusCode).toBe(403);
    const provider = await signIn(rt(), 'provider@relief.example');
    const worklist = await provider.get('/staff/worklist');
    expect(worklist.body).toContain('Rosa');
    const resolved = await provider.post(`/staff/worklist/${after[0]!.id}/resolve`, {
      _csrf: csrfFrom(worklist.body),
      assessment: 'Passive thoughts only, no plan or intent; safety plan reviewed; fine to proceed today.',
      action: 'no_change',
    });
    expect(resolved.statusCode).toBe(303);
    // Once assessed, the same answers saved again raise nothing new.
    await postSessionForm(f.nurse, f.visit, f.sessionId, 'checklist', { ...GOOD_CHECKLIST, item9: '2' });
    expect(
      await db().selectFrom('clinical_alerts').select('id').where('patient_id', '=', f.visit.patientId).execute(),
    ).toHaveLength(1);
    expect((await postSessionForm(f.nurse, f.visit, f.sessionId, 'checks-done', {})).statusCode).toBe(303);
  });
});

describe('not given, and moves out of turn', () => {
  it('closes a checked-in session with a reason, by a nurse', async () => {
    const f = await checkedIn();
    const none = await postSessionForm(f.nurse, f.visit, f.sessionId, 'not-given', { not_given_reason: ' ' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Reason: at least 3 characters');
    const seq = await lastSeq(rt());
    const ok = await postSessionForm(f.nurse, f.visit, f.sessionId, 'not-given', {
      not_given_reason: 'Felt unwell, rebooked',
    });
    expect(ok.statusCode).toBe(303);
    const row = await session(f.sessionId);
    expect(row).toMatchObject({ state: 'not_given', not_given_reason: 'Felt unwell, rebooked' });
    const events = await eventsAfter(rt(), seq);
    const ev = events.find((e) => e.action === 'session.not_given')!;
    expect(ev.detail).toMatchObject({ from: 'checked_in', to: 'not_given' });
    expect(JSON.stringify(ev)).not.toContain('unwell');
    // Closed: nothing more is recorded on it.
    const page = (await f.nurse.get(sessionUrl(f.visit, f.sessionId))).body;
    expect(page).not.toContain('/vitals"');
    const vitals = await f.nurse.post(`${sessionUrl(f.visit, f.sessionId)}/vitals`, {
      _csrf: csrfFrom(page),
      version: '2',
      entry_key: 'a-closed-session-entry-key',
      ...GOOD_VITALS,
    });
    expect(vitals.statusCode).toBe(409);
    expect(await db().selectFrom('session_vitals').select('id').execute()).toHaveLength(0);
  });

  it('refuses checks, a recheck and not-given while infusing, changing nothing', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit, 0);
    const id = await infusingSession(rt(), visit);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = (await nurse.get(sessionUrl(visit, id))).body;
    for (const verb of ['checks-done', 'recheck', 'not-given']) {
      const res = await nurse.post(`${sessionUrl(visit, id)}/${verb}`, {
        _csrf: csrfFrom(page),
        version: '3',
        not_given_reason: 'Changed her mind',
      });
      expect(res.statusCode, verb).toBe(409);
    }
    expect((await session(id)).state).toBe('infusing');
    expect(page).not.toContain('/checklist"');
  });

  it('keeps the front desk out of the session’s commands', async () => {
    const visit = await orderedVisit(rt());
    onTheDay(rt(), visit);
    const id = await checkedInSession(rt(), visit);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const form = (await desk.get('/staff/calendar')).body;
    expect(csrfFrom(form)).not.toBe('');
    for (const verb of ['checklist', 'checks-done', 'recheck', 'not-given', 'override', 'vitals']) {
      const res = await desk.post(`${sessionUrl(visit, id)}/${verb}`, {
        _csrf: csrfFrom(form),
        version: '1',
        ...GOOD_VITALS,
      });
      expect(res.statusCode, verb).toBe(403);
    }
    expect((await desk.get(sessionUrl(visit, id))).statusCode).toBe(403);
    expect((await session(id)).version).toBe(1);
  });
});
