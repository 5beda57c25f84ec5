import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { MINUTE, recoveringSession, sessionUrl } from '../helpers/session-recovery.ts';
import { orderedVisit } from '../helpers/sessions.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * Recovery, discharge and the session record in Chromium, without JavaScript-only steps: the discharge part listing
 * what is missing (with the provider's override), the Aldrete form refused and then passing, the discharge, the
 * record awaiting co-signature, and the printable sheet (screen and print media); axe (WCAG 2.1 A/AA) on each, at
 * desktop and phone widths, screenshotted under /tmp for a person to look at.
 */
const SHOTS = '/tmp/relief-discharge-shots';

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

async function chooseAll(page: Page, level: string, except?: string) {
  for (const item of ['activity', 'respiration', 'circulation', 'consciousness', 'oxygenSaturation']) {
    if (item === except) continue;
    await page.locator(`input[name="${item}"][value="${level}"]`).check();
  }
}

describe('recovery and discharge in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the discharge part, the assessment, the discharge, the record and the sheet pass axe at both widths', async () => {
    for (const width of [1280, 390]) {
      const visit = await orderedVisit(rt(), width === 1280 ? 'Rosa' : 'Lena');
      const { id } = await recoveringSession(rt(), visit, { clockAfter: 50 });
      const url = `${origin}${sessionUrl(visit, id)}`;
      const page = await pageAs('provider@relief.example', width);
      await page.goto(url);
      const main = () => page.locator('main').textContent();
      expect(await main()).toContain('Still missing');
      expect(await main()).toContain('Discharge with override');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/missing-${width}.png`, fullPage: true });

      // One item left unanswered: refused, naming it.
      await chooseAll(page, '2', 'respiration');
      await page.getByRole('button', { name: 'Save assessment' }).click();
      await expect.poll(main).toContain('Breathing: choose one of the three levels');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/assessment-error-${width}.png`, fullPage: true });

      rt().clock.advance(10 * MINUTE);
      await page.goto(url);
      await chooseAll(page, '2');
      await page.getByLabel('Escort’s name').fill('Sam Carter');
      await page.getByLabel('The escort is here, at the door').check();
      await page.getByRole('button', { name: 'Save assessment' }).click();
      await expect.poll(main).toContain('Every condition holds.');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/ready-${width}.png`, fullPage: true });

      await page.getByRole('button', { name: 'Discharge the patient' }).click();
      await expect.poll(main).toContain('Session record');
      expect(await main()).toContain('Awaiting the supervising provider’s co-signature.');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/record-${width}.png`, fullPage: true });

      await page.getByRole('link', { name: /Discharge sheet/ }).click();
      await expect.poll(main).toContain('After your infusion');
      expect(await main()).toContain('(312)');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/sheet-${width}.png`, fullPage: true });
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.clinical-tabs').isVisible()).toBe(false);
      expect(await page.locator('.site-header').isVisible()).toBe(false);
      await page.screenshot({ path: `${SHOTS}/sheet-print-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('the discharge settings (rule and after-care text) pass axe at both widths for the administrator', async () => {
    for (const width of [1280, 390]) {
      const page = await pageAs('admin@relief.example', width);
      await page.goto(`${origin}/staff/clinical-settings/discharge-settings`);
      expect(await page.locator('main').textContent()).toContain('What to watch for');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/settings-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });
});
