import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { signIn } from '../helpers/staff.ts';
import { seedDemoProtocols } from '../../src/seed/demo-protocols.ts';
import { seedDemoBoard } from '../../src/seed/demo-board.ts';

/**
 * The nurse board in Chromium, on the demo day: the nurse's board and the front desk's, checked with axe (WCAG 2.1
 * A/AA) at desktop and phone widths and screenshotted under /tmp for a person to look at; and the live board, which
 * shows a change made elsewhere without a reload, leaving the other cards (and the focus on one) as they were.
 */
const SHOTS = '/tmp/relief-board-shots';

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

describe('nurse board in the browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    // Wednesday 4 March 2026, 13:00 in Chicago.
    rt().clock.set('2026-03-04T19:00:00.000Z');
    await seedDemoProtocols(rt().database, rt().clock.now());
    expect(await seedDemoBoard(rt().database, rt().clock.now())).toBe(5);
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("the nurse's and the front desk's boards pass axe at both widths", async () => {
    for (const [who, email] of [
      ['nurse', 'nurse@relief.example'],
      ['desk', 'frontdesk@relief.example'],
    ] as const) {
      for (const width of [1280, 390]) {
        const page = await pageAs(email, width);
        await page.goto(`${origin}/staff/board`);
        expect(await page.locator('h1').textContent()).toContain('Board');
        expect(await page.locator('.board-card').count()).toBe(5);
        expect(await audit(page)).toEqual([]);
        await page.screenshot({ path: `${SHOTS}/${who}-${width}.png`, fullPage: true });
        await page.context().close();
      }
    }
  });

  it('shows a change made elsewhere within 2 seconds without a reload, keeping the focus on another card', async () => {
    const page = await pageAs('nurse@relief.example', 1280);
    await page.goto(`${origin}/staff/board`);
    const checkedIn = page.locator('.board-card', { hasText: 'Tomas N.' });
    await expect.poll(() => checkedIn.locator('.board-state').textContent()).toBe('Checked in');
    const marta = page.locator('.board-card', { hasText: 'Marta S.' }).getByRole('link', { name: /Open session/ });
    await marta.focus();
    // Wait for the stream to be open before changing anything (its first line comes at once).
    await page.waitForTimeout(500);
    const session = await rt()
      .database.db.selectFrom('infusion_sessions as s')
      .innerJoin('patients as p', 'p.id', 's.patient_id')
      .select(['s.id', 's.version', 's.checked_in_by'])
      .where('p.first_name', '=', 'Tomas')
      .executeTakeFirstOrThrow();
    const changed = Date.now();
    await rt()
      .database.db.updateTable('infusion_sessions')
      .set({
        state: 'ready',
        version: Number(session.version) + 1,
        updated_at: rt().clock.now(),
        updated_by: session.checked_in_by,
      })
      .where('id', '=', session.id)
      .execute();
    await expect
      .poll(() => checkedIn.locator('.board-state').textContent(), { timeout: 2000, interval: 100 })
      .toBe('Ready to start');
    expect(Date.now() - changed).toBeLessThan(2000);
    expect(await marta.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/nurse-live-1280.png`, fullPage: true });
    await page.context().close();
  });
});
