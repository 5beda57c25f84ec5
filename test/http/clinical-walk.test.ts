import { describe, expect, it } from 'vitest';
import { consentCurrent, currentScreening, isEligibleNow } from '../../src/clinical/service.ts';
import { readIntakeAnswers } from '../../src/clinical/intake/answers.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';
import { seedWalkPatient, WALK_PATIENT } from '../../src/seed/demo-walk.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { formFields } from '../helpers/forms.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, demoAccount, signIn, type Browser } from '../helpers/staff.ts';

/**
 * The demo patient a newcomer walks (README, "Walk the clinical core"): seeded part-way — consultation held, intake
 * submitted with every consent signed, record with today's weight, screening signed eligible, no plan — and then
 * walked over HTTP exactly as the README says: the provider writes and signs the plan, books the series and orders
 * the first dose; the nurse checks it blind and it is verified.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const code = (email: string) => totpCode(demoAccount(email).totp, rt().clock.now());

async function seedAll() {
  // Wednesday 4 March 2026, 14:00 in Chicago: the week's visits are partly over.
  rt().clock.set('2026-03-04T20:00:00.000Z');
  await seedDemoProtocols(rt().database, rt().clock.now());
  await seedDemoVisits(rt().database, rt().clock.now());
  expect(await seedWalkPatient(rt().database, rt().clock.now())).toBe(true);
  const patient = await db()
    .selectFrom('patients')
    .selectAll()
    .where('email', '=', WALK_PATIENT.email)
    .executeTakeFirstOrThrow();
  return patient.id;
}

async function post(b: Browser, page: string, action: string, fields: Record<string, string>) {
  const res = await b.get(page);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return b.post(action, { _csrf: csrfFrom(res.body), ...fields });
}

describe(`the demo patient of the clinical walk (${engine})`, () => {
  it('is seeded once, part-way: consultation held, intake and consent, record, a signed eligible screening, no plan', async () => {
    const id = await seedAll();
    const provider = await db()
      .selectFrom('users')
      .select('id')
      .where('email', '=', PROVIDER)
      .executeTakeFirstOrThrow();
    const nurse = await db().selectFrom('users').select('id').where('email', '=', NURSE).executeTakeFirstOrThrow();
    const now = rt().clock.now();

    const visits = await db()
      .selectFrom('appointments')
      .innerJoin('appointment_types as t', 't.id', 'appointments.type_id')
      .select(['t.kind', 'appointments.ends_at', 'appointments.attendance', 'appointments.location_id'])
      .where('patient_id', '=', id)
      .execute();
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ kind: 'consultation', attendance: 'arrived', location_id: 'loc-chicago' });
    expect(Number(visits[0]!.ends_at)).toBeLessThan(now);

    const intakes = await db().selectFrom('intakes').selectAll().where('patient_id', '=', id).execute();
    expect(intakes).toHaveLength(1);
    expect(intakes[0]!.status).toBe('submitted');
    const answers = readIntakeAnswers(intakes[0]!.answers);
    expect(answers.phq9?.q9).toBe(0);
    expect(answers.gad7 && answers.pain && answers.symptoms && answers.versions).toBeTruthy();
    expect((await consentCurrent(db(), id)).allSigned).toBe(true);

    const weight = await db().selectFrom('weights').selectAll().where('patient_id', '=', id).executeTakeFirstOrThrow();
    expect(weight.measured_by).toBe(nurse.id);
    expect(now - Number(weight.measured_at)).toBeLessThan(3_600_000);
    const allergies = await db().selectFrom('allergies').select('ketamine').where('patient_id', '=', id).execute();
    expect(allergies.every((a) => Number(a.ketamine) === 0)).toBe(true);
    const diagnoses = await db().selectFrom('diagnoses').select('code').where('patient_id', '=', id).execute();
    expect(diagnoses.map((d) => d.code)).toEqual(['G90.512']);
    expect(await db().selectFrom('pdmp_checks').select('id').where('patient_id', '=', id).execute()).toHaveLength(1);

    expect(await currentScreening(db(), id, now)).toMatchObject({ outcome: 'eligible', signedBy: provider.id });
    expect(await isEligibleNow(db(), id, now)).toBe(true);
    const screening = await db().selectFrom('screenings').selectAll().where('patient_id', '=', id).execute();
    expect(screening).toHaveLength(1);
    expect(screening[0]!.intake_id).toBe(intakes[0]!.id);
    expect(JSON.parse(screening[0]!.reasons)).toEqual([]);
    expect(await db().selectFrom('treatment_plans').select('id').where('patient_id', '=', id).execute()).toEqual([]);

    // Seeding again changes nothing.
    expect(await seedWalkPatient(rt().database, rt().clock.now())).toBe(false);
    expect(
      await db().selectFrom('patients').select('id').where('email', '=', WALK_PATIENT.email).execute(),
    ).toHaveLength(1);

    // The provider finds her by name, as the README says, and sees the signed screening on her screening page.
    const b = await signIn(rt(), PROVIDER);
    const found = await post(b, '/staff/patients', '/staff/patients', { q: 'Whitfield' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(`/staff/patients/${id}`);
    const page = await b.get(`/staff/patients/${id}/screening`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Clara');
    expect(page.body.toLowerCase()).toContain('eligible');
  });

  it('walks as the README says: plan written and signed, series booked, first dose ordered, the nurse verifies', async () => {
    const id = await seedAll();
    const provider = await signIn(rt(), PROVIDER);
    const plan = `/staff/patients/${id}/plan`;
    const draft = await post(provider, plan, plan, {
      protocol: 'crps-10-day',
      // Left empty, as the README says: the protocol's own figures.
      sessions: '',
      hours: '',
      rate: '',
      reason: '',
    });
    expect(draft.statusCode, draft.body.slice(0, 500)).toBe(303);
    const written = await db()
      .selectFrom('treatment_plans')
      .selectAll()
      .where('patient_id', '=', id)
      .executeTakeFirstOrThrow();
    const signed = await post(provider, plan, `${plan}/${written.id}/sign`, { version: '1', code: code(PROVIDER) });
    expect(signed.statusCode, signed.body.slice(0, 500)).toBe(303);

    const proposal = await provider.get(`${plan}/series?location=chicago&date=2026-03-09&time=10:00`);
    expect(proposal.statusCode, proposal.body.slice(0, 300)).toBe(200);
    const booked = await provider.post(`${plan}/series`, formFields(proposal.body, `${plan}/series`));
    expect(booked.statusCode, booked.body.slice(0, 800)).toBe(303);
    const sessions = await db()
      .selectFrom('plan_sessions')
      .innerJoin('appointments', 'appointments.id', 'plan_sessions.appointment_id')
      .select(['appointments.id', 'plan_sessions.number'])
      .where('plan_id', '=', written.id)
      .orderBy('plan_sessions.number')
      .execute();
    expect(sessions).toHaveLength(10);

    const session = `/staff/patients/${id}/dose-orders/sessions/${sessions[0]!.id}`;
    rt().clock.advance(30_000);
    const form = await provider.get(session);
    expect(form.statusCode, form.body.slice(0, 500)).toBe(200);
    const ordered = await provider.post(session, {
      ...formFields(form.body, session),
      intent: 'sign',
      code: code(PROVIDER),
    });
    expect(ordered.statusCode, ordered.body.slice(0, 1500)).toBe(303);
    const order = await db()
      .selectFrom('dose_orders')
      .selectAll()
      .where('patient_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('ordered');

    const nurse = await signIn(rt(), NURSE);
    const orderPage = `/staff/patients/${id}/dose-orders/${order.id}`;
    const checked = await post(nurse, orderPage, `${orderPage}/verify`, {
      weight: '68.4',
      unit: 'kg',
      bag_mg: String(order.bag_mg),
      bag_ml: String(order.bag_ml),
    });
    expect(checked.statusCode, checked.body.slice(0, 800)).toBe(303);
    const verified = await db()
      .selectFrom('dose_orders')
      .selectAll()
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(verified.status).toBe('verified');
    expect(verified.verified_by).not.toBe(verified.ordered_by);
  });
});
