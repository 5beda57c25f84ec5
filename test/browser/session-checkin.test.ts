import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { onTheDay, signConsent } from '../helpers/checkin.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { orderedVisit } from '../helpers/sessions.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * Check-in and the pre-infusion checks in Chromium, without JavaScript-dependent steps: the check-in page, the
 * session page with its checklist and vitals forms in their ordinary and refused states, at 1280 and 390 px, each
 * passing axe-core's WCAG 2.1 AA rules. Screenshots go to RELIEF_SCREENSHOTS when set, for a person to look at.
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

describe('check-in pages in Chromium', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('pass axe from check-in to ready to start, at 1280 and 390 px', async () => {
    const found: string[] = [];
    const check = async (page: Page, name: string) => {
      for (const v of await audit(page)) found.push(`${name}: ${v}`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    };
    for (const width of [1280, 390]) {
      const visit = await orderedVisit(rt(), width === 1280 ? 'Rosa' : 'Ines');
      await signConsent(rt(), visit.patientId);
      onTheDay(rt(), visit);
      const n = await pageAs('nurse@relief.example', width);
      await n.goto(`${origin}/staff/appointments/${visit.appointmentId}/check-in`);
      await check(n, `${width}-check-in`);
      await n.getByRole('button', { name: /^Check in / }).click();
      await expect.poll(() => n.url()).toContain('saved=checked_in');
      await check(n, `${width}-session-checked-in`);

      // A refused checklist and a refused reading show their messages on the fields.
      await n.getByLabel('Pain now (0 to 10)').fill('12');
      await n.getByRole('button', { name: 'Save the answers' }).click();
      expect(await n.locator('#pain-error').count()).toBe(1);
      await check(n, `${width}-checklist-refused`);
      await n.getByLabel('Identity confirmed', { exact: false }).check();
      await n.getByLabel('Hours since solid food').fill('8');
      await n.getByLabel('Hours since clear fluids').fill('3');
      await n.getByText('An escort (name and phone below)').click();
      await n.getByLabel('Escort’s name').fill('Sam Test');
      await n.getByLabel('Escort’s phone').fill('(312) 555-0100');
      await n.getByText('Negative', { exact: true }).click();
      await n.getByText('None', { exact: true }).click();
      await n.getByLabel('Pain now (0 to 10)').fill('6');
      await n.getByText('Not at all', { exact: true }).click();
      await n.getByRole('button', { name: 'Save the answers' }).click();
      await expect.poll(() => n.url()).toContain('saved=checklist');

      await n.getByLabel('Systolic (mmHg)').fill('128');
      await n.getByLabel('Diastolic (mmHg)').fill('140');
      await n.getByLabel('Heart rate (/min)').fill('0');
      await n.getByLabel('SpO₂ (%)').fill('98');
      await n.getByLabel('Resp. rate (/min)').fill('14');
      await n.getByRole('button', { name: 'Save the reading' }).click();
      expect(await n.locator('#heart_rate-error').count()).toBe(1);
      await n.getByLabel('Heart rate (/min)').fill('74');
      await n.getByRole('button', { name: 'Save the reading' }).click();
      expect(await n.locator('#diastolic-error').count()).toBe(1);
      await check(n, `${width}-vitals-refused`);
      await n.getByLabel('Diastolic (mmHg)').fill('82');
      await n.getByLabel('Sedation (RASS)').selectOption('0');
      await n.getByRole('button', { name: 'Save the reading' }).click();
      await expect.poll(() => n.url()).toContain('saved=vitals');
      await check(n, `${width}-session-checks-complete`);
      await n.getByRole('button', { name: 'Checks done: ready to start' }).click();
      await expect.poll(() => n.url()).toContain('saved=ready');
      await check(n, `${width}-session-ready`);
      await n.context().close();
    }
    expect(found).toEqual([]);
  }, 180_000);
});
