import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/staff/totp.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { stoppedSession } from '../helpers/controlled.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount, signIn } from '../helpers/staff.ts';

/**
 * The controlled-substance record in Chromium: the session page's waste part (drug left, a wrong witness code, the
 * waste recorded and balanced) as the nurse uses it, and the log with a lot's running balance as the administrator
 * reads it; axe-core's WCAG 2.1 AA rules on each, at desktop and phone widths. Screenshots go to
 * $RELIEF_SCREENSHOTS when it is set, for a person to look at.
 */
const SHOTS = process.env.RELIEF_SCREENSHOTS;

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

describe('controlled-substance pages in Chromium', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('pass axe as a nurse wastes with a witness and an administrator reads the log, at 1280 and 390 px', async () => {
    const found: string[] = [];
    const check = async (page: Page, name: string) => {
      for (const v of await audit(page)) found.push(`${name}: ${v}`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/controlled-${name}.png`, fullPage: true });
    };
    const providerCode = () => totpCode(demoAccount('provider@relief.example').totp, rt().clock.now());
    for (const width of [1280, 390]) {
      const { visit, id } = await stoppedSession(rt(), width === 1280 ? 'Rosa' : 'Ines');
      await rt()
        .database.db.insertInto('controlled_substance_receipts')
        .values({
          id: `receipt-${width}`,
          location_id: 'loc-chicago',
          drug: 'ketamine',
          lot: 'LOT-TEST-1',
          expires_on: '2099-12-31',
          mg: 1000,
          reference: 'Acme, invoice 77',
          received_by: visit.providerId,
          received_at: visit.startsAt - 86_400_000,
          recorded_at: visit.startsAt - 86_400_000,
        })
        .execute();

      const n = await pageAs('nurse@relief.example', width);
      await n.goto(`${origin}/staff/patients/${visit.patientId}/sessions/${id}`);
      await n.getByRole('heading', { name: 'Controlled substance' }).waitFor();
      await check(n, `${width}-waste-form`);
      await n.getByLabel('Witness', { exact: true }).selectOption(visit.providerId);
      await n.getByLabel('Witness’s authenticator code').fill('000000');
      await n.getByRole('button', { name: 'Record the waste' }).click();
      expect(await n.locator('#witness_code-error').count()).toBe(1);
      await check(n, `${width}-waste-wrong-code`);
      rt().clock.advance(30_000);
      await n.getByLabel('Witness', { exact: true }).selectOption(visit.providerId);
      await n.getByLabel('Witness’s authenticator code').fill(providerCode());
      await n.getByRole('button', { name: 'Record the waste' }).click();
      await n.getByText('The waste is recorded, with its witness.').waitFor();
      expect(await n.getByText('Balanced: every mg dispensed is given or wasted.').count()).toBe(1);
      await check(n, `${width}-waste-recorded`);

      const a = await pageAs('admin@relief.example', width);
      await a.goto(`${origin}/staff/controlled-substances`);
      await a.getByRole('heading', { name: 'Controlled-substance log' }).waitFor();
      expect(await a.getByRole('cell', { name: 'Balanced' }).count()).toBeGreaterThan(0);
      await check(a, `${width}-log`);
      await a.getByRole('textbox', { name: 'Lot' }).fill('<lot>');
      await a.getByRole('button', { name: 'Record the stock' }).click();
      expect(await a.locator('#lot-error').count()).toBe(1);
      await check(a, `${width}-log-receipt-errors`);
    }
    expect(found).toEqual([]);
  });
});
