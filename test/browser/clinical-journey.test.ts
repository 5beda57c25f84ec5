import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { bookOnline } from '../helpers/journey.ts';
import { suggestedProtocols } from '../helpers/clinical-plans.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount } from '../helpers/staff.ts';

/**
 * Issue 11's acceptance walk in Chromium, from a booked consultation to a verified first dose: the intake email's
 * link → every intake section filled and sent, each consent document signed → the provider signs in, records the
 * profile and the day's weight, examines and signs the screening → writes and signs the plan → books the series →
 * orders the first dose → the nurse signs in and checks it blind, and it is verified. axe-core's WCAG 2.1 A/AA rules
 * (and best practice) on every page visited. Screenshots go to $WALK_SHOTS when set.
 */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SHOTS = process.env.WALK_SHOTS;
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;
const found: string[] = [];
let shots = 0;

async function audit(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate('typeof axe === "object"'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            ctx: unknown,
            opts: unknown,
          ): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }>;
        };
      }
    ).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id} at ${JSON.stringify(n.target)}`));
  }, TAGS);
  for (const v of violations) found.push(`${name}: ${v}`);
  if (SHOTS)
    await page.screenshot({ path: `${SHOTS}/${String(++shots).padStart(2, '0')}-${name}.png`, fullPage: true });
}

/** Clicks and waits for the page the click loads. */
async function submit(page: Page, button: string | RegExp) {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button }).first().click()]);
}

/** Signs in through the sign-in pages, as a person does: password, then the authenticator's code. */
async function signInAs(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${origin}/staff/sign-in`);
  await audit(page, `${email.split('@')[0]}-sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await submit(page, 'Continue');
  await page.getByLabel('Code').fill(code(email));
  await submit(page, 'Sign in');
  return page;
}

/** The signer's current code, in a step of its own (a code can be used once). */
function code(email: string): string {
  rt().clock.advance(30_000);
  return totpCode(demoAccount(email).totp, rt().clock.now());
}

describe('the clinical core walked in Chromium: intake by link to a verified first dose', () => {
  beforeAll(async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    await suggestedProtocols(rt());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('intake → screening signed → plan signed → series booked → dose ordered → nurse verifies', async () => {
    const db = rt().database.db;
    // 1. A new patient books a consultation online; the intake email follows.
    const appointmentId = await bookOnline(rt(), 'first');
    const { patient_id: patientId } = await db
      .selectFrom('appointments')
      .select('patient_id')
      .where('id', '=', appointmentId)
      .executeTakeFirstOrThrow();
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('Before your visit'));
    expect(mail, 'the intake email').toBeDefined();
    const link = /http:\/\/relief\.test(\/intake\/[A-Za-z0-9_.-]+)/.exec(mail!.text)![1]!;

    // 2. The patient fills every section in the browser, signs each document and sends.
    const patientContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    patientContext.setDefaultTimeout(10_000);
    const patient = await patientContext.newPage();
    const answer: Array<[section: string, value: string]> = [
      ['history', 'no'],
      ['medicines', 'no'],
      ['symptoms', 'yes'],
      ['pain', '6'],
      ['phq9', '0'],
      ['gad7', '0'],
    ];
    for (const [section, value] of answer) {
      await patient.goto(`${origin}${link}/${section}`);
      await audit(patient, `intake-${section}`);
      const radios = patient.locator(`input[type="radio"][value="${value}"]`);
      for (let i = 0; i < (await radios.count()); i++) await radios.nth(i).check();
      if (section === 'medicines') {
        await patient.locator('#medications').fill('Gabapentin 300 mg three times a day');
        await patient.locator('#allergies').fill('Penicillin: rash');
      }
      await submit(patient, 'Save and continue');
      expect(await patient.locator('.error-summary').count(), section).toBe(0);
    }
    await patient.goto(`${origin}${link}/consent`);
    await audit(patient, 'intake-consent');
    while ((await patient.locator('.consent-form').count()) > 0) {
      const form = patient.locator('.consent-form').first();
      await form.getByLabel('Your full name').fill('Ana Moreno');
      await form.getByRole('checkbox').check();
      await Promise.all([
        patient.waitForEvent('load'),
        form.getByRole('button', { name: 'Sign this document' }).click(),
      ]);
    }
    await patient.goto(`${origin}${link}/review`);
    await audit(patient, 'intake-review');
    await submit(patient, 'Send my answers');
    await audit(patient, 'intake-sent');
    await patientContext.close();
    const intake = await db
      .selectFrom('intakes')
      .select(['status', 'answers'])
      .where('patient_id', '=', patientId!)
      .executeTakeFirstOrThrow();
    expect(intake.status).toBe('submitted');
    expect(JSON.parse(intake.answers).phq9.q9).toBe(0);

    // 3. The provider signs in, records the profile and today's weight, and signs the screening.
    const provider = await signInAs(PROVIDER);
    const base = `${origin}/staff/patients/${patientId}`;
    await provider.goto(`${base}/clinical`);
    await audit(provider, 'record');
    await provider.getByText('Edit the profile').click();
    await provider.getByLabel('Date of birth').fill('1984-03-12');
    await provider.getByLabel('Sex').selectOption('female');
    await provider.getByLabel(/pregnan/i).selectOption('no');
    await submit(provider, /Save the profile|Save/);
    await provider.getByText('Add a weight').click();
    await provider.locator('#weight_value').fill('68.4');
    await Promise.all([
      provider.waitForEvent('load'),
      provider.locator('form[action$="/weights"] button[type="submit"]').click(),
    ]);
    await audit(provider, 'record-filled');

    await provider.goto(`${base}/screening`);
    await audit(provider, 'screening-new');
    await provider.selectOption('#budapest-pain', 'yes');
    await provider.selectOption('#budapest-explanation', 'no');
    for (const sign of await provider.locator('select[id^="sign-"]').all()) await sign.selectOption('yes');
    for (const fact of await provider.locator('select[id^="fact-"]').all()) {
      if ((await fact.inputValue()) !== '') continue;
      const options = await fact
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
      await fact.selectOption(options.includes('no') ? 'no' : 'none');
    }
    await provider.fill('#fact-systolic_bp', '122');
    await provider.fill('#fact-diastolic_bp', '76');
    await provider.fill('#vital-heart_rate', '74');
    await provider.fill('#vital-spo2', '98');
    await provider.fill('#code', code(PROVIDER));
    await Promise.all([provider.waitForEvent('load'), provider.click('button[value="sign"]')]);
    expect(await provider.textContent('#signed-heading')).toContain('Eligible');
    await audit(provider, 'screening-signed');

    // 4. The plan: written from the protocol, then signed.
    await provider.goto(`${base}/plan`);
    await audit(provider, 'plan-new');
    await provider.getByLabel('Protocol', { exact: true }).selectOption('crps-10-day');
    await submit(provider, 'Save as a draft');
    await audit(provider, 'plan-draft');
    await provider.getByLabel('Code from your authenticator app').fill(code(PROVIDER));
    await submit(provider, 'Sign and activate');
    await audit(provider, 'plan-active');

    // 5. The series: proposed around the chosen start, then booked in one go.
    await provider.getByLabel('Location', { exact: true }).selectOption('chicago');
    await provider.getByLabel('Start date').fill('2026-03-09');
    await provider.getByLabel('Preferred time').fill('10:00');
    await submit(provider, 'Propose times');
    await audit(provider, 'series-proposal');
    await submit(provider, /Book all 10/);
    await audit(provider, 'series-booked');
    const sessions = await db
      .selectFrom('appointments')
      .innerJoin('appointment_types as t', 't.id', 'appointments.type_id')
      .select('appointments.id')
      .where('patient_id', '=', patientId)
      .where('t.kind', '=', 'infusion')
      .execute();
    expect(sessions).toHaveLength(10);

    // 6. The first dose: worked out from today's weight, signed.
    await provider.goto(`${base}/dose-orders`);
    await audit(provider, 'orders');
    await Promise.all([
      provider.waitForEvent('load'),
      provider.getByRole('link', { name: /Order the dose for Infusion 1\b/ }).click(),
    ]);
    await audit(provider, 'order-form');
    await provider.getByLabel('Authenticator code').fill(code(PROVIDER));
    await submit(provider, 'Sign and order');
    await expect.poll(() => provider.url()).toContain('saved=ordered');
    await audit(provider, 'ordered');
    const orderUrl = provider.url().split('?')[0]!;
    await provider.context().close();

    // 7. The nurse signs in and checks it blind: the ordered figures stay hidden until the check matches.
    const nurse = await signInAs(NURSE);
    await nurse.goto(orderUrl);
    expect(await nurse.getByText('Pump rate').count()).toBe(0);
    await audit(nurse, 'verify-form');
    await nurse.getByLabel('Weight', { exact: true }).fill('68.4');
    await nurse.getByLabel('Ketamine in the bag (mg)').fill('100');
    await nurse.getByLabel('Bag volume (mL)').fill('100');
    await submit(nurse, 'Record the check');
    await nurse.getByText('The check matched').waitFor();
    await audit(nurse, 'verified');
    await nurse.context().close();

    const order = await db
      .selectFrom('dose_orders')
      .select(['status', 'ordered_by', 'verified_by'])
      .where('patient_id', '=', patientId!)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('verified');
    expect(order.verified_by).not.toBe(order.ordered_by);
    expect(found).toEqual([]);
  });
});
