import { describe, expect, it } from 'vitest';
import { ALERT_LIMITS, escalateWaitingAlerts, refreshSessionAlerts } from '../../src/clinical/service.ts';
import { AlertEscalations } from '../../src/clinical/sessions/alerts-escalation.ts';
import { findSession } from '../../src/clinical/sessions/repository.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { infusingWithBaseline, vitalsFixture } from '../helpers/session-alerts.ts';
import type { OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const MIN = 60_000;

const pageOf = (v: OrderedVisit, session: string) => `/staff/patients/${v.patientId}/sessions/${session}`;

const infusing = (startedMinutesAgo = 10, first = 'Rosa') => infusingWithBaseline(rt(), startedMinutesAgo, first);
const vitals = (sessionId: string, visit: OrderedVisit, over: Record<string, unknown> = {}) =>
  vitalsFixture(rt(), sessionId, visit, over);

/** What a vitals command does after writing its row (the check-in part's afterVitals hook calls the same). */
async function afterVitals(sessionId: string) {
  const session = (await findSession(db(), sessionId))!;
  return rt().database.transact((trx) => refreshSessionAlerts(trx, rt().database, null, session, rt().clock.now()));
}

const alertsOf = (sessionId: string) =>
  db().selectFrom('session_alerts').selectAll().where('session_id', '=', sessionId).orderBy('key').execute();

describe('raising alerts from readings', () => {
  it('raises exactly one alert per limit passed: absolute, sustained, rise from baseline; in range raises none', async () => {
    const { visit, session } = await infusing();
    // Just below each limit: nothing (a systolic rise alerts at 120 + 40, a sustained heart rate at 120).
    await vitals(session, visit, { heart_rate: 119, systolic: 159 });
    expect(await afterVitals(session)).toEqual([]);

    rt().clock.advance(MIN);
    await vitals(session, visit, { heart_rate: 150 });
    // 150 is at the sustained limit once (no alert yet) but under the absolute 151; 151 next is both.
    expect(await afterVitals(session)).toEqual([]);
    rt().clock.advance(MIN);
    await vitals(session, visit, { heart_rate: 70 });
    await afterVitals(session);
    rt().clock.advance(MIN);
    await vitals(session, visit, { heart_rate: 151 });
    expect((await afterVitals(session)).map((a) => a.code)).toEqual(['heartRateHigh']);

    rt().clock.advance(MIN);
    await vitals(session, visit, { systolic: 160, diastolic: 90 });
    expect((await afterVitals(session)).map((a) => `${a.kind}:${a.code}`)).toEqual(['rise:systolicRise']);

    // Heart rate 125 twice in a row (sustained limit 120, under the absolute 151): one sustained alert, at the second.
    rt().clock.advance(MIN);
    await vitals(session, visit, { heart_rate: 125 });
    expect(await afterVitals(session)).toEqual([]);
    rt().clock.advance(MIN);
    await vitals(session, visit, { heart_rate: 126 });
    expect((await afterVitals(session)).map((a) => `${a.kind}:${a.code}`)).toEqual(['sustained:heartRateHigh']);

    // Running it again, and reading the page, raises nothing twice.
    expect(await afterVitals(session)).toEqual([]);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(pageOf(visit, session));
    expect(page.statusCode).toBe(200);
    const rows = await alertsOf(session);
    expect(rows.map((r) => r.kind).sort()).toEqual(['absolute', 'rise', 'sustained']);
    // What raised each is on the page, at the top, before the visit's facts.
    expect(page.body).toContain('3 open alerts');
    expect(page.body).toContain('Heart rate 151 beats/min');
    expect(page.body).toContain('40 mmHg above the pre-infusion 120');
    expect(page.body).toContain('at or above 120 twice in a row');
    expect(page.body.indexOf('open alerts')).toBeLessThan(page.body.indexOf('session-facts'));
    // The raise is audited with codes and counts, never values.
    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'session.alert.raise')
      .execute();
    expect(events.length).toBe(3);
    for (const e of events) expect(String(e.detail)).not.toMatch(/151|160|126/);
  });

  it('an administrator’s row for the protocol, saved on the settings page, overrides the * row (blank = off)', async () => {
    const { visit, session } = await infusing();
    const admin = await signIn(rt(), 'admin@relief.example');
    const url = '/staff/clinical-settings/session-alert-limits';
    const form = await admin.get(url);
    expect(form.statusCode).toBe(200);
    const fields: Record<string, string> = {
      _csrf: csrfFrom(form.body),
      version: '0',
      rows: '2',
      source: 'Dr M, 7 Dec',
    };
    for (const [key, value] of Object.entries(ALERT_LIMITS.defaults[0]!)) {
      fields[`r0_${key}`] = value === null ? '' : String(value);
      fields[`r1_${key}`] = value === null ? '' : String(value);
    }
    Object.assign(fields, { r1_protocol: 'crps-10-day', r1_heartRateHigh: '140', r1_escalationMinutes: '2' });
    // Without the * row the save is refused, naming why.
    const refused = await admin.post(url, { ...fields, r0_protocol: 'booster-4h' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Keep one row for *');
    expect((await admin.post(url, { ...fields, r1_systolicHigh: '' })).statusCode).toBe(303);

    await vitals(session, visit, { heart_rate: 140, systolic: 185, diastolic: 90 });
    // The protocol's row: heart rate from 140, and no systolic limit (left blank); the rise from 120 still alerts.
    expect((await afterVitals(session)).map((a) => a.code).sort()).toEqual(['heartRateHigh', 'systolicRise']);
    rt().clock.advance(2 * MIN);
    expect(await escalateWaitingAlerts(rt().database, rt().clock.now())).toBe(2);
  });

  it('raises an overdue alert by reading the page once the interval and the grace have passed, with no new reading', async () => {
    // First hour every 15 minutes, 5 minutes' grace: started 20 minutes ago, the first reading is at the edge.
    const { visit, session } = await infusing(20);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    rt().clock.current -= 30_000; // undo the sign-in's step: exactly at due + grace
    await nurse.get(pageOf(visit, session));
    expect(await alertsOf(session)).toEqual([]);
    rt().clock.advance(60_000);
    const page = await nurse.get(pageOf(visit, session));
    const rows = await alertsOf(session);
    expect(rows.map((r) => r.code)).toEqual(['vitalsOverdue']);
    expect(page.body).toContain('Vitals overdue: a reading was due at 10:25 AM');
    // Read again: still one.
    await nurse.get(pageOf(visit, session));
    expect((await alertsOf(session)).length).toBe(1);
  });

  it('raises an overdue alert on the server’s own run, with nobody on the page', async () => {
    const { session } = await infusing(20);
    rt().clock.advance(60_000);
    expect(await alertsOf(session)).toEqual([]);
    await rt().escalations.runOnce();
    expect((await alertsOf(session)).map((r) => r.code)).toEqual(['vitalsOverdue']);
    await rt().escalations.runOnce();
    expect((await alertsOf(session)).length).toBe(1);
  });
});

async function openAlert() {
  const { visit, session } = await infusing();
  await vitals(session, visit, { spo2: 85 });
  await afterVitals(session);
  const [alert] = await alertsOf(session);
  return { visit, session, alert: alert! };
}

describe('acknowledging an alert', () => {
  it('needs the action taken, keeps it as text, and is refused a second time', async () => {
    const { visit, session, alert } = await openAlert();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(pageOf(visit, session));
    expect(page.body).toContain('SpO₂ 85 % at');
    const version = (await findSession(db(), session))!.version;
    const url = `${pageOf(visit, session)}/alerts/${alert.id}/acknowledge`;
    const form = { _csrf: csrfFrom(page.body), version: String(version) };

    const empty = await nurse.post(url, { ...form, action: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Action taken: say what you did');
    expect(empty.body).toContain(`id="action-${alert.id}-error"`);
    expect((await alertsOf(session))[0]!.acknowledged_at).toBeNull();
    expect((await findSession(db(), session))!.version).toBe(version);

    const done = await nurse.post(url, { ...form, action: 'Oxygen 2 L <b>on</b>, SpO₂ back to 96' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${pageOf(visit, session)}?saved=alert-acknowledged`);
    const [row] = await alertsOf(session);
    expect(row!.action).toBe('Oxygen 2 L <b>on</b>, SpO₂ back to 96');
    expect(row!.acknowledged_by).toBe(visit.nurseId);
    // Not strict on the version (the form was from before), but it moves the version on like every change.
    expect((await findSession(db(), session))!.version).toBe(version + 1);
    const after = await nurse.get(done.headers.location as string);
    expect(after.body).toContain('The alert is acknowledged');
    expect(after.body).toContain('Oxygen 2 L &lt;b&gt;on&lt;/b&gt;');
    expect(after.body).not.toContain('open alert');

    const provider = await signIn(rt(), 'provider@relief.example');
    const again = await provider.post(url, {
      _csrf: csrfFrom((await provider.get(pageOf(visit, session))).body),
      version: String(version + 1),
      action: 'Seen',
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Nia Brooks already acknowledged this alert');
    expect((await alertsOf(session))[0]!.action).toBe('Oxygen 2 L <b>on</b>, SpO₂ back to 96');
    expect((await findSession(db(), session))!.version).toBe(version + 1);
    const audits = await db()
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'session.alert.acknowledge')
      .where('outcome', '=', 'success')
      .execute();
    expect(audits.length).toBe(1);
    expect(String(audits[0]!.detail)).not.toContain('Oxygen');
  });

  it('is refused to the front desk, and for an alert of another session', async () => {
    const { visit, session, alert } = await openAlert();
    const other = await infusing(10, 'Maya');
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const deskPage = await desk.get('/staff');
    const url = `${pageOf(visit, session)}/alerts/${alert.id}/acknowledge`;
    const r = await desk.post(url, { _csrf: csrfFrom(deskPage.body), version: '3', action: 'x' });
    expect(r.statusCode).toBe(403);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(pageOf(other.visit, other.session));
    const wrong = await nurse.post(`${pageOf(other.visit, other.session)}/alerts/${alert.id}/acknowledge`, {
      _csrf: csrfFrom(page.body),
      version: '3',
      action: 'x',
    });
    expect(wrong.statusCode).toBe(404);
    expect((await alertsOf(session))[0]!.acknowledged_at).toBeNull();
  });
});

describe('escalation', () => {
  it('escalates once to the supervising provider after N minutes, however often it runs, with an email naming no patient', async () => {
    const { visit, session, alert } = await openAlert();
    await db()
      .updateTable('appointments')
      .set({ supervisor_id: 'prov-okafor' })
      .where('id', '=', visit.appointmentId)
      .execute();
    rt().clock.advance(5 * MIN - 1);
    expect(await escalateWaitingAlerts(rt().database, rt().clock.now())).toBe(0);
    rt().clock.advance(1);
    // Two servers' ticks at once, and a third after: one escalation.
    const runs = await Promise.all([
      escalateWaitingAlerts(rt().database, rt().clock.now()),
      rt().escalations.runOnce(),
    ]);
    expect(runs[0] + runs[1]).toBe(1);
    expect(await escalateWaitingAlerts(rt().database, rt().clock.now())).toBe(0);
    const [row] = await alertsOf(session);
    expect(row!.escalated_to).toBe(visit.providerId);
    expect(Number(row!.escalated_at)).toBe(rt().clock.now());
    expect(row!.id).toBe(alert.id);

    const before = rt().mail.sent.length;
    await rt().worker.runOnce();
    const mails = rt().mail.sent.slice(before);
    expect(mails.length).toBe(1);
    const mail = mails[0]!;
    expect(mail.to).toBe('provider@relief.example');
    expect(mail.subject).toBe('An alert at Chicago – River North, Chair 1 is waiting');
    expect(mail.text).toContain(`http://relief.test${pageOf(visit, session)}`);
    expect(`${mail.subject} ${mail.text} ${mail.html}`).not.toMatch(/Rosa|SpO|ketamine|oxygen/i);
    expect(`${mail.subject} ${mail.text}`).not.toMatch(/\b85\b/);

    // Filed by the server itself, with ids only.
    const audit = await db()
      .selectFrom('audit_events')
      .select(['actor_role', 'detail'])
      .where('action', '=', 'session.alert.escalate')
      .execute();
    expect(audit.map((a) => a.actor_role)).toEqual(['system']);
    expect(String(audit[0]!.detail)).toContain(alert.id);

    // The page says so.
    const nurse = await signIn(rt(), 'nurse@relief.example');
    expect((await nurse.get(pageOf(visit, session))).body).toContain('to Amara Okafor at');
  });

  it('without a supervisor with an account, goes to the prescriber; reading the page escalates too; an acknowledged alert never does', async () => {
    const { visit, session } = await openAlert();
    await db()
      .updateTable('appointments')
      .set({ supervisor_id: 'prov-lindqvist' })
      .where('id', '=', visit.appointmentId)
      .execute();
    const second = await openAlert();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(pageOf(second.visit, second.session));
    await nurse.post(`${pageOf(second.visit, second.session)}/alerts/${second.alert.id}/acknowledge`, {
      _csrf: csrfFrom(page.body),
      version: '3',
      action: 'Repositioned the probe',
    });
    rt().clock.advance(5 * MIN);
    await nurse.get(pageOf(visit, session));
    const [row] = await alertsOf(session);
    expect(row!.escalated_to).toBe(visit.providerId);
    expect((await alertsOf(second.session))[0]!.escalated_at).toBeNull();
    expect(await escalateWaitingAlerts(rt().database, rt().clock.now())).toBe(0);
    const jobs = await db()
      .selectFrom('outbox')
      .select('kind')
      .where('kind', '=', 'session_alert_escalation')
      .execute();
    expect(jobs.length).toBe(1);
    // Acknowledged before the email went out: the email is dropped, not sent about an alert already seen to.
    const [first] = await alertsOf(session);
    const again = await nurse.get(pageOf(visit, session));
    const ack = await nurse.post(`${pageOf(visit, session)}/alerts/${first!.id}/acknowledge`, {
      _csrf: csrfFrom(again.body),
      version: '3',
      action: 'Probe refitted',
    });
    expect(ack.statusCode).toBe(303);
    const before = rt().mail.sent.length;
    await rt().worker.runOnce();
    expect(rt().mail.sent.length).toBe(before);
  });

  it('runs by itself on the server’s timer', async () => {
    const { session } = await openAlert();
    rt().clock.advance(5 * MIN);
    const log = { info: () => {}, error: () => {} };
    const task = new AlertEscalations({ database: rt().database, now: rt().clock.now, log, everyMs: 20 });
    task.start();
    try {
      await expect.poll(async () => (await alertsOf(session))[0]!.escalated_at, { timeout: 5000 }).not.toBeNull();
    } finally {
      await task.stop();
    }
  });
});
