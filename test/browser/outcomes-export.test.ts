import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit } from '../helpers/axe.ts';
import { userId } from '../helpers/clinical-orders.ts';
import { outcomeCohort } from '../helpers/outcomes.ts';
import { signIn } from '../helpers/staff.ts';
import { EXPORT_LEASE_MS, runExports } from '../../src/clinical/outcomes/export-run.ts';
import { startExport } from '../../src/clinical/outcomes/export-service.ts';
import { reportChoices } from '../../src/clinical/outcomes/report-service.ts';

/**
 * An outcomes export's page in a real browser: axe-core's WCAG 2.1 A/AA and best-practice rules at desktop and phone
 * widths while it runs (the progress bar) and once ready, which the page's script brings in by itself and says once.
 * Screenshots are written only when OUTCOMES_SHOTS names a folder (never in the repo).
 */
const SHOTS = process.env.OUTCOMES_SHOTS;
const PROVIDER = 'provider@relief.example';

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

describe('an outcomes export in a browser (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the progress page passes at 1280 and 390 px, running and then ready without a reload', async () => {
    const providerId = await userId(rt(), PROVIDER);
    await outcomeCohort(rt(), providerId);
    const provider = await signIn(rt(), PROVIDER);
    const found: string[] = [];
    for (const width of [1280, 390]) {
      const actor = {
        staff: {
          userId: providerId,
          name: 'Provider',
          email: PROVIDER,
          role: 'provider' as const,
          locationIds: ['loc-chicago'],
          sessionIdHash: 'x',
          csrfToken: 'x',
          stage: 'active' as const,
          breakGlassUntil: null,
          idleTimeoutMs: 60_000,
        },
        ip: '127.0.0.9',
        now: rt().clock.now(),
      };
      const filters = { protocol: null, locationId: null, from: '2025-03-02', to: '2026-03-02' };
      const job = await startExport(rt().database, actor, await reportChoices(rt().database, actor), filters);
      // A worker that wrote a slice and stopped: the page shows where it is.
      await runExports(rt().database, rt().clock.now, { owner: 'stopped', slicePatients: 5, maxSlices: 1 });
      const page = await (await newContext(provider.cookies, width)).newPage();
      expect((await page.goto(`${origin}/staff/outcomes/exports/${job.id}`))?.status()).toBe(200);
      expect(await page.locator('progress').getAttribute('value')).toBe('5');
      expect(await page.locator('#export-count').textContent()).toMatch(/^Preparing: 5 of \d+ patients\.$/);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(width);
      for (const v of await audit(page)) found.push(`${width}px running: ${v}`);
      await shot(page, `export-running-${width}`);

      // Another run takes it over once the lease lapses; the open page turns to the download by itself.
      rt().clock.advance(EXPORT_LEASE_MS + 1);
      await runExports(rt().database, rt().clock.now);
      await page.getByRole('link', { name: 'Download the CSV' }).waitFor();
      expect(await page.locator('#export-announce').textContent()).toBe('The export is ready to download.');
      expect(await page.locator('progress').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Check progress' }).count()).toBe(0);
      for (const v of await audit(page)) found.push(`${width}px ready: ${v}`);
      await shot(page, `export-ready-${width}`);
    }
    expect(found).toEqual([]);
  });
});
