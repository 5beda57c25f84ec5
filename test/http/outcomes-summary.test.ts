import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clinicalPatientFixture } from '../helpers/clinical-orders.ts';
import { engine, useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DAY = 86_400_000;

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;|&#8217;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
const summaryOf = (id: string) => `/staff/patients/${id}/summary`;
/** Every href of a page, in order. */
const links = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);

let keys = 0;
/** A complete questionnaire of the patient's plan, with the report columns its instruments fill. */
async function questionnaire(
  r: TestRuntime,
  visit: OrderedVisit,
  at: number,
  timepoint: string,
  scores: { pain_now: number; pain_average?: number; phq9_total?: number; phq9_item9?: number; gad7_total?: number },
) {
  const plan = await db()
    .selectFrom('treatment_plans')
    .select(['id', 'protocol_id'])
    .where('patient_id', '=', visit.patientId)
    .executeTakeFirstOrThrow();
  await r.database.db
    .insertInto('questionnaires')
    .values({
      id: randomUUID(),
      patient_id: visit.patientId,
      location_id: 'loc-chicago',
      plan_id: plan.id,
      protocol_id: plan.protocol_id,
      appointment_id: null,
      schedule_key: `test:${keys++}`,
      timepoint,
      instruments: '[]',
      opens_at: at - DAY,
      closes_at: at + DAY,
      status: 'complete',
      sent_at: at - DAY,
      reminded_at: null,
      completed_at: at,
      entered_by: null,
      pain_now: scores.pain_now,
      pain_average: scores.pain_average ?? null,
      pain_worst: null,
      phq9_total: scores.phq9_total ?? null,
      phq9_item9: scores.phq9_item9 ?? null,
      gad7_total: scores.gad7_total ?? null,
      interference: null,
      pgic: null,
      pgic_label: null,
      created_at: at - DAY,
      updated_at: at,
    })
    .execute();
}

/** Rosa: a CRPS diagnosis, the crps-10-day plan with tomorrow's infusion, three questionnaires and an open alert. */
async function rosa(): Promise<OrderedVisit> {
  const visit = await orderedVisit(rt(), 'Rosa');
  const now = rt().clock.now();
  await db()
    .insertInto('diagnoses')
    .values({
      id: randomUUID(),
      patient_id: visit.patientId,
      code: 'G90.512',
      label: 'Complex regional pain syndrome I of left upper limb',
      recorded_by: visit.providerId,
      recorded_at: now - 30 * DAY,
    })
    .execute();
  await db()
    .insertInto('clinical_profiles')
    .values({
      patient_id: visit.patientId,
      date_of_birth: '1984-03-12',
      sex: 'female',
      pregnancy_possible: 0,
      height_cm: 168,
      updated_by: visit.providerId,
      updated_at: now - 30 * DAY,
    })
    .execute();
  await questionnaire(rt(), visit, now - 20 * DAY, 'pre_session', { pain_now: 8, pain_average: 7 });
  await questionnaire(rt(), visit, now - 10 * DAY, 'week_1', {
    pain_now: 5,
    pain_average: 5,
    phq9_total: 15,
    gad7_total: 12,
  });
  await questionnaire(rt(), visit, now - 2 * DAY, 'week_4', {
    pain_now: 3,
    pain_average: 4,
    phq9_total: 12,
    phq9_item9: 1,
    gad7_total: 6,
  });
  await db()
    .insertInto('clinical_alerts')
    .values({
      id: randomUUID(),
      patient_id: visit.patientId,
      location_id: 'loc-chicago',
      kind: 'phq9_item9',
      source: 'questionnaire',
      source_id: null,
      level: 'alert',
      raised_at: now - 2 * DAY,
      resolved_by: null,
      resolved_at: null,
      assessment: null,
    })
    .execute();
  return visit;
}

const summaryEvents = () =>
  db()
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'patient_ref', 'detail', 'actor_role'])
    .where('action', '=', 'clinical.summary.view')
    .execute();

describe(`the patient's clinical summary (${engine})`, () => {
  it('shows the diagnosis, plan, latest scores, pain trend, open flags and next appointments in one audited read', async () => {
    const visit = await rosa();
    const b = await signIn(rt(), PROVIDER);
    const res = await b.get(summaryOf(visit.patientId));
    expect(res.statusCode).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Clinical summary · Rosa Vega');
    expect(page).toContain('G90.512 Complex regional pain syndrome I of left upper limb');
    expect(page).toContain('CRPS outpatient series, 4 h × 10 days');
    expect(page).toContain('Induction 0 of 10 given');
    expect(page).toMatch(/Next session Induction 1, \w{3}, \w{3} \d+, \d{4}/);
    expect(page).toContain('No infusion given yet.');
    // The latest PHQ-9 and GAD-7, not the earlier ones, with their bands.
    expect(page).toContain('PHQ-9 (depression) 12 of 27 , moderate');
    expect(page).toContain('GAD-7 (anxiety) 6 of 21 , mild');
    expect(page).toContain('Feb 28, 2026 (week 4)');
    // The trend: the outcomes chart with its table, and the response in one sentence (baseline = the first
    // pre-session average, 7; latest 4 at week 4: 3 lower, 43 %, moderate).
    expect(res.body).toContain('id="summary-chart-caption"');
    expect(page).toMatch(/Before session .* Week 1 .* Week 4/);
    expect(page).toContain('Baseline pain (average) 7 ; latest 4 (week 4,');
    expect(page).toContain('3 lower, 43 % relief · Moderate');
    // The response's classes are a definition: its unverified defaults are said so beside it.
    expect(page).toContain('UNVERIFIED defaults');
    expect(page).toContain('Born March 12, 1984 · As of Monday, March 2, 2026');
    expect(page).toContain('Alert: PHQ-9 item 9');
    expect(page).toContain('from a questionnaire');
    expect(page).toMatch(/Next appointments \w{3}, \w{3} \d+, \d{4}, 10:00 AM C[SD]T : Infusion/);
    // Front desk and administrators have no way in, even knowing the address.
    const [event] = await summaryEvents();
    expect(event).toMatchObject({ outcome: 'success', patient_ref: visit.patientId, actor_role: 'provider' });
    expect(JSON.stringify(event?.detail)).not.toMatch(/Rosa|Vega|G90/);
    expect(JSON.parse(String(event?.detail))).toMatchObject({ diagnoses: 1, ratings: 3, alerts: 1, appointments: 1 });
  });

  it('shows where the patient is in the plan and the latest dose once an infusion has started', async () => {
    const visit = await rosa();
    rt().clock.current = visit.startsAt + 30 * 60_000;
    await infusingSession(rt(), visit, visit.startsAt + 5 * 60_000);
    const b = await signIn(rt(), NURSE);
    const page = text((await b.get(summaryOf(visit.patientId))).body);
    expect(page).toContain('Induction 1 of 10 given');
    expect(page).toContain('0.35 mg/kg/h over 4 h, 98 mg for the session (at 70 kg)');
    expect(page).toContain('Next session None booked');
    // Tomorrow's visit is under way, not ahead: it is no longer listed as next.
    expect(page).toContain('Next appointments None booked.');
  });

  it('takes no pain baseline from a before-session rating completed after the first infusion started', async () => {
    const visit = await orderedVisit(rt(), 'Tova');
    const start = rt().clock.now() - 20 * DAY;
    await infusingSession(rt(), visit, start);
    // Session 2's before-session rating, then a follow-up: neither is before treatment.
    await questionnaire(rt(), visit, start + 2 * DAY, 'pre_session', { pain_now: 7, pain_average: 7 });
    await questionnaire(rt(), visit, start + 9 * DAY, 'week_1', { pain_now: 3, pain_average: 3 });
    const page = text((await (await signIn(rt(), PROVIDER)).get(summaryOf(visit.patientId))).body);
    expect(page).toContain(
      'No baseline pain: neither the intake nor a questionnaire completed before the first infusion rated it',
    );
    expect(page).not.toContain('Baseline pain (average) 7');
  });

  it('is for nurses and providers of the patient’s locations only: others get 403 or 404, the denial audited', async () => {
    const visit = await rosa();
    for (const email of ['frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      const res = await b.get(summaryOf(visit.patientId));
      expect(res.statusCode, email).toBe(403);
      expect(res.body).not.toContain('G90.512');
    }
    const denver = await clinicalPatientFixture(rt(), { first_name: 'Dana', location_id: 'loc-denver' });
    const b = await signIn(rt(), PROVIDER);
    const res = await b.get(summaryOf(denver));
    expect(res.statusCode).toBe(404);
    expect(await summaryEvents()).toEqual([
      expect.objectContaining({ outcome: 'denied', patient_ref: denver, actor_role: 'provider' }),
    ]);
    for (const bad of ['not-a-uuid', randomUUID(), '%3Cscript%3E'])
      expect((await b.get(summaryOf(bad))).statusCode, bad).toBe(404);
  });

  it('prints for a referring physician: the print stylesheet drops the staff chrome and keeps the chart', async () => {
    const visit = await rosa();
    const b = await signIn(rt(), PROVIDER);
    const page = (await b.get(summaryOf(visit.patientId))).body;
    expect(page).toContain('class="print-hint"');
    const css = links(page).find((l) => l.startsWith('/assets/site.css'));
    expect(css).toBeDefined();
    const sheet = (await b.get(css!)).body;
    const print = [...sheet.matchAll(/@media print \{([\s\S]*?)\n\}/g)].map((m) => m[1]).join('\n');
    expect(print).toMatch(/\.site-header/);
    expect(print).toMatch(/\.clinical-tabs/);
    expect(print).toMatch(/\.clinical-summary[\s\S]*#000000/);
    expect(print).toMatch(/\.clinical-summary \.chart \{\s*min-width: 0;/);
  });

  it('is two clicks from the provider’s first page: Patients, then the patient in treatment', async () => {
    const visit = await rosa();
    const b = await signIn(rt(), PROVIDER);
    let res = await b.get('/staff');
    expect(res.statusCode).toBe(303);
    res = await b.get(String(res.headers.location));
    expect(res.statusCode).toBe(200);
    // Click 1: Patients, from the menu.
    const patients = links(res.body).find((l) => l === '/staff/patients');
    expect(patients).toBeDefined();
    res = await b.get(patients!);
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain('In treatment at your locations');
    // Click 2: the patient, straight to the summary and its pain chart.
    const summary = links(res.body).find((l) => l.includes(visit.patientId));
    expect(summary).toBe(summaryOf(visit.patientId));
    res = await b.get(summary!);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="summary-chart-title"');
    // The list's look is audited with the ids of the patients shown, and the front desk sees no list at all.
    const list = await db()
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'clinical.treatment.list')
      .execute();
    expect(list.map((e) => JSON.parse(String(e.detail)) as unknown)).toEqual([
      { listed: 1, patientsShown: 1, patients: visit.patientId },
    ]);
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const deskPage = (await desk.get('/staff/patients')).body;
    expect(deskPage).not.toContain('In treatment');
    expect(deskPage).not.toContain(visit.patientId);
  });
});
