import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestRuntime } from '../helpers/runtime.ts';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { axeAudit as audit, WCAG_TAGS } from '../helpers/axe.ts';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { signIn } from '../helpers/staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { mailStateChanged } from '../../src/kernel/outbox/banner.tsx';

/**
 * WCAG 2.1 AA in a real browser: axe-core's automated rules (labels, names, contrast, landmarks, ARIA, lang, ...)
 * on every kind of page a patient or a staff member sees, in its ordinary and its error states, at desktop and
 * phone widths; and a keyboard check that every focusable control shows where focus is. Automated rules catch
 * roughly a third of WCAG failures; the journey tests cover keyboard order on the booking page.
 */

const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });
let origin: string;
let browser: Browser;

async function newContext(cookies: Map<string, string> | undefined, width: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  if (cookies) await context.addCookies([...cookies].map(([name, value]) => ({ name, value, url: origin })));
  return context;
}

describe('accessibility (axe-core in Chromium)', () => {
  beforeAll(async () => {
    await rt().app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(rt().app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('public and patient pages pass at desktop and phone widths', async () => {
    const bookingPath = await requestAndGetLink(rt(), { first_name: 'Ana' });
    const managedPath = await requestAndGetLink(rt(), {
      first_name: 'Ben',
      email: 'ben@example.com',
      phone: '(312) 555-0148',
    });
    const page1 = await rt().app.inject({ method: 'GET', url: managedPath });
    const bensTime = offeredSlots(page1.body)[2]!;
    expect((await book(rt(), managedPath, bensTime)).statusCode).toBe(303);
    // Others take every remaining provider and room at Ben's time, so it is gone for Ana.
    for (let n = 0, status = 303; status === 303; n++) {
      expect(n, 'the time fills up').toBeLessThan(10);
      const other = await requestAndGetLink(rt(), {
        first_name: 'Other',
        email: `other${n}@example.com`,
        phone: `(312) 555-01${50 + n}`,
      });
      status = (await book(rt(), other, bensTime)).statusCode;
    }
    const urls = [
      '/',
      '/crps',
      '/ketamine-infusion-therapy',
      '/locations',
      '/consultation',
      '/consultation?location=denver',
      bookingPath,
      `${bookingPath}?location=denver`,
      `${bookingPath}?day=2026-03-08`,
      `${bookingPath}?day=2026-04-01`,
      managedPath,
      `${managedPath}/reschedule`,
      `${managedPath}/cancel`,
      '/book/not-a-real-token',
      '/book/new-link',
      '/no-such-page',
      '/dev/mailbox',
    ];
    const found: string[] = [];
    for (const width of [1280, 375]) {
      const context = await newContext(undefined, width);
      const page = await context.newPage();
      for (const url of urls) {
        const res = await page.goto(origin + url);
        expect(res?.status(), url).toBe(url === '/no-such-page' ? 404 : url === '/book/not-a-real-token' ? 404 : 200);
        for (const v of await audit(page)) found.push(`${width}px ${url}: ${v}`);
      }
      // Inside the online change cutoff (23.5 hours before Ben's visit): the picker marks the times too close to
      // change online, and Ben's reschedule page says why and whom to call.
      const saved = rt().clock.now();
      rt().clock.set(new Date(bensTime - 23.5 * 3_600_000).toISOString());
      for (const url of [bookingPath, `${managedPath}/reschedule`]) {
        const res = await page.goto(origin + url);
        expect(res?.status(), url).toBe(url === bookingPath ? 200 : 409);
        for (const v of await audit(page)) found.push(`${width}px ${url} (inside the cutoff): ${v}`);
      }
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Too close to change online');
      rt().clock.current = saved;
      // The request form with every error showing (the browser's own checks off, as a script-less client would post).
      await page.goto(`${origin}/consultation`);
      await Promise.all([
        page.waitForEvent('load'),
        page.evaluate(() => {
          const form = (
            globalThis as unknown as {
              document: { querySelector(s: string): { noValidate: boolean; requestSubmit(): void } };
            }
          ).document.querySelector('main form');
          form.noValidate = true;
          form.requestSubmit();
        }),
      ]);
      await page.waitForLoadState();
      await page.getByRole('heading', { name: /Please check \d+ answers/ }).waitFor();
      for (const v of await audit(page)) found.push(`${width}px /consultation (errors): ${v}`);
      // The "just taken" answer with its nearest free times: Ana picks Ben's time, which has just filled up.
      await page.goto(origin + bookingPath);
      await Promise.all([
        page.waitForEvent('load'),
        page
          .locator('button[name="slot"]')
          .first()
          .evaluate((button, taken) => {
            (button as unknown as { value: string; click(): void }).value = taken;
            (button as unknown as { click(): void }).click();
          }, String(bensTime)),
      ]);
      await page.getByRole('heading', { name: 'That time was just taken' }).waitFor();
      for (const v of await audit(page)) found.push(`${width}px taken: ${v}`);
      await context.close();
    }
    // The emails' HTML, as a mail client shows it: WCAG rules only (a message has no page landmarks).
    await rt().worker.runOnce();
    const email = await (await newContext(undefined, 600)).newPage();
    const kinds = new Set<string>();
    for (const mail of rt().mail.sent) {
      const kind = mail.subject.replace(/[0-9:]+.*$/, '');
      if (!mail.html || kinds.has(kind)) continue;
      kinds.add(kind);
      await email.setContent(mail.html);
      for (const v of await audit(email, WCAG_TAGS)) found.push(`email "${mail.subject}": ${v}`);
    }
    expect(kinds.size, 'booking link and confirmation emails').toBeGreaterThanOrEqual(2);
    expect(found).toEqual([]);
  });

  it('staff pages pass for an admin', async () => {
    const dee = await requestAndGetLink(rt(), { first_name: 'Dee', email: 'dee@example.com', phone: '(312) 555-0170' });
    const offered = offeredSlots((await rt().app.inject({ method: 'GET', url: dee })).body);
    expect((await book(rt(), dee, offered.at(-1)!)).statusCode).toBe(303);
    await requestAndGetLink(rt(), { first_name: 'Eve', email: 'eve@example.com', phone: '(312) 555-0171' }); // left open, to book by phone
    const eve = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('email', '=', 'eve@example.com')
      .executeTakeFirstOrThrow();
    // A message that could not be delivered: the mail banner shows on every page below, the mail page lists it, and
    // it is Eve's booking link, so her lead shows the "not delivered" notice and the inbox marks her.
    const failedAt = rt().clock.now();
    await rt()
      .database.db.insertInto('outbox')
      .values({
        id: 'a11y-failed-mail',
        kind: 'booking_link',
        ref_id: eve.id,
        dedupe_key: null,
        status: 'dead',
        run_at: failedAt - 72 * 3_600_000,
        first_due_at: failedAt - 72 * 3_600_000,
        failed_at: failedAt,
        failure_class: 'authentication',
        location_id: 'loc-chicago',
        locked_until: null,
        last_error: 'Invalid login: 535 5.7.8 Username and Password not accepted',
        created_at: failedAt - 72 * 3_600_000,
        sent_at: null,
      })
      .execute();
    mailStateChanged();
    const b = await signIn(rt(), 'admin@relief.example');
    const db = rt().database.db;
    const lead = await db.selectFrom('consultation_requests').select('id').executeTakeFirstOrThrow();
    const appt = await db.selectFrom('appointments').select(['id', 'patient_id']).executeTakeFirstOrThrow();
    await rt().database.transact((trx) => writeSuggestedProtocols(trx, rt().clock.now(), null));
    const urls = [
      '/staff',
      '/staff/leads',
      `/staff/leads/${lead.id}`,
      `/staff/leads/${eve.id}?done=link_sent`,
      '/staff/leads?link=undelivered',
      '/staff/calendar',
      '/staff/calendar?view=day',
      `/staff/calendar/appointments/${appt.id}`,
      '/staff/calendar/book',
      // Opened from a free cell of the day's grid: the time and the column's provider or chair filled in.
      '/staff/calendar/book?location=chicago&date=2026-03-05&time=10:00&provider=prov-okafor',
      `/staff/patients/${appt.patient_id}/book?location=chicago&date=2026-03-05&time=10:30&room=chair-chi-2`,
      '/staff/patients',
      `/staff/patients/${appt.patient_id}`,
      `/staff/patients/${appt.patient_id}/book`,
      '/staff/audit',
      `/staff/audit?patient_ref=${appt.patient_id}`,
      '/staff/sessions',
      '/staff/users',
      '/staff/setup',
      '/staff/setup/clinic',
      '/staff/setup/locations',
      '/staff/setup/locations/new',
      '/staff/setup/locations/loc-chicago',
      '/staff/setup/locations/loc-chicago/hours',
      '/staff/setup/locations/loc-chicago/closures',
      '/staff/setup/locations/loc-chicago/rooms',
      '/staff/setup/clinicians',
      '/staff/setup/clinicians/prov-okafor',
      '/staff/setup/clinicians/prov-okafor/hours',
      '/staff/setup/clinicians/prov-okafor/time-off',
      '/staff/setup/types',
      '/staff/setup/types/new',
      '/staff/setup/types/consultation',
      '/staff/mail',
      '/staff/protocols',
      '/staff/protocols/crps-10-day',
      '/staff/protocols/short-series?weight=70&unit=kg&rate=0.6&bolus=0.2',
      '/staff/protocols/crps-10-day/edit',
    ];
    const found: string[] = [];
    for (const width of [1280, 375]) {
      const context = await newContext(b.cookies, width);
      const page = await context.newPage();
      for (const url of urls) {
        const res = await page.goto(origin + url);
        expect(res?.status(), url).toBe(200);
        for (const v of await audit(page)) found.push(`${width}px ${url}: ${v}`);
      }
      // The dose calculator with every field refused.
      const refused = '/staff/protocols/short-series?weight=abc&unit=stone&hours=30&rate=9&bolus=x';
      expect((await page.goto(origin + refused))?.status()).toBe(400);
      for (const v of await audit(page)) found.push(`${width}px ${refused}: ${v}`);
      // The audit viewer's patient search: its matches, and its refusal of a search too short.
      for (const q of ['Dee', 'D']) {
        await page.goto(`${origin}/staff/audit`);
        await page.getByLabel('Find a patient').fill(q);
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Find' }).click()]);
        for (const v of await audit(page)) found.push(`${width}px /staff/audit (patient search "${q}"): ${v}`);
      }
      // Forms with every error showing: the main form's text fields emptied and posted without the browser's checks.
      for (const url of [
        '/staff/calendar/book',
        '/staff/setup/clinic',
        '/staff/setup/locations/new',
        '/staff/setup/types/new',
        '/staff/setup/types/consultation',
        '/staff/setup/clinicians/prov-okafor/time-off',
        '/staff/protocols/crps-10-day/edit',
      ]) {
        await page.goto(origin + url);
        await Promise.all([
          page.waitForEvent('load'),
          page
            .locator('main form:has(input:not([type="hidden"]))')
            .last()
            .evaluate((form) => {
              type Field = { type: string; value: string };
              const f = form as unknown as {
                noValidate: boolean;
                querySelectorAll(s: string): Field[];
                requestSubmit(): void;
              };
              for (const input of f.querySelectorAll('input'))
                if (['text', 'number', 'email', 'tel', 'date', 'time'].includes(input.type)) input.value = '';
              f.noValidate = true;
              f.requestSubmit();
            }),
        ]);
        await page.locator('main [aria-invalid="true"], main [role="alert"]').first().waitFor();
        for (const v of await audit(page)) found.push(`${width}px ${url} (errors): ${v}`);
      }
      await context.close();
    }
    // The idle warning, shown as its script shows it.
    const warned = await (await newContext(b.cookies, 1280)).newPage();
    await warned.goto(`${origin}/staff/leads`);
    await warned.evaluate(() => {
      (
        globalThis as unknown as { document: { getElementById(id: string): { hidden: boolean } } }
      ).document.getElementById('idle-warning').hidden = false;
    });
    for (const v of await audit(warned)) found.push(`idle warning: ${v}`);

    const provider = await (await newContext((await signIn(rt(), 'provider@relief.example')).cookies, 1280)).newPage();
    for (const url of ['/staff/break-glass', '/staff/calendar', '/staff/patients']) {
      await provider.goto(origin + url);
      for (const v of await audit(provider)) found.push(`provider ${url}: ${v}`);
    }

    const signedOut = await (await newContext(undefined, 1280)).newPage();
    for (const url of ['/staff/sign-in', '/staff/forgot']) {
      await signedOut.goto(origin + url);
      for (const v of await audit(signedOut)) found.push(`signed out ${url}: ${v}`);
    }
    await signedOut.goto(`${origin}/staff/sign-in`);
    await signedOut.getByLabel('Email').fill('admin@relief.example');
    await signedOut.getByLabel('Password').fill('not the password at all');
    await signedOut.getByRole('button', { name: 'Continue' }).click();
    await signedOut.getByRole('alert').waitFor();
    for (const v of await audit(signedOut)) found.push(`sign-in refused: ${v}`);
    expect(found).toEqual([]);
  });

  it('keyboard: the skip link comes first and every control shows a visible focus ring', async () => {
    const b = await signIn(rt(), 'frontdesk@relief.example');
    const bookingPath = await requestAndGetLink(rt(), {
      first_name: 'Cy',
      email: 'cy@example.com',
      phone: '(312) 555-0149',
    });
    const lead = await rt()
      .database.db.selectFrom('consultation_requests')
      .select('id')
      .where('location_id', '=', 'loc-chicago')
      .executeTakeFirstOrThrow();
    const context = await newContext(b.cookies, 1280);
    const page = await context.newPage();
    const problems: string[] = [];
    for (const url of [
      '/',
      '/consultation',
      bookingPath,
      '/staff/leads',
      `/staff/leads/${lead.id}`,
      '/staff/calendar',
    ]) {
      await page.goto(origin + url);
      const stops: string[] = [];
      for (let i = 0; i < 150; i++) {
        await page.keyboard.press('Tab');
        const stop = await page.evaluate(() => {
          type Style = { outlineStyle: string; outlineWidth: string; visibility: string };
          type Node = {
            tagName: string;
            textContent: string | null;
            getAttribute(n: string): string | null;
            getBoundingClientRect(): { width: number; height: number };
          };
          const g = globalThis as unknown as {
            document: { activeElement: Node | null; body: Node };
            getComputedStyle(el: Node): Style;
          };
          const el = g.document.activeElement;
          if (!el || el === g.document.body) return null;
          const style = g.getComputedStyle(el);
          const box = el.getBoundingClientRect();
          const name = `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40) || el.getAttribute('name') || el.getAttribute('id')}"`;
          const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
          return { name, ring, shown: box.width > 0 && box.height > 0 && style.visibility !== 'hidden' };
        });
        if (!stop || stops[0] === stop.name) break;
        stops.push(stop.name);
        if (!stop.ring) problems.push(`${url}: no visible focus ring on ${stop.name}`);
        if (!stop.shown) problems.push(`${url}: focus went to something not shown: ${stop.name}`);
      }
      expect(stops[0], url).toMatch(/Skip to main content/);
      expect(stops.length, `${url}: the keyboard reaches the page's controls`).toBeGreaterThan(5);
    }
    await context.close();
    expect(problems).toEqual([]);
  });

  it('staff onboarding pages pass, errors included: new account, first password, MFA enrolment, recovery codes', async () => {
    const admin = await newContext((await signIn(rt(), 'admin@relief.example')).cookies, 1280);
    const page = await admin.newPage();
    const found: string[] = [];
    const check = async (p: Page, what: string) => {
      for (const v of await audit(p)) found.push(`${what}: ${v}`);
    };
    await page.goto(`${origin}/staff/users`);
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Create account and send enrolment link' }).evaluate((button) => {
        (button as unknown as { form: { noValidate: boolean } }).form.noValidate = true;
        (button as unknown as { click(): void }).click();
      }),
    ]);
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await check(page, 'new account (errors)');
    await page.getByLabel('Full name').fill('Robin Reyes');
    await page.getByLabel('Work email').fill('robin@relief.example');
    await page.getByLabel('Front desk').check();
    await page.getByLabel(/Chicago/).check();
    await page.getByRole('button', { name: 'Create account and send enrolment link' }).click();
    const link = (await page.locator('.notice-success code').textContent())!;
    await check(page, 'new account (created)');

    const robin = await (await newContext(undefined, 375)).newPage();
    await robin.goto(link.replace('http://relief.test', origin));
    await check(robin, 'first password');
    await robin.getByLabel('New password', { exact: true }).fill('short');
    await robin.getByLabel('Repeat the new password').fill('short');
    await robin.getByRole('button').last().click();
    await robin.getByRole('alert').waitFor();
    await expect
      .poll(() => robin.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'))
      .toBe('true');
    await check(robin, 'first password (errors)');
    await robin.getByLabel('New password', { exact: true }).fill('quiet harbour lanterns 2026');
    await robin.getByLabel('Repeat the new password').fill('quiet harbour lanterns 2026');
    await robin.getByRole('button').last().click();
    await robin.getByRole('status').waitFor();
    await check(robin, 'sign-in after the first password');
    await robin.getByLabel('Email').fill('robin@relief.example');
    await robin.getByLabel('Password').fill('quiet harbour lanterns 2026');
    await robin.getByRole('button', { name: 'Continue' }).click();
    await robin.getByLabel('Code from your app').waitFor();
    await check(robin, 'MFA enrolment');
    await robin.getByLabel('Code from your app').fill('000000');
    await robin.getByRole('button').last().click();
    await robin.getByRole('alert').waitFor();
    expect(await robin.getByLabel('Code from your app').getAttribute('aria-describedby')).toBe('form-error');
    await check(robin, 'MFA enrolment (wrong code)');
    const secret = (await robin.locator('code.secret').textContent())!.replace(/\s+/g, '');
    await robin.getByLabel('Code from your app').fill(totpCode(secret, rt().clock.now()));
    await robin.getByRole('button').last().click();
    await robin.locator('.recovery-codes').waitFor();
    await check(robin, 'recovery codes');
    expect(found).toEqual([]);
  });
});
