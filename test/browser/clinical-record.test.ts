import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { csrfFrom, signIn, type Browser as Client } from '../helpers/staff.ts';

/**
 * The clinical record and the clinical settings in a real browser: axe-core's WCAG 2.1 A/AA and best-practice rules
 * on a full record (every section filled, every form opened), on a refused form, and on the settings pages, at
 * desktop and phone widths. Screenshots are written only when CLINICAL_SHOTS names a folder (never in the repo).
 */
const SHOTS = process.env.CLINICAL_SHOTS;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function newContext(cookies: Map<string, string>, width: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

/** Every disclosure open, so axe sees every form (and the screenshot shows them). */
const openAll = (page: Page) =>
  page.evaluate(
    'for (const d of document.querySelectorAll("details")) d.open = true; document.querySelectorAll("details").length',
  );

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  // And in screen-high parts, to look at closely.
  const { width } = page.viewportSize()!;
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  for (let y = 0, n = 1; y < height; y += 1200, n++)
    await page.screenshot({
      path: `${SHOTS}/${name}-part${n}.png`,
      fullPage: true,
      clip: { x: 0, y, width, height: Math.min(1200, height - y) },
    });
}

/** A Chicago patient with something in every section of the record, entered through the record's own forms. */
async function filledRecord(b: Client): Promise<string> {
  const id = randomUUID();
  const now = rt().clock.now();
  await rt()
    .database.db.insertInto('patients')
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
  const base = `/staff/patients/${id}/clinical`;
  const posts: Array<[string, Record<string, string>]> = [
    ['profile', { version: '0', date_of_birth: '1980-04-23', sex: 'female', pregnancy_possible: 'no', height: '165' }],
    ['weights', { weight_value: '160', weight_unit: 'lb', weight_measured_on: '2026-03-01' }],
    ['allergies', { allergy_substance: 'Ketamine', allergy_reaction: 'Hives and wheeze' }],
    ['allergies', { allergy_substance: 'Penicillin', allergy_reaction: 'Rash' }],
    [
      'medications',
      { medication_name: 'Lorazepam', medication_dose: '0.5 mg at night', medication_class_benzodiazepine: 'yes' },
    ],
    ['medications', { medication_name: 'Vitamin D', medication_dose: '1000 IU daily' }],
    ['diagnoses', { diagnosis_code: 'G90.512' }],
    ['labs', { lab_test: 'alt', lab_value: '130', lab_unit: 'U/L', lab_uln: '40' }],
    ['labs', { lab_test: 'ast', lab_value: '28', lab_unit: 'U/L', lab_uln: '40' }],
    ['findings', { finding_test: 'ecg', finding_text: 'Sinus rhythm, 72 bpm.\nNo ST changes.' }],
    ['pdmp', { pdmp_result: 'no_concerns', pdmp_note: 'One prescriber, one pharmacy.' }],
  ];
  for (const [path, fields] of posts) {
    const page = await b.get(base);
    const res = await b.post(`${base}/${path}`, { _csrf: csrfFrom(page.body), ...fields });
    expect(res.statusCode, path).toBe(303);
  }
  return id;
}

describe('the clinical record in a browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('passes on a full record, every form open, and on a refused form, at desktop and phone widths', async () => {
    const provider = await signIn(rt(), 'provider@relief.example');
    const id = await filledRecord(provider);
    const found: string[] = [];
    for (const width of [1280, 390]) {
      const page = await (await newContext(provider.cookies, width)).newPage();
      const res = await page.goto(`${origin}/staff/patients/${id}/clinical`);
      expect(res?.status()).toBe(200);
      await shot(page, `record-${width}`);
      // Nothing wider than the screen but what scrolls in its own region (a phone scrolls no page sideways).
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      expect(await openAll(page)).toBeGreaterThan(5);
      for (const v of await audit(page)) found.push(`${width}px record: ${v}`);
      await shot(page, `record-open-${width}`);

      // A weight out of range, posted through the page's own form without JavaScript's help.
      await page.locator('#weight_value').fill('12');
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('form[action$="/weights"] button[type="submit"]').click(),
      ]);
      expect(await page.locator('#weight_value-error').textContent()).toContain('Weight: from 25 to 300 kg');
      for (const v of await audit(page)) found.push(`${width}px refused weight: ${v}`);
      await shot(page, `record-refused-${width}`);
    }
    expect(found).toEqual([]);
  });

  it('passes on the clinical settings pages, a refused one included', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const found: string[] = [];
    for (const width of [1280, 390]) {
      const page = await (await newContext(admin.cookies, width)).newPage();
      for (const url of [
        '/staff/clinical-settings',
        '/staff/clinical-settings/lab-tests',
        '/staff/clinical-settings/record-limits',
      ]) {
        expect((await page.goto(origin + url))?.status(), url).toBe(200);
        for (const v of await audit(page)) found.push(`${width}px ${url}: ${v}`);
        await shot(page, `settings${url.replace(/\//g, '-')}-${width}`);
      }
      await page.getByLabel('Lowest weight (kg)').fill('x');
      await Promise.all([
        page.waitForEvent('load'),
        page.getByRole('button', { name: 'Save as a new version' }).click(),
      ]);
      expect(await page.locator('#r0_weightMinKg-error').textContent()).toContain('Lowest weight (kg): a number');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      for (const v of await audit(page)) found.push(`${width}px refused settings: ${v}`);
      await shot(page, `settings-refused-${width}`);
    }
    expect(found).toEqual([]);
  });
});
