import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit, WCAG_TAGS } from '../helpers/axe.ts';
import { bookOnline, postForm } from '../helpers/journey.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { signIn } from '../helpers/staff.ts';

/**
 * The intake's pages in a real browser: axe-core's WCAG 2.1 A/AA rules (and best practice) on every section a
 * patient fills in, the crisis page, refused forms, the intake email, and the clinicians' intake tab, signed copy,
 * worklist and the administrators' consent page, at desktop and phone widths. Screenshots go to
 * $INTAKE_SHOTS (or /tmp/intake-shots) for a person to look at.
 */
const SHOTS = process.env.INTAKE_SHOTS ?? '/tmp/intake-shots';

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function newContext(cookies: Map<string, string> | undefined, width: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  if (cookies) await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

const shotName = (label: string, width: number) =>
  `${SHOTS}/${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}-${width}.png`;

describe('intake and consent pages (axe-core in Chromium)', () => {
  let path = '';
  let patientId = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const appointmentId = await bookOnline(rt(), 'first');
    patientId = (
      await rt()
        .database.db.selectFrom('appointments')
        .select('patient_id')
        .where('id', '=', appointmentId)
        .executeTakeFirstOrThrow()
    ).patient_id!;
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.subject.startsWith('Before your visit'))!;
    path = /http:\/\/relief\.test(\/intake\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    // Some answers, the self-harm item among them, and one document signed.
    await postForm(rt(), `${path}/medicines`, {
      version: '1',
      medications: 'Gabapentin 300 mg three times a day\n<b>Naproxen</b>',
      allergies: 'Penicillin: rash',
      ketamine_allergy: 'no',
    });
    await postForm(rt(), `${path}/phq9`, { version: '2', q1: '1', q2: '2', q9: '1' });
    const docs = await rt().database.db.selectFrom('consent_documents').select(['id', 'code']).execute();
    await postForm(rt(), `${path}/consent`, {
      document: docs.find((d) => d.code === 'financial-cancellation')!.id,
      'financial-cancellation-name': 'Ana Moreno',
      'financial-cancellation-agree': 'yes',
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the patient’s pages, the crisis page and a refused signature pass at desktop and phone widths', async () => {
    const found: string[] = [];
    const sections = ['history', 'medicines', 'symptoms', 'pain', 'phq9', 'gad7', 'consent', 'review', 'support'];
    for (const width of [1280, 390]) {
      const context = await newContext(undefined, width);
      const page = await context.newPage();
      for (const s of sections) {
        const res = await page.goto(`${origin}${path}/${s}`);
        expect(res?.status(), s).toBe(200);
        await page.screenshot({ path: shotName(`patient-${s}`, width), fullPage: true });
        for (const v of await audit(page)) found.push(`${width}px ${s}: ${v}`);
      }
      // Signing without ticking the box: the form comes back with its errors.
      await page.goto(`${origin}${path}/consent`);
      await Promise.all([page.waitForEvent('load'), page.locator('.consent-form button').first().click()]);
      await page.getByRole('heading', { name: /Please check/ }).waitFor();
      await page.screenshot({ path: shotName('patient-consent-errors', width), fullPage: true });
      for (const v of await audit(page)) found.push(`${width}px consent (errors): ${v}`);
      // A link that does not open.
      expect((await page.goto(`${origin}/intake/not-a-real-token/history`))?.status()).toBe(404);
      for (const v of await audit(page)) found.push(`${width}px problem: ${v}`);
      await context.close();
    }
    // The intake and safety emails as a mail client shows them.
    await rt().worker.runOnce();
    const email = await (await newContext(undefined, 600)).newPage();
    for (const subject of [/^Before your visit/, /^A patient needs a safety review/]) {
      const mail = rt().mail.sent.find((m) => subject.test(m.subject));
      expect(mail, String(subject)).toBeDefined();
      await email.setContent(mail!.html);
      for (const v of await audit(email, WCAG_TAGS)) found.push(`email ${mail!.subject}: ${v}`);
    }
    expect(found).toEqual([]);
  });

  it('the clinicians’ intake tab, signed copy and worklist, and the consent settings, pass at both widths', async () => {
    const provider = await signIn(rt(), 'provider@relief.example');
    const admin = await signIn(rt(), 'admin@relief.example');
    const signature = await rt().database.db.selectFrom('consent_signatures').select('id').executeTakeFirstOrThrow();
    const found: string[] = [];
    for (const width of [1280, 390]) {
      for (const [who, cookies, urls] of [
        [
          'provider',
          provider.cookies,
          [
            `/staff/patients/${patientId}/intake`,
            `/staff/patients/${patientId}/intake/consent/${signature.id}`,
            '/staff/worklist',
          ],
        ],
        ['admin', admin.cookies, ['/staff/clinical-settings/consent']],
      ] as const) {
        const context = await newContext(cookies, width);
        const page = await context.newPage();
        for (const url of urls) {
          const res = await page.goto(origin + url);
          expect(res?.status(), url).toBe(200);
          await page.screenshot({
            path: shotName(`${who}-${url.split('/').slice(-2).join('-')}`, width),
            fullPage: true,
          });
          for (const v of await audit(page)) found.push(`${width}px ${url}: ${v}`);
        }
        if (who === 'provider') {
          // An assessment too short to close the alert.
          await page.goto(`${origin}/staff/worklist`);
          await page.locator('textarea[name="assessment"]').first().fill('seen');
          await Promise.all([page.waitForEvent('load'), page.locator('.worklist-alert button').first().click()]);
          await page.getByRole('heading', { name: /Please check/ }).waitFor();
          await page.screenshot({ path: shotName('provider-worklist-errors', width), fullPage: true });
          for (const v of await audit(page)) found.push(`${width}px worklist (errors): ${v}`);
        }
        await context.close();
      }
    }
    expect(found).toEqual([]);
  });
});
