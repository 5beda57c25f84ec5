import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordSummary } from '../../src/clinical/service.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

async function patientAt(location: 'chicago' | 'denver', first = 'Rosa'): Promise<string> {
  const id = randomUUID();
  const now = rt().clock.now();
  await db()
    .insertInto('patients')
    .values({
      id,
      first_name: first,
      last_name: 'Vega',
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: `loc-${location}`,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

const recordOf = (id: string) => `/staff/patients/${id}/clinical`;

/** Posts one of the record's forms with a fresh CSRF token from the page. */
async function post(b: Browser, id: string, path: string, fields: Record<string, string>) {
  const page = await b.get(recordOf(id));
  return b.post(`${recordOf(id)}/${path}`, { _csrf: csrfFrom(page.body), ...fields });
}

const events = (action: string) =>
  db()
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'patient_ref', 'detail'])
    .where('action', '=', action)
    .execute();

describe(`the clinical record (${engine})`, () => {
  it('opens empty for a provider and a nurse, each view audited in the trail', async () => {
    const id = await patientAt('chicago');
    for (const email of [PROVIDER, NURSE]) {
      const res = await (await signIn(rt(), email)).get(recordOf(id));
      expect(res.statusCode, email).toBe(200);
      const page = text(res.body);
      expect(page).toContain('Clinical record · Rosa Vega');
      for (const empty of ['No weight recorded yet.', 'No allergies recorded.', 'No current medications recorded.'])
        expect(page).toContain(empty);
      expect(res.body).toContain(`href="/staff/patients/${id}/clinical" aria-current="page"`);
    }
    const views = await events('clinical.record.view');
    expect(views).toHaveLength(2);
    expect(views.every((v) => v.patient_ref === id && v.outcome === 'success')).toBe(true);
    expect(JSON.parse(views[0]!.detail)).toMatchObject({ weights: 0, allergies: 0 });
  });

  it('keeps front desk and administrators out of every record page and command (403)', async () => {
    const id = await patientAt('chicago');
    for (const email of [DESK, ADMIN]) {
      const b = await signIn(rt(), email);
      expect((await b.get(recordOf(id))).statusCode, email).toBe(403);
      const csrf = csrfFrom((await b.get('/staff/patients')).body);
      for (const path of ['weights', 'allergies', 'profile', 'labs', 'pdmp', `allergies/${randomUUID()}/remove`])
        expect((await b.post(`${recordOf(id)}/${path}`, { _csrf: csrf, weight_value: '70' })).statusCode).toBe(403);
      expect((await b.get(`/staff/patients/${id}`)).body).not.toContain(recordOf(id));
    }
    expect(await db().selectFrom('weights').selectAll().execute()).toHaveLength(0);
  });

  it('answers a patient at another location with the plain 404 and a denied event', async () => {
    const id = await patientAt('denver');
    const nurse = await signIn(rt(), NURSE);
    expect((await nurse.get(recordOf(id))).statusCode).toBe(404);
    const csrf = csrfFrom((await nurse.get('/staff/patients')).body);
    expect((await nurse.post(`${recordOf(id)}/weights`, { _csrf: csrf, weight_value: '70' })).statusCode).toBe(404);
    expect((await events('clinical.record.view')).map((e) => [e.outcome, e.patient_ref])).toEqual([['denied', id]]);
    expect((await events('clinical.weight.add')).map((e) => e.outcome)).toEqual(['denied']);
    expect(await db().selectFrom('weights').selectAll().execute()).toHaveLength(0);
  });

  it('links the record from the patient page for clinicians only', async () => {
    const id = await patientAt('chicago');
    expect((await (await signIn(rt(), PROVIDER)).get(`/staff/patients/${id}`)).body).toContain(
      `href="${recordOf(id)}"`,
    );
    expect((await (await signIn(rt(), DESK)).get(`/staff/patients/${id}`)).body).not.toContain(recordOf(id));
  });

  it('saves the profile, height in inches stored in cm, and refuses a stale form with what changed', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    const saved = await post(provider, id, 'profile', {
      version: '0',
      date_of_birth: '1980-04-23',
      sex: 'female',
      pregnancy_possible: 'no',
      height: '65',
      height_unit: 'in',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${recordOf(id)}?saved=profile`);
    const row = await db()
      .selectFrom('clinical_profiles')
      .selectAll()
      .where('patient_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ date_of_birth: '1980-04-23', sex: 'female', pregnancy_possible: 0, version: 1 });
    expect(Number(row.height_cm)).toBeCloseTo(165.1, 5);
    const page = text((await provider.get(`${recordOf(id)}?saved=profile`)).body);
    expect(page).toContain('Profile saved.');
    expect(page).toContain('1980-04-23 (45 years)');
    expect(page).toContain('165.1 cm (65 in)');

    // The nurse changes the height; the provider's form, still at version 1 … then at 0, is refused.
    rt().clock.advance(30_000);
    const nurse = await signIn(rt(), NURSE);
    const nurseForm = { version: '1', date_of_birth: '1980-04-23', sex: 'female', pregnancy_possible: 'no' };
    expect((await post(nurse, id, 'profile', { ...nurseForm, height: '170', height_unit: 'cm' })).statusCode).toBe(303);
    const stale = await post(provider, id, 'profile', { ...nurseForm, height: '180', height_unit: 'cm' });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('Nia Brooks saved the profile after you opened this form (changed: height)');
    expect(text(stale.body)).toContain('Nothing was saved');
    const after = await db()
      .selectFrom('clinical_profiles')
      .selectAll()
      .where('patient_id', '=', id)
      .executeTakeFirstOrThrow();
    expect([Number(after.height_cm), after.version]).toEqual([170, 2]);
    // A second first save (version 0) finds the profile there: refused, not a 500 or an overwrite.
    expect((await post(provider, id, 'profile', { ...nurseForm, version: '0' })).statusCode).toBe(409);
    expect((await events('clinical.profile.save')).map((e) => JSON.parse(e.detail))).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    // The refused form shows the provider's own values on the version now in force: saving it again is a choice
    // made having seen the change.
    expect(stale.body).toContain('name="version" value="2"');
    expect(stale.body).toContain('id="height" name="height" type="text" value="180"');
    expect(
      (
        await provider.post(`${recordOf(id)}/profile`, {
          _csrf: csrfFrom(stale.body),
          ...nurseForm,
          version: '2',
          height: '180',
        })
      ).statusCode,
    ).toBe(303);
  });

  it('refuses a date of birth in the future or more than 120 years ago, and a height out of range, by field', async () => {
    const id = await patientAt('chicago');
    const nurse = await signIn(rt(), NURSE);
    const future = await post(nurse, id, 'profile', { version: '0', date_of_birth: '2026-03-03' });
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('id="date_of_birth-error"');
    expect(text(future.body)).toContain('Date of birth: cannot be in the future');
    expect(future.body).toContain('<details class="record-add" open>');
    const old = await post(nurse, id, 'profile', { version: '0', date_of_birth: '1906-03-01' });
    expect(text(old.body)).toContain('Date of birth: more than 120 years ago');
    const tall = await post(nurse, id, 'profile', { version: '0', height: '300', height_unit: 'cm' });
    expect(tall.statusCode).toBe(400);
    expect(text(tall.body)).toContain('Height: from 50 to 250 cm');
    expect(await db().selectFrom('clinical_profiles').selectAll().execute()).toHaveLength(0);
    expect(await events('clinical.profile.save')).toHaveLength(0);
  });

  it('stores a weight in kg with the value and unit entered, shows both units, who and when', async () => {
    const id = await patientAt('chicago');
    const nurse = await signIn(rt(), NURSE);
    const res = await post(nurse, id, 'weights', {
      weight_value: '160',
      weight_unit: 'lb',
      weight_measured_on: '2026-03-01',
    });
    expect(res.statusCode).toBe(303);
    const row = await db().selectFrom('weights').selectAll().where('patient_id', '=', id).executeTakeFirstOrThrow();
    expect(Number(row.kg)).toBeCloseTo(72.57478, 4);
    expect([Number(row.entered_value), row.entered_unit]).toEqual([160, 'lb']);
    // A past day is filed at its midday in Chicago.
    expect(Number(row.measured_at)).toBe(Date.parse('2026-03-01T18:00:00.000Z'));
    expect(await post(nurse, id, 'weights', { weight_value: '70.5', weight_unit: 'kg' })).toHaveProperty(
      'statusCode',
      303,
    );
    const page = text((await nurse.get(recordOf(id))).body);
    expect(page).toMatch(/Mar 2, 2026 70\.5 kg \(155\.4 lb\) 70\.5 kg Nia Brooks/);
    expect(page).toMatch(/Mar 1, 2026 72\.6 kg \(160 lb\) 160 lb Nia Brooks/);
    expect((await events('clinical.weight.add')).map((e) => JSON.parse(e.detail).unit)).toEqual(['lb', 'kg']);
    // Current for 30 days (the record limits' default); after that the page asks for a new weight.
    expect(page).not.toContain('more than 30 days old');
    rt().clock.advance(31 * 86_400_000);
    const later = await signIn(rt(), NURSE);
    expect(text((await later.get(recordOf(id))).body)).toContain('The latest weight is more than 30 days old');
  });

  it('refuses a weight outside the range in force, naming the field and the range; the range is data', async () => {
    const id = await patientAt('chicago');
    const nurse = await signIn(rt(), NURSE);
    const light = await post(nurse, id, 'weights', { weight_value: '50', weight_unit: 'lb' });
    expect(light.statusCode).toBe(400);
    expect(light.body).toContain('id="weight_value-error"');
    expect(text(light.body)).toContain('Weight: from 25 to 300 kg (55 to 661 lb)');
    const future = await post(nurse, id, 'weights', {
      weight_value: '70',
      weight_unit: 'kg',
      weight_measured_on: '2026-03-05',
    });
    expect(text(future.body)).toContain('Measured on: today or earlier, not in the future');
    const unit = await post(nurse, id, 'weights', { weight_value: '70', weight_unit: 'stone' });
    expect(text(unit.body)).toContain('Unit: kilograms or pounds');

    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get('/staff/clinical-settings/record-limits');
    const saved = await admin.post('/staff/clinical-settings/record-limits', {
      _csrf: csrfFrom(form.body),
      version: '0',
      rows: '1',
      r0_weightMinKg: '40',
      r0_weightMaxKg: '300',
      r0_weightCurrentDays: '30',
      r0_heightMinCm: '50',
      r0_heightMaxCm: '250',
      source: 'Clinic decision, medical director',
    });
    expect(saved.statusCode).toBe(303);
    const refused = await post(nurse, id, 'weights', { weight_value: '35', weight_unit: 'kg' });
    expect(text(refused.body)).toContain('Weight: from 40 to 300 kg');
    expect(await db().selectFrom('weights').selectAll().execute()).toHaveLength(0);
  });

  it('adds and removes allergies, keeps removed ones with who and when; a ketamine allergy is a hard stop', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    expect(
      (await post(provider, id, 'allergies', { allergy_substance: 'Penicillin', allergy_reaction: 'Rash' })).statusCode,
    ).toBe(303);
    let page = await provider.get(recordOf(id));
    expect(text(page.body)).not.toContain('Hard stop');
    expect(
      (
        await post(provider, id, 'allergies', {
          allergy_substance: 'Anaesthetic used in 2019',
          allergy_ketamine: 'yes',
        })
      ).statusCode,
    ).toBe(303);
    page = await provider.get(recordOf(id));
    expect(page.body).toContain('class="notice notice-error hard-stop" role="alert"');
    expect(text(page.body)).toContain('Hard stop: allergy to ketamine');

    const rows = await db()
      .selectFrom('allergies')
      .select(['id', 'substance', 'ketamine'])
      .where('patient_id', '=', id)
      .orderBy('substance')
      .execute();
    expect(rows.map((r) => [r.substance, Number(r.ketamine)])).toEqual([
      ['Anaesthetic used in 2019', 1],
      ['Penicillin', 0],
    ]);
    const removed = await post(provider, id, `allergies/${rows[0]!.id}/remove`, {});
    expect(removed.statusCode).toBe(303);
    page = await provider.get(`${recordOf(id)}?saved=allergies`);
    expect(text(page.body)).not.toContain('Hard stop');
    expect(text(page.body)).toContain('Removed allergies (1)');
    expect(text(page.body)).toMatch(/Anaesthetic used in 2019: removed by Amara Okafor, Mar 2, 2026/);
    const kept = await db().selectFrom('allergies').selectAll().where('id', '=', rows[0]!.id).executeTakeFirstOrThrow();
    expect(kept.removed_by).not.toBeNull();
    // Removing it again, or an id of nothing, changes nothing and says so.
    const again = await post(provider, id, `allergies/${rows[0]!.id}/remove`, {});
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('That allergy is not current on this record any more');
    expect((await post(provider, id, 'allergies/not-an-id/remove', {})).statusCode).toBe(409);
    expect((await events('clinical.allergy.add')).map((e) => JSON.parse(e.detail).ketamine)).toEqual([false, true]);
    expect(await events('clinical.allergy.remove')).toHaveLength(1);
  });

  it('shows free text as text, never as markup', async () => {
    const id = await patientAt('chicago');
    const nurse = await signIn(rt(), NURSE);
    const script = '<script>alert(1)</script>';
    await post(nurse, id, 'allergies', { allergy_substance: script, allergy_reaction: '<img src=x onerror=alert(2)>' });
    await post(nurse, id, 'medications', { medication_name: script, medication_dose: '<b>5 mg</b>' });
    const page = await nurse.get(recordOf(id));
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Nor does the trail keep what was typed.
    const details = (await db().selectFrom('audit_events').select('detail').execute()).map((e) => e.detail ?? '');
    expect(details.some((d) => d.includes('script'))).toBe(false);
    // A direction override is refused by field.
    const sneaky = await post(nurse, id, 'allergies', { allergy_substance: 'Latex\u202Ereversed' });
    expect(sneaky.statusCode).toBe(400);
    expect(text(sneaky.body)).toContain('Substance: no control or invisible characters');
  });

  it('adds medications with their classes flagged, and stops them', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    const added = await post(provider, id, 'medications', {
      medication_name: 'Lorazepam',
      medication_dose: '0.5 mg at night',
      medication_class_benzodiazepine: 'yes',
    });
    expect(added.statusCode).toBe(303);
    await post(provider, id, 'medications', { medication_name: 'Vitamin D' });
    const page = await provider.get(recordOf(id));
    expect(page.body).toMatch(/<tr class="record-flagged"><th scope="row">Lorazepam<\/th>/);
    expect(page.body).toContain('<span class="badge badge-flag">Benzodiazepines</span>');
    const bad = await post(provider, id, 'medications', { medication_name: 'X', medication_class_antibiotic: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Classes: choose from the list');
    const rows = await db()
      .selectFrom('medications')
      .selectAll()
      .where('patient_id', '=', id)
      .orderBy('name')
      .execute();
    expect(rows.map((r) => [r.name, JSON.parse(r.classes)])).toEqual([
      ['Lorazepam', ['benzodiazepine']],
      ['Vitamin D', []],
    ]);
    expect((await post(provider, id, `medications/${rows[0]!.id}/stop`, {})).statusCode).toBe(303);
    const after = text((await provider.get(recordOf(id))).body);
    expect(after).toContain('Stopped medications (1)');
    expect(after).toMatch(/Lorazepam: stopped by Amara Okafor/);
    expect(await events('clinical.medication.stop')).toHaveLength(1);
  });

  it('adds diagnoses from the code list only, marks unverified codes, and removes them', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    const form = await provider.get(recordOf(id));
    expect(form.body).toContain(
      '<option value="G90.511">G90.511 Complex regional pain syndrome I of right upper limb</option>',
    );
    expect(form.body).toContain('G56.41 Causalgia (CRPS type II) of right upper limb (unverified code)');
    expect((await post(provider, id, 'diagnoses', { diagnosis_code: 'G90.511' })).statusCode).toBe(303);
    const bad = await post(provider, id, 'diagnoses', { diagnosis_code: 'F32.9' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Diagnosis: choose a code from the list');
    const row = await db().selectFrom('diagnoses').selectAll().where('patient_id', '=', id).executeTakeFirstOrThrow();
    expect([row.code, row.label]).toEqual(['G90.511', 'Complex regional pain syndrome I of right upper limb']);
    expect((await post(provider, id, `diagnoses/${row.id}/remove`, {})).statusCode).toBe(303);
    expect(text((await provider.get(recordOf(id))).body)).toContain('Removed diagnoses (1)');
  });

  it('records liver tests against their upper limit (flagged above it, as × ULN) and refuses a unit not accepted', async () => {
    const id = await patientAt('chicago');
    const nurse = await signIn(rt(), NURSE);
    expect(
      (await post(nurse, id, 'labs', { lab_test: 'alt', lab_value: '120', lab_unit: 'U/L', lab_uln: '40' })).statusCode,
    ).toBe(303);
    expect(
      (await post(nurse, id, 'labs', { lab_test: 'ast', lab_value: '20', lab_unit: 'IU/L', lab_uln: '40' })).statusCode,
    ).toBe(303);
    const page = await nurse.get(recordOf(id));
    expect(text(page.body)).toContain('ALT 120 U/L Above normal: 3 × ULN 40 U/L');
    expect(text(page.body)).toContain('AST 20 IU/L (0.5 × ULN)');
    const unit = await post(nurse, id, 'labs', { lab_test: 'alp', lab_value: '2', lab_unit: 'mg/dL', lab_uln: '120' });
    expect(unit.statusCode).toBe(400);
    expect(unit.body).toContain('id="lab_unit-error"');
    expect(text(unit.body)).toContain('Unit: ALP is entered in U/L or IU/L');
    const noUln = await post(nurse, id, 'labs', { lab_test: 'alp', lab_value: '2', lab_unit: 'U/L', lab_uln: '' });
    expect(text(noUln.body)).toContain('Upper limit of normal: the number the lab reports');
    const ecg = await post(nurse, id, 'findings', {
      finding_test: 'ecg',
      finding_text: 'Sinus rhythm, no ST changes.',
    });
    expect(ecg.statusCode).toBe(303);
    expect(text((await nurse.get(recordOf(id))).body)).toContain('ECG Sinus rhythm, no ST changes.');
    expect((await post(nurse, id, 'findings', { finding_test: 'alt', finding_text: 'x' })).statusCode).toBe(400);
    expect(await db().selectFrom('lab_results').selectAll().execute()).toHaveLength(3);
    expect((await events('clinical.result.add')).map((e) => JSON.parse(e.detail).test)).toEqual(['alt', 'ast', 'ecg']);
  });

  it('records PDMP checks with who checked and the result; a concern needs a note', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    const concern = await post(provider, id, 'pdmp', { pdmp_result: 'concerns' });
    expect(concern.statusCode).toBe(400);
    expect(text(concern.body)).toContain('Note: say what the concern is');
    expect(
      (await post(provider, id, 'pdmp', { pdmp_result: 'no_concerns', pdmp_checked_on: '2026-02-27' })).statusCode,
    ).toBe(303);
    const page = text((await provider.get(recordOf(id))).body);
    expect(page).toContain('Feb 27, 2026 No concerns — Amara Okafor');
    expect((await events('clinical.pdmp.add')).map((e) => JSON.parse(e.detail).result)).toEqual(['no_concerns']);
  });

  it('sums up what is current for screening and dose orders', async () => {
    const id = await patientAt('chicago');
    const provider = await signIn(rt(), PROVIDER);
    await post(provider, id, 'profile', {
      version: '0',
      date_of_birth: '1980-04-23',
      sex: 'female',
      pregnancy_possible: 'yes',
    });
    await post(provider, id, 'weights', { weight_value: '70', weight_unit: 'kg' });
    await post(provider, id, 'allergies', { allergy_substance: 'Ketamine' });
    await post(provider, id, 'medications', { medication_name: 'Tramadol', medication_class_opioid: 'yes' });
    await post(provider, id, 'diagnoses', { diagnosis_code: 'G90.50' });
    await post(provider, id, 'labs', {
      lab_test: 'alt',
      lab_value: '30',
      lab_unit: 'U/L',
      lab_uln: '40',
      lab_taken_on: '2026-02-01',
    });
    await post(provider, id, 'labs', { lab_test: 'alt', lab_value: '50', lab_unit: 'U/L', lab_uln: '40' });
    await post(provider, id, 'findings', { finding_test: 'ecg', finding_text: 'Normal' });
    await post(provider, id, 'pdmp', { pdmp_result: 'concerns', pdmp_note: 'Two prescribers' });
    const summary = await recordSummary(db(), id);
    expect(summary.profile).toEqual({
      dateOfBirth: '1980-04-23',
      sex: 'female',
      pregnancyPossible: true,
      heightCm: null,
    });
    expect(summary.weight?.kg).toBe(70);
    expect(summary.ketamineAllergy).toBe(true);
    expect(summary.medicationClasses).toEqual(['opioid']);
    expect(summary.diagnoses).toEqual([{ code: 'G90.50', label: 'Complex regional pain syndrome I, unspecified' }]);
    expect(summary.labs.alt).toMatchObject({ value: 50, unit: 'U/L', upperLimit: 40 });
    expect(summary.findings.ecg?.finding).toBe('Normal');
    expect(summary.pdmp).toMatchObject({ result: 'concerns', note: 'Two prescribers', checkedBy: 'Amara Okafor' });
  });
});
