import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { requestAndGetLink } from '../helpers/journey.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { BOUNDARY, JPEG, multipartBody, PNG, pngOfSize, SVG, type Part } from '../helpers/upload.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const PAGE = '/staff/setup/clinic';
/** The demo clinic's settings as the form shows them. */
const DEMO = {
  name: 'Relief Infusion Clinic',
  tagline: 'Specialist care for CRPS and hard-to-treat pain',
  accent: '#0d5c61',
  phone: '(312) 555-0140',
  email: 'hello@relief-clinic.example',
  reminders: '48, 2',
  cancel_cutoff: '24',
  horizon: '56',
  link_days: '14',
};

const stylesheetOf = (html: string) => /<link rel="stylesheet" href="(\/brand\/[0-9a-f]{16}\.css)">/.exec(html)?.[1];
const brandEvents = async () =>
  (
    await db()
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'setup.clinic%')
      .orderBy('seq')
      .execute()
  ).map((e) => e.action);
/** Public pages are kept for a few seconds; step past that to see a change. */
const publicPage = async (url = '/') => {
  rt().clock.advance(10_000);
  return (await rt().app.inject({ url })).body;
};

async function saveClinic(b: Browser, changes: Record<string, string>) {
  const page = await b.get(PAGE);
  return b.post(PAGE, { ...DEMO, ...changes, _csrf: csrfFrom(page.body) });
}

/** The session's CSRF token, from a page every role may open. */
const csrfOf = async (b: Browser) => csrfFrom((await b.get('/staff/patients')).body);

async function upload(b: Browser, parts: Part[] | 'csrf-only', options: { withCsrf?: boolean; type?: string } = {}) {
  const csrf = await csrfOf(b);
  const list = parts === 'csrf-only' ? [] : parts;
  const payload = multipartBody(options.withCsrf === false ? list : [{ name: '_csrf', value: csrf }, ...list]);
  return rt().app.inject({
    method: 'POST',
    url: `${PAGE}/logo`,
    remoteAddress: b.ip,
    headers: { cookie: b.cookieHeader, 'content-type': options.type ?? `multipart/form-data; boundary=${BOUNDARY}` },
    payload,
  });
}
const logoPart = (data: Buffer, filename = 'logo.png', type = 'image/png'): Part => ({
  name: 'logo',
  filename,
  type,
  data,
});

describe('clinic branding', () => {
  it('starts with the colour site.css always had, on the site, in the workspace and in emails', async () => {
    expect(await db().selectFrom('clinic').select('accent_color').executeTakeFirstOrThrow()).toEqual({
      accent_color: '#0d5c61',
    });
    const css = await rt().app.inject({ url: stylesheetOf(await publicPage())! });
    expect(css.body).toContain('--primary: #0d5c61;');
    await requestAndGetLink(rt());
    expect(rt().mail.sent.at(-1)!.html).toContain('background:#0d5c61;color:#ffffff');
  });

  it('saves a readable accent colour: a new stylesheet URL on public and staff pages, and emails in that colour', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const before = stylesheetOf((await admin.get(PAGE)).body)!;
    const res = await saveClinic(admin, { accent: ' #7A1F5C ' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Clinic settings saved.');
    expect(res.body).toContain('value="#7a1f5c"');
    expect(await db().selectFrom('clinic').select('accent_color').executeTakeFirstOrThrow()).toEqual({
      accent_color: '#7a1f5c',
    });
    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail', 'actor_role'])
      .where('action', '=', 'setup.clinic')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail)).toMatchObject({ accent: '#7a1f5c' });

    // The page that answers the save already shows the new colour, and so does every staff page after it.
    const after = stylesheetOf(res.body)!;
    expect(after).not.toBe(before);
    expect(stylesheetOf((await admin.get('/staff/calendar')).body)).toBe(after);
    expect(stylesheetOf(await publicPage('/crps'))).toBe(after);

    const css = await rt().app.inject({ url: after });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.body).toContain('--primary: #7a1f5c; --link: #7a1f5c;');
    expect(
      (await rt().app.inject({ url: after, headers: { 'if-none-match': css.headers.etag as string } })).statusCode,
    ).toBe(304);
    // A page from before the change asks for the old URL: it gets today's colours, revalidated rather than kept a year.
    const old = await rt().app.inject({ url: before });
    expect(old.body).toBe(css.body);
    expect(old.headers['cache-control']).toBe('no-cache');
    expect((await rt().app.inject({ url: '/brand/not-a-hash.css' })).statusCode).toBe(404);

    await requestAndGetLink(rt());
    const html = rt().mail.sent.at(-1)!.html;
    expect(html).toContain('background:#7a1f5c;color:#ffffff');
    expect(html).not.toContain('#0d5c61');
  });

  it('refuses colours that are not #rrggbb or not readable, says why, keeps what was typed and saves nothing', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const cases: Array<[string, string]> = [
      [
        'red;}body{background:url(https://evil.example/x)}',
        'Write the accent color as # followed by six hex digits, like #0d5c61.',
      ],
      ['#fff', 'Write the accent color as # followed by six hex digits'],
      ['url(javascript:alert(1))', 'Write the accent color as # followed by six hex digits'],
      ['"><script>alert(1)</script>', 'Write the accent color as # followed by six hex digits'],
      [`#${'0'.repeat(5000)}`, 'Write the accent color as # followed by six hex digits'],
      ['', 'Enter the accent color.'],
      [
        '#ffcc00',
        'White text on #ffcc00 (buttons, the email header) has a contrast of only 1.51:1; it needs at least 4.5:1 (WCAG 2.1 AA).',
      ],
      [
        '#727272',
        'Links in #727272 on the page background have a contrast of only 4.44:1; it needs at least 4.5:1 (WCAG 2.1 AA).',
      ],
    ];
    for (const [typed, message] of cases) {
      const res = await saveClinic(admin, { accent: typed });
      expect(res.statusCode, typed).toBe(400);
      expect(res.body).toContain('Nothing was saved.');
      expect(res.body).toContain(message);
      expect(res.body).toContain('<input id="accent" name="accent" type="text" value="');
      expect(res.body).toContain('aria-invalid="true" aria-describedby="accent-error accent-hint"');
      expect(res.body).not.toContain('<script>alert(1)');
      expect(res.body).toContain('value="Relief Infusion Clinic"'); // the rest of the form is kept too
    }
    const kept = await saveClinic(admin, { accent: 'red;}body{' });
    expect(kept.body).toContain('value="red;}body{"');
    expect(await db().selectFrom('clinic').select('accent_color').executeTakeFirstOrThrow()).toEqual({
      accent_color: '#0d5c61',
    });
    expect(await brandEvents()).toEqual([]);
  });

  it('is for administrators only, like every other clinic setting', async () => {
    for (const email of ['frontdesk@relief.example', 'nurse@relief.example', 'provider@relief.example']) {
      const b = await signIn(rt(), email);
      const csrf = await csrfOf(b);
      expect(csrf).not.toBe('');
      const results = [
        await b.post(PAGE, { ...DEMO, accent: '#7a1f5c', _csrf: csrf }),
        await upload(b, [logoPart(PNG)]),
        await b.post(`${PAGE}/logo/remove`, { _csrf: csrf }),
      ];
      for (const res of results) {
        expect(res.statusCode, email).toBe(403);
        expect(res.body).toContain('Your role does not give access to this page.');
      }
    }
    expect(await db().selectFrom('clinic').select('accent_color').executeTakeFirstOrThrow()).toEqual({
      accent_color: '#0d5c61',
    });
    expect(await db().selectFrom('clinic_logo').selectAll().execute()).toEqual([]);
    expect(await brandEvents()).toEqual([]);
    expect((await rt().app.inject({ url: PAGE })).statusCode).toBe(303); // signed out: to sign-in
  });

  it('uploads a logo, shows it in both headers and emails, replaces it and removes it, each audited', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const res = await upload(admin, [logoPart(PNG, 'clinic.PNG', 'application/octet-stream')]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Logo saved.');
    const sha = createHash('sha256').update(PNG).digest('hex');
    const url = `/brand/logo-${sha.slice(0, 16)}.png`;
    expect(res.body).toContain(`<img class="logo-preview" src="${url}"`);
    expect(res.body).toContain(`<img class="brand-logo" src="${url}" alt="">`); // staff header, decorative beside its text

    const served = await rt().app.inject({ url });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.rawPayload.equals(PNG)).toBe(true);

    const home = await publicPage();
    expect(home).toContain(
      `<a class="brand brand-with-logo" href="/"><img class="brand-logo" src="${url}" alt="Relief Infusion Clinic">`,
    );
    expect(home).toContain('<span class="tagline">');
    await requestAndGetLink(rt());
    expect(rt().mail.sent.at(-1)!.html).toContain(`<img src="http://relief.test${url}" alt="Relief Infusion Clinic"`);

    const replaced = await upload(admin, [logoPart(JPEG, 'logo.jpg', 'image/jpeg')]);
    expect(replaced.statusCode).toBe(200);
    const jpegUrl = `/brand/logo-${createHash('sha256').update(JPEG).digest('hex').slice(0, 16)}.jpg`;
    expect(replaced.body).toContain(`src="${jpegUrl}"`);
    expect((await rt().app.inject({ url: jpegUrl })).headers['content-type']).toBe('image/jpeg');
    // Emails sent earlier point at the old URL: they get the current logo, not a broken image.
    const old = await rt().app.inject({ url });
    expect(old.headers['content-type']).toBe('image/jpeg');
    expect(old.headers['cache-control']).toBe('no-cache');

    const removed = await admin.post(`${PAGE}/logo/remove`, { _csrf: csrfFrom(replaced.body) });
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toContain('Logo removed');
    expect(removed.body).not.toContain('brand-logo');
    expect(await db().selectFrom('clinic_logo').selectAll().execute()).toEqual([]);
    expect((await rt().app.inject({ url: jpegUrl })).statusCode).toBe(404);
    expect(await publicPage()).not.toContain('<img');
    const again = await admin.post(`${PAGE}/logo/remove`, { _csrf: csrfFrom(removed.body) });
    expect(again.body).toContain('There was no logo to remove.');

    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', 'like', 'setup.clinic_logo%')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'setup.clinic_logo',
      'setup.clinic_logo',
      'setup.clinic_logo_remove',
      'setup.clinic_logo_remove',
    ]);
    expect(JSON.parse(events[0]!.detail)).toEqual({ type: 'image/png', bytes: PNG.length, sha256: sha });
    expect(events.slice(2).map((e) => JSON.parse(e.detail))).toEqual([{ removed: true }, { removed: false }]);
  });

  it('refuses other formats, fake image bytes, large files and broken uploads, and saves nothing', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const formAgain = (res: { statusCode: number; body: string }, message: string) => {
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Nothing was saved.');
      expect(res.body).toContain(message);
      expect(res.body).toContain('aria-describedby="logo-error logo-hint"');
    };
    const notImage = 'The logo must be a PNG or JPEG image. Other formats, including SVG, are not accepted.';
    formAgain(await upload(admin, [logoPart(SVG, 'logo.svg', 'image/svg+xml')]), notImage);
    formAgain(await upload(admin, [logoPart(SVG, 'logo.png', 'image/png')]), notImage); // an SVG under a PNG name
    formAgain(await upload(admin, [logoPart(Buffer.from('\x89PNG but really a text file'), 'logo.png')]), notImage);
    // The exact PNG signature, then markup instead of the IHDR chunk every PNG starts with.
    formAgain(
      await upload(admin, [
        logoPart(Buffer.concat([PNG.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')])),
      ]),
      notImage,
    );
    formAgain(
      await upload(admin, [logoPart(Buffer.from('<html><script>alert(1)</script>'), 'logo.jpg', 'image/jpeg')]),
      notImage,
    );
    formAgain(
      await upload(admin, [logoPart(pngOfSize(250 * 1024))]),
      'This file is 250 KB; the logo can be at most 200 KB.',
    );
    formAgain(
      await upload(admin, [logoPart(Buffer.alloc(0), '', 'application/octet-stream')]),
      'Choose a PNG or JPEG file to upload.',
    );
    formAgain(await upload(admin, 'csrf-only'), 'Choose a PNG or JPEG file to upload.');

    const huge = await upload(admin, [logoPart(pngOfSize(2 * 1024 * 1024))]);
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('That file is far too large: the logo can be at most 200 KB.');
    const broken = await upload(admin, [logoPart(PNG)], { type: 'multipart/form-data; boundary=something-else' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('The upload could not be read.');
    expect((await upload(admin, [logoPart(PNG)], { withCsrf: false })).statusCode).toBe(403);
    // Only this route reads multipart bodies.
    const elsewhere = await rt().app.inject({
      method: 'POST',
      url: PAGE,
      headers: { cookie: admin.cookieHeader, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: multipartBody([]),
    });
    expect(elsewhere.statusCode).toBe(415);

    expect(await db().selectFrom('clinic_logo').selectAll().execute()).toEqual([]);
    expect(await brandEvents()).toEqual([]);
  });
});
