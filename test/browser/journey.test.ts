import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { requestAndGetLink } from '../helpers/journey.ts';

/**
 * The whole patient journey in a real browser: site → request form → booking-link email → booking page →
 * .ics → confirmation email → cancel. The browser sits in Tokyo; every time shown must still be Chicago time.
 * Screenshots for the README are written only when SCREENSHOTS=1.
 */
const SHOTS = process.env.SCREENSHOTS === '1' ? 'docs/screenshots' : undefined;
const XSS = '<img src=x onerror=alert(1)>';
const MESSAGE = 'My left hand has hurt since a fracture.';
/** Tuesday 3 March 2026, 9:00 AM in Chicago (CST, UTC-6), which is midnight in Tokyo. */
const FIRST_SLOT = Date.parse('2026-03-03T15:00:00.000Z');
/**
 * The time booked: 9:30 AM on that Tuesday. The first slot is exactly 24 hours away, which is already inside the
 * 24-hour online cancellation cutoff (booking needs only 12 hours' notice), so it could not be cancelled in the UI.
 */
const CHOSEN = FIRST_SLOT + 30 * 60_000;

const rt = useTestRuntime({ shared: true });
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];

async function shot(name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** The few DOM members the in-page callbacks use (the project compiles without the DOM library). */
interface El {
  tagName: string;
  id: string;
  className: string;
  textContent: string | null;
  value?: string;
  contains(other: El | null): boolean;
}
interface InPage {
  document: { activeElement: El | null; querySelector(selector: string): El | null };
}

/** document.activeElement, described for assertions. */
const focused = () =>
  page.evaluate(() => {
    const el = (globalThis as unknown as InPage).document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id,
      cls: el?.className,
      text: el?.textContent?.trim().slice(0, 60),
    };
  });

async function deliver(subjectStart: string) {
  await rt().worker.runOnce();
  const mail = rt().mail.sent.find((m) => m.subject.startsWith(subjectStart));
  expect(mail, `an email whose subject starts with "${subjectStart}"`).toBeDefined();
  return mail!;
}

describe('patient journey in a real browser (Chromium, device in Asia/Tokyo)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({
      timezoneId: 'Asia/Tokyo',
      locale: 'en-US',
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('requests, books, downloads the calendar file and cancels a consultation', async () => {
    // The device really is in Tokyo, so a page relying on the browser's zone would show the wrong times.
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Asia/Tokyo');

    // 1. Home → CRPS page → the CRPS page's own call to action → form with "CRPS" preselected.
    await page.goto(`${origin}/`);
    expect(await page.title()).toBe('Relief Infusion Clinic');
    await shot('home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'About CRPS' }).click();
    await page.waitForURL(`${origin}/crps`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Complex regional pain syndrome');
    await page
      .getByRole('region', { name: 'Talk with our team' })
      .getByRole('link', { name: 'Request a consultation' })
      .click();
    await page.waitForURL(`${origin}/consultation?reason=crps`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Request a consultation');
    expect(await page.getByLabel('Complex Regional Pain Syndrome (CRPS)').isChecked()).toBe(true);

    // 2. An empty submission: error summary (focused) and one error per missing answer.
    await page.getByRole('button', { name: 'Send my request' }).click();
    await page.waitForURL(`${origin}/consultation`);
    const summary = page
      .getByRole('alert')
      .filter({ has: page.getByRole('heading', { name: 'Please check 7 answers' }) });
    await summary.waitFor();
    await expect.poll(async () => (await focused()).cls).toBe('error-summary');
    const summaryLinks = await summary.getByRole('link').allTextContents();
    expect(summaryLinks).toEqual(
      expect.arrayContaining(['Enter your first name.', 'Please agree to be contacted so that we can reply.']),
    );
    for (const [label, error] of [
      ['First name', 'Enter your first name.'],
      ['Last name', 'Enter your last name.'],
      ['Email address', 'Enter your email address.'],
      ['Mobile phone', 'Enter a mobile phone number.'],
      ['Preferred location', 'Choose the location you would like to visit.'],
    ] as const) {
      const field = page.getByLabel(label);
      expect(await field.getAttribute('aria-invalid'), label).toBe('true');
      expect(await page.locator(`#${await field.getAttribute('id')}-error`).textContent(), label).toContain(error);
    }
    expect(await page.locator('#consent-error').textContent()).toContain('Please agree to be contacted');
    expect(
      await page.getByLabel('Complex Regional Pain Syndrome (CRPS)').isChecked(),
      'the choice survives the error page',
    ).toBe(true);
    await shot('form-errors');

    // Fill everything in by label; the last name is markup that must stay text.
    await page.getByLabel('First name').fill('Ana');
    await page.getByLabel('Last name').fill(XSS);
    await page.getByLabel('Email address').fill('ana@example.com');
    await page.getByLabel('Mobile phone').fill('(312) 555-0147');
    await page.getByLabel('Preferred location').selectOption({ label: 'Chicago – River North (Chicago, IL)' });
    await page.getByLabel('Email', { exact: true }).check();
    await page.getByLabel('How did you hear about us?').selectOption('physician');
    await page.getByLabel('Anything you would like us to know').fill(MESSAGE);
    // Sent once without consent: everything typed comes back as plain values, the markup inert.
    await page.getByRole('button', { name: 'Send my request' }).click();
    await page.getByRole('heading', { name: 'Please check one answer' }).waitFor();
    expect(await page.getByLabel('Last name').inputValue()).toBe(XSS);
    expect(await page.getByLabel('Anything you would like us to know').inputValue()).toBe(MESSAGE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.getByLabel(/I agree that Relief Infusion Clinic may contact me/).check();
    await page.getByRole('button', { name: 'Send my request' }).click();
    await page.waitForURL(/\/consultation\/thanks\//);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Thank you');
    expect(await page.getByRole('heading', { name: 'What happens next' }).isVisible()).toBe(true);
    expect(await page.getByRole('listitem').filter({ hasText: 'Choose a consultation time' }).textContent()).toContain(
      'Chicago – River North',
    );

    // 3. The booking-link email: first name only, nothing else the patient told us.
    const linkMail = await deliver('Book your consultation');
    expect(linkMail.to).toBe('ana@example.com');
    for (const body of [linkMail.text, linkMail.html]) {
      expect(body).toContain('Ana');
      for (const secret of ['onerror', '&lt;img', '<img', '555-0147', '5550147', 'fracture'])
        expect(body).not.toContain(secret);
    }
    const link = /http:\/\/relief\.test\/book\/[A-Za-z0-9_.-]+/.exec(linkMail.text)?.[0];
    expect(link, 'booking link in the email text').toBeDefined();
    expect(linkMail.html).toContain(`href="${link}"`);
    const bookingUrl = link!.replace('http://relief.test', origin);
    await page.goto(bookingUrl);

    // 4. A day chooser, then the chosen day's times, in Chicago wall time whatever the device's zone.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose your consultation time');
    expect(await page.locator('.zone-note').textContent()).toContain('Central Time');
    expect(await page.locator('.zone-note').textContent()).toContain('America/Chicago');
    const chooser = page.getByRole('navigation', { name: 'March 2026' });
    expect(await chooser.locator('[aria-current="date"]').getAttribute('href')).toContain('day=2026-03-03');
    expect(await chooser.getByRole('link', { name: 'Wed March 4' }).getAttribute('href')).toContain('day=2026-03-04');
    const tuesday = page.getByRole('region', { name: 'Tuesday, March 3, 2026' });
    const firstTime = tuesday.getByRole('button').first();
    expect(await firstTime.textContent()).toBe('9:00 AM');
    expect(await firstTime.getAttribute('aria-label')).toBe('Book Tuesday, March 3, 2026 at 9:00 AM');
    expect(Number(await firstTime.getAttribute('value'))).toBe(FIRST_SLOT);
    // The same instant on the device's clock would read "12:00 AM" on Wednesday; it must not be shown that way.
    expect(
      await page.evaluate(
        (t) => new Date(t).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' }),
        FIRST_SLOT,
      ),
    ).toBe('12:00 AM');
    expect(await tuesday.getByRole('button', { name: /12:00 AM/ }).count()).toBe(0);
    expect(await page.content()).not.toContain('onerror');
    const offeredBefore = await page
      .locator('.slot-button')
      .evaluateAll((els) => els.map((e) => (e as unknown as El).value));
    expect(offeredBefore.slice(0, 2)).toEqual([String(FIRST_SLOT), String(CHOSEN)]);
    await shot('booking');

    await tuesday.getByRole('button', { name: 'Book Tuesday, March 3, 2026 at 9:30 AM' }).click();
    await page.waitForURL(/\?status=booked$/);
    expect(await page.getByRole('status').textContent()).toContain('Your consultation is booked');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your consultation');
    const when = page.locator('.summary-list dd').first();
    expect(await when.textContent()).toBe('Tuesday, March 3, 2026 at 9:30 AM CST');
    expect(await page.locator('.summary-list').textContent()).toContain('Central Time');
    await shot('manage');

    // 5. The calendar file, downloaded as a browser would.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Add to my calendar/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('consultation.ics');
    const ics = readFileSync(await download.path(), 'utf8');
    expect(ics).toContain('BEGIN:VEVENT');
    expect(ics).toContain('BEGIN:VTIMEZONE');
    expect(ics).toMatch(/^DTSTART;TZID=America\/Chicago:20260303T093000\r$/m);
    expect(ics).toMatch(/^DTEND;TZID=America\/Chicago:20260303T101500\r$/m);
    expect(ics).not.toContain('onerror');

    // 6. The confirmation email carries the same invitation.
    const confirmation = await deliver('Your consultation at Chicago – River North is booked');
    expect(confirmation.ics?.method).toBe('PUBLISH');
    expect(confirmation.ics?.content).toContain('BEGIN:VEVENT');
    expect(confirmation.ics?.content).toMatch(/DTSTART;TZID=America\/Chicago:20260303T093000/);
    expect(confirmation.text).toContain('Tuesday, March 3, 2026 at 9:30 AM CST');
    for (const secret of ['onerror', '555-0147', 'fracture'])
      expect(confirmation.text + confirmation.html).not.toContain(secret);

    // 7. Cancel through the UI; the freed time is offered again first.
    await page.getByRole('link', { name: 'Cancel this consultation' }).click();
    await page.waitForURL(/\/cancel$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Cancel your consultation?');
    expect(await page.locator('.lead').textContent()).toContain('Tuesday, March 3, 2026 at 9:30 AM CST');
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.waitForURL(/\?status=cancelled$/);
    expect(await page.getByRole('status').textContent()).toContain('has been cancelled');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose your consultation time');
    const offeredAfter = await page
      .locator('.slot-button')
      .evaluateAll((els) => els.map((e) => (e as unknown as El).value));
    expect(offeredAfter.slice(0, 2), 'the freed 9:30 AM is back at the top, right after 9:00 AM').toEqual([
      String(FIRST_SLOT),
      String(CHOSEN),
    ]);
    expect(offeredAfter).toEqual(offeredBefore);
    expect(
      await page.getByRole('region', { name: 'Tuesday, March 3, 2026' }).getByRole('button').nth(1).textContent(),
    ).toBe('9:30 AM');
    const cancelMail = await deliver('Your consultation at Chicago – River North is cancelled');
    expect(cancelMail.ics?.method).toBe('CANCEL');

    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs, 'no dialog may open: user input must never run as script').toEqual([]);
  }, 90_000);

  it('lets a keyboard user skip straight to the form', async () => {
    await page.goto(`${origin}/consultation`);
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'a', cls: 'skip-link', text: 'Skip to main content' });
    expect(await page.getByRole('link', { name: 'Skip to main content' }).isVisible(), 'visible when focused').toBe(
      true,
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/consultation#main`);
    await expect.poll(async () => (await focused()).id).toBe('main');
    // The next Tab continues inside the main content, not back in the header.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      return document.querySelector('main')!.contains(document.activeElement);
    });
    expect(inMain).toBe(true);
    expect(dialogs).toEqual([]);
  });

  it('on a 390 × 844 phone the first free time shows without scrolling; on a wide screen the month sits beside the times', async () => {
    const link = await requestAndGetLink(rt(), { email: 'phone@example.com', phone: '(312) 555-0190' });
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 900 },
    ]) {
      const ctx = await browser.newContext({ locale: 'en-US', viewport });
      const p = await ctx.newPage();
      await p.goto(origin + link);
      const first = await p.locator('button[name="slot"]').first().boundingBox();
      expect(first, `${viewport.width}px`).not.toBeNull();
      expect(
        first!.y + first!.height,
        `${viewport.width}px: the first time is on the first screen`,
      ).toBeLessThanOrEqual(viewport.height);
      // Nothing widens the page sideways (the phone's strip of days scrolls inside itself).
      expect(await p.evaluate('document.documentElement.scrollWidth'), `${viewport.width}px`).toBe(viewport.width);
      const days = (await p.locator('.day-chooser').boundingBox())!;
      const times = (await p.locator('.day-times').boundingBox())!;
      if (viewport.width === 1280) {
        expect(times.x, 'the times sit to the right of the month grid').toBeGreaterThanOrEqual(days.x + days.width);
        expect(Math.abs(times.y - days.y), 'side by side, tops aligned').toBeLessThan(2);
      } else {
        expect(times.y, 'on a phone the times follow the strip of days').toBeGreaterThanOrEqual(days.y + days.height);
        expect(days.height, 'the strip stays one row high').toBeLessThan(160);
      }
      for (const link of await p.locator('.day-chooser a').all()) {
        if (!(await link.isVisible())) continue;
        const box = (await link.boundingBox())!;
        expect(Math.min(box.width, box.height), `${viewport.width}px: a day is a 44 px target`).toBeGreaterThanOrEqual(
          44,
        );
      }
      await ctx.close();
    }
  });

  it('on a phone, a day chosen late in the month shows in the strip of days, not scrolled out of sight', async () => {
    const link = await requestAndGetLink(rt(), { email: 'late-day@example.com', phone: '(312) 555-0191' });
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const p = await ctx.newPage();
    await p.goto(`${origin}${link}?day=2026-03-27`);
    const strip = (await p.locator('.day-grid').boundingBox())!;
    const chosen = (await p.locator('.day-grid [aria-current="date"]').boundingBox())!;
    expect(chosen.x, 'its left edge is inside the strip').toBeGreaterThanOrEqual(strip.x);
    expect(chosen.x + chosen.width, 'its right edge is inside the strip').toBeLessThanOrEqual(strip.x + strip.width);
    // The page itself stays where it was: only the strip scrolls.
    expect(await p.evaluate('window.scrollY')).toBe(0);
    await ctx.close();
  });

  it('the consultation form’s radio buttons sit beside their labels, each a 44 px target', async () => {
    for (const width of [390, 1280]) {
      const ctx = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
      const p = await ctx.newPage();
      await p.goto(`${origin}/consultation`);
      for (const name of ['Email', 'Phone call', 'Text message', 'Complex Regional Pain Syndrome (CRPS)']) {
        const radio = p.getByRole('radio', { name, exact: true });
        const label = p.locator('label.radio', { has: radio });
        const text = label.locator('span');
        const r = (await radio.boundingBox())!;
        const t = (await text.boundingBox())!;
        const l = (await label.boundingBox())!;
        // Beside, not above: the radio's middle lies within the first line of its text, to the text's left.
        expect(r.x + r.width, `${width}px ${name}`).toBeLessThanOrEqual(t.x);
        expect(r.y + r.height / 2, `${width}px ${name}`).toBeGreaterThan(t.y);
        expect(r.y + r.height / 2, `${width}px ${name}`).toBeLessThan(t.y + Math.min(t.height, 32));
        expect(l.height, `${width}px ${name}: the whole label is the target`).toBeGreaterThanOrEqual(44);
        // Clicking the words (not the radio) picks the option.
        await text.click();
        expect(await radio.isChecked(), `${width}px ${name}`).toBe(true);
      }
      await ctx.close();
    }
  });
});
