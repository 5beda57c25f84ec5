import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { seedDemoOutcomes } from '../../src/seed/demo-outcomes.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * A patient's clinical summary in Chromium, on the demo seed's outcomes: the Patients page's list of who is in
 * treatment and the summary itself pass axe (WCAG 2.1 A/AA and best practice) at desktop and phone widths, and the
 * summary also as printed (print media: no staff menus, the chart kept). Screenshots under /tmp for a person to look at.
 */
const SHOTS = '/tmp/relief-summary-shots';
const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;
let patientId: string;

async function pageAs(email: string, width: number): Promise<Page> {
  const b = await signIn(rt(), email);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  await context.addCookies([...b.cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context.newPage();
}

describe('the clinical summary in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    const now = rt().clock.now();
    await seedDemoProtocols(rt().database, now);
    expect(await seedDemoOutcomes(rt().database, now)).toBe(40);
    // A patient of the demo provider's location with an open item-9 flag: every part of the page has something.
    const flagged = await rt()
      .database.db.selectFrom('clinical_alerts')
      .select('patient_id')
      .where('location_id', '=', 'loc-chicago')
      .orderBy('raised_at')
      .executeTakeFirstOrThrow();
    patientId = flagged.patient_id;
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the patients in treatment on the Patients page, which passes axe at both widths', async () => {
    for (const width of [1280, 390]) {
      const page = await pageAs('provider@relief.example', width);
      await page.goto(`${origin}/staff/patients`);
      await expect.poll(() => page.getByRole('heading', { name: 'In treatment at your locations' }).count()).toBe(1);
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/patients-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('shows the summary, which passes axe at both widths and prints without the staff menus', async () => {
    for (const width of [1280, 390]) {
      const page = await pageAs('provider@relief.example', width);
      await page.goto(`${origin}/staff/patients/${patientId}/summary`);
      await expect.poll(() => page.getByRole('heading', { name: 'Open safety flags' }).count()).toBe(1);
      expect(await page.locator('svg.chart').count()).toBe(1);
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/summary-${width}.png`, fullPage: true });

      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.site-header').isVisible()).toBe(false);
      expect(await page.locator('nav.clinical-tabs').isVisible()).toBe(false);
      expect(await page.locator('svg.chart').isVisible()).toBe(true);
      expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/summary-print-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });
});
