import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOutcomes } from '../../src/seed/demo-outcomes.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { DEMO_PASSWORD } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { axeAudit } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { activePlanFixture, clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount } from '../helpers/staff.ts';

/**
 * Issue 13's walk in Chromium, without JavaScript of ours: a patient on a plan gets the questionnaire email, opens
 * its link, answers (pain, and item 9 of the PHQ-9 at 1) and sends it; the demo provider signs in through the
 * sign-in pages and finds the new score on the patient's summary and Outcomes tab, and the item-9 alert on both
 * worklists and on the summary. Then the acceptance: from the provider's first page, a patient's pain chart and the
 * clinic's responder rates are each two clicks away on the demo seed. axe-core (WCAG 2.1 A/AA and best practice) on
 * every page visited; screenshots go to $WALK_SHOTS when set.
 */
const SHOTS = process.env.WALK_SHOTS;
const PROVIDER = 'provider@relief.example';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;
const found: string[] = [];

async function audit(page: Page, name: string): Promise<void> {
  for (const v of await axeAudit(page)) found.push(`${name}: ${v}`);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/walk-${name}.png`, fullPage: true });
}

/** Clicks and waits for the page the click loads. */
async function click(page: Page, target: ReturnType<Page['getByRole']>) {
  await Promise.all([page.waitForEvent('load'), target.click()]);
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  return context.newPage();
}

/** Signs in through the sign-in pages, as a person does: password, then the authenticator's code. */
async function signInAs(email: string): Promise<Page> {
  const page = await newPage();
  await page.goto(`${origin}/staff/sign-in`);
  await audit(page, 'sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await click(page, page.getByRole('button', { name: 'Continue' }));
  rt().clock.advance(30_000);
  await page.getByLabel('Code').fill(totpCode(demoAccount(email).totp, rt().clock.now()));
  await click(page, page.getByRole('button', { name: 'Sign in' }));
  return page;
}

/** The text of the summary's or the Outcomes tab's table row for a time point. */
const scoreRow = (page: Page, timepoint: string) =>
  page.locator('table.outcomes-table tbody tr', { hasText: timepoint }).first().innerText();

describe('outcomes walked in Chromium: a questionnaire by link to the provider’s chart and flag', () => {
  beforeAll(async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    const now = rt().clock.now();
    // The demo seed's outcomes, as a fresh `npm start` has them: the acceptance walk reads them.
    await seedDemoProtocols(rt().database, now);
    expect(await seedDemoOutcomes(rt().database, now)).toBe(40);
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('a newcomer as the demo provider reaches a pain chart in two clicks, and the responder rates in one', async () => {
    const page = await signInAs(PROVIDER);
    const first = page.url();
    let clicks = 0;
    const step = async (target: ReturnType<Page['getByRole']>) => {
      clicks++;
      await click(page, target);
    };

    // The pain chart: the staff menu's Patients, then a name in the list of who is in treatment.
    await step(page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Patients', exact: true }));
    const inTreatment = page.locator('section[aria-labelledby="in-treatment"] a');
    expect(await inTreatment.count()).toBeGreaterThan(10);
    clicks++;
    await Promise.all([page.waitForEvent('load'), inTreatment.first().click()]);
    expect(page.url()).toMatch(/\/staff\/patients\/[^/]+\/summary$/);
    await page.getByRole('heading', { name: 'Pain trend' }).waitFor();
    expect(await page.locator('svg.chart').count()).toBe(1);
    expect(await page.locator('table.outcomes-table tbody tr').count()).toBeGreaterThan(1);
    expect(clicks).toBe(2);
    await audit(page, 'acceptance-pain-chart');
    // Its score table fits the card on a desktop, and on paper (a printout cannot scroll) it keeps within the page.
    const table = page.locator('section[aria-labelledby="summary-pain"] .table-scroll');
    const overflow = () => table.evaluate((e) => e.scrollWidth - e.clientWidth);
    expect(await overflow()).toBe(0);
    await page.setViewportSize({ width: 720, height: 900 });
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(720);
    expect(await overflow()).toBe(0);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The responder rates: from the first page again, the staff menu's Outcomes.
    await page.goto(first);
    clicks = 0;
    await step(page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Outcomes', exact: true }));
    expect(page.url()).toBe(`${origin}/staff/outcomes`);
    await page.getByRole('heading', { name: 'Outcomes', level: 1 }).waitFor();
    const rates = page.locator('table', { hasText: '30 % relief or more' }).first();
    expect(await rates.innerText()).toMatch(/\d+ %/);
    expect(clicks).toBeLessThanOrEqual(2);
    await audit(page, 'acceptance-responder-rates');
    await page.context().close();
    expect(found).toEqual([]);
  });

  it('a patient answers by link; the provider sees the new score on the chart and the item-9 flag', async () => {
    // Past the demo seed's booked sessions, so this plan's sessions share no chair or supervisor with them.
    rt().clock.advance(400 * 86_400_000);
    const patientId = await clinicalPatientFixture(rt(), { first_name: 'Wren', last_name: 'Halloway' });
    await activePlanFixture(rt(), patientId, await userId(rt(), PROVIDER), 'crps-10-day', 2);
    await rt().questionnaires.runOnce();
    const q = await rt()
      .database.db.selectFrom('questionnaires')
      .select(['opens_at'])
      .where('patient_id', '=', patientId)
      .where('timepoint', '=', 'end_of_induction')
      .executeTakeFirstOrThrow();
    rt().clock.set(new Date(q.opens_at + 60_000).toISOString());
    await rt().questionnaires.runOnce();
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('A few questions') && m.text.includes('Wren'));
    expect(mail, 'the questionnaire email').toBeDefined();
    expect(mail!.text).not.toContain('Halloway');
    const link = /http:\/\/relief\.test(\/questionnaire\/[A-Za-z0-9_.-]+)/.exec(mail!.text)![1]!;

    // The patient: pain now 7, average 6, worst 9, item 9 "several days", the rest the first choice past zero.
    const patient = await newPage();
    expect((await patient.goto(origin + link))?.status()).toBe(200);
    await audit(patient, 'patient-questionnaire');
    await patient.locator('input[name="pain_nrs.now"][value="7"]').check();
    await patient.locator('input[name="pain_nrs.average"][value="6"]').check();
    await patient.locator('input[name="pain_nrs.worst"][value="9"]').check();
    await patient.locator('input[name="phq9.q9"][value="1"]').check();
    const names = await patient.$$eval('input[type="radio"]', (els) => [
      ...new Set(els.map((e) => (e as unknown as { name: string }).name)),
    ]);
    for (const name of names)
      if (!(await patient.locator(`input[name="${name}"]:checked`).count()))
        await patient.locator(`input[name="${name}"]`).nth(1).check();
    await click(patient, patient.getByRole('button', { name: 'Send my answers' }));
    await patient.getByRole('heading', { name: 'Thank you' }).waitFor();
    // Item 9 above "not at all": the thank-you page carries the crisis line.
    expect(await patient.locator('main').innerText()).toContain('988');
    await audit(patient, 'patient-thank-you');
    await patient.context().close();

    // The provider signs in and goes from the Patients page's list of who is in treatment to the summary.
    const provider = await signInAs(PROVIDER);
    await audit(provider, 'provider-first-page');
    await click(
      provider,
      provider.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Patients', exact: true }),
    );
    await audit(provider, 'patients');
    await click(provider, provider.getByRole('link', { name: 'Halloway, Wren' }));
    expect(provider.url()).toBe(`${origin}/staff/patients/${patientId}/summary`);
    expect(await provider.locator('#summary-chart-title').count()).toBe(1);
    expect(await scoreRow(provider, 'End of induction')).toMatch(/\b7\b[\s\S]*\b6\b/);
    const flags = await provider.locator('#summary-flags').locator('..').innerText();
    expect(flags).toMatch(/self-harm|item 9/i);
    expect(flags).toContain('questionnaire');
    await audit(provider, 'summary');

    await click(
      provider,
      provider.getByRole('navigation', { name: /Clinical pages of/ }).getByRole('link', { name: 'Outcomes' }),
    );
    expect(provider.url()).toBe(`${origin}/staff/patients/${patientId}/outcomes`);
    expect(await provider.locator('.outcomes-chart svg.chart').count()).toBe(1);
    expect(await scoreRow(provider, 'End of induction')).toMatch(/\b7\b[\s\S]*\b6\b/);
    await audit(provider, 'patient-outcomes');

    await provider.goto(`${origin}/staff/worklist`);
    const alert = provider.locator('article.worklist-alert', { hasText: 'Wren Halloway' });
    expect(await alert.count()).toBe(1);
    expect(await alert.innerText()).toContain('from the questionnaire');
    await audit(provider, 'worklist');

    await provider.goto(`${origin}/staff/safety`);
    const flag = provider.locator('table.safety-table tbody tr', { hasText: 'Wren Halloway' });
    expect(await flag.count()).toBe(1);
    await click(provider, flag.getByRole('link', { name: /item 9|self-harm/i }));
    expect(provider.url()).toMatch(new RegExp(`^${origin}/staff/safety/[^/]+$`));
    await audit(provider, 'safety-flag');
    await provider.context().close();
    expect(found).toEqual([]);
  });
});
