import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit, WCAG_TAGS } from '../helpers/axe.ts';
import { activePlanFixture, clinicalPatientFixture, userId } from '../helpers/clinical-orders.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * A patient fills a follow-up questionnaire by its link in a real browser, without JavaScript of ours: a refused
 * answer, save-for-later, then every answer sent. axe-core's WCAG 2.1 A/AA rules (and best practice) on each page at
 * phone and desktop widths, the pain diary, a link that does not open, the emails, and the staff Questionnaires tab.
 * Screenshots go to $QUESTIONNAIRE_SHOTS (or /tmp/questionnaire-shots) for a person to look at.
 */
const SHOTS = process.env.QUESTIONNAIRE_SHOTS ?? '/tmp/questionnaire-shots';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function newContext(cookies: Map<string, string> | undefined, width: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  if (cookies) await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

const shot = (page: Page, label: string, width: number) =>
  page.screenshot({ path: `${SHOTS}/${label}-${width}.png`, fullPage: true });

async function submit(page: Page, button: string | RegExp) {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button }).click()]);
}

describe('follow-up questionnaire by link (axe-core in Chromium)', () => {
  let path = '';
  let diary = '';
  let patientId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    patientId = await clinicalPatientFixture(rt(), { first_name: 'Rosa', last_name: 'Vega' });
    await activePlanFixture(rt(), patientId, await userId(rt(), 'provider@relief.example'), 'crps-10-day', 2);
    await rt().questionnaires.runOnce();
    const q = await rt()
      .database.db.selectFrom('questionnaires')
      .selectAll()
      .where('timepoint', '=', 'end_of_induction')
      .executeTakeFirstOrThrow();
    rt().clock.set(new Date(q.opens_at + 60_000).toISOString());
    await rt().questionnaires.runOnce();
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('A few questions'))!;
    path = /http:\/\/relief\.test(\/questionnaire\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    diary = /http:\/\/relief\.test(\/diary\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('a patient fills it: a refused answer, save for later, then every answer sent', async () => {
    const found: string[] = [];
    for (const width of [390, 1280]) {
      const context = await newContext(undefined, width);
      const page = await context.newPage();
      expect((await page.goto(origin + path))?.status()).toBe(200);
      await shot(page, 'patient-form', width);
      for (const v of await audit(page)) found.push(`${width}px form: ${v}`);
      // An answer outside the scale (as a changed page could post): refused, the question named.
      await page.locator('input[name="pain_nrs.now"][value="6"]').check();
      await page.evaluate('document.querySelector(\'input[name="pain_nrs.now"]:checked\').value = "11"');
      await submit(page, 'Send my answers');
      await page.getByRole('heading', { name: /Please check/ }).waitFor();
      await shot(page, 'patient-form-errors', width);
      for (const v of await audit(page)) found.push(`${width}px errors: ${v}`);
      if (width === 390) {
        await page.locator('input[name="pain_nrs.now"][value="6"]').check();
        await page.locator('input[name="phq9.q1"][value="1"]').check();
        await submit(page, 'Save and finish later');
        await page.getByText('Saved. You can finish later').waitFor();
        await shot(page, 'patient-form-saved', width);
        for (const v of await audit(page)) found.push(`${width}px saved: ${v}`);
      } else {
        const names = await page.$$eval('input[type="radio"]', (els) => [
          ...new Set(els.map((e) => (e as unknown as { name: string }).name)),
        ]);
        for (const name of names)
          if (!(await page.locator(`input[name="${name}"]:checked`).count()))
            await page.locator(`input[name="${name}"]`).nth(1).check();
        await submit(page, 'Send my answers');
        await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      }
      await context.close();
    }
    const q = await rt()
      .database.db.selectFrom('questionnaires')
      .selectAll()
      .where('timepoint', '=', 'end_of_induction')
      .executeTakeFirstOrThrow();
    // The refused page showed what was posted (the 11 checks nothing), so the last pass chose 1 for pain now.
    expect(q).toMatchObject({ status: 'complete', pain_now: 1, phq9_total: 9, entered_by: null });
    for (const width of [390, 1280]) {
      const context = await newContext(undefined, width);
      const page = await context.newPage();
      for (const [label, url, status] of [
        ['patient-done', path, 200],
        ['patient-diary', diary, 200],
        ['patient-problem', '/questionnaire/not-a-real-token', 404],
      ] as const) {
        expect((await page.goto(origin + url))?.status(), label).toBe(status);
        await shot(page, label, width);
        for (const v of await audit(page)) found.push(`${width}px ${label}: ${v}`);
      }
      await page.goto(origin + diary);
      await page.locator('input[name="pain"][value="4"]').check();
      await submit(page, /today’s pain/);
      await page.getByText('Saved. Thank you.').waitFor();
      await shot(page, 'patient-diary-saved', width);
      for (const v of await audit(page)) found.push(`${width}px diary saved: ${v}`);
      await context.close();
    }
    const email = await (await newContext(undefined, 600)).newPage();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('A few questions'))!;
    await email.setContent(mail.html);
    for (const v of await audit(email, WCAG_TAGS)) found.push(`email: ${v}`);
    expect(found).toEqual([]);
  });

  it('the staff Questionnaires tab, a visit questionnaire and the schedule settings pass at both widths', async () => {
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const found: string[] = [];
    const tabUrl = `/staff/patients/${patientId}/questionnaires`;
    for (const width of [1280, 390]) {
      const context = await newContext(nurse.cookies, width);
      const page = await context.newPage();
      expect((await page.goto(origin + tabUrl))?.status()).toBe(200);
      await shot(page, 'staff-tab', width);
      for (const v of await audit(page)) found.push(`${width}px tab: ${v}`);
      await submit(page, 'Start a questionnaire at this visit');
      await page.getByRole('heading', { name: /Questionnaire: At a visit/ }).waitFor();
      await shot(page, 'staff-fill', width);
      for (const v of await audit(page)) found.push(`${width}px fill: ${v}`);
      await context.close();
    }
    // The schedule as administrators edit it.
    const admin = await signIn(rt(), 'admin@relief.example');
    for (const width of [1280, 390]) {
      const context = await newContext(admin.cookies, width);
      const page = await context.newPage();
      expect((await page.goto(`${origin}/staff/clinical-settings/questionnaire-schedule`))?.status()).toBe(200);
      await shot(page, 'admin-schedule', width);
      for (const v of await audit(page)) found.push(`${width}px schedule settings: ${v}`);
      await context.close();
    }
    expect(found).toEqual([]);
  });
});
