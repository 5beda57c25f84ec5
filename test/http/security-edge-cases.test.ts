import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { Browser, csrfFrom, signIn } from '../helpers/staff.ts';
import { VALID_REQUEST, formBody, newKey, requestAndGetLink } from '../helpers/journey.ts';

/**
 * Security edge cases found by an adversarial review (stop 7): each states what should hold, and failed before its fix.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff', shared: true });

const postForm = (url: string, ip: string, fields: Record<string, string>) =>
  rt().app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody(fields),
  });
let ipCount = 0;
const freshIp = () => {
  ipCount += 1;
  return `10.88.${Math.floor(ipCount / 250)}.${(ipCount % 250) + 1}`;
};

const postJson = (url: string, ip: string, body: unknown) =>
  rt().app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe(`security edge cases (${engine})`, () => {
  it('the per-address limit on consultation requests (10 per 15 minutes) also covers the JSON API, not 10 more there', async () => {
    const ip = '10.77.0.1';
    // Every accepted request emails whatever address was typed: the limit is what stops mail-bombing a stranger.
    for (let i = 0; i < 10; i++) {
      const res = await postForm('/consultation', ip, {
        ...VALID_REQUEST,
        email: 'victim@example.org',
        form_key: newKey(),
      });
      expect(res.statusCode).toBe(303);
    }
    expect(
      (await postForm('/consultation', ip, { ...VALID_REQUEST, email: 'victim@example.org', form_key: newKey() }))
        .statusCode,
    ).toBe(429);
    // The same request through the other door, from the same address, in the same window:
    const api = await postJson('/api/consultation-requests', ip, {
      ...VALID_REQUEST,
      email: 'victim@example.org',
      form_key: newKey(),
    });
    expect(api.statusCode, 'the JSON API has its own, separate budget of 10').toBe(429);
  });

  it('a first name cannot carry line breaks and a web address into the email the clinic sends to the typed address', async () => {
    // Anyone can submit the form with any address: the clinic then mails that person, greeting them with the "first name".
    const injected = 'Ana\r\n\r\nYour account is locked. Verify at https://evil.example/v';
    const before = rt().mail.sent.length;
    const res = await postForm('/consultation', '10.77.0.2', {
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

  it('patient search does not put names, emails or phone numbers in the URL (the search form is not sent with GET)', async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const page = await desk.get('/staff/patients');
    expect(page.statusCode).toBe(200);
    const form = /<form[^>]*action="\/staff\/patients"[^>]*>/.exec(page.body)?.[0] ?? '';
    expect(form).not.toBe('');
    const method = /method="([a-z]+)"/i.exec(form)?.[1]?.toLowerCase() ?? 'get';
    // With GET, "?q=Ana+Moreno" lands in browser history and in any reverse proxy's access log (the app's own logs
    // drop query strings precisely because of this; the audit trail leaves the search text out for the same reason).
    expect(method, `search form: ${form}`).toBe('post');
  });

  it('setting a new password through one reset link ends the other reset links still outstanding for that account', async () => {
    const email = 'denver.desk@relief.example';
    const b = new Browser(rt());
    const before = rt().mail.sent.length;
    for (let i = 0; i < 2; i++) {
      const forgot = await b.get('/staff/forgot');
      expect((await b.post('/staff/forgot', { _csrf: csrfFrom(forgot.body), email })).statusCode).toBe(200);
    }
    await rt().worker.runOnce();
    const links = rt()
      .mail.sent.slice(before)
      .filter((m) => m.to === email)
      .map((m) => /http:\/\/relief\.test(\/staff\/reset\/[A-Za-z0-9_-]+)/.exec(m.text)![1]!);
    expect(links).toHaveLength(2);
    const [first, second] = links as [string, string];
    const form = await b.get(first);
    const password = 'quartz meadow lantern 77';
    expect((await b.post(first, { _csrf: csrfFrom(form.body), password, confirm: password })).statusCode).toBe(303);
    // The older/other link is still live for the rest of its hour: whoever else holds it can change the password again.
    const stale = await b.get(second);
    expect(stale.statusCode, 'the second reset link still opens the password form').toBe(410);
  });

  // An answer that waited for the mail to go out would take measurably longer for a known address than for an
  // unknown one (the same page either way), telling who has a request or an account. The job must still be waiting
  // when the answer arrives; the worker takes it right after.
  it('"send me a new link" answers before any mail work starts, so a known address takes no longer than an unknown one', async () => {
    await requestAndGetLink(rt(), { email: 'known.patient@example.org' });
    rt().clock.advance(11 * 60_000); // past the ten-minute de-duplication, so the ask really queues a mail
    rt().mail.sent.length = 0;
    await rt().worker.runOnce();
    const res = await postForm('/book/new-link', freshIp(), { email: 'known.patient@example.org' });
    expect(res.statusCode).toBe(200);
    const waiting = await rt()
      .database.db.selectFrom('outbox')
      .select('status')
      .where('kind', '=', 'booking_link')
      .where('status', '!=', 'sent')
      .execute();
    expect(
      waiting.map((j) => j.status),
      'the new-link job when the answer arrives',
    ).toEqual(['pending']);
  });

  it('staff "forgot password" answers before any mail work starts', async () => {
    const b = new Browser(rt());
    const csrf = csrfFrom((await b.get('/staff/forgot')).body);
    await rt().worker.runOnce();
    b.ip = freshIp();
    expect((await b.post('/staff/forgot', { _csrf: csrf, email: 'nurse@relief.example' })).statusCode).toBe(200);
    const waiting = await rt()
      .database.db.selectFrom('outbox')
      .select('status')
      .where('kind', '=', 'staff_password_reset')
      .where('status', '!=', 'sent')
      .execute();
    expect(
      waiting.map((j) => j.status),
      'the reset job when the answer arrives',
    ).toEqual(['pending']);
  });
});
