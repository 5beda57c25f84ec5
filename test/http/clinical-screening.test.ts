import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/clinical/eligibility/budapest.ts';
import { DEFAULT_RULES } from '../../src/clinical/eligibility/default-rules.ts';
import { EDITABLE_FACTS } from '../../src/clinical/eligibility/screening.ts';
import { currentScreening, isEligibleNow } from '../../src/clinical/service.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { saveFlagRules } from '../helpers/safety.ts';
import { csrfFrom, demoAccount, signIn, type Browser } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';
const RULES = '/staff/clinical-settings/contraindication-rules';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');

async function userId(email: string): Promise<string> {
  return (await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

async function patient(location = 'loc-chicago'): Promise<string> {
  const id = randomUUID();
  const now = rt().clock.now();
  await db()
    .insertInto('patients')
    .values({
      id,
      first_name: 'Rosa',
      last_name: 'Vega',
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: location,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

async function lab(patientId: string, test: string, fields: { value?: number; uln?: number; finding?: string }) {
  const by = await userId(NURSE);
  const now = rt().clock.now();
  await db()
    .insertInto('lab_results')
    .values({
      id: randomUUID(),
      patient_id: patientId,
      test,
      value: fields.value ?? null,
      unit: fields.value === undefined ? null : 'U/L',
      upper_limit: fields.uln ?? null,
      finding: fields.finding ?? null,
      taken_at: now - 86_400_000,
      recorded_by: by,
      recorded_at: now,
    })
    .execute();
}

/** Every fact a rule reads answered with the harmless answer, the Budapest clinical criteria met: eligible. */
function eligibleForm(version = '0'): Record<string, string> {
  const form: Record<string, string> = { version, 'budapest-pain': 'yes', 'budapest-explanation': 'no' };
  for (const c of CATEGORIES) {
    form[`symptom-${c}`] = 'yes';
    form[`sign-${c}`] = 'yes';
  }
  for (const f of EDITABLE_FACTS) {
    if (f.type === 'boolean') form[`fact-${f.key}`] = 'no';
    if (f.type === 'choice') form[`fact-${f.key}`] = 'none';
  }
  Object.assign(form, {
    'fact-age': '45',
    'fact-systolic_bp': '124',
    'fact-diastolic_bp': '78',
    'vital-heart_rate': '72',
    'vital-spo2': '98',
  });
  return form;
}

const page = (b: Browser, id: string) => b.get(`/staff/patients/${id}/screening`);

async function post(b: Browser, id: string, fields: Record<string, string>, path = '') {
  const form = await page(b, id);
  return b.post(`/staff/patients/${id}/screening${path}`, { _csrf: csrfFrom(form.body), ...fields });
}

const code = (email = PROVIDER) => totpCode(demoAccount(email).totp, rt().clock.now());

const screenings = (id: string) =>
  db().selectFrom('screenings').selectAll().where('patient_id', '=', id).orderBy('created_at').execute();

const audits = (action: string) =>
  db().selectFrom('audit_events').select(['detail', 'outcome', 'patient_ref']).where('action', '=', action).execute();

describe(`eligibility screening (${engine})`, () => {
  it('brings together the submitted intake and the clinical record, audited as a view', async () => {
    const id = await patient();
    const nurse = await userId(NURSE);
    const now = rt().clock.now();
    await db()
      .insertInto('intakes')
      .values({
        id: randomUUID(),
        patient_id: id,
        questionnaire_version: 1,
        answers: JSON.stringify({
          facts: { seizure_disorder: true, ketamine_allergy: false },
          symptoms: { sensory: true, vasomotor: true, sudomotor_oedema: false, motor_trophic: true },
          pain: { now: 7, average: 6, worst: 9 },
          phq9: { q1: 2, q2: 2, q3: 1, q4: 1, q5: 1, q6: 1, q7: 1, q8: 0, q9: 1 },
          gad7: { q1: 1, q2: 1, q3: 1, q4: 1, q5: 0, q6: 0, q7: 0 },
          allergies: '<script>alert(1)</script> penicillin',
        }),
        status: 'submitted',
        started_at: now,
        updated_at: now,
        submitted_at: now,
      })
      .execute();
    await db()
      .insertInto('medications')
      .values({
        id: randomUUID(),
        patient_id: id,
        name: 'Clonazepam',
        dose: '0.5 mg',
        classes: '["benzodiazepine"]',
        recorded_by: nurse,
        recorded_at: now,
      })
      .execute();
    await db()
      .insertInto('allergies')
      .values({
        id: randomUUID(),
        patient_id: id,
        substance: 'Latex',
        ketamine: 0,
        reaction: 'rash',
        recorded_by: nurse,
        recorded_at: now,
      })
      .execute();
    await db()
      .insertInto('clinical_profiles')
      .values({
        patient_id: id,
        date_of_birth: '1980-06-01',
        sex: 'female',
        pregnancy_possible: 0,
        updated_by: nurse,
        updated_at: now,
      })
      .execute();
    await lab(id, 'alt', { value: 30, uln: 40 });

    const res = await page(await signIn(rt(), PROVIDER), id);
    expect(res.statusCode).toBe(200);
    const body = text(res.body);
    expect(body).toContain('PHQ-9 10 of 27: Moderate');
    expect(body).toContain('PHQ-9 item 9 answered 1');
    expect(body).toContain('GAD-7 4 of 21: Minimal');
    expect(body).toContain('now 7 · average 6 · worst 9');
    expect(body).toContain('Clonazepam 0.5 mg (Benzodiazepines)');
    expect(body).toContain('Latex — rash');
    expect(body).toContain('45 years');
    expect(body).toContain('30 U/L (upper limit of normal 40)');
    // The patient's words render as text.
    expect(res.body).not.toContain('<script>alert(1)');
    expect(body).toContain('<script>alert(1)</script> penicillin');
    // Intake facts pre-fill the form, with their source.
    expect(res.body).toMatch(/id="fact-seizure_disorder"[^>]*>[\s\S]*?<option value="yes" selected/);
    expect(body).toMatch(/Epilepsy or seizures From the intake\./);
    expect(body).toMatch(/Age \(years\) From the clinical record\./);
    expect(res.body).toMatch(/name="fact-medication_classes-benzodiazepine" value="yes" checked/);
    // An overridable stop fired by the intake's answer is offered for override.
    expect(body).toContain('Override: Epilepsy or seizures');
    expect(body).toContain('Outcome if signed now: Needs more information');
    const views = await audits('screening.view');
    expect(views.map((v) => v.patient_ref)).toEqual([id]);
    // The banner follows the clinic's item-9 rule: with the alert from 2, an answer of 1 raises none.
    await saveFlagRules(rt(), { item9AlertAt: 2, item9UrgentAt: 2 });
    const raised = text((await page(await signIn(rt(), PROVIDER), id)).body);
    expect(raised).toContain('PHQ-9 10 of 27: Moderate');
    expect(raised).not.toContain('PHQ-9 item 9 answered');
  });

  it('a ketamine allergy in the record is a hard stop: not eligible, with the reason, signed as such', async () => {
    const id = await patient();
    await db()
      .insertInto('allergies')
      .values({
        id: randomUUID(),
        patient_id: id,
        substance: 'Ketamine',
        ketamine: 1,
        reaction: null,
        recorded_by: await userId(NURSE),
        recorded_at: rt().clock.now(),
      })
      .execute();
    const provider = await signIn(rt(), PROVIDER);
    const before = text((await page(provider, id)).body);
    expect(before).toContain('Outcome if signed now: Not eligible');
    expect(before).toContain('Allergy or hypersensitivity to ketamine: a hard stop');
    expect(before).not.toContain('Override: Allergy');
    const signed = await post(provider, id, {
      ...eligibleForm(),
      'fact-ketamine_allergy': 'yes',
      action: 'sign',
      code: code(),
    });
    expect(signed.statusCode).toBe(303);
    const [row] = await screenings(id);
    expect(row).toMatchObject({ status: 'signed', outcome: 'not_eligible' });
    expect(JSON.parse(row!.reasons)[0]).toMatchObject({ code: 'hard_stop:ketamine_allergy' });
    expect(await isEligibleNow(db(), id, rt().clock.now())).toBe(false);
  });

  it('an overridable stop needs a reason; with one it is overridden and audited', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    const stop = { ...eligibleForm(), 'fact-seizure_disorder': 'yes', action: 'save' };
    const standing = await post(provider, id, stop);
    expect(standing.statusCode).toBe(303);
    expect(text((await page(provider, id)).body)).toContain('Outcome if signed now: Not eligible');

    const noReason = await post(provider, id, {
      ...stop,
      version: '1',
      'override-seizure_disorder': 'yes',
      'override_reason-seizure_disorder': ' ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(text(noReason.body)).toContain('Epilepsy or seizures: give the reason for overriding this stop');
    expect(noReason.body).toContain('id="override_reason-seizure_disorder-error"');
    expect((await screenings(id))[0]!.version).toBe(1);

    const reasoned = await post(provider, id, {
      ...stop,
      version: '1',
      'override-seizure_disorder': 'yes',
      'override_reason-seizure_disorder': 'Seizure-free for 10 years on no medication; neurology agrees.',
    });
    expect(reasoned.statusCode).toBe(303);
    const [row] = await screenings(id);
    expect(row).toMatchObject({ status: 'draft', version: 2, outcome: 'eligible' });
    // The stop no longer raised (the answer corrected), a ticked override is dropped rather than kept.
    const corrected = await post(provider, id, {
      ...stop,
      version: '2',
      'fact-seizure_disorder': 'no',
      'override-seizure_disorder': 'yes',
      'override_reason-seizure_disorder': 'stale reason',
    });
    expect(corrected.statusCode).toBe(303);
    expect(JSON.parse((await screenings(id))[0]!.overrides)).toEqual([]);
    expect(JSON.parse(row!.overrides)).toEqual([
      { ruleId: 'seizure_disorder', reason: 'Seizure-free for 10 years on no medication; neurology agrees.' },
    ]);
    const events = await audits('screening.override');
    expect(events.map((e) => JSON.parse(e.detail))).toEqual([
      { screening: row!.id, rules: 'seizure_disorder', signed: false },
    ]);
  });

  it('a required test needs information until its result is in the record', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    expect(
      (await post(provider, id, { ...eligibleForm(), 'fact-high_cardiovascular_risk': 'yes', action: 'save' }))
        .statusCode,
    ).toBe(303);
    const waiting = text((await page(provider, id)).body);
    expect(waiting).toContain('Outcome if signed now: Needs more information');
    expect(waiting).toContain('ECG required: no result in the record yet');
    expect((await screenings(id))[0]!.outcome).toBe('needs_information');

    await lab(id, 'ecg', { finding: 'no_significant_findings' });
    const ready = text((await page(provider, id)).body);
    expect(ready).toContain('Outcome if signed now: Eligible');
    expect(ready).toContain('ECG: required (result in the record)');
  });

  it('signs with the right code: immutable, rules version and expiry stored; a second save is refused', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    expect((await post(provider, id, { ...eligibleForm(), action: 'save' })).statusCode).toBe(303);
    const signed = await post(provider, id, { ...eligibleForm('1'), action: 'sign', code: code() });
    expect(signed.statusCode).toBe(303);
    expect(signed.headers.location).toBe(`/staff/patients/${id}/screening?saved=signed`);
    const [row] = await screenings(id);
    expect(row).toMatchObject({ status: 'signed', outcome: 'eligible', signed_by: await userId(PROVIDER) });
    const rules = await db()
      .selectFrom('clinical_definitions')
      .selectAll()
      .where('id', '=', row!.rules_definition_id!)
      .executeTakeFirstOrThrow();
    expect(rules).toMatchObject({ kind: 'contraindication-rules', version: 1, created_by: null });
    // Twelve months in the location's zone.
    expect(new Date(Number(row!.expires_at)).toISOString()).toBe('2027-03-02T15:00:30.000Z');
    expect(await currentScreening(db(), id, rt().clock.now())).toMatchObject({
      id: row!.id,
      outcome: 'eligible',
      expired: false,
    });
    expect(await isEligibleNow(db(), id, rt().clock.now())).toBe(true);
    expect(await isEligibleNow(db(), id, Number(row!.expires_at))).toBe(false);

    const again = await post(provider, id, { ...eligibleForm('1'), 'fact-seizure_disorder': 'yes', action: 'save' });
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('This screening was signed by');
    expect(text(again.body)).toContain('Nothing was saved');
    expect(await screenings(id)).toHaveLength(1);
    await expect(
      db().updateTable('screenings').set({ outcome: 'not_eligible' }).where('id', '=', row!.id).execute(),
    ).rejects.toThrow(/signed screening is immutable/);
    const events = await audits('screening.sign');
    expect(JSON.parse(events[0]!.detail)).toMatchObject({
      screening: row!.id,
      outcome: 'eligible',
      rules: row!.rules_definition_id,
    });
  });

  it('a wrong code signs nothing: 400 naming the code, the failure audited', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    const res = await post(provider, id, { ...eligibleForm(), action: 'sign', code: wrong });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="code-error"');
    expect(await screenings(id)).toEqual([]);
    const failures = (await audits('signature.second_factor')).filter((e) => e.outcome === 'failure');
    expect(failures.map((e) => JSON.parse(e.detail))).toEqual([{ purpose: 'screening.sign' }]);
    // The answers typed come back; the code does not.
    expect(res.body).toMatch(/name="fact-age" type="text" value="45"/);
    expect(res.body).not.toContain(`value="${wrong}"`);
  });

  it('a substance-use concern a signature records anew raises a safety flag in its transaction; a history known at the first screening does not', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    const flags = () =>
      db()
        .selectFrom('clinical_alerts')
        .selectAll()
        .where('patient_id', '=', id)
        .where('kind', '=', 'substance_use')
        .execute();
    const sign = async (use: string) => {
      const res = await post(provider, id, {
        ...eligibleForm('0'),
        'fact-substance_use': use,
        action: 'sign',
        code: code(),
      });
      expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
      rt().clock.advance(30_000);
    };
    await sign('history');
    expect(await flags()).toEqual([]);
    await sign('active');
    const second = (await screenings(id))[1]!;
    expect(await flags()).toMatchObject([
      { source: 'screening', source_id: second.id, level: 'urgent', location_id: 'loc-chicago', resolved_at: null },
    ]);
    const raised = await audits('alert.raise');
    expect(raised.map((e) => [e.patient_ref, JSON.parse(e.detail).kind])).toEqual([[id, 'substance_use']]);
    // The same finding signed again is nothing new.
    await sign('active');
    expect(await flags()).toHaveLength(1);
    const provider2 = await provider.get('/staff/safety');
    expect(text(provider2.body)).toContain('From the screening');
    const flagPage = await provider.get(`/staff/safety/${(await flags())[0]!.id}`);
    expect(text(flagPage.body)).toContain('The screening recorded active misuse (before: a history of misuse)');
  });

  it('appends addenda in order, each signed with a fresh code; text renders as text', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    expect((await post(provider, id, { ...eligibleForm(), action: 'sign', code: code() })).statusCode).toBe(303);
    const [row] = await screenings(id);
    rt().clock.advance(30_000);
    const noCode = await post(provider, id, { screening: row!.id, text: 'x' }, '/addenda');
    expect(noCode.statusCode).toBe(400);
    expect(noCode.body).toContain('id="addendum_code-error"');
    const first = await post(
      provider,
      id,
      { screening: row!.id, text: 'Weight <b>corrected</b> at the visit.', addendum_code: code() },
      '/addenda',
    );
    expect(first.statusCode).toBe(303);
    rt().clock.advance(30_000);
    expect(
      (await post(provider, id, { screening: row!.id, text: 'Second note.', addendum_code: code() }, '/addenda'))
        .statusCode,
    ).toBe(303);
    const shown = await page(provider, id);
    expect(shown.body).toContain('Weight &lt;b&gt;corrected&lt;/b&gt; at the visit.');
    const t = text(shown.body);
    expect(t.indexOf('Weight <b>corrected')).toBeLessThan(t.indexOf('Second note.'));
    expect(t).toContain('Amara Okafor, ');
    const addenda = await db()
      .selectFrom('screening_addenda')
      .selectAll()
      .where('screening_id', '=', row!.id)
      .execute();
    expect(addenda).toHaveLength(2);
    expect((await audits('screening.addendum')).map((e) => JSON.parse(e.detail).screening)).toEqual([row!.id, row!.id]);
  });

  it('nurses read but cannot write or sign; the front desk sees nothing', async () => {
    const id = await patient();
    const nurse = await signIn(rt(), NURSE);
    const read = await page(nurse, id);
    expect(read.statusCode).toBe(200);
    expect(text(read.body)).toContain('Only a provider writes and signs the screening');
    expect(read.body).not.toContain('name="code"');
    const refused = await nurse.post(`/staff/patients/${id}/screening`, {
      _csrf: csrfFrom(read.body),
      ...eligibleForm(),
      action: 'sign',
      code: code(NURSE),
    });
    expect(refused.statusCode).toBe(403);
    expect(await screenings(id)).toEqual([]);
    const desk = await signIn(rt(), DESK);
    expect((await page(desk, id)).statusCode).toBe(403);
    const admin = await signIn(rt(), ADMIN);
    expect((await page(admin, id)).statusCode).toBe(403);
  });

  it('a stale draft is refused with what changed', async () => {
    const id = await patient();
    const provider = await signIn(rt(), PROVIDER);
    expect((await post(provider, id, { ...eligibleForm(), action: 'save' })).statusCode).toBe(303);
    const stale = await post(provider, id, {
      ...eligibleForm('0'),
      'fact-age': '46',
      'vital-spo2': '97',
      action: 'save',
    });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('This draft was saved again at');
    expect(text(stale.body)).toContain(
      'The saved version differs from yours in: Age (years); heart rate or oxygen saturation.',
    );
    expect((await screenings(id))[0]!.version).toBe(1);
  });

  it('an administrator edits the rules: a new version, used by the next screening; stale and invalid edits refused', async () => {
    const provider = await signIn(rt(), PROVIDER);
    expect((await provider.get(RULES)).statusCode).toBe(403);
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get(RULES);
    expect(form.statusCode).toBe(200);
    const shown = text(form.body);
    expect(shown).toContain('Allergy or hypersensitivity to ketamine');
    expect(shown).toContain('Hard stop: not eligible, no override');
    expect(form.body).toContain('class="badge badge-unverified"');

    const edited = {
      ...DEFAULT_RULES,
      version: 'clinic-2026.2',
      rules: DEFAULT_RULES.rules.map((r) => (r.id === 'seizure_disorder' ? { ...r, effect: 'hard_stop' as const } : r)),
    };
    const csrf = csrfFrom(form.body);
    const badJson = await admin.post(RULES, {
      _csrf: csrf,
      version: '0',
      source: 'Medical director',
      rules: '{"rules": [',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).toContain('id="rules-error"');
    const badRule = { ...edited, rules: [{ ...edited.rules[0]!, reads: 'shoe_size' }, ...edited.rules.slice(1)] };
    const invalid = await admin.post(RULES, {
      _csrf: csrf,
      version: '0',
      source: 'Medical director',
      rules: JSON.stringify(badRule),
    });
    expect(invalid.statusCode).toBe(400);
    expect(text(invalid.body)).toContain('reads: "shoe_size" is not a known fact');
    const saved = await admin.post(RULES, {
      _csrf: csrf,
      version: '0',
      source: 'Medical director, seizures stop hard',
      rules: JSON.stringify(edited),
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${RULES}?saved=1`);
    const stale = await admin.post(RULES, {
      _csrf: csrf,
      version: '0',
      source: 'Someone else',
      rules: JSON.stringify(DEFAULT_RULES),
    });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('Someone saved version 1');
    expect(JSON.parse((await audits('clinical.definition.save'))[0]!.detail)).toEqual({
      kind: 'contraindication-rules',
      version: 1,
    });

    const id = await patient();
    expect(
      (await post(provider, id, { ...eligibleForm(), 'fact-seizure_disorder': 'yes', action: 'save' })).statusCode,
    ).toBe(303);
    const now = text((await page(provider, id)).body);
    expect(now).toContain('Epilepsy or seizures: a hard stop');
    expect(now).not.toContain('Override: Epilepsy');
    rt().clock.advance(30_000);
    expect(
      (await post(provider, id, { ...eligibleForm('1'), 'fact-seizure_disorder': 'yes', action: 'sign', code: code() }))
        .statusCode,
    ).toBe(303);
    const [row] = await screenings(id);
    const rulesRow = await db()
      .selectFrom('clinical_definitions')
      .select(['version', 'created_by'])
      .where('id', '=', row!.rules_definition_id!)
      .executeTakeFirstOrThrow();
    expect(rulesRow.version).toBe(1);
    expect(rulesRow.created_by).toBe(await userId(ADMIN));
    expect(row!.outcome).toBe('not_eligible');
  });

  it('refuses another location’s patient with the plain 404', async () => {
    const id = await patient('loc-denver');
    const res = await page(await signIn(rt(), PROVIDER), id);
    expect(res.statusCode).toBe(404);
  });
});
