import { describe, expect, it } from 'vitest';
import { runQuestionnaires } from '../../src/clinical/service.ts';
import { activePlanFixture, clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
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
    .replace(/&#39;|&#x27;|&#8217;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const get = (r: TestRuntime, url: string) => r.app.inject({ method: 'GET', url });
const post = (r: TestRuntime, url: string, fields: Record<string, string>) =>
  r.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

/** A Chicago patient on an active 2-session plan, scheduled by one run. */
async function followed(r: TestRuntime, sessions = 2) {
  const patientId = await clinicalPatientFixture(r, { first_name: 'Rosa', last_name: 'Vega' });
  const provider = await userId(r, PROVIDER);
  const plan = await activePlanFixture(r, patientId, provider, 'crps-10-day', sessions);
  return { patientId, ...plan };
}

const rows = (r: TestRuntime, patientId: string) =>
  r.database.db.selectFrom('questionnaires').selectAll().where('patient_id', '=', patientId).execute();

const row = async (r: TestRuntime, patientId: string, timepoint: string) => {
  const all = await rows(r, patientId);
  return all.filter((q) => q.timepoint === timepoint).sort((a, b) => a.opens_at - b.opens_at)[0]!;
};

const auditActions = async (r: TestRuntime, patientId: string) =>
  (
    await r.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'detail'])
      .where('patient_ref', '=', patientId)
      .orderBy('seq')
      .execute()
  ).map((e) => `${e.action}:${e.outcome}`);

/** Opens `timepoint`'s window, runs, delivers: the email and the paths of its two links. */
async function sent(r: TestRuntime, patientId: string, timepoint: string) {
  const q = await row(r, patientId, timepoint);
  r.clock.set(new Date(q.opens_at + 60_000).toISOString());
  const before = r.mail.sent.length;
  await r.questionnaires.runOnce();
  await r.worker.runOnce();
  const mail = r.mail.sent.slice(before).find((m) => m.subject.includes('A few questions'));
  if (!mail) throw new Error('no questionnaire email');
  const path = /http:\/\/relief\.test(\/questionnaire\/[A-Za-z0-9_.-]+)/.exec(mail.text)?.[1];
  const diary = /http:\/\/relief\.test(\/diary\/[A-Za-z0-9_.-]+)/.exec(mail.text)?.[1];
  if (!path || !diary) throw new Error('no links');
  return { q, mail, path, diary };
}

/** Every item of a questionnaire page answered with `value` (PGIC's 1–7 with 2). */
function allAnswers(html: string, value: string): Record<string, string> {
  const names = [...new Set([...html.matchAll(/type="radio"[^>]*name="([^"]+)"/g)].map((m) => m[1]!))];
  return Object.fromEntries(names.map((n) => [n, n.startsWith('pgic.') ? '2' : value]));
}
const versionOf = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? '';

describe(`questionnaires on a schedule (${engine})`, () => {
  it('schedules what an active plan owes once, however often it runs', async () => {
    const { patientId, appointments } = await followed(rt());
    const first = await rt().questionnaires.runOnce();
    expect(first).toMatchObject({ scheduled: 6, sent: 0 });
    const owed = await rows(rt(), patientId);
    expect(owed.map((q) => q.schedule_key).sort()).toEqual(
      [
        `appointment:${appointments[0]}:pre_session`,
        `appointment:${appointments[1]}:pre_session`,
        ...['end_of_induction', 'week_1', 'week_4', 'week_12'].map((t) => `plan:${owed[0]!.plan_id}:${t}`),
      ].sort(),
    );
    expect(owed.every((q) => q.status === 'scheduled' && q.closes_at > q.opens_at)).toBe(true);
    expect(await rt().questionnaires.runOnce()).toMatchObject({ scheduled: 0, moved: 0, cancelled: 0 });
    expect(await rows(rt(), patientId)).toHaveLength(6);
    expect(await auditActions(rt(), patientId)).toEqual(Array(6).fill('questionnaire.schedule:success'));
  });

  it('follows the schedule an administrator saves at the clinical settings', async () => {
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get('/staff/clinical-settings/questionnaire-schedule');
    expect(form.statusCode).toBe(200);
    expect(text(form.body)).toContain('UNVERIFIED');
    const fields: Record<string, string> = {};
    for (const m of form.body.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');
    expect(fields).toMatchObject({
      r3_timepoint: 'week_4',
      r3_offsetDays: '28',
      r3_instruments: 'pain_nrs, peg, phq9, gad7, pgic',
    });
    const saved = await admin.post('/staff/clinical-settings/questionnaire-schedule', {
      ...fields,
      r3_offsetDays: '30',
      source: 'Medical director, December 2026',
    });
    expect(saved.statusCode).toBe(303);
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const end = await row(rt(), patientId, 'end_of_induction');
    const week4 = await row(rt(), patientId, 'week_4');
    expect(Math.round((week4.opens_at - end.opens_at) / DAY)).toBe(30);
  });

  it('sends what has opened once, even from two runs at the same moment, by a link with no PHI', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const q = await row(rt(), patientId, 'pre_session');
    const at = q.opens_at + 60_000;
    const [a, b] = await Promise.all([runQuestionnaires(rt().database, at), runQuestionnaires(rt().database, at)]);
    expect(a.sent + b.sent).toBe(1);
    const jobs = await rt().database.db.selectFrom('outbox').select('kind').where('ref_id', '=', q.id).execute();
    expect(jobs.map((j) => j.kind)).toEqual(['questionnaire_link']);
    rt().clock.set(new Date(at).toISOString());
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.includes('A few questions'))!;
    expect(mail.text).toContain('Hello Rosa,');
    const own = mail.text.split('\n--\n')[0]!;
    for (const word of [/Vega/, /ketamine/i, /CRPS/i, /infusion/i, /depress/i, /PHQ/i, /anxiety/i])
      expect(own).not.toMatch(word);
    expect(mail.text).toMatch(/\/questionnaire\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect((await row(rt(), patientId, 'pre_session')).status).toBe('sent');
  });

  it('reminds once two days after sending, then marks missed after the window; the link then says so', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const { q, path } = await sent(rt(), patientId, 'end_of_induction');
    rt().clock.advance(2 * DAY - 120_000);
    expect(await rt().questionnaires.runOnce()).toMatchObject({ reminded: 0 });
    rt().clock.advance(120_000);
    expect(await rt().questionnaires.runOnce()).toMatchObject({ reminded: 1 });
    await rt().worker.runOnce();
    expect(rt().mail.sent.filter((m) => m.subject.startsWith('Reminder: a few questions'))).toHaveLength(1);
    expect(await rt().questionnaires.runOnce()).toMatchObject({ reminded: 0 });
    const provider = await signIn(rt(), PROVIDER);
    const tab = text((await provider.get(`/staff/patients/${patientId}/questionnaires`)).body);
    expect(tab).toMatch(/Sent · emailed [^·]+ · reminded /);
    rt().clock.set(new Date(q.closes_at).toISOString());
    expect(await rt().questionnaires.runOnce()).toMatchObject({ missed: 1 });
    expect((await row(rt(), patientId, 'end_of_induction')).status).toBe('missed');
    const late = await get(rt(), path);
    expect(late.statusCode).toBe(410);
    expect(text(late.body)).toMatch(/This link has expired|These questions are closed/);
    const actions = await auditActions(rt(), patientId);
    for (const a of ['questionnaire.send', 'questionnaire.remind', 'questionnaire.missed'])
      expect(actions).toContain(`${a}:success`);
  });

  it('moves a window not yet sent with its session', async () => {
    const { patientId, appointments } = await followed(rt());
    await rt().questionnaires.runOnce();
    const key = `appointment:${appointments[1]}:pre_session`;
    const before = (await rows(rt(), patientId)).find((q) => q.schedule_key === key)!;
    const appt = await rt()
      .database.db.selectFrom('appointments')
      .selectAll()
      .where('id', '=', appointments[1]!)
      .executeTakeFirstOrThrow();
    const later = 2 * 3_600_000;
    await rt()
      .database.db.updateTable('appointments')
      .set({
        starts_at: appt.starts_at + later,
        ends_at: appt.ends_at + later,
        busy_from: appt.busy_from + later,
        busy_to: appt.busy_to + later,
      })
      .where('id', '=', appt.id)
      .execute();
    // The end of the series moves too: the last induction session ends later.
    expect(await rt().questionnaires.runOnce()).toMatchObject({ moved: 5, scheduled: 0 });
    const after = (await rows(rt(), patientId)).find((q) => q.schedule_key === key)!;
    expect([after.id, after.opens_at, after.closes_at]).toEqual([
      before.id,
      before.opens_at + later,
      before.closes_at + later,
    ]);
    expect(await auditActions(rt(), patientId)).toContain('questionnaire.reschedule:success');
  });

  it('cancels what a cancelled appointment or a stopped plan no longer owes', async () => {
    const { patientId, appointments, plan } = await followed(rt());
    await rt().questionnaires.runOnce();
    await rt()
      .database.db.updateTable('appointments')
      .set({ status: 'cancelled' })
      .where('id', '=', appointments[0]!)
      .execute();
    expect(await rt().questionnaires.runOnce()).toMatchObject({ cancelled: 1 });
    const byKey = new Map((await rows(rt(), patientId)).map((q) => [q.schedule_key, q.status]));
    expect(byKey.get(`appointment:${appointments[0]}:pre_session`)).toBe('cancelled');
    expect(byKey.get(`appointment:${appointments[1]}:pre_session`)).toBe('scheduled');
    await rt().database.db.updateTable('treatment_plans').set({ status: 'stopped' }).where('id', '=', plan).execute();
    expect(await rt().questionnaires.runOnce()).toMatchObject({ cancelled: 5 });
    expect((await rows(rt(), patientId)).every((q) => q.status === 'cancelled')).toBe(true);
    expect(await rt().questionnaires.runOnce()).toMatchObject({ cancelled: 0, scheduled: 0 });
  });
});

describe(`the patient's questionnaire by link (${engine})`, () => {
  it('keeps partial answers unscored, refuses an out-of-range answer naming it, then scores on sending', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const { path } = await sent(rt(), patientId, 'end_of_induction');
    const page = await get(rt(), path);
    expect(page.statusCode).toBe(200);
    const body = text(page.body);
    expect(body).toContain('scored only when every question is answered');
    expect(body).toContain('Since you started treatment at this clinic');
    expect(body).not.toContain('Vega');

    // Save for later with two answers: partial, no score.
    const saved = await post(rt(), path, {
      version: versionOf(page.body),
      intent: 'save',
      'pain_nrs.now': '6',
      'phq9.q1': '1',
    });
    expect(saved.statusCode).toBe(303);
    let q = await row(rt(), patientId, 'end_of_induction');
    expect(q.status).toBe('partial');
    expect(JSON.parse(q.answers)).toEqual({ pain_nrs: { now: 6 }, phq9: { q1: 1 } });
    expect(q.pain_now).toBeNull();

    // A second window still holding the first version: refused, showing what is saved.
    const staleWindow = await post(rt(), path, { version: versionOf(page.body), intent: 'save', 'pain_nrs.now': '2' });
    expect(staleWindow.statusCode).toBe(409);
    expect(text(staleWindow.body)).toContain('changed in another window');
    expect(JSON.parse((await row(rt(), patientId, 'end_of_induction')).answers).pain_nrs).toEqual({ now: 6 });

    // Out of range: 400, the item named, nothing written.
    const again = await get(rt(), path);
    expect(again.body).toContain('value="6" checked');
    const bad = await post(rt(), path, {
      version: versionOf(again.body),
      intent: 'send',
      'pain_nrs.average': '11',
      'peg.e': '-1',
    });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('“How much pain have you had on average over the last 24 hours?”: choose one');
    expect(text(bad.body)).toContain('enjoyment of life?”: choose one');
    expect((await row(rt(), patientId, 'end_of_induction')).version).toBe(q.version);

    // Sending with questions left keeps them as partial and says so.
    const left = await post(rt(), path, { version: versionOf(again.body), intent: 'send', 'pain_nrs.average': '5' });
    expect(left.statusCode).toBe(303);
    expect(left.headers.location).toBe(`${path}?left=1`);
    const leftPage = await get(rt(), `${path}?left=1`);
    expect(text(leftPage.body)).toContain('Some questions are not answered yet');
    expect((await row(rt(), patientId, 'end_of_induction')).status).toBe('partial');

    // Every answer: complete, scored, the report columns written.
    const all = { ...allAnswers(leftPage.body, '1'), 'pain_nrs.now': '6', 'pain_nrs.worst': '8', 'phq9.q9': '0' };
    const done = await post(rt(), path, { ...all, version: versionOf(leftPage.body), intent: 'send' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${path}/done`);
    q = await row(rt(), patientId, 'end_of_induction');
    expect(q).toMatchObject({
      status: 'complete',
      pain_now: 6,
      pain_average: 1,
      pain_worst: 8,
      phq9_total: 8,
      phq9_item9: 0,
      gad7_total: 7,
      interference: 1,
      pgic: 2,
      pgic_label: 'Much improved',
      entered_by: null,
    });
    expect(JSON.parse(q.instruments).map((i: { id: string; version: string }) => i.version)).toEqual([
      'nrs-2008.1',
      'peg-2009.1',
      'phq9-2001.1',
      'gad7-2006.1',
      'pgic-cde.1',
    ]);
    expect(text((await get(rt(), `${path}/done`)).body)).toContain('Your answers were sent to your care team');
    // Used up: the link shows the thank-you page, and a second send changes nothing.
    expect(text((await get(rt(), path)).body)).toContain('Thank you');
    const twice = await post(rt(), path, { ...all, 'pain_nrs.now': '2', version: String(q.version), intent: 'send' });
    expect(twice.statusCode).toBe(200);
    expect((await row(rt(), patientId, 'end_of_induction')).pain_now).toBe(6);
    const actions = await auditActions(rt(), patientId);
    expect(actions).toContain('questionnaire.view:success');
    expect(actions).toContain('questionnaire.answer:failure');
    expect(actions.filter((a) => a === 'questionnaire.answer:success')).toHaveLength(3);
  });

  it('raises the safety alert on item 9 at 1 or more, urgent from 2, and shows help at once', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const { q, path } = await sent(rt(), patientId, 'end_of_induction');
    const page = await get(rt(), path);
    const res = await post(rt(), path, {
      ...allAnswers(page.body, '0'),
      'phq9.q9': '2',
      version: versionOf(page.body),
      intent: 'send',
    });
    expect(res.statusCode).toBe(303);
    const alerts = await rt()
      .database.db.selectFrom('clinical_alerts')
      .selectAll()
      .where('patient_id', '=', patientId)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'phq9_item9', source: 'questionnaire', source_id: q.id, level: 'urgent' });
    const done = text((await get(rt(), `${path}/done`)).body);
    expect(done).toContain('988');
    expect(await auditActions(rt(), patientId)).toContain('alert.raise:success');
    // On the worklist, the alert leads to the questionnaire that raised it.
    const provider = await signIn(rt(), PROVIDER);
    const worklist = await provider.get('/staff/worklist');
    expect(worklist.body).toContain(`href="/staff/patients/${patientId}/questionnaires"`);
    expect(text(worklist.body)).toContain('from the questionnaire');
  });

  it('judges item 9 by the clinic’s rule, by link and by staff entry: with the alert from 2, 1 raises nothing and 2 raises it, the audit naming the rule’s version', async () => {
    const version = await saveFlagRules(rt(), { item9AlertAt: 2, item9UrgentAt: 3 });
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const alertsOf = () =>
      rt().database.db.selectFrom('clinical_alerts').selectAll().where('patient_id', '=', patientId).execute();
    // By the patient's link: a partial save with 1, then 2 sent.
    const { q, path } = await sent(rt(), patientId, 'end_of_induction');
    const page = await get(rt(), path);
    const one = await post(rt(), path, { 'phq9.q9': '1', version: versionOf(page.body), intent: 'save' });
    expect(one.statusCode).toBe(303);
    expect(await alertsOf()).toEqual([]);
    const two = await post(rt(), path, {
      ...allAnswers(page.body, '0'),
      'phq9.q9': '2',
      version: String(Number(versionOf(page.body)) + 1),
      intent: 'send',
    });
    expect(two.statusCode).toBe(303);
    expect(await alertsOf()).toMatchObject([{ source: 'questionnaire', source_id: q.id, level: 'alert' }]);
    // By staff entry at a visit: 1 raises nothing, 2 raises a second alert for that questionnaire.
    const nurse = await signIn(rt(), NURSE);
    const tab = await nurse.get(`/staff/patients/${patientId}/questionnaires`);
    const start = await nurse.post(`/staff/patients/${patientId}/questionnaires`, { _csrf: csrfFrom(tab.body) });
    const fillPath = start.headers.location as string;
    const form = await nurse.get(fillPath);
    const saved = await nurse.post(fillPath, {
      _csrf: csrfFrom(form.body),
      version: versionOf(form.body),
      intent: 'save',
      'phq9.q9': '1',
    });
    expect(saved.statusCode).toBe(303);
    expect(await alertsOf()).toHaveLength(1);
    const again = await nurse.get(fillPath);
    const sentByNurse = await nurse.post(fillPath, {
      ...allAnswers(again.body, '0'),
      'phq9.q9': '2',
      _csrf: csrfFrom(again.body),
      version: versionOf(again.body),
      intent: 'send',
    });
    expect(sentByNurse.statusCode).toBe(303);
    expect(await alertsOf()).toHaveLength(2);
    const raised = await rt()
      .database.db.selectFrom('audit_events')
      .select(['detail', 'actor_role'])
      .where('action', '=', 'alert.raise')
      .orderBy('seq')
      .execute();
    expect(raised.map((e) => [e.actor_role, JSON.parse(e.detail).rule])).toEqual([
      ['patient', `safety-flag-rules@${version}`],
      ['nurse', `safety-flag-rules@${version}`],
    ]);
  });

  it('refuses a tampered link (404) and an expired one (410), naming nobody on the tampered one', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const { q, path } = await sent(rt(), patientId, 'end_of_induction');
    const tampered = path.slice(0, -3) + (path.endsWith('A') ? 'BBB' : 'AAA');
    const bad = await get(rt(), tampered);
    expect(bad.statusCode).toBe(404);
    expect(text(bad.body)).toContain('This link does not work');
    const refusal = await rt()
      .database.db.selectFrom('audit_events')
      .select(['patient_ref', 'outcome'])
      .where('action', '=', 'questionnaire.view')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(refusal).toEqual({ patient_ref: null, outcome: 'failure' });
    rt().clock.set(new Date(q.closes_at + 1000).toISOString());
    const expired = await get(rt(), path);
    expect(expired.statusCode).toBe(410);
    expect(text(expired.body)).toContain('This link has expired');
  });
});

describe(`staff entry and the Questionnaires tab (${engine})`, () => {
  it('shows nurses and providers every questionnaire; front desk and administrators see none of it', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const nurse = await signIn(rt(), NURSE);
    const tab = await nurse.get(`/staff/patients/${patientId}/questionnaires`);
    expect(tab.statusCode).toBe(200);
    const body = text(tab.body);
    expect(body).toContain('12 weeks after the series');
    expect(body).toContain('Scheduled');
    expect(tab.body).toContain('aria-current="page">Questionnaires');
    for (const email of [DESK, ADMIN]) {
      const other = await signIn(rt(), email);
      expect((await other.get(`/staff/patients/${patientId}/questionnaires`)).statusCode).toBe(403);
    }
    // A patient of another location: not found, and the attempt recorded.
    const denver = await clinicalPatientFixture(rt(), { location_id: 'loc-denver' });
    expect((await nurse.get(`/staff/patients/${denver}/questionnaires`)).statusCode).toBe(404);
    expect(await auditActions(rt(), patientId)).toContain('questionnaire.staff_list:success');
    // One whose window has not opened yet is not offered, and cannot be filled in ahead of time.
    const week12 = await row(rt(), patientId, 'week_12');
    expect(tab.body).not.toContain(`/questionnaires/${week12.id}"`);
    const early = await nurse.post(`/staff/patients/${patientId}/questionnaires/${week12.id}`, {
      _csrf: csrfFrom(tab.body),
      version: String(week12.version),
      intent: 'save',
      'pain_nrs.now': '3',
    });
    expect(early.statusCode).toBe(409);
    expect(text(early.body)).toContain('This questionnaire is not open now');
    expect((await row(rt(), patientId, 'week_12')).status).toBe('scheduled');
  });

  it('lets a nurse start a visit questionnaire, refuses an out-of-range answer, and marks it staff-entered', async () => {
    const { patientId } = await followed(rt());
    const nurse = await signIn(rt(), NURSE);
    const tab = await nurse.get(`/staff/patients/${patientId}/questionnaires`);
    const start = await nurse.post(`/staff/patients/${patientId}/questionnaires`, { _csrf: csrfFrom(tab.body) });
    expect(start.statusCode).toBe(303);
    const fillPath = start.headers.location as string;
    const form = await nurse.get(fillPath);
    expect(form.statusCode).toBe(200);
    const bad = await nurse.post(fillPath, {
      _csrf: csrfFrom(form.body),
      version: versionOf(form.body),
      intent: 'send',
      'gad7.q3': '4',
    });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('“Worrying too much about different things”: choose one of the answers (0 to 3)');
    // Saved for later from one window, then sent from another opened before: refused, showing what is saved now.
    const partial = await nurse.post(fillPath, {
      _csrf: csrfFrom(form.body),
      version: versionOf(form.body),
      intent: 'save',
      'pain_nrs.now': '5',
    });
    expect(partial.statusCode).toBe(303);
    const stale = await nurse.post(fillPath, {
      ...allAnswers(form.body, '1'),
      _csrf: csrfFrom(form.body),
      version: versionOf(form.body),
      intent: 'send',
    });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('These answers were changed since the page was opened');
    expect(stale.body).toContain('id="version-error"');
    expect(Number(versionOf(stale.body))).toBe(Number(versionOf(form.body)) + 1);
    expect(stale.body).toContain('name="pain_nrs.now" value="5" checked');
    const ok = await nurse.post(fillPath, {
      ...allAnswers(form.body, '1'),
      _csrf: csrfFrom(form.body),
      version: versionOf(stale.body),
      intent: 'send',
    });
    expect(ok.statusCode).toBe(303);
    const q = await row(rt(), patientId, 'visit');
    expect(q).toMatchObject({ status: 'complete', entered_by: await userId(rt(), NURSE), phq9_item9: 1 });
    const alert = await rt()
      .database.db.selectFrom('clinical_alerts')
      .select(['source', 'level'])
      .where('patient_id', '=', patientId)
      .executeTakeFirstOrThrow();
    expect(alert).toEqual({ source: 'questionnaire', level: 'alert' });
    const answers = text((await nurse.get(fillPath)).body);
    expect(answers).toContain('Status: Complete · entered by staff');
    expect(answers).toContain('Little interest or pleasure in doing things Several days');
    const after = text((await nurse.get(`/staff/patients/${patientId}/questionnaires`)).body);
    expect(after).toContain('entered by staff');
    expect(after).toContain('9 · Mild');
    // Closed for answers once complete.
    const closed = await nurse.post(fillPath, {
      _csrf: csrfFrom(form.body),
      version: String(q.version),
      intent: 'send',
    });
    expect(closed.statusCode).toBe(409);
    const actions = await auditActions(rt(), patientId);
    for (const a of [
      'questionnaire.start_visit:success',
      'questionnaire.staff_answer:failure',
      'questionnaire.staff_answer:success',
    ])
      expect(actions).toContain(a);
    // A questionnaire id under another patient's address is not found.
    const other = await clinicalPatientFixture(rt());
    expect((await nurse.get(`/staff/patients/${other}/questionnaires/${q.id}`)).statusCode).toBe(404);
    // One started and left unfinished is cancelled at the day's end, not counted as missed by the patient.
    const tab2 = await nurse.get(`/staff/patients/${patientId}/questionnaires`);
    const left = await nurse.post(`/staff/patients/${patientId}/questionnaires`, { _csrf: csrfFrom(tab2.body) });
    const leftId = (left.headers.location as string).split('/').pop()!;
    rt().clock.advance(DAY);
    await rt().questionnaires.runOnce();
    const unfinished = await rt()
      .database.db.selectFrom('questionnaires')
      .select('status')
      .where('id', '=', leftId)
      .executeTakeFirstOrThrow();
    expect(unfinished.status).toBe('cancelled');
  });
});

describe(`the pain diary (${engine})`, () => {
  it('takes today’s pain from the emailed link, the latest of a day counting, and shows it to staff', async () => {
    const { patientId } = await followed(rt());
    await rt().questionnaires.runOnce();
    const { diary } = await sent(rt(), patientId, 'end_of_induction');
    const page = await get(rt(), diary);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Your pain diary');
    const bad = await post(rt(), diary, { pain: '12' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Choose a number from 0');
    expect(await rt().database.db.selectFrom('pain_diary').selectAll().execute()).toHaveLength(0);
    expect((await post(rt(), diary, { pain: '4' })).statusCode).toBe(303);
    rt().clock.advance(60_000);
    expect((await post(rt(), diary, { pain: '6' })).statusCode).toBe(303);
    const entries = await rt().database.db.selectFrom('pain_diary').selectAll().execute();
    expect(entries).toHaveLength(2);
    const provider = await signIn(rt(), PROVIDER);
    const tab = await provider.get(`/staff/patients/${patientId}/questionnaires`);
    const diaryTable = tab.body.split('id="diary-caption"')[1] ?? '';
    expect(diaryTable.match(/<td>\d+<\/td>/g)).toEqual(['<td>6</td>']);
    const tampered = diary.slice(0, -3) + (diary.endsWith('A') ? 'BBB' : 'AAA');
    expect((await get(rt(), tampered)).statusCode).toBe(404);
    expect(await auditActions(rt(), patientId)).toContain('diary.add:success');
  });
});
