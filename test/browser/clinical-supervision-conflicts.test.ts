import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { bookedPatient } from '../helpers/journey.ts';
import { signIn } from '../helpers/staff.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';

/**
 * The set-up's conflict list when a provider now supervises fewer infusions at once than are booked on them, in
 * Chromium: checked with axe (WCAG 2.1 A/AA) at desktop and phone widths and screenshotted under /tmp.
 */
const SHOTS = '/tmp/relief-supervision-conflict-shots';
const FRIDAY = '2026-03-06';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

describe('supervision conflicts in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('lowering what a provider supervises at once lists the infusion past the new number, passing axe at both widths', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    // Two infusions at 10:00 on Friday, when Dr. Okafor is the only provider at Chicago: both hers to supervise.
    for (const day of ['2026-03-03', '2026-03-04']) {
      const patient = await bookedPatient(rt(), day);
      await makeInfusionReady(rt(), patient);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await admin.get(`/staff/patients/${patient}/book`)).body)![1]!;
      const booked = await admin.post(`/staff/patients/${patient}/book`, {
        _csrf: csrf,
        type: 'infusion',
        location: 'chicago',
        provider: 'any',
        date: FRIDAY,
        time: '10:00',
      });
      expect(booked.statusCode).toBe(303);
    }
    for (const [i, width] of [1280, 390].entries()) {
      const b = await signIn(rt(), 'admin@relief.example');
      const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
      context.setDefaultTimeout(10_000);
      await context.addCookies([...b.cookies].map(([name, value]) => ({ name, value, url: origin })));
      const page = await context.newPage();
      await page.goto(`${origin}/staff/setup/clinicians/prov-okafor`);
      // Each width lowers it to one, then gives room for both again.
      await page.getByLabel('Infusions this provider supervises at once').fill('1');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.locator('main').textContent())
        .toContain('the supervising provider now supervises fewer infusions at once');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/lowered-${width}.png`, fullPage: true });
      await page.getByLabel('Infusions this provider supervises at once').fill(String(2 + i));
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('No booked visits are affected');
      await context.close();
    }
  });
});
