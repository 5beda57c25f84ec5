import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { bookedPatient } from '../helpers/journey.ts';
import { signIn } from '../helpers/staff.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';

/**
 * Supervision as staff see it, in Chromium: a provider's set-up page with its supervision number (and its error), and
 * an infusion's page naming its supervising provider and refusing a move where none can supervise, each checked with
 * axe (WCAG 2.1 A/AA) at desktop and phone widths, and screenshotted under /tmp for a person to look at.
 */
const SHOTS = '/tmp/relief-supervision-shots';
const THURSDAY = '2026-03-05';

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

describe('supervision in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("a provider's set-up page edits the supervision number, its error named, passing axe at both widths", async () => {
    for (const width of [1280, 390]) {
      const page = await pageAs('admin@relief.example', width);
      await page.goto(`${origin}/staff/setup/clinicians/prov-okafor`);
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/setup-${width}.png`, fullPage: true });
      await page.getByLabel('Infusions this provider supervises at once').fill('20');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('from 1 to 12');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/setup-error-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it("an infusion's page names its supervising provider and says why a move is refused, passing axe at both widths", async () => {
    const patient = await bookedPatient(rt(), THURSDAY);
    await makeInfusionReady(rt(), patient);
    const admin = await signIn(rt(), 'admin@relief.example');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await admin.get(`/staff/patients/${patient}/book`)).body)![1]!;
    const booked = await admin.post(`/staff/patients/${patient}/book`, {
      _csrf: csrf,
      type: 'infusion',
      location: 'chicago',
      provider: 'any',
      date: THURSDAY,
      time: '10:00',
    });
    expect(booked.statusCode).toBe(303);
    const appointment = booked.headers.location!.split('/').pop()!.split('?')[0]!;
    for (const width of [1280, 390]) {
      const page = await pageAs('admin@relief.example', width);
      await page.goto(`${origin}/staff/calendar/appointments/${appointment}`);
      expect(await page.locator('main').textContent()).toContain('Supervising provider');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/appointment-${width}.png`, fullPage: true });
      // Friday 13:00–17:00 runs past Dr. Okafor's 16:00, and no other provider works there on Fridays.
      await page.getByLabel('Date', { exact: true }).fill('2026-03-06');
      await page
        .getByLabel(/Start time|Time/)
        .first()
        .fill('13:00');
      await page.getByRole('button', { name: /Move/ }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('No provider is on site');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/move-refused-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });
});
