import { describe, expect, it } from 'vitest';
import { currentDefinition, DIAGNOSIS_CODES, LAB_TESTS, MEDICATION_CLASS_LIST } from '../../src/clinical/service.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const ADMIN = 'admin@relief.example';
const PAGE = '/staff/clinical-settings';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** The edit form's fields as the page has them (hidden ones included), to post back with changes. */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name) continue;
    if (attrs.includes('type="checkbox"')) {
      if (attrs.includes(' checked')) fields[name] = 'yes';
      continue;
    }
    fields[name] = (/value="([^"]*)"/.exec(attrs)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return fields;
}

describe(`clinical settings (${engine})`, () => {
  it('lists the record’s definitions for administrators only, shipped defaults marked unverified', async () => {
    const admin = await signIn(rt(), ADMIN);
    const res = await admin.get(PAGE);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="${PAGE}" aria-current="page">Clinical settings</a>`);
    const page = text(res.body);
    for (const label of [
      'Record limits',
      'Medication classes',
      'Diagnosis codes (ICD-10-CM)',
      'Laboratory and other tests',
      'Screening validity',
      'Dose calculator settings',
    ])
      expect(page).toContain(label);
    // The settings with pages of their own are reached from here too.
    for (const href of [`${PAGE}/contraindication-rules`, `${PAGE}/consent`, '/staff/protocols'])
      expect(res.body).toContain(`href="${href}"`);
    expect((await admin.get(`${PAGE}/screening-validity`)).statusCode).toBe(200);
    expect((await admin.get(`${PAGE}/dosing-settings`)).statusCode).toBe(200);
    expect(page).toContain('Shipped default Unverified default');
    expect(page).toContain('Cohen SP et al., Reg Anesth Pain Med 2018');
    for (const email of ['provider@relief.example', 'nurse@relief.example', 'frontdesk@relief.example']) {
      const b = await signIn(rt(), email);
      expect((await b.get(PAGE)).statusCode, email).toBe(403);
      expect((await b.get(`${PAGE}/lab-tests`)).statusCode, email).toBe(403);
      expect((await b.get('/staff/patients')).body).not.toContain(`href="${PAGE}"`);
    }
    expect((await admin.get(`${PAGE}/no-such-kind`)).statusCode).toBe(404);
  });

  it('saves a list as a new version with its source, audited; rows cleared are removed, spare rows add', async () => {
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get(`${PAGE}/medication-classes`);
    const fields = formFields(form.body);
    expect(fields).toMatchObject({ version: '0', rows: '8', r0_code: 'benzodiazepine', r0_label: 'Benzodiazepines' });
    const saved = await admin.post(`${PAGE}/medication-classes`, {
      ...fields,
      r1_code: '',
      r1_label: '',
      r5_code: 'gabapentinoid',
      r5_label: 'Gabapentinoids',
      source: 'Medical director, December 2026',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${PAGE}/medication-classes?saved=1`);
    const current = await currentDefinition(rt().database.db, MEDICATION_CLASS_LIST);
    expect(current.version).toBe(1);
    expect(current.body.map((c) => c.code)).toEqual([
      'benzodiazepine',
      'mao_inhibitor',
      'stimulant',
      'opioid',
      'gabapentinoid',
    ]);
    const after = await admin.get(`${PAGE}/medication-classes?saved=1`);
    expect(text(after.body)).toContain('Saved as version 1.');
    expect(text(after.body)).toMatch(/Version 1, .* by Alex Admin: Medical director, December 2026/);
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'clinical.definition.save')
      .execute();
    expect(events.map((e) => JSON.parse(e.detail))).toEqual([{ kind: 'medication-classes', version: 1 }]);
    // The record's medication form offers the new list.
    expect(text((await admin.get(PAGE)).body)).toContain('Version 1');
  });

  it('names the cell that is wrong, and refuses a form loaded at an older version', async () => {
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get(`${PAGE}/lab-tests`);
    const fields = formFields(form.body);
    expect(fields).toMatchObject({ r0_code: 'alt', r0_units: 'U/L, IU/L', r3_code: 'ecg', r3_units: '' });
    const bad = await admin.post(`${PAGE}/lab-tests`, { ...fields, r2_code: 'ALP!', source: 'Lab' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="r2_code-error"');
    expect(text(bad.body)).toContain('Code, row 3: lower-case letters, digits and _');
    const noSource = await admin.post(`${PAGE}/lab-tests`, { ...fields, source: '' });
    expect(noSource.body).toContain('id="source-error"');
    const twice = await admin.post(`${PAGE}/lab-tests`, { ...fields, r4_code: 'alt', r4_label: 'Again', source: 'x' });
    expect(text(twice.body)).toContain('Code, row 5: Test alt is listed twice');

    const ok = await admin.post(`${PAGE}/lab-tests`, {
      ...fields,
      r4_code: 'ggt',
      r4_label: 'GGT',
      r4_units: 'U/L',
      source: 'Lab',
    });
    expect(ok.statusCode).toBe(303);
    const stale = await admin.post(`${PAGE}/lab-tests`, { ...fields, source: 'Lab again' });
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('Someone saved version 1');
    const current = await currentDefinition(rt().database.db, LAB_TESTS);
    expect([current.version, current.body.map((t) => t.code)]).toEqual([1, ['alt', 'ast', 'alp', 'ecg', 'ggt']]);
  });

  it('edits per-row flags and single sets of figures', async () => {
    const admin = await signIn(rt(), ADMIN);
    const fields = formFields((await admin.get(`${PAGE}/diagnosis-codes`)).body);
    expect(fields.r0_unverified).toBeUndefined();
    expect(fields.r10_unverified).toBe('yes');
    const { r10_unverified: _confirmed, ...rest } = fields;
    expect(
      (await admin.post(`${PAGE}/diagnosis-codes`, { ...rest, source: 'Checked against FY2027 tabular list' }))
        .statusCode,
    ).toBe(303);
    const codes = await currentDefinition(rt().database.db, DIAGNOSIS_CODES);
    expect(codes.body.find((c) => c.code === 'G56.40')?.unverified).toBe(false);
    expect(codes.body.find((c) => c.code === 'G56.41')?.unverified).toBe(true);

    const limits = formFields((await admin.get(`${PAGE}/record-limits`)).body);
    const bad = await admin.post(`${PAGE}/record-limits`, { ...limits, r0_weightMaxKg: '20', source: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="r0_weightMaxKg-error"');
    expect(text(bad.body)).toContain('Highest weight (kg): above the minimum');
  });
});
