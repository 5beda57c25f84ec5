import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { findSession } from '../../src/clinical/sessions/repository.ts';
import { refreshSessionAlerts } from '../../src/clinical/service.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { infusingWithBaseline, vitalsFixture } from '../helpers/session-alerts.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * The session page with an open alert and the chart, in Chromium: axe-core's WCAG 2.1 AA rules in its ordinary,
 * refused and acknowledged states at 1280 and 390 px, the acknowledgement made through the form (no JavaScript
 * needed), and the alert limits' settings page. Screenshots go to $RELIEF_SCREENSHOTS when set.
 */
const SHOTS = process.env.RELIEF_SCREENSHOTS;
const MIN = 60_000;

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

/** A session infusing for 90 minutes with a reading every 5 minutes, one of them past the heart-rate limit. */
async function chartedSession(first: string) {
  const { visit, session } = await infusingWithBaseline(rt(), 90, first);
  const now = rt().clock.now();
  for (let i = 17; i >= 0; i--) {
    rt().clock.current = now - i * 5 * MIN;
    await vitalsFixture(rt(), session, visit, {
      systolic: 118 + (i % 6) * 3,
      diastolic: 76 + (i % 4) * 2,
      heart_rate: i === 3 ? 155 : 72 + (i % 5) * 4,
      spo2: 96 + (i % 3),
      taken_at: rt().clock.now(),
    });
  }
  rt().clock.current = now;
  const row = (await findSession(rt().database.db, session))!;
  await rt().database.transact((trx) => refreshSessionAlerts(trx, rt().database, null, row, now));
  return `/staff/patients/${visit.patientId}/sessions/${session}`;
}

describe('session alerts in Chromium', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('pass axe with an open alert, a refused and a done acknowledgement, and the chart, at 1280 and 390 px', async () => {
    const found: string[] = [];
    const check = async (page: Page, name: string) => {
      for (const v of await audit(page)) found.push(`${name}: ${v}`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/alerts-${name}.png`, fullPage: true });
    };
    for (const [width, first] of [
      [1280, 'Rosa'],
      [390, 'Maya'],
    ] as const) {
      const url = await chartedSession(first);
      const n = await pageAs('nurse@relief.example', width);
      await n.goto(origin + url);
      await expect.poll(() => n.getByRole('heading', { name: 'One open alert' }).count()).toBe(1);
      expect(await n.locator('svg[role="img"] title').textContent()).toContain('Vital signs');
      await check(n, `${width}-open`);
      // Blank is stopped by the browser (required); spaces get past it to the server's refusal.
      await n.getByRole('region', { name: 'One open alert' }).getByLabel('Action taken').fill('   ');
      await n.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => n.locator('.field-error').count()).toBe(1);
      await check(n, `${width}-refused`);
      await n
        .getByRole('region', { name: 'One open alert' })
        .getByLabel('Action taken')
        .fill('Rate halved; pressure rechecked at 5 minutes, 150/90.');
      await n.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => n.url()).toContain('saved=alert-acknowledged');
      expect(await n.getByRole('heading', { name: 'Acknowledged alerts' }).count()).toBe(1);
      await check(n, `${width}-acknowledged`);

      const admin = await pageAs('admin@relief.example', width);
      await admin.goto(`${origin}/staff/clinical-settings/session-alert-limits`);
      await check(admin, `${width}-settings`);
    }
    expect(found).toEqual([]);
  });
});
