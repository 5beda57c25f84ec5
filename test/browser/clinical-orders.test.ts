import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/staff/totp.ts';
import { activePlanFixture, clinicalPatientFixture, userId, weightFixture } from '../helpers/clinical-orders.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount, signIn } from '../helpers/staff.ts';

/**
 * The dose-order pages in Chromium, as a provider orders and a nurse checks: axe-core's WCAG 2.1 AA rules on each
 * page in its ordinary and error states, at desktop and phone widths, with the forms used as a person would (no
 * JavaScript needed). Screenshots go to /tmp/relief-orders for a person to look at.
 */
const SHOTS = process.env.RELIEF_SCREENSHOTS;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function pageAs(email: string, width: number): Promise<Page> {
  const b = await signIn(rt(), email);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...b.cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context.newPage();
}

describe('dose-order pages in Chromium', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('pass axe while a provider orders and a nurse checks, at 1280 and 390 px', async () => {
    const found: string[] = [];
    const check = async (page: Page, name: string) => {
      for (const v of await audit(page)) found.push(`${name}: ${v}`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    };
    for (const width of [1280, 390]) {
      const provider = await userId(rt(), 'provider@relief.example');
      const nurse = await userId(rt(), 'nurse@relief.example');
      const patient = await clinicalPatientFixture(rt());
      const plan = await activePlanFixture(rt(), patient, provider);
      await weightFixture(rt(), patient, nurse, 100);
      const list = `/staff/patients/${patient}/dose-orders`;

      const p = await pageAs('provider@relief.example', width);
      await p.goto(origin + list);
      await check(p, `${width}-list`);
      await p.getByRole('link', { name: /Order the dose for Infusion 1/ }).click();
      await check(p, `${width}-order-form`);
      await p.getByLabel('Authenticator code').fill('000000');
      await p.getByRole('button', { name: 'Sign and order' }).click();
      expect(await p.locator('#code-error').count()).toBe(1);
      await check(p, `${width}-order-form-wrong-code`);
      await p
        .getByLabel('Authenticator code')
        .fill(totpCode(demoAccount('provider@relief.example').totp, rt().clock.now()));
      await p.getByRole('button', { name: 'Sign and order' }).click();
      await expect.poll(() => p.url()).toContain('saved=ordered');
      await check(p, `${width}-ordered`);
      const orderUrl = p.url().split('?')[0]!;

      const n = await pageAs('nurse@relief.example', width);
      await n.goto(orderUrl);
      expect(await n.getByText('Pump rate').count()).toBe(0);
      await check(n, `${width}-verify-form`);
      await n.getByRole('button', { name: 'Record the check' }).click();
      await check(n, `${width}-verify-errors`);
      await n.getByLabel('Weight', { exact: true }).fill('90');
      await n.getByLabel('Ketamine in the bag (mg)').fill('100');
      await n.getByLabel('Bag volume (mL)').fill('100');
      await n.getByRole('button', { name: 'Record the check' }).click();
      await n.getByText('Mismatch — re-check or void').first().waitFor();
      await check(n, `${width}-mismatch`);
      await n.getByLabel('Weight', { exact: true }).fill('100');
      await n.getByLabel('Ketamine in the bag (mg)').fill('100');
      await n.getByLabel('Bag volume (mL)').fill('100');
      await n.getByRole('button', { name: 'Record the check' }).click();
      await n.getByText('The check matched').waitFor();
      await check(n, `${width}-verified`);
      expect(plan.appointments.length).toBe(2);
    }
    expect(found).toEqual([]);
  });
});
