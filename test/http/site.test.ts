import { describe, expect, it } from 'vitest';
import { startTestRuntime, stopTestRuntime, useTestRuntime } from '../helpers/runtime.ts';

const rt = useTestRuntime({ shared: true });

const PAGES = ['/', '/crps', '/ketamine-infusion-therapy', '/locations', '/consultation'];

describe('public site', () => {
  it.each(PAGES)(
    '%s renders with landmarks, one h1, the emergency notice and a link to the request form',
    async (path) => {
      const res = await rt().app.inject({ url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = res.body;
      expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
      expect(html).toContain('<main id="main"');
      expect(html).toContain('<nav aria-label="Main">');
      expect(html).toContain('href="#main"');
      expect(html).toContain('call 911');
      expect(html).toContain('href="/consultation');
      expect(html).not.toMatch(/<script/);
      // Sober copy: no promises of cure or guaranteed results.
      expect(html).not.toMatch(/\bwill cure\b|\bcures\b|\bguarantee(d|s)?\b|\bmiracle\b|\bpermanent relief\b/i);
    },
  );

  it('every image has alt text and every form control a label', async () => {
    for (const path of PAGES) {
      const html = (await rt().app.inject({ url: path })).body;
      for (const img of html.match(/<img [^>]*>/g) ?? []) expect(img).toMatch(/ alt="/);
      for (const m of html.matchAll(/<(?:input|select|textarea) [^>]*id="([^"]+)"[^>]*>/g)) {
        if (/type="hidden"/.test(m[0])) continue;
        expect(html).toContain(`for="${m[1]}"`);
      }
    }
  });

  it('takes clinic name, locations, hours and phones from the database', async () => {
    const locations = (await rt().app.inject({ url: '/locations' })).body;
    expect(locations).toContain('Chicago – River North');
    expect(locations).toContain('(720) 555-0142');
    expect(locations).toContain('Central Time');
    expect(locations).toContain('Mountain Time');
    expect(locations).toContain('href="/consultation?location=denver"');
    await rt().database.db.updateTable('clinic').set({ name: 'Lakeside Pain Center' }).execute();
    await rt()
      .database.db.updateTable('locations')
      .set({ phone: '(312) 555-0999' })
      .where('slug', '=', 'chicago')
      .execute();
    rt().clock.advance(10_000); // past the short page cache
    const home = (await rt().app.inject({ url: '/' })).body;
    expect(home).toContain('Lakeside Pain Center');
    expect((await rt().app.inject({ url: '/locations' })).body).toContain('(312) 555-0999');
  });

  it('sends security headers and a CSP without inline script or style', async () => {
    const res = await rt().app.inject({ url: '/' });
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // HSTS only when served over HTTPS.
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('supports conditional requests for pages and long caching for assets', async () => {
    const first = await rt().app.inject({ url: '/crps' });
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    expect((await rt().app.inject({ url: '/crps', headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    const css = /href="(\/assets\/site\.css\?v=[^"]+)"/.exec(first.body)![1]!;
    const asset = await rt().app.inject({ url: css });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await rt().app.inject({ url: '/assets/..%2f..%2fpackage.json' })).statusCode).toBe(404);
    expect((await rt().app.inject({ url: '/assets/nope.css' })).statusCode).toBe(404);
  });

  it("names a favicon on public and staff pages, and answers the browser's own /favicon.ico", async () => {
    for (const url of ['/', '/consultation', '/staff/sign-in']) {
      const icon = /<link rel="icon" href="(\/assets\/favicon\.svg\?v=[^"]+)" type="image\/svg\+xml"/.exec(
        (await rt().app.inject({ url })).body,
      );
      expect(icon, url).not.toBeNull();
      const res = await rt().app.inject({ url: icon![1]! });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
    }
    const legacy = await rt().app.inject({ url: '/favicon.ico' });
    expect(legacy.statusCode).toBe(301);
    expect(legacy.headers.location).toMatch(/^\/assets\/favicon\.svg\?v=/);
  });

  it('answers unknown pages and hostile URLs with a friendly 4xx page', async () => {
    for (const url of ['/nope', '/%E0%A4%A', '/consultation/thanks/%3Cscript%3E', '/crps?x=%00']) {
      const res = await rt().app.inject({ url });
      expect(res.statusCode).toBeGreaterThanOrEqual(200);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).not.toContain('<script>');
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    }
    const notFound = await rt().app.inject({ url: '/nope' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toContain('Page not found');
  });

  it('serves the development mailbox only without SMTP', async () => {
    expect((await rt().app.inject({ url: '/dev/mailbox' })).statusCode).toBe(200);
    expect((await rt().app.inject({ url: '/dev/mailbox/not-a-uuid' })).statusCode).toBe(400);
    expect((await rt().app.inject({ url: '/dev/mailbox/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    const withSmtp = await startTestRuntime({ env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    try {
      expect((await withSmtp.app.inject({ url: '/dev/mailbox' })).statusCode).toBe(404);
    } finally {
      await stopTestRuntime(withSmtp);
    }
  });
});
