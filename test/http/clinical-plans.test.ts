import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { activePlan } from '../../src/clinical/service.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, demoAccount, signIn, type Browser } from '../helpers/staff.ts';
import { clinicPatient, signedEligibleScreening, suggestedProtocols, userId } from '../helpers/clinical-plans.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

async function post(b: Browser, patientId: string, path: string, fields: Record<string, string>) {
  const page = await b.get(`/staff/patients/${patientId}/plan`);
  return b.post(`/staff/patients/${patientId}/plan${path}`, { _csrf: csrfFrom(page.body), ...fields });
}

const DRAFT = { protocol: 'crps-10-day', sessions: '10', hours: '4', rate: '0.35', reason: '' };
const plans = (patientId: string) =>
  db().selectFrom('treatment_plans').selectAll().where('patient_id', '=', patientId).execute();
const code = () => totpCode(demoAccount(PROVIDER).totp, rt().clock.now());

/** A patient with a signed eligible screening and the library filled; the provider signed in. */
async function ready(first = 'Robin') {
  await suggestedProtocols(rt()).catch(() => undefined);
  const patientId = await clinicPatient(rt(), first);
  await signedEligibleScreening(rt(), patientId, await userId(rt(), PROVIDER));
  return { patientId, provider: await signIn(rt(), PROVIDER) };
}

describe(`treatment plans (${engine})`, () => {
  it('only a provider writes a plan, and only from a signed, eligible, unexpired screening', async () => {
    await suggestedProtocols(rt());
    const patientId = await clinicPatient(rt());
    const providerId = await userId(rt(), PROVIDER);
    for (const email of [NURSE, DESK]) {
      const res = await post(await signIn(rt(), email), patientId, '', DRAFT);
      expect(res.statusCode, email).toBe(403);
    }
    const provider = await signIn(rt(), PROVIDER);
    const none = await post(provider, patientId, '', DRAFT);
    expect(none.statusCode).toBe(409);
    expect(text(none.body)).toContain('A plan needs a signed screening with an eligible outcome that has not expired');
    await signedEligibleScreening(rt(), patientId, providerId, { outcome: 'not_eligible' });
    expect((await post(provider, patientId, '', DRAFT)).statusCode).toBe(409);
    await signedEligibleScreening(rt(), patientId, providerId, { expiresIn: -1 });
    expect((await post(provider, patientId, '', DRAFT)).statusCode).toBe(409);
    expect(await plans(patientId)).toHaveLength(0);

    await signedEligibleScreening(rt(), patientId, providerId);
    // Figures left empty are the protocol's own.
    const made = await post(provider, patientId, '', { protocol: 'crps-10-day', sessions: '', hours: '', rate: '' });
    expect(made.statusCode, made.body.slice(0, 300)).toBe(303);
    const [plan] = await plans(patientId);
    expect(plan).toMatchObject({ status: 'draft', version: 1, created_by: providerId, signed_at: null });
    expect(JSON.parse(plan!.deviations)).toEqual([]);
    expect(JSON.parse(plan!.definition)).toMatchObject({
      induction: { sessions: 10, hoursPerSession: 4 },
      dosing: { startMgPerKgPerHour: 0.35 },
    });
    // One open plan at a time.
    expect((await post(provider, patientId, '', DRAFT)).statusCode).toBe(409);
    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('action', '=', 'plan.create')
      .execute();
    expect(events.map((e) => e.outcome).sort()).toEqual(['failure', 'failure', 'failure', 'failure', 'success']);
  });

  it('a figure past the protocol’s limits needs a reason, kept in the plan; bad figures are named', async () => {
    const { patientId, provider } = await ready();
    const bad = await post(provider, patientId, '', { ...DRAFT, sessions: 'ten', rate: 'abc' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Sessions: a number such as 10');
    expect(text(bad.body)).toContain('Starting rate: a number such as 0.35');
    const past = await post(provider, patientId, '', { ...DRAFT, sessions: '12', rate: '0.5' });
    expect(past.statusCode).toBe(400);
    expect(text(past.body)).toContain('Past the protocol’s limit of 10: give the reason below');
    expect(text(past.body)).toContain('Give the reason for going past the protocol’s limits');
    expect(await plans(patientId)).toHaveLength(0);

    const ok = await post(provider, patientId, '', {
      ...DRAFT,
      sessions: '12',
      rate: '0.5',
      reason: 'Partial response at day 10',
    });
    expect(ok.statusCode).toBe(303);
    const [plan] = await plans(patientId);
    expect(JSON.parse(plan!.deviations)).toEqual([
      { field: 'sessions', limit: 10, planned: 12, reason: 'Partial response at day 10' },
      { field: 'startMgPerKgPerHour', limit: 0.35, planned: 0.5, reason: 'Partial response at day 10' },
    ]);
    const definition = JSON.parse(plan!.definition);
    expect(definition.induction.sessions).toBe(12);
    expect(definition.dosing.maxMgPerKgPerHour).toBe(0.5);
    // Fewer sessions than the protocol is within its limits.
    const page = await provider.get(`/staff/patients/${patientId}/plan`);
    expect(text(page.body)).toContain('Partial response at day 10');
  });

  it('the provider signs with their authenticator code (a wrong one refused by name); signing activates and fixes the figures', async () => {
    const { patientId, provider } = await ready();
    await post(provider, patientId, '', DRAFT);
    const [draft] = await plans(patientId);
    const wrong = await post(provider, patientId, `/${draft!.id}/sign`, { version: '1', code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('id="code-error"');
    expect((await plans(patientId))[0]).toMatchObject({ status: 'draft', signed_at: null });
    expect(await activePlan(db(), patientId)).toBeUndefined();

    const signed = await post(provider, patientId, `/${draft!.id}/sign`, { version: '1', code: code() });
    expect(signed.statusCode, signed.body.slice(0, 400)).toBe(303);
    const [plan] = await plans(patientId);
    expect(plan).toMatchObject({ status: 'active', version: 2, signed_by: await userId(rt(), PROVIDER) });
    expect((await activePlan(db(), patientId))?.id).toBe(plan!.id);
    // The database keeps a signed plan's figures.
    await expect(
      db().updateTable('treatment_plans').set({ definition: '{}' }).where('id', '=', plan!.id).execute(),
    ).rejects.toThrow(/a signed plan keeps its protocol and figures/);
    const actions = await db()
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('action', 'in', ['plan.sign', 'signature.second_factor'])
      .execute();
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'signature.second_factor', outcome: 'failure' },
        { action: 'signature.second_factor', outcome: 'success' },
        { action: 'plan.sign', outcome: 'success' },
      ]),
    );
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });

  it('moves between states only by legal steps, each with a reason; an older page’s form is refused naming the state now', async () => {
    const { patientId, provider } = await ready();
    await post(provider, patientId, '', DRAFT);
    const [draft] = await plans(patientId);
    const early = await post(provider, patientId, `/${draft!.id}/status`, {
      version: '1',
      status: 'paused',
      reason: 'x',
    });
    expect(early.statusCode).toBe(409);
    expect(text(early.body)).toContain('A plan that is draft, not signed cannot become paused');
    await post(provider, patientId, `/${draft!.id}/sign`, { version: '1', code: code() });

    const noReason = await post(provider, patientId, `/${draft!.id}/status`, {
      version: '2',
      status: 'paused',
      reason: ' ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(text(noReason.body)).toContain('Reason: say why');
    const paused = await post(provider, patientId, `/${draft!.id}/status`, {
      version: '2',
      status: 'paused',
      reason: 'Unwell this week',
    });
    expect(paused.statusCode).toBe(303);
    expect((await plans(patientId))[0]).toMatchObject({
      status: 'paused',
      status_reason: 'Unwell this week',
      version: 3,
    });
    expect(await activePlan(db(), patientId)).toBeUndefined();

    const stale = await post(provider, patientId, `/${draft!.id}/status`, {
      version: '2',
      status: 'stopped',
      reason: 'x',
    });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('This plan changed since the page was loaded: it is now paused (version 3)');

    expect(
      (await post(provider, patientId, `/${draft!.id}/status`, { version: '3', status: 'active', reason: 'Better' }))
        .statusCode,
    ).toBe(303);
    expect(
      (
        await post(provider, patientId, `/${draft!.id}/status`, {
          version: '4',
          status: 'completed',
          reason: 'Series done',
        })
      ).statusCode,
    ).toBe(303);
    const after = await post(provider, patientId, `/${draft!.id}/status`, {
      version: '5',
      status: 'active',
      reason: 'again',
    });
    expect(after.statusCode).toBe(409);
    expect((await plans(patientId))[0]).toMatchObject({ status: 'completed', version: 5 });
    const steps = await db()
      .selectFrom('audit_events')
      .select(['outcome', 'detail'])
      .where('action', '=', 'plan.status')
      .execute();
    expect(steps.filter((s) => s.outcome === 'success')).toHaveLength(3);
    // A completed plan lets the provider write the next one.
    expect((await post(provider, patientId, '', DRAFT)).statusCode).toBe(303);
  });

  it('nurses read the figures; the front desk sees the plan’s state and its series but no clinical figure', async () => {
    const { patientId, provider } = await ready();
    await post(provider, patientId, '', DRAFT);
    const [plan] = await plans(patientId);
    await post(provider, patientId, `/${plan!.id}/sign`, { version: '1', code: code() });

    const nurse = await (await signIn(rt(), NURSE)).get(`/staff/patients/${patientId}/plan`);
    expect(nurse.statusCode).toBe(200);
    expect(text(nurse.body)).toContain('0.35 mg/kg/h');
    expect(nurse.body).not.toContain('/sign"');
    expect(nurse.body).not.toContain('/plan/series"');

    const desk = await (await signIn(rt(), DESK)).get(`/staff/patients/${patientId}/plan`);
    expect(desk.statusCode).toBe(200);
    expect(text(desk.body)).toContain('Active');
    expect(text(desk.body)).toContain('Book the series');
    for (const clinical of ['mg/kg/h', 'CRPS', 'Schwartzman', 'Dosing'])
      expect(text(desk.body)).not.toContain(clinical);
    const views = await db().selectFrom('audit_events').select('detail').where('action', '=', 'plan.view').execute();
    expect(views.length).toBeGreaterThanOrEqual(2);
  });
});
