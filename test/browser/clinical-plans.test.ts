import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { signIn } from '../helpers/staff.ts';
import {
  activePlanFor,
  clinicPatient,
  signedEligibleScreening,
  suggestedProtocols,
  userId,
} from '../helpers/clinical-plans.ts';

/**
 * WCAG 2.1 AA (axe-core in Chromium) on the treatment plan pages: the provider's plan page with no plan (the form to
 * write one, and that form refused), with a draft to sign, with an active plan and its booked series; the series
 * proposal; and the front desk's view of the plan and of the series booking. Screenshots go to /tmp/plan-shots.
 */
const SHOTS = process.env.PLAN_SHOTS;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

describe('treatment plan pages: accessibility (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the plan page, the refused plan form, the series proposal and the desk’s view pass at 1280 and 390 px', async () => {
    await suggestedProtocols(rt());
    const providerId = await userId(rt(), 'provider@relief.example');
    const none = await clinicPatient(rt(), 'Ana');
    await signedEligibleScreening(rt(), none, providerId);
    const active = await clinicPatient(rt(), 'Bea');
    await activePlanFor(rt(), active, providerId);
    const series = `/staff/patients/${active}/plan/series?location=chicago&date=2026-03-03&time=10:00`;

    const provider = await signIn(rt(), 'provider@relief.example');
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    // A third patient with the series booked: the sessions table with its move forms.
    const booked = await clinicPatient(rt(), 'Cai');
    await activePlanFor(rt(), booked, providerId);
    const proposal = await desk.get(
      `/staff/patients/${booked}/plan/series?location=chicago&date=2026-03-03&time=10:00`,
    );
    const fields: Record<string, string> = {};
    for (const m of proposal.body.matchAll(/<input type="(?:hidden|radio)" name="(\w+)" value="([^"]*)"(?: checked)?/g))
      if (m[0].includes('hidden') || m[0].endsWith('checked')) fields[m[1]!] = m[2]!;
    expect((await desk.post(`/staff/patients/${booked}/plan/series`, fields)).statusCode).toBe(303);
    const found: string[] = [];
    for (const width of [1280, 390]) {
      for (const [who, b, urls] of [
        [
          'provider',
          provider,
          [`/staff/patients/${none}/plan`, `/staff/patients/${active}/plan`, series, `/staff/patients/${booked}/plan`],
        ],
        ['desk', desk, [`/staff/patients/${active}/plan`, series, `/staff/patients/${booked}/plan`]],
      ] as const) {
        const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
        await context.addCookies([...b.cookies].map(([name, value]) => ({ name, value, url: origin })));
        const page = await context.newPage();
        for (const [i, url] of urls.entries()) {
          const res = await page.goto(origin + url);
          expect(res?.status(), url).toBe(200);
          for (const v of await audit(page)) found.push(`${who} ${width}px ${url}: ${v}`);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/${who}-${i}-${width}.png`, fullPage: true });
        }
        if (who === 'provider') {
          // The plan form refused: a figure that is no number, past a limit without a reason.
          await page.goto(`${origin}/staff/patients/${none}/plan`);
          await page.getByLabel('Induction sessions').fill('12');
          await page.getByLabel('Starting rate (mg/kg/h)').fill('x');
          await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save as a draft' }).click()]);
          expect(await page.locator('.error-summary').count()).toBe(1);
          for (const v of await audit(page)) found.push(`provider ${width}px refused plan form: ${v}`);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/provider-refused-${width}.png`, fullPage: true });
        }
        if (who === 'desk') {
          // A move that breaks the plan's spacing, refused naming the rule.
          await page.goto(`${origin}/staff/patients/${booked}/plan`);
          await page.getByLabel('New date').fill('2026-03-20');
          await page.getByLabel('New time').fill('10:00');
          await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Move' }).click()]);
          expect(await page.locator('#move_date-error').count()).toBe(1);
          for (const v of await audit(page)) found.push(`desk ${width}px refused move: ${v}`);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/desk-refused-move-${width}.png`, fullPage: true });
        }
        await context.close();
      }
    }
    expect(found).toEqual([]);
  });
});
