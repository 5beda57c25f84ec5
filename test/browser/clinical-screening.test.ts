import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/staff/totp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount, signIn } from '../helpers/staff.ts';

/**
 * The screening page and the contraindication rules page in Chromium: axe-core's WCAG 2.1 AA rules in each state a
 * provider, a nurse and an administrator meet (new, refused, signed with an addendum; the rules with an error), at
 * desktop and phone widths, driven through the real forms without JavaScript shortcuts. Screenshots go to /tmp.
 */
const SHOTS = process.env.SCREENING_SHOTS;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function pageAs(email: string, width: number): Promise<Page> {
  const cookies = (await signIn(rt(), email)).cookies;
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context.newPage();
}

async function check(page: Page, name: string, found: string[]) {
  for (const v of await audit(page)) found.push(`${name}: ${v}`);
  if (!SHOTS) return;
  // In parts a person can read at the page's width: a whole long page shrinks to nothing in an image viewer.
  const { width, height } = await page.evaluate(() => {
    const d = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; scrollHeight: number } } }
    ).document.documentElement;
    return { width: d.scrollWidth, height: d.scrollHeight };
  });
  const part = width > 600 ? 1400 : 1800;
  for (let y = 0, n = 1; y < height; y += part, n++)
    await page.screenshot({
      path: `${SHOTS}/${name}-${n}.png`,
      fullPage: true,
      clip: { x: 0, y, width, height: Math.min(part, height - y) },
    });
}

async function patientWithIntake(): Promise<string> {
  const db = rt().database.db;
  const id = randomUUID();
  const now = rt().clock.now();
  const nurse = (
    await db.selectFrom('users').select('id').where('email', '=', 'nurse@relief.example').executeTakeFirstOrThrow()
  ).id;
  await db
    .insertInto('patients')
    .values({
      id,
      first_name: 'Rosa',
      last_name: 'Vega',
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: 'loc-chicago',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('intakes')
    .values({
      id: randomUUID(),
      patient_id: id,
      questionnaire_version: 1,
      answers: JSON.stringify({
        facts: { ketamine_allergy: false, pregnant_or_possible: false, breastfeeding: false, seizure_disorder: true },
        symptoms: { sensory: true, vasomotor: true, sudomotor_oedema: true, motor_trophic: false },
        pain: { now: 7, average: 6, worst: 9 },
        phq9: { q1: 2, q2: 2, q3: 1, q4: 1, q5: 1, q6: 1, q7: 1, q8: 0, q9: 1 },
        gad7: { q1: 1, q2: 1, q3: 1, q4: 1, q5: 0, q6: 0, q7: 0 },
        medications: 'clonazepam at night',
      }),
      status: 'submitted',
      started_at: now,
      updated_at: now,
      submitted_at: now,
    })
    .execute();
  await db
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
  await db
    .insertInto('clinical_profiles')
    .values({
      patient_id: id,
      date_of_birth: '1979-05-14',
      sex: 'female',
      pregnancy_possible: 0,
      updated_by: nurse,
      updated_at: now,
    })
    .execute();
  return id;
}

describe('the screening pages (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('pass for a provider, a nurse and an administrator, in every state, at desktop and phone widths', async () => {
    const found: string[] = [];
    const id = await patientWithIntake();
    const url = `${origin}/staff/patients/${id}/screening`;
    for (const width of [1280, 390]) {
      const provider = await pageAs('provider@relief.example', width);
      await provider.goto(url);
      await check(provider, `screening-new-${width}`, found);
      if (width === 1280) {
        // A refused signature: the form comes back as typed, the code named.
        await provider.fill('#fact-age', 'forty');
        await provider.fill('#code', '000000');
        await provider.click('button[value="sign"]');
        expect(await provider.textContent('.error-summary')).toContain('Age (years)');
        await check(provider, `screening-refused-${width}`, found);
        // Examined and signed with an override; then an addendum.
        await provider.goto(url);
        for (const sel of ['#budapest-pain', '#sign-sensory', '#sign-vasomotor'])
          await provider.selectOption(sel, 'yes');
        await provider.selectOption('#budapest-explanation', 'no');
        for (const key of [
          'active_psychosis',
          'active_suicidal_ideation',
          'uncontrolled_hypertension',
          'high_cardiovascular_risk',
          'aneurysmal_vascular_disease',
          'arteriovenous_malformation',
          'intracerebral_haemorrhage',
          'liver_toxicity_risk',
          'raised_intraocular_pressure',
          'raised_intracranial_pressure',
          'interstitial_cystitis',
        ])
          await provider.selectOption(`#fact-${key}`, 'no');
        for (const key of ['cardiovascular_disease', 'liver_disease', 'substance_use'])
          await provider.selectOption(`#fact-${key}`, 'none');
        await provider.fill('#fact-systolic_bp', '126');
        await provider.fill('#fact-diastolic_bp', '82');
        await provider.fill('#vital-heart_rate', '74');
        await provider.fill('#vital-spo2', '98');
        await provider.click('button[value="save"]');
        await check(provider, `screening-draft-${width}`, found);
        await provider.check('#override-seizure_disorder');
        await provider.fill('#override_reason-seizure_disorder', 'Seizure-free for ten years; neurology agrees.');
        await provider.fill('#code', totpCode(demoAccount('provider@relief.example').totp, rt().clock.now()));
        await provider.click('button[value="sign"]');
        expect(await provider.textContent('#signed-heading')).toContain('Eligible');
        rt().clock.advance(30_000);
        await provider.fill('#text', 'Baseline heart rate re-checked at 72 after rest.');
        await provider.fill('#addendum_code', totpCode(demoAccount('provider@relief.example').totp, rt().clock.now()));
        await provider.click('text=Sign and add the addendum');
        expect(await provider.textContent('.screening-addenda')).toContain('re-checked at 72');
      }
      await provider.goto(url);
      await check(provider, `screening-signed-${width}`, found);
      await provider.context().close();

      const nurse = await pageAs('nurse@relief.example', width);
      await nurse.goto(url);
      await check(nurse, `screening-nurse-${width}`, found);
      await nurse.context().close();

      const admin = await pageAs('admin@relief.example', width);
      await admin.goto(`${origin}/staff/clinical-settings/contraindication-rules`);
      await check(admin, `rules-${width}`, found);
      if (width === 1280) {
        await admin.fill('#rules', '{"rules": [');
        await admin.fill('#source', 'Medical director');
        await admin.click('text=Save a new version');
        await check(admin, `rules-refused-${width}`, found);
      }
      await admin.context().close();
    }
    expect(found).toEqual([]);
  });
});
