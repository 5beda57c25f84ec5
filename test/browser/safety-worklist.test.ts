import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { raiseAlert } from '../../src/clinical/service.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn, type Browser as Client } from '../helpers/staff.ts';

/**
 * The safety worklist, a flag (open, refused, closed), the clinicians' worklist (nurse and provider, a refused close)
 * and the rates per 100 sessions in a real browser: axe-core's
 * WCAG 2.1 A/AA and best-practice rules at desktop and phone widths. Screenshots only when SAFETY_SHOTS names a folder.
 */
const SHOTS = process.env.SAFETY_SHOTS;

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

async function patient(first: string): Promise<string> {
  const id = randomUUID();
  const now = rt().clock.now();
  await rt()
    .database.db.insertInto('patients')
    .values({
      id,
      first_name: first,
      last_name: 'Marsh',
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: 'loc-chicago',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

async function record(b: Client, id: string, path: string, fields: Record<string, string>) {
  const page = await b.get(`/staff/patients/${id}/clinical`);
  const res = await b.post(`/staff/patients/${id}/clinical/${path}`, { _csrf: csrfFrom(page.body), ...fields });
  expect(res.statusCode).toBe(303);
}

describe('safety worklist (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the worklist, a flag and the rates pass at 1280 and 390 px', async () => {
    const visit = await orderedVisit(rt(), 'Rita');
    rt().clock.current = visit.startsAt + 60 * 60_000;
    const session = await infusingSession(rt(), visit);
    await rt()
      .database.db.insertInto('session_side_effects')
      .values({
        id: randomUUID(),
        session_id: session,
        effect: 'nausea',
        grade: 2,
        action: 'ondansetron',
        at: rt().clock.now(),
        recorded_by: visit.nurseId,
        recorded_at: rt().clock.now(),
      })
      .execute();
    const provider = await signIn(rt(), 'provider@relief.example');
    const liver = await patient('Lou');
    await record(provider, liver, 'labs', { lab_test: 'alt', lab_value: '150', lab_unit: 'U/L', lab_uln: '40' });
    const pdmp = await patient('Pat');
    await record(provider, pdmp, 'pdmp', { pdmp_result: 'concerns', pdmp_note: 'Two prescribers this month' });
    const flags = await rt().database.db.selectFrom('clinical_alerts').select(['id', 'kind']).execute();
    const liverFlag = flags.find((f) => f.kind === 'liver')!.id;
    const pdmpFlag = flags.find((f) => f.kind === 'substance_use')!.id;
    // One closed, to show a closed flag's page.
    const page = await provider.get(`/staff/safety/${pdmpFlag}`);
    await provider.post(`/staff/safety/${pdmpFlag}/close`, {
      _csrf: csrfFrom(page.body),
      assessment: 'Spoke with the patient and both prescribers; agreed a single prescriber.',
      action: 'follow_up_arranged',
    });

    for (const width of [1280, 390]) {
      const context = await newContext(provider.cookies, width);
      const p = await context.newPage();
      for (const [name, url] of [
        ['worklist', '/staff/safety'],
        ['worklist-closed', '/staff/safety?state=closed'],
        ['worklist-refused', '/staff/safety?kind=nonsense'],
        ['flag', `/staff/safety/${liverFlag}`],
        ['flag-closed', `/staff/safety/${pdmpFlag}`],
        ['rates', '/staff/safety/rates'],
      ] as const) {
        await p.goto(`${origin}${url}`);
        expect(await audit(p), `${name} at ${width}`).toEqual([]);
        await shot(p, `${name}-${width}`);
      }
      // The close form refused without JavaScript: the form's own submit, nothing filled in.
      await p.goto(`${origin}/staff/safety/${liverFlag}`);
      await p.click('button:has-text("Close the flag")');
      await p.waitForSelector('.error-summary');
      expect(await audit(p), `refused close at ${width}`).toEqual([]);
      await shot(p, `flag-refused-${width}`);
      await context.close();
    }
    // The clinicians' worklist, where a nurse closes an item-9 alert raised between visits with the action taken,
    // and sees which ones a provider closes; its form refused without JavaScript.
    const between = await patient('Ines');
    await rt().database.transact((trx) =>
      raiseAlert(trx, {
        patientId: between,
        locationId: 'loc-chicago',
        kind: 'phq9_item9',
        source: 'questionnaire',
        sourceId: randomUUID(),
        level: 'alert',
        now: rt().clock.now(),
      }),
    );
    const nurse = await signIn(rt(), 'nurse@relief.example');
    for (const [who, b] of [
      ['nurse', nurse],
      ['provider', provider],
    ] as const)
      for (const width of [1280, 390]) {
        const context = await newContext(b.cookies, width);
        const p = await context.newPage();
        await p.goto(`${origin}/staff/worklist`);
        expect(await audit(p), `clinicians' worklist (${who}) at ${width}`).toEqual([]);
        await shot(p, `clinicians-worklist-${who}-${width}`);
        await p.locator('form[action$="/resolve"] button').first().click();
        await p.waitForSelector('.error-summary');
        expect(await audit(p), `refused close (${who}) at ${width}`).toEqual([]);
        await shot(p, `clinicians-worklist-refused-${who}-${width}`);
        await context.close();
      }
    // The rules' and the rates' settings, as an administrator edits them.
    const admin = await signIn(rt(), 'admin@relief.example');
    for (const width of [1280, 390]) {
      const context = await newContext(admin.cookies, width);
      const p = await context.newPage();
      for (const kind of ['safety-flag-rules', 'safety-rates']) {
        await p.goto(`${origin}/staff/clinical-settings/${kind}`);
        expect(await audit(p), `${kind} at ${width}`).toEqual([]);
        await shot(p, `${kind}-${width}`);
      }
      await context.close();
    }
  });
});
