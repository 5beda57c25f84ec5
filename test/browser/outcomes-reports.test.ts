import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { userId } from '../helpers/clinical-orders.ts';
import { outcomeCohort } from '../helpers/outcomes.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * The outcomes report and a patient's outcomes chart in a real browser: axe-core's WCAG 2.1 A/AA and best-practice
 * rules at desktop and phone widths, a refused period, and no page wider than the screen. Screenshots are written
 * only when OUTCOMES_SHOTS names a folder (never in the repo).
 */
const SHOTS = process.env.OUTCOMES_SHOTS;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function newContext(cookies: Map<string, string>, width: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

describe('outcomes in a browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the report, a refused period and a patient’s chart pass at 1280 and 390 px', async () => {
    const [, first] = await outcomeCohort(rt(), await userId(rt(), 'provider@relief.example'));
    const provider = await signIn(rt(), 'provider@relief.example');
    const found: string[] = [];
    for (const width of [1280, 390]) {
      const page = await (await newContext(provider.cookies, width)).newPage();
      expect((await page.goto(`${origin}/staff/outcomes`))?.status()).toBe(200);
      expect(await page.locator('svg.chart').count()).toBe(1);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      for (const v of await audit(page)) found.push(`${width}px report: ${v}`);
      await shot(page, `report-${width}`);

      // The form works without script: a period ending before it starts comes back refused, the field named.
      await page.locator('#from').fill('2026-02-01');
      await page.locator('#to').fill('2026-01-01');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Show the report' }).click()]);
      expect(await page.locator('#to-error').textContent()).toContain('The end is before the start');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      for (const v of await audit(page)) found.push(`${width}px refused: ${v}`);
      await shot(page, `report-refused-${width}`);

      expect((await page.goto(`${origin}/staff/patients/${first}/outcomes`))?.status()).toBe(200);
      expect(await page.locator('.outcomes-chart svg').count()).toBe(1);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      for (const v of await audit(page)) found.push(`${width}px patient: ${v}`);
      await shot(page, `patient-${width}`);
    }
    expect(found).toEqual([]);
  });
});
