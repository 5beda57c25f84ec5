import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { raiseAlert } from '../../src/clinical/service.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { GOOD_CHECKLIST, postSessionForm, signConsent, onTheDay } from '../helpers/checkin.ts';
import { activePlanFixture, clinicalPatientFixture, userId, weightFixture } from '../helpers/clinical-orders.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { formFields } from '../helpers/forms.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

/**
 * The safety flags (issue 13 §3): each rule raised in the transaction of what caused it (a lab result, a PDMP check,
 * the check-in's answers, a dose order verified) or by the sweep (a missed follow-up), on the providers' worklist;
 * closed only by a provider with an assessment and an action; every look and change audited with ids and codes.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

const flagsOf = (patientId: string) =>
  db().selectFrom('clinical_alerts').selectAll().where('patient_id', '=', patientId).orderBy('raised_at').execute();

async function recordPost(b: Browser, patientId: string, path: string, fields: Record<string, string>) {
  const page = await b.get(`/staff/patients/${patientId}/clinical`);
  return b.post(`/staff/patients/${patientId}/clinical/${path}`, { _csrf: csrfFrom(page.body), ...fields });
}

async function flagPost(b: Browser, id: string, verb: 'take' | 'close', fields: Record<string, string> = {}) {
  const page = await b.get(`/staff/safety/${id}`);
  return b.post(`/staff/safety/${id}/${verb}`, { _csrf: csrfFrom(page.body), ...fields });
}

describe(`safety flags (${engine})`, () => {
  it('a liver result at 3 × ULN raises an urgent flag that holds infusions, in the result’s transaction; just under does not', async () => {
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Lena' });
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const under = await recordPost(nurse, patient, 'labs', {
      lab_test: 'alt',
      lab_value: '119',
      lab_unit: 'U/L',
      lab_uln: '40',
    });
    expect(under.statusCode).toBe(303);
    expect(await flagsOf(patient)).toEqual([]);
    const seq = await lastSeq(rt());
    const at = await recordPost(nurse, patient, 'labs', {
      lab_test: 'alt',
      lab_value: '120',
      lab_unit: 'U/L',
      lab_uln: '40',
    });
    expect(at.statusCode).toBe(303);
    const flags = await flagsOf(patient);
    expect(flags.map((f) => [f.kind, f.level, Number(f.holds), f.source])).toEqual([
      ['liver', 'urgent', 1, 'lab result'],
    ]);
    const result = await db()
      .selectFrom('lab_results')
      .select('id')
      .where('value', '=', 120)
      .where('patient_id', '=', patient)
      .executeTakeFirstOrThrow();
    expect(flags[0]!.source_id).toBe(result.id);
    expect(JSON.parse(flags[0]!.detail!)).toEqual({ test: 'alt', timesUpperLimit: 3 });
    const events = await eventsAfter(rt(), seq);
    const raise = events.find((e) => e.action === 'alert.raise');
    expect(raise).toMatchObject({ outcome: 'success', patient_ref: patient });
    expect(raise!.detail).toMatchObject({ kind: 'liver', holds: true, level: 'urgent' });
    // The providers of the location are told, with no PHI in the job.
    const jobs = await db().selectFrom('outbox').selectAll().where('kind', '=', 'safety_review').execute();
    expect(jobs.some((j) => j.dedupe_key?.includes(flags[0]!.id))).toBe(true);
    // Saving another result does not raise the same record again.
    await recordPost(nurse, patient, 'labs', { lab_test: 'ast', lab_value: '20', lab_unit: 'U/L', lab_uln: '40' });
    expect(await flagsOf(patient)).toHaveLength(1);
  });

  it('the rules are data: an administrator edits the liver multiple on the settings page, and the next result is judged by it', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const url = '/staff/clinical-settings/safety-flag-rules';
    const page = await admin.get(url);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Safety flag rules');
    expect(text(page.body)).toContain('Noppers IM et al., Pain 2011');
    const fields = formFields(page.body, url);
    // The item-9 rule has thresholds and no switch: a suicide-risk answer always reaches a clinician.
    expect(Object.keys(fields).some((k) => k.endsWith('item9On'))).toBe(false);
    expect(Object.keys(fields).some((k) => k.endsWith('item9AlertAt'))).toBe(true);
    const key = Object.keys(fields).find((k) => k.endsWith('liverMultiple'))!;
    expect(fields[key]).toBe('3');
    const saved = await admin.post(url, { ...fields, [key]: '5', source: 'Medical director, December 2026' });
    expect(saved.statusCode, text(saved.body).slice(0, 1500)).toBe(303);
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Vera' });
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await recordPost(nurse, patient, 'labs', { lab_test: 'ast', lab_value: '199', lab_unit: 'U/L', lab_uln: '40' });
    expect(await flagsOf(patient)).toEqual([]);
    await recordPost(nurse, patient, 'labs', { lab_test: 'ast', lab_value: '200', lab_unit: 'U/L', lab_uln: '40' });
    const flags = await flagsOf(patient);
    expect(flags.map((f) => f.kind)).toEqual(['liver']);
    // The flag keeps the finding: the result as a multiple of its upper limit.
    expect(JSON.parse(flags[0]!.detail!)).toEqual({ test: 'ast', timesUpperLimit: 5 });
  });

  it('a PDMP check with concerns raises a substance-use flag; one without concerns does not', async () => {
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Pia' });
    const provider = await signIn(rt(), 'provider@relief.example');
    expect((await recordPost(provider, patient, 'pdmp', { pdmp_result: 'no_concerns' })).statusCode).toBe(303);
    expect(await flagsOf(patient)).toEqual([]);
    const res = await recordPost(provider, patient, 'pdmp', {
      pdmp_result: 'concerns',
      pdmp_note: 'Two prescribers of benzodiazepines this quarter',
    });
    expect(res.statusCode).toBe(303);
    expect((await flagsOf(patient)).map((f) => [f.kind, f.source, Number(f.holds)])).toEqual([
      ['substance_use', 'PDMP check', 0],
    ]);
  });

  it('urinary symptoms answered at a serial session’s check-in raise a flag in the checklist’s transaction', async () => {
    const visit = await orderedVisit(rt(), 'Uma');
    // The urinary screen is asked from the second session of a plan.
    await db()
      .updateTable('plan_sessions')
      .set({ number: 2 })
      .where('appointment_id', '=', visit.appointmentId)
      .execute();
    await signConsent(rt(), visit.patientId);
    onTheDay(rt(), visit);
    const session = await checkedInSession(rt(), visit);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const none = await postSessionForm(nurse, visit, session, 'checklist', {
      ...GOOD_CHECKLIST,
      u1: 'no',
      u2: 'no',
      u3: 'no',
    });
    expect(none.statusCode, none.body.slice(0, 800)).toBe(303);
    expect(await flagsOf(visit.patientId)).toEqual([]);
    const yes = await postSessionForm(nurse, visit, session, 'checklist', {
      ...GOOD_CHECKLIST,
      u1: 'yes',
      u2: 'no',
      u3: 'yes',
    });
    expect(yes.statusCode).toBe(303);
    const flags = await flagsOf(visit.patientId);
    expect(flags.map((f) => [f.kind, f.source, f.source_id])).toEqual([['urinary', 'check-in', session]]);
    expect(JSON.parse(flags[0]!.detail!)).toEqual({ yes: 2 });
  });

  it('a dose order verified after mg/kg rose by more than 20 % over 3 sessions with pain not lower raises dose escalation', async () => {
    const providerId = await userId(rt(), 'provider@relief.example');
    const nurseId = await userId(rt(), 'nurse@relief.example');
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Eli' });
    const weightId = await weightFixture(rt(), patient, nurseId, 70);
    const { plan, appointments } = await activePlanFixture(rt(), patient, providerId, 'crps-10-day', 3);
    const now = rt().clock.now();
    const order = async (appointment: string, totalMg: number, verified: boolean) => {
      const id = randomUUID();
      await db()
        .insertInto('dose_orders')
        .values({
          id,
          plan_id: plan,
          plan_version: 1,
          appointment_id: appointment,
          patient_id: patient,
          weight_id: weightId,
          weight_kg: 70,
          bag_mg: 100,
          bag_ml: 100,
          session_hours: 4,
          mg_per_kg_h: totalMg / 70 / 4,
          bolus_mg_per_kg: 0,
          pump_rate_ml_h: totalMg / 4,
          mg_per_hour: totalMg / 4,
          session_total_mg: totalMg,
          calculation: '[]',
          ordered_by: providerId,
          ordered_at: now,
          status: 'ordered',
          verified_by: null,
          verified_at: null,
          voided_at: null,
          void_reason: null,
        })
        .execute();
      if (verified) {
        await db()
          .insertInto('dose_checks')
          .values({
            id: randomUUID(),
            order_id: id,
            ordered_by: providerId,
            nurse_id: nurseId,
            entered: '{}',
            match: 1,
            checked_at: now,
          })
          .execute();
        await db()
          .updateTable('dose_orders')
          .set({ status: 'verified', verified_by: nurseId, verified_at: now })
          .where('id', '=', id)
          .execute();
      }
      return id;
    };
    await order(appointments[0]!, 70, true); // 1.0 mg/kg
    await order(appointments[1]!, 77, true); // 1.1 mg/kg
    const third = await order(appointments[2]!, 98, false); // 1.4 mg/kg: 40 % over the first
    expect(await flagsOf(patient)).toEqual([]);
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const url = `/staff/patients/${patient}/dose-orders/${third}`;
    const page = await nurse.get(url);
    expect(page.statusCode, page.body.slice(0, 400)).toBe(200);
    const res = await nurse.post(`${url}/verify`, {
      _csrf: csrfFrom(page.body),
      weight: '70',
      unit: 'kg',
      bag_mg: '100',
      bag_ml: '100',
    });
    expect(res.statusCode, text(res.body).slice(0, 800)).toBe(303);
    const flags = await flagsOf(patient);
    expect(flags.map((f) => [f.kind, f.source, f.source_id, Number(f.holds)])).toEqual([
      ['dose_escalation', 'dose order', third, 0],
    ]);
    expect(JSON.parse(flags[0]!.detail!)).toMatchObject({ risePercent: 40, sessions: 3 });
  });

  it('a missed follow-up after a session with an alert is raised by the sweep (filed as the system); after a quiet session it is not', async () => {
    const nurseId = await userId(rt(), 'nurse@relief.example');
    const providerId = await userId(rt(), 'provider@relief.example');
    const make = async (first: string, alert: boolean) => {
      const patient = await clinicalPatientFixture(rt(), { first_name: first });
      const { appointments } = await activePlanFixture(rt(), patient, providerId, 'crps-10-day', 2);
      const visit = { patientId: patient, appointmentId: appointments[0]!, nurseId } as OrderedVisit;
      const session = await checkedInSession(rt(), visit);
      if (alert)
        await db()
          .insertInto('session_alerts')
          .values({
            id: randomUUID(),
            session_id: session,
            key: `k-${session}`,
            code: 'spo2_low',
            kind: 'absolute',
            detail: '{}',
            raised_at: rt().clock.now(),
            acknowledged_at: null,
            acknowledged_by: null,
            action: null,
            escalated_at: null,
            escalated_to: null,
          })
          .execute();
      // The next visit not attended.
      await db()
        .updateTable('appointments')
        .set({ attendance: 'no_show' })
        .where('id', '=', appointments[1]!)
        .execute();
      return { patient, noShow: appointments[1]! };
    };
    const alerted = await make('Mona', true);
    const quiet = await make('Quinn', false);
    const provider = await signIn(rt(), 'provider@relief.example');
    const seq = await lastSeq(rt());
    const page = await provider.get('/staff/safety?kind=missed_follow_up');
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Mona Vega');
    expect(text(page.body)).not.toContain('Quinn Vega');
    const flags = await flagsOf(alerted.patient);
    expect(flags.map((f) => [f.kind, f.source, f.source_id])).toEqual([
      ['missed_follow_up', 'appointment', alerted.noShow],
    ]);
    expect(await flagsOf(quiet.patient)).toEqual([]);
    const raise = (await eventsAfter(rt(), seq)).find((e) => e.action === 'alert.raise');
    expect(raise).toMatchObject({ actor_id: null, actor_role: 'system', patient_ref: alerted.patient });
    // A second look raises nothing new.
    await provider.get('/staff/safety');
    expect(await flagsOf(alerted.patient)).toHaveLength(1);

    // A questionnaire missed after a session whose check-in raised an alert (item 9) is a missed follow-up too.
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Nia' });
    const { appointments, plan } = await activePlanFixture(rt(), patient, providerId, 'crps-10-day', 1);
    const session = await checkedInSession(rt(), {
      patientId: patient,
      appointmentId: appointments[0]!,
      nurseId,
    } as OrderedVisit);
    await rt().database.transact((trx) =>
      raiseAlert(trx, {
        patientId: patient,
        locationId: 'loc-chicago',
        kind: 'phq9_item9',
        source: 'check_in',
        sourceId: session,
        level: 'alert',
        now: rt().clock.now(),
      }),
    );
    const questionnaire = randomUUID();
    const now = rt().clock.now();
    await db()
      .insertInto('questionnaires')
      .values({
        id: questionnaire,
        patient_id: patient,
        location_id: 'loc-chicago',
        plan_id: plan,
        protocol_id: null,
        appointment_id: null,
        schedule_key: `plan:${plan}:week_1`,
        timepoint: 'week_1',
        instruments: '[]',
        opens_at: now + 86_400_000,
        closes_at: now + 8 * 86_400_000,
        status: 'missed',
        sent_at: null,
        reminded_at: null,
        completed_at: null,
        entered_by: null,
        pain_now: null,
        pain_average: null,
        pain_worst: null,
        phq9_total: null,
        phq9_item9: null,
        gad7_total: null,
        interference: null,
        pgic: null,
        pgic_label: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await provider.get('/staff/safety');
    expect(
      (await flagsOf(patient)).filter((f) => f.kind === 'missed_follow_up').map((f) => [f.source, f.source_id]),
    ).toEqual([['questionnaire', questionnaire]]);
  });

  it('closing: providers only, an assessment and an action required (400 naming each), audited without the text; once', async () => {
    const patient = await clinicalPatientFixture(rt(), { first_name: 'Cara' });
    const provider = await signIn(rt(), 'provider@relief.example');
    await recordPost(provider, patient, 'pdmp', { pdmp_result: 'concerns', pdmp_note: 'Early refills of opioids' });
    const [flag] = await flagsOf(patient);
    // Nurses, front desk and administrators do not see the safety worklist.
    for (const email of ['nurse@relief.example', 'frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      expect((await b.get('/staff/safety')).statusCode, email).toBe(403);
      expect((await b.get(`/staff/safety/${flag!.id}`)).statusCode, email).toBe(403);
      expect(
        (await b.post(`/staff/safety/${flag!.id}/close`, { assessment: 'x'.repeat(20), action: 'no_change' }))
          .statusCode,
        email,
      ).toBe(403);
    }
    // The nurse's old worklist points to the safety worklist and refuses to close a flag there.
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const old = await nurse.get('/staff/worklist');
    expect(old.body).toContain(`/staff/safety/${flag!.id}`);
    expect(
      (
        await nurse.post(`/staff/worklist/${flag!.id}/resolve`, {
          _csrf: csrfFrom(old.body),
          assessment: 'Reviewed with the patient today.',
        })
      ).statusCode,
    ).toBe(403);

    const list = await provider.get('/staff/safety');
    expect(text(list.body)).toContain('Cara Vega');
    expect(text(list.body)).toContain('Substance-use concern recorded');
    expect(text(list.body)).toMatch(/No one yet Open/);

    const seq = await lastSeq(rt());
    const taken = await flagPost(provider, flag!.id, 'take');
    expect(taken.statusCode).toBe(303);
    expect(text((await provider.get('/staff/safety')).body)).toMatch(/Amara Okafor In review/);

    const missing = await flagPost(provider, flag!.id, 'close', { assessment: 'short', action: '' });
    expect(missing.statusCode).toBe(400);
    const shown = text(missing.body);
    expect(shown).toContain('Assessment: write what was assessed and decided (at least 10 characters)');
    expect(shown).toContain('Action taken: choose what was done');
    expect((await flagsOf(patient))[0]!.resolved_at).toBeNull();

    const assessment = 'Discussed the PDMP report with the patient; referred to addiction medicine.';
    const closed = await flagPost(provider, flag!.id, 'close', { assessment, action: 'referred' });
    expect(closed.statusCode).toBe(303);
    const row = (await flagsOf(patient))[0]!;
    expect([row.action, row.assessment, row.resolved_by !== null]).toEqual(['referred', assessment, true]);
    const again = await provider.post(`/staff/safety/${flag!.id}/close`, {
      _csrf: csrfFrom(list.body),
      assessment,
      action: 'no_change',
    });
    expect(again.statusCode).toBe(409);

    const events = await eventsAfter(rt(), seq);
    expect(
      events
        .map((e) => [e.action, e.outcome])
        .filter(([a]) => String(a).startsWith('safety.flag_') && a !== 'safety.flag_view'),
    ).toEqual([
      ['safety.flag_take', 'success'],
      ['safety.flag_close', 'success'],
      ['safety.flag_close', 'failure'],
    ]);
    const close = events.find((e) => e.action === 'safety.flag_close' && e.outcome === 'success')!;
    expect(close.detail).toMatchObject({ alertId: flag!.id, kind: 'substance_use', action: 'referred' });
    expect(JSON.stringify(events)).not.toContain('addiction medicine');
    expect(text((await provider.get('/staff/safety?state=closed')).body)).toContain('Cara Vega');
    // The next check re-reads the record: the closed flag's check does not raise it again.
    expect((await recordPost(provider, patient, 'pdmp', { pdmp_result: 'no_concerns' })).statusCode).toBe(303);
    expect(await flagsOf(patient)).toHaveLength(1);
  });

  it('filters by location, kind and state, refusing an unknown value by name; a flag elsewhere is 404 with a denied event', async () => {
    const provider = await signIn(rt(), 'provider@relief.example');
    const bad = await provider.get('/staff/safety?location=loc-denver&kind=nonsense&state=gone');
    expect(bad.statusCode).toBe(400);
    const shown = text(bad.body);
    expect(shown).toContain('Location: choose one of your locations, or all.');
    expect(shown).toContain('Kind: choose a kind from the list, or all.');
    expect(shown).toContain('State: open, in review, closed, or all open.');

    const denver = await clinicalPatientFixture(rt(), { first_name: 'Dana', location_id: 'loc-denver' });
    const id = await rt().database.transact(
      async (trx) =>
        (
          await raiseAlert(trx, {
            patientId: denver,
            locationId: 'loc-denver',
            kind: 'urinary',
            source: 'check-in',
            sourceId: randomUUID(),
            level: 'alert',
            now: rt().clock.now(),
          })
        ).id,
    );
    expect(text((await provider.get('/staff/safety')).body)).not.toContain('Dana Vega');
    const seq = await lastSeq(rt());
    expect((await provider.get(`/staff/safety/${id}`)).statusCode).toBe(404);
    const denied = (await eventsAfter(rt(), seq)).filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => [e.action, e.patient_ref])).toEqual([['safety.flag_view', denver]]);

    const chicago = await clinicalPatientFixture(rt(), { first_name: 'Kim' });
    await recordPost(provider, chicago, 'pdmp', { pdmp_result: 'concerns', pdmp_note: 'Unexplained early refill' });
    expect(text((await provider.get('/staff/safety?kind=liver')).body)).not.toContain('Kim Vega');
    expect(text((await provider.get('/staff/safety?kind=substance_use&location=loc-chicago')).body)).toContain(
      'Kim Vega',
    );
    expect(text((await provider.get('/staff/safety?state=in_review')).body)).not.toContain('Kim Vega');
    // The look names the patients shown (ids, no names), so an auditor can tell who was seen.
    const before = await lastSeq(rt());
    await provider.get('/staff/safety?kind=substance_use');
    const looks = (await eventsAfter(rt(), before)).filter((e) => e.action === 'safety.worklist_view');
    expect(looks.map((e) => e.detail)).toEqual([
      { shown: 1, state: 'active', kind: 'substance_use', patientsShown: 1, patients: chicago },
    ]);
  });

  it('rates: adverse events (grade 2 and worse) and alerts per 100 sessions by month, with a chart and a table; providers only', async () => {
    const visit = await orderedVisit(rt(), 'Rita');
    onTheDay(rt(), visit, -10);
    const { infusingSession } = await import('../helpers/sessions.ts');
    const session = await infusingSession(rt(), visit);
    const effect = (grade: number) =>
      db()
        .insertInto('session_side_effects')
        .values({
          id: randomUUID(),
          session_id: session,
          effect: 'nausea',
          grade,
          action: 'none',
          at: rt().clock.now(),
          recorded_by: visit.nurseId,
          recorded_at: rt().clock.now(),
        })
        .execute();
    await effect(1);
    await effect(2);
    // A flag raised on the worklist this month counts among the alerts, beside the session's own.
    await rt().database.transact((trx) =>
      raiseAlert(trx, {
        patientId: visit.patientId,
        locationId: 'loc-chicago',
        kind: 'urinary',
        source: 'check-in',
        sourceId: session,
        level: 'alert',
        now: rt().clock.now(),
      }),
    );
    const provider = await signIn(rt(), 'provider@relief.example');
    const res = await provider.get('/staff/safety/rates');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<svg');
    const shown = text(res.body);
    // One session this month at Chicago: 1 adverse event (the grade-1 effect is not counted) = 100 per 100; no
    // in-session alert and 1 on the worklist = 100 alerts per 100.
    expect(shown).toContain('Chicago – River North: by month');
    expect(shown).toContain('March 2026 1 1 100 0 1 100');
    expect(shown).toContain('February 2026 0 0 — 0 0 —');
    expect(shown).toContain('every alert and safety flag raised on the worklist');
    expect((await (await signIn(rt(), 'admin@relief.example')).get('/staff/safety/rates')).statusCode).toBe(403);
  });
});
