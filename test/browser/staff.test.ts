import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { submitRequest } from '../helpers/journey.ts';
import { signIn } from '../helpers/staff.ts';
import { DEMO_PASSWORD, DEMO_STAFF } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { seedDemoVisits } from '../../src/seed/demo-visits.ts';

/** Staff in a real browser: sign-in with password and TOTP, the leads inbox, a note and a status change, sign-out. */
const SHOTS = process.env.SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

describe('staff workspace in a real browser (Chromium)', () => {
  beforeAll(async () => {
    await submitRequest(rt(), { first_name: 'Ana', last_name: 'Moreno<b>bold</b>', email: 'ana@example.com' });
    await submitRequest(rt(), {
      first_name: 'Dev',
      last_name: 'Denverite',
      email: 'dev@example.com',
      location: 'denver',
    });
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('signs in with MFA, works a lead, books it from the calendar and signs out', async () => {
    const desk = DEMO_STAFF.find((s) => s.email === 'frontdesk@relief.example')!;
    await page.goto(`${origin}/staff/leads`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/staff/sign-in');
    await page.getByLabel('Email').fill(desk.email);
    await page.getByLabel('Password').fill('wrong password entirely');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match an active account');

    await page.getByLabel('Email').fill(desk.email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    await page.getByLabel('Code').fill(totpCode(desk.totp, rt().clock.now()));
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back where the person wanted to go: the leads inbox, with only their location's requests.
    await page.getByRole('heading', { name: /Leads/ }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff/leads');
    const body = await page.locator('main').textContent();
    expect(body).toContain('Moreno<b>bold</b>');
    expect(body).not.toContain('Denverite');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-leads.png` });

    await page
      .getByRole('link', { name: /Moreno/ })
      .first()
      .click();
    await page.getByLabel('What happened').fill('Called, left a voicemail <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Add to the log' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('left a voicemail <script>alert(1)</script>');
    await page.getByLabel('Status').selectOption('contacted');
    await page.getByRole('button', { name: 'Save status' }).click();
    await expect
      .poll(
        async () =>
          (
            await rt()
              .database.db.selectFrom('consultation_requests')
              .select('status')
              .where('email', '=', 'ana@example.com')
              .executeTakeFirstOrThrow()
          ).status,
      )
      .toBe('contacted');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-lead.png`, fullPage: true });

    // Book a consultation for that request from the calendar: Wednesday 10:00 with Dr. Okafor.
    await page.goto(`${origin}/staff/calendar?location=chicago&date=2026-03-04`);
    await page.getByRole('link', { name: 'Book a consultation for a request' }).click();
    const ana = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'ana@example.com')
      .executeTakeFirstOrThrow();
    await page.getByLabel('Consultation request').selectOption(ana.id);
    await page.getByLabel('Provider').selectOption({ label: 'Dr. Amara Okafor' });
    await page.getByLabel('Date').fill('2026-03-04');
    await page.getByLabel('Start time (clinic local time)').fill('10:00');
    await page.getByRole('button', { name: 'Book consultation' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/staff\/calendar\/appointments\//);
    const booked = await rt()
      .database.db.selectFrom('appointments')
      .select(['starts_at', 'provider_id', 'status'])
      .where('status', '=', 'booked')
      .execute();
    expect(booked).toEqual([
      { starts_at: Date.parse('2026-03-04T16:00:00.000Z'), provider_id: 'prov-okafor', status: 'booked' },
    ]);
    await page.goto(`${origin}/staff/calendar?location=chicago&date=2026-03-04`);
    expect(await page.locator('main').textContent()).toContain('Ana M.');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-calendar.png`, fullPage: false });

    // Ana is a patient now; a provider has screened her and planned her treatment (the infusion gate's fixture).
    const anaPatient = await rt()
      .database.db.selectFrom('patients')
      .select('id')
      .where('email', '=', 'ana@example.com')
      .executeTakeFirstOrThrow();
    await makeInfusionReady(rt(), anaPatient.id);
    // From her page, book an infusion; the engine picks a nurse and a chair.
    await page
      .getByRole('link', { name: /Ana M\./ })
      .first()
      .click();
    await page.getByRole('link', { name: /Ana Moreno/ }).click();
    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await page.getByLabel('Kind of appointment').selectOption('infusion');
    await page.getByLabel('Date').fill('2026-03-05');
    await page.getByLabel('Start time (clinic local time)').fill('10:00');
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await expect
      .poll(() => page.locator('main').textContent())
      .toContain('Booked. The patient is emailed a confirmation.');
    expect(await page.locator('main').textContent()).toMatch(/Nurse\s*Marcus Bell/);
    await page.goto(`${origin}/staff/calendar?location=chicago&date=2026-03-05`);
    expect(await page.getByRole('columnheader', { name: 'Marcus Bell' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: /Infusion Ana M\./ }).count()).toBe(2); // the nurse's column and the chair's
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-calendar-infusion.png`, fullPage: false });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('You have signed out.');
    await page.goto(`${origin}/staff/leads`);
    expect(new URL(page.url()).pathname).toBe('/staff/sign-in');
    expect(dialogs).toEqual([]);
  });

  it('audit viewer: 50 events show their details readably, one key and value to a line, at desktop and phone widths', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    for (let i = 0; i < 55; i++) await admin.get('/staff/leads'); // events with seven details each
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
      await context.addCookies([...admin.cookies].map(([name, value]) => ({ name, value, url: origin })));
      const audit = await context.newPage();
      // Only the lead.list events: each width's own viewing is recorded too, and would be among the newest at the next.
      await audit.goto(`${origin}/staff/audit?action=lead.list`);
      expect(await audit.locator('table.audit-table tbody tr').count()).toBe(50);
      const measured = await audit.evaluate(`(() => {
        const cells = [...document.querySelectorAll('table.audit-table tbody td:last-child')];
        const values = [...document.querySelectorAll('table.audit-table .audit-detail dd')];
        return {
          cells: cells.length,
          values: values.length,
          narrowest: Math.min(...cells.map((c) => c.getBoundingClientRect().width)),
          tallestValue: Math.max(...values.map((v) => v.getBoundingClientRect().height)),
        };
      })()`);
      const { cells, values, narrowest, tallestValue } = measured as Record<string, number>;
      expect([cells, values], `${width}px`).toEqual([50, 50 * 7]);
      // The column keeps room for a key and its value (it was 70-110 px, a letter or two a line) …
      expect(narrowest, `${width}px`).toBeGreaterThanOrEqual(250);
      // … and a short value such as 2026-02-01 or anyone sits on one line beside its key.
      expect(tallestValue, `${width}px`).toBeLessThan(30);
      await context.close();
    }
  });

  it('the day view fits 1280 px for a typical location, holds the time column when scrolled, and books from a cell', async () => {
    // The demo's visits, and a typical location: Chicago on a Tuesday has 4 clinicians; with 2 more chairs, 8 and 2 rooms.
    expect(await seedDemoVisits(rt().database, rt().clock.now())).toBeGreaterThan(50);
    await submitRequest(rt(), { first_name: 'Cy', last_name: 'Caller', email: 'cy@example.com' }); // to book by phone
    await rt()
      .database.db.insertInto('rooms')
      .values(
        [7, 8].map((n) => ({
          id: `chair-chi-${n}`,
          location_id: 'loc-chicago',
          name: `Chair ${n}`,
          kind: 'chair' as const,
          active: 1,
        })),
      )
      .execute();
    rt().clock.advance(60_000);
    const admin = DEMO_STAFF.find((s) => s.email === 'admin@relief.example')!;
    await page.goto(`${origin}/staff/sign-in`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Code').fill(totpCode(admin.totp, rt().clock.now()));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor({ state: 'detached' });

    const fit = () =>
      page.evaluate(() => {
        const doc = globalThis as unknown as { document: { querySelector(s: string): HTMLElementLike | null } };
        type HTMLElementLike = { scrollWidth: number; clientWidth: number; scrollLeft: number };
        const scroller = doc.document.querySelector('.cal-scroll')!;
        return { scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth };
      });
    for (const date of ['2026-03-03', '2026-03-02', '2026-03-05']) {
      await page.goto(`${origin}/staff/calendar?location=chicago&date=${date}`);
      const columns = await page.locator('.cal-grid thead tr').nth(1).locator('th').count();
      expect(columns, date).toBe(date === '2026-03-02' ? 14 : 15); // Lindqvist works Tuesdays and Thursdays
      const { scrollWidth, clientWidth } = await fit();
      expect(scrollWidth, `${date}: ${scrollWidth} > ${clientWidth}`).toBeLessThanOrEqual(clientWidth);
      expect(await page.locator('.cal-grid a.appt').count(), date).toBeGreaterThan(5);
    }
    await page.goto(`${origin}/staff/calendar?location=chicago&date=2026-03-03`);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-calendar-day-1280.png` });

    // Narrow: the grid scrolls sideways and the time column stays where it was.
    await page.setViewportSize({ width: 390, height: 800 });
    const before = await page.locator('.cal-grid tbody th').first().boundingBox();
    await page.locator('.cal-scroll').evaluate((el) => {
      (el as unknown as { scrollLeft: number }).scrollLeft = 600;
    });
    const after = await page.locator('.cal-grid tbody th').first().boundingBox();
    expect(
      await page.locator('.cal-scroll').evaluate((el) => (el as unknown as { scrollLeft: number }).scrollLeft),
    ).toBeGreaterThan(0);
    expect(Math.abs(after!.x - before!.x)).toBeLessThanOrEqual(1); // scrolled 600 px, it moved at most a border's width
    if (SHOTS) {
      await page.locator('.cal-legend').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/staff-calendar-day-390.png` });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // A free cell: Dr. Lindqvist at 4:00 PM on Tuesday, prefilled on the booking form.
    await page.getByRole('link', { name: 'Book 4:00 PM with Dr. Erik Lindqvist' }).click();
    await page.getByRole('heading', { name: /Book a consultation/ }).waitFor();
    expect(await page.getByLabel('Provider').inputValue()).toBe('prov-lindqvist');
    expect(await page.getByLabel('Start time (clinic local time)').inputValue()).toBe('16:00');
    expect(await page.getByLabel('Date').inputValue()).toBe('2026-03-03');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-book-from-cell.png`, fullPage: true });

    // Attendance: saving lands on the appointment's own page (post, redirect, get), not on /attendance.
    await page.goto(`${origin}/staff/calendar?location=chicago&date=2026-03-02`);
    await page.locator('.cal-grid a.appt').first().click();
    await page.getByLabel('Arrived').check();
    await page.getByRole('button', { name: 'Save attendance' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Marked as arrived.');
    expect(new URL(page.url()).pathname).toMatch(/^\/staff\/calendar\/appointments\/[^/]+$/);
    expect(new URL(page.url()).search).toBe('?done=arrived');
  });
});
