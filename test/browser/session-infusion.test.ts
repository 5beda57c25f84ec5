import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/staff/totp.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { readySession, sessionUrl } from '../helpers/infusion.ts';
import { orderedVisit } from '../helpers/sessions.ts';
import { demoAccount, signIn } from '../helpers/staff.ts';

/**
 * The infusion part of the session page in Chromium, without JavaScript's help: the nurse starts the infusion from
 * the form (bag, witness code, pump), lowers the rate, records a side effect and a rescue dose, and sees a refused
 * rate named on its field; each state checked with axe (WCAG 2.1 A/AA) at desktop and phone widths and screenshotted
 * under /tmp for a person to look at.
 */
const SHOTS = '/tmp/relief-infusion-shots';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function pageAs(email: string, width: number): Promise<Page> {
  const b = await signIn(rt(), email);
  const context = await browser.newContext({
    locale: 'en-US',
    viewport: { width, height: 900 },
    javaScriptEnabled: true,
  });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...b.cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context.newPage();
}

describe('the infusion on the session page (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('starts, runs, records a side effect and a dose, and names a refused rate, passing axe at both widths', async () => {
    const visit = await orderedVisit(rt(), 'Iris');
    rt().clock.current = visit.startsAt + 5 * 60_000;
    const session = await readySession(rt(), visit);
    const url = `${origin}${sessionUrl(visit, session)}`;

    const nurse = await pageAs('nurse@relief.example', 1280);
    await nurse.goto(url);
    for (const width of [1280, 390]) {
      await nurse.setViewportSize({ width, height: 900 });
      expect(await audit(nurse)).toEqual([]);
      await nurse.screenshot({ path: `${SHOTS}/ready-${width}.png`, fullPage: true });
    }
    await nurse.setViewportSize({ width: 1280, height: 900 });
    await nurse.getByLabel('Lot number').fill('KX-2291');
    await nurse.getByLabel('Expiry date').fill('2099-06-30');
    await nurse.getByLabel('Ketamine in the bag (mg)').fill('100');
    await nurse.getByLabel('Bag volume (mL)').fill('100');
    await nurse.getByLabel('Witness', { exact: true }).selectOption({ label: 'Amara Okafor (provider)' });
    await nurse
      .getByLabel('Witness’s authenticator code')
      .fill(totpCode(demoAccount('provider@relief.example').totp, rt().clock.now()));
    await nurse.getByRole('button', { name: 'Start the infusion' }).click();
    await expect.poll(() => nurse.locator('main').textContent()).toContain('The infusion has started.');

    rt().clock.advance(10 * 60_000);
    await nurse.getByLabel('New pump rate (mL/h)').fill('20');
    await nurse.getByLabel('Reason for the change').fill('Dizzy');
    await nurse.getByRole('button', { name: 'Change the rate' }).click();
    await expect.poll(() => nurse.locator('main').textContent()).toContain('The new rate is recorded.');

    await nurse.getByLabel('Side effect', { exact: true }).selectOption({ label: 'Nausea or vomiting' });
    await nurse.getByLabel('Grade 2, moderate').check();
    await nurse.getByLabel('Action taken').fill('Ondansetron given');
    await nurse.getByRole('button', { name: 'Record the side effect' }).click();
    await expect.poll(() => nurse.locator('main').textContent()).toContain('The side effect is recorded.');

    await nurse.getByLabel('Medication', { exact: true }).selectOption('Ondansetron');
    await nurse.getByLabel('Dose (mg)').fill('4');
    await nurse.locator('#med_reason').fill('Nausea');
    await nurse.getByRole('button', { name: 'Record the dose' }).click();
    await expect.poll(() => nurse.locator('main').textContent()).toContain('The dose is recorded.');

    for (const width of [1280, 390]) {
      await nurse.setViewportSize({ width, height: 900 });
      expect(await audit(nurse)).toEqual([]);
      await nurse.screenshot({ path: `${SHOTS}/infusing-${width}.png`, fullPage: true });
    }

    await nurse.getByLabel('New pump rate (mL/h)').fill('40');
    await nurse.getByLabel('Reason for the change').fill('Pain');
    await nurse.getByRole('button', { name: 'Change the rate' }).click();
    await expect.poll(() => nurse.locator('#rate-error').textContent()).toContain('Rate: at most 24.5 mg/h');
    for (const width of [1280, 390]) {
      await nurse.setViewportSize({ width, height: 900 });
      expect(await audit(nurse)).toEqual([]);
      await nurse.screenshot({ path: `${SHOTS}/rate-refused-${width}.png`, fullPage: true });
    }
    await nurse.context().close();
  });

  it('the protocol library’s limits form for the as-needed orders passes axe at both widths, refused and saved', async () => {
    for (const width of [1280, 390]) {
      const admin = await pageAs('admin@relief.example', width);
      await admin.goto(`${origin}/staff/protocols/booster-4h`);
      await admin.getByLabel('Midazolam: largest single dose (mg)').fill('6');
      await admin.getByRole('button', { name: 'Save the limits' }).click();
      await expect.poll(() => admin.locator('main').textContent()).toContain('cannot be above the most in a session');
      expect(await audit(admin)).toEqual([]);
      await admin.screenshot({ path: `${SHOTS}/limits-refused-${width}.png`, fullPage: true });
      await admin.getByLabel('Midazolam: largest single dose (mg)').fill('2');
      await admin.getByRole('button', { name: 'Save the limits' }).click();
      await expect.poll(() => admin.locator('main').textContent()).toContain('The limits are saved');
      expect(await audit(admin)).toEqual([]);
      await admin.context().close();
    }
  });
});
