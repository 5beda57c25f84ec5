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
 * The infusion gate's answers as staff see them, in Chromium: the booking form refused for a patient who is not ready,
 * and a move past the screening's expiry, each checked with axe (WCAG 2.1 A/AA) at desktop and phone widths, and
 * screenshotted under /tmp for a person to look at.
 */
const SHOTS = '/tmp/relief-gate-shots';
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

describe('the infusion gate in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the front desk is told a clinician must act, on a page that passes axe at both widths', async () => {
    const patient = await bookedPatient(rt(), THURSDAY);
    for (const width of [1280, 390]) {
      const page = await pageAs('frontdesk@relief.example', width);
      await page.goto(`${origin}/staff/patients/${patient}/book`);
      await page.getByLabel('Kind of appointment').selectOption('infusion');
      await page.getByLabel('Date').fill(THURSDAY);
      await page.getByLabel('Start time (clinic local time)').fill('10:00');
      await page.getByRole('button', { name: 'Book appointment' }).click();
      await expect
        .poll(() => page.locator('main').textContent())
        .toContain('This patient has no signed eligible screening and active treatment plan');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/book-refused-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });

  it('a move while the plan is paused is refused on the appointment page, which passes axe at both widths', async () => {
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
    // Now the plan is paused: the infusion stays, but cannot be moved.
    await rt()
      .database.db.updateTable('treatment_plans')
      .set({ status: 'paused' })
      .where('patient_id', '=', patient)
      .execute();
    for (const width of [1280, 390]) {
      const page = await pageAs('admin@relief.example', width);
      await page.goto(`${origin}/staff/calendar/appointments/${appointment}`);
      await page.getByLabel('Date', { exact: true }).fill('2026-03-06');
      await page.getByRole('button', { name: /Move/ }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('This infusion cannot be moved there');
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/move-refused-${width}.png`, fullPage: true });
      await page.context().close();
    }
  });
});
