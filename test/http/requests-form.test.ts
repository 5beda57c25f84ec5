import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { formBody, newKey, nextIp, submitRequest, VALID_REQUEST } from '../helpers/journey.ts';

const rt = useTestRuntime();

const requests = () => rt().database.db.selectFrom('consultation_requests').selectAll().execute();
const jobs = () => rt().database.db.selectFrom('outbox').selectAll().execute();
/** Posts the form (urlencoded) or the API (JSON) as a client at `ip`: the limits are per address. */
const postFormFrom = (url: string, ip: string, fields: Record<string, string>) =>
  rt().app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(fields),
  });
const postJsonFrom = (url: string, ip: string, body: unknown) =>
  rt().app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('consultation request form', () => {
  it('preselects the location and reason a person arrived with', async () => {
    const res = await rt().app.inject({ url: '/consultation?location=denver&reason=crps' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<option value="denver" selected>/);
    expect(res.body).toMatch(/value="crps" checked/);
    expect(res.body).toMatch(/name="form_key" value="[A-Za-z0-9_-]{16,}"/);
    // Unknown values are ignored rather than echoed.
    const odd = await rt().app.inject({ url: '/consultation?location=%3Cscript%3E&reason=nope' });
    expect(odd.statusCode).toBe(200);
    expect(odd.body).not.toContain('<script>');
    expect(odd.body).not.toMatch(/ selected>/);
  });

  it('records the request and its email job together, then answers with what happens next', async () => {
    const res = await submitRequest(rt());
    expect(res.statusCode).toBe(303);
    const thanks = await rt().app.inject({ url: res.headers.location as string });
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).toContain('What happens next');
    expect(thanks.body).toContain('Chicago');
    const [row] = await requests();
    expect(row).toMatchObject({
      first_name: 'Ana',
      email: 'ana@example.com',
      phone: '+13125550147',
      reason: 'crps',
      status: 'new',
    });
    // The job was committed with the request (the app may already have delivered it).
    expect(await jobs()).toEqual([
      expect.objectContaining({
        kind: 'booking_link',
        ref_id: row!.id,
        status: expect.stringMatching(/pending|sending|sent/),
      }),
    ]);
    // Nothing personal in the URL of the thank-you page.
    expect(res.headers.location).not.toMatch(/ana|Moreno|example/i);
  });

  it('re-renders with a message next to each bad field and keeps what was typed', async () => {
    const res = await submitRequest(rt(), { email: 'not-an-email', phone: '12', first_name: '', consent: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="email-error"');
    expect(res.body).toContain('Enter an email address like name@example.com.');
    expect(res.body).toContain('Enter a mobile phone number like (312) 555-0147.');
    expect(res.body).toContain('Enter your first name.');
    expect(res.body).toContain('Please agree to be contacted');
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('value="Moreno"');
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toContain('class="error-summary"');
    expect(await requests()).toHaveLength(0);
    expect(await jobs()).toHaveLength(0);
  });

  it('shows script typed into any field as text', async () => {
    const evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const res = await submitRequest(rt(), { last_name: evil, message: evil, email: 'bad' });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is idempotent: a double click or a resubmitted form creates one request', async () => {
    const key = newKey();
    const body = formBody({ ...VALID_REQUEST, form_key: key });
    const send = () =>
      rt().app.inject({
        method: 'POST',
        url: '/consultation',
        remoteAddress: nextIp(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    for (const r of [a, b, c]) expect(r.statusCode).toBe(303);
    expect(await requests()).toHaveLength(1);
    expect(await jobs()).toHaveLength(1);
    // The same key with different answers is refused, and the first request is kept.
    const changed = await rt().app.inject({
      method: 'POST',
      url: '/consultation',
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ ...VALID_REQUEST, first_name: 'Anna', form_key: key }),
    });
    expect(changed.statusCode).toBe(409);
    expect(changed.body).toContain('already sent');
    expect(await requests()).toHaveLength(1);
  });

  it('says why when the honeypot is filled, and stores nothing', async () => {
    const res = await submitRequest(rt(), { website: 'http://spam.example' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('hidden field meant for spam detection');
    expect(await requests()).toHaveLength(0);
  });

  it('rate-limits per address with a plain explanation', async () => {
    const ip = '127.9.9.9';
    let last;
    for (let i = 0; i < 11; i++) {
      last = await rt().app.inject({
        method: 'POST',
        url: '/consultation',
        remoteAddress: ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...VALID_REQUEST, email: `x${i}@example.com`, form_key: newKey() }),
      });
    }
    expect(last?.statusCode).toBe(429);
    expect(last?.body).toContain('several requests from your connection');
    expect(last?.body).toContain('call us');
    expect(await requests()).toHaveLength(10);
  });

  it('refuses an unknown location, odd enums, oversized and malformed bodies with 4xx', async () => {
    expect((await submitRequest(rt(), { location: 'atlantis' })).body).toContain('Choose a location from the list.');
    expect((await submitRequest(rt(), { contact_method: 'pigeon' })).statusCode).toBe(400);
    expect((await submitRequest(rt(), { message: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await submitRequest(rt(), { form_key: 'short' })).statusCode).toBe(400);
    const huge = await rt().app.inject({
      method: 'POST',
      url: '/consultation',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'message=' + 'x'.repeat(200_000),
    });
    expect(huge.statusCode).toBe(413);
    const json = await rt().app.inject({
      method: 'POST',
      url: '/consultation',
      headers: { 'content-type': 'application/json' },
      payload: '{bad json',
    });
    expect(json.statusCode).toBe(400);
    const xml = await rt().app.inject({
      method: 'POST',
      url: '/consultation',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(xml.statusCode).toBe(415);
    for (const r of [huge, json, xml]) expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    expect(await requests()).toHaveLength(0);
  });

  it('a first name cannot carry line breaks and a web address into the email the clinic sends to the typed address', async () => {
    // Anyone can submit the form with any address: the clinic then mails that person, greeting them with the "first name".
    const injected = 'Ana\r\n\r\nYour account is locked. Verify at https://evil.example/v';
    const before = rt().mail.sent.length;
    const res = await postFormFrom('/consultation', '10.77.0.2', {
      ...VALID_REQUEST,
      first_name: injected,
      email: 'stranger@example.org',
      form_key: newKey(),
    });
    await rt().worker.runOnce();
    const mail = rt()
      .mail.sent.slice(before)
      .find((m) => m.to === 'stranger@example.org');
    expect(
      {
        status: res.statusCode,
        textCarriesLink: mail?.text.includes('https://evil.example/v') ?? false,
        textHasInjectedLine: /^Your account is locked/m.test(mail?.text ?? ''),
      },
      'a name with CR/LF and a URL was accepted and mailed verbatim',
    ).toEqual({ status: 400, textCarriesLink: false, textHasInjectedLine: false });
  });
});

describe('consultation request API', () => {
  it('uses one error envelope and the same schema as the form', async () => {
    const bad = await rt().app.inject({
      method: 'POST',
      url: '/api/consultation-requests',
      payload: { ...VALID_REQUEST, email: 'nope', form_key: newKey() },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: expect.any(String),
        fields: { email: 'Enter an email address like name@example.com.' },
      },
    });
    const key = newKey();
    const ok = await rt().app.inject({
      method: 'POST',
      url: '/api/consultation-requests',
      payload: { ...VALID_REQUEST, consent: true, form_key: key },
    });
    expect(ok.statusCode).toBe(201);
    const again = await rt().app.inject({
      method: 'POST',
      url: '/api/consultation-requests',
      payload: { ...VALID_REQUEST, consent: true, form_key: key },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'received', replay: true });
    const missing = await rt().app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('the per-address limit on consultation requests (10 per 15 minutes) also covers the JSON API, not 10 more there', async () => {
    const ip = '10.77.0.1';
    // Every accepted request emails whatever address was typed: the limit is what stops mail-bombing a stranger.
    for (let i = 0; i < 10; i++) {
      const res = await postFormFrom('/consultation', ip, {
        ...VALID_REQUEST,
        email: 'victim@example.org',
        form_key: newKey(),
      });
      expect(res.statusCode).toBe(303);
    }
    expect(
      (await postFormFrom('/consultation', ip, { ...VALID_REQUEST, email: 'victim@example.org', form_key: newKey() }))
        .statusCode,
    ).toBe(429);
    // The same request through the other door, from the same address, in the same window:
    const api = await postJsonFrom('/api/consultation-requests', ip, {
      ...VALID_REQUEST,
      email: 'victim@example.org',
      form_key: newKey(),
    });
    expect(api.statusCode, 'the JSON API has its own, separate budget of 10').toBe(429);
  });
});
