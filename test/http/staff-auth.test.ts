import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { Browser, csrfFrom, demoAccount, signIn } from '../helpers/staff.ts';
import { nextIp } from '../helpers/journey.ts';
import { DEMO_PASSWORD } from '../../src/seed/demo-staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { ACCOUNT_FAILURE_LIMIT, ACCOUNT_PAUSE_MS } from '../../src/staff/sign-in-rules.ts';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';

const linkIn = (text: string, kind: 'welcome' | 'reset') =>
  new RegExp(`http://relief\\.test(/staff/${kind}/[A-Za-z0-9_-]+)`).exec(text)![1]!;
const events = () =>
  rt().database.db.selectFrom('audit_events').select(['action', 'outcome', 'actor_id']).orderBy('seq').execute();
const userByEmail = (email: string) =>
  rt().database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
/** The failure count and pause of an account from one address (none until it fails there). */
const pauseOf = (email: string, ip: string) =>
  rt()
    .database.db.selectFrom('sign_in_pauses')
    .innerJoin('users', 'users.id', 'sign_in_pauses.user_id')
    .select(['sign_in_pauses.failed_logins', 'sign_in_pauses.locked_until'])
    .where('users.email', '=', email)
    .where('sign_in_pauses.ip', '=', ip)
    .executeTakeFirst();

async function passwordStep(b: Browser, email: string, password = DEMO_PASSWORD) {
  const form = await b.get('/staff/sign-in');
  return b.post('/staff/sign-in', { _csrf: csrfFrom(form.body), email, password, next: '/staff' });
}

describe('staff sign-in', () => {
  it('needs the password and then a TOTP code; the session id changes at each step', async () => {
    const b = new Browser(rt());
    expect((await b.get('/staff/audit')).headers.location).toBe('/staff/sign-in?next=%2Fstaff%2Faudit');
    const res = await passwordStep(b, ADMIN);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/staff\/mfa/);
    const afterPassword = b.cookies.get('relief_staff');
    // Half signed in: no access to staff pages yet.
    expect((await b.get('/staff/audit')).headers.location).toBe('/staff/mfa');
    const mfa = await b.get('/staff/mfa');
    const done = await b.post('/staff/mfa', {
      _csrf: csrfFrom(mfa.body),
      code: totpCode(demoAccount(ADMIN).totp, rt().clock.now()),
      next: '/staff/audit',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/staff/audit');
    expect(b.cookies.get('relief_staff')).not.toBe(afterPassword);
    const cookie = done.cookies.find((c) => c.name === 'relief_staff')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect((await b.get('/staff/audit')).statusCode).toBe(200);
  });

  it('answers an unknown user and a wrong password the same way', async () => {
    const a = await passwordStep(new Browser(rt()), 'nobody@relief.example');
    const b = await passwordStep(new Browser(rt()), ADMIN, 'wrong password here');
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    const message = (html: string) => /<div class="error-summary"[^>]*><p>([^<]+)<\/p>/.exec(html)?.[1];
    expect(message(a.body)).toBe(message(b.body));
  });

  it('refuses a TOTP code used twice, and a wrong one', async () => {
    const code = totpCode(demoAccount(ADMIN).totp, rt().clock.now());
    const first = new Browser(rt());
    await passwordStep(first, ADMIN);
    const m1 = await first.get('/staff/mfa');
    expect((await first.post('/staff/mfa', { _csrf: csrfFrom(m1.body), code, next: '/staff' })).statusCode).toBe(303);
    const second = new Browser(rt());
    await passwordStep(second, ADMIN);
    const m2 = await second.get('/staff/mfa');
    expect((await second.post('/staff/mfa', { _csrf: csrfFrom(m2.body), code, next: '/staff' })).statusCode).toBe(401);
    expect(
      (await second.post('/staff/mfa', { _csrf: csrfFrom(m2.body), code: '000000', next: '/staff' })).statusCode,
    ).toBe(401);
  });

  it('pauses an account from one address after repeated failures there, with a growing delay', async () => {
    const attacker = new Browser(rt());
    const state = () => pauseOf(ADMIN, attacker.ip);
    for (let i = 0; i < 3; i++) await passwordStep(attacker, ADMIN, `wrong password ${i}`);
    expect(await state()).toEqual({ failed_logins: 3, locked_until: rt().clock.now() + 1_000 });
    // Even the right password is refused there while paused, with the same answer, and the pause does not count.
    expect((await passwordStep(attacker, ADMIN)).statusCode).toBe(401);
    expect((await state())?.failed_logins).toBe(3);
    rt().clock.advance(1_001);
    await passwordStep(attacker, ADMIN, 'wrong again');
    expect(await state()).toEqual({ failed_logins: 4, locked_until: rt().clock.now() + 2_000 });
    rt().clock.advance(2_001);
    expect((await passwordStep(attacker, ADMIN)).statusCode).toBe(303);
    // A right password alone clears nothing: only the completed second step does.
    expect((await state())?.failed_logins).toBe(4);
    const mfa = await attacker.get('/staff/mfa');
    expect(
      (
        await attacker.post('/staff/mfa', {
          _csrf: csrfFrom(mfa.body),
          code: totpCode(demoAccount(ADMIN).totp, rt().clock.now()),
          next: '/staff',
        })
      ).statusCode,
    ).toBe(303);
    expect(await state()).toBeUndefined();
    expect((await userByEmail(ADMIN)).failed_logins).toBe(0);
  });

  it('a stranger guessing from one address cannot lock the holder out of another', async () => {
    const stranger = new Browser(rt());
    for (let i = 0; i < 3; i++) await passwordStep(stranger, DESK, `guess ${i}`);
    expect((await pauseOf(DESK, stranger.ip))?.locked_until).toBeGreaterThan(rt().clock.now());
    expect((await passwordStep(stranger, DESK)).statusCode).toBe(401);
    // The holder, at their own desk with no failures there, signs in with password and code at once.
    const holder = await signIn(rt(), DESK);
    expect((await holder.get('/staff/patients')).statusCode).toBe(200);
    // Their sign-in clears their own address's record, not the stranger's.
    expect((await pauseOf(DESK, stranger.ip))?.failed_logins).toBe(3);
  });

  it('at the higher account-wide limit pauses the account everywhere and tells its holder and the administrators once', async () => {
    rt().mail.sent = [];
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) await passwordStep(new Browser(rt()), DESK, `spread guess ${i}`);
    expect((await userByEmail(DESK)).failed_logins).toBe(ACCOUNT_FAILURE_LIMIT);
    // Now even the holder's clean address is paused, with the usual answer.
    expect((await passwordStep(new Browser(rt()), DESK)).statusCode).toBe(401);
    await rt().worker.runOnce();
    const notices = rt().mail.sent.filter((m) => /^Many failed sign-ins/.test(m.subject));
    const admins = await rt()
      .database.db.selectFrom('users')
      .select('email')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .execute();
    expect(notices.map((m) => m.to).sort()).toEqual([DESK, ...admins.map((a) => a.email)].sort());
    expect(notices.find((m) => m.to === DESK)?.subject).toBe('Many failed sign-ins to your staff account');
    for (const m of notices) expect(m.text).not.toMatch(/\d+\.\d+\.\d+\.\d+/); // no addresses
    // Told once: further failures pause again but send nothing more.
    await passwordStep(new Browser(rt()), DESK, 'one more');
    await rt().worker.runOnce();
    expect(rt().mail.sent.filter((m) => /^Many failed sign-ins/.test(m.subject))).toHaveLength(notices.length);
    // Once the pause has run out, the holder signs in, and that clears the count.
    rt().clock.advance(ACCOUNT_PAUSE_MS + 1);
    const holder = await signIn(rt(), DESK);
    expect((await holder.get('/staff/patients')).statusCode).toBe(200);
    expect((await userByEmail(DESK)).failed_logins).toBe(0);
  });

  it('does not let a known password reset the pause on wrong codes', async () => {
    const state = () =>
      rt()
        .database.db.selectFrom('users')
        .select(['failed_logins'])
        .where('email', '=', ADMIN)
        .executeTakeFirstOrThrow();
    for (let round = 0; round < 2; round++) {
      const b = new Browser(rt());
      await passwordStep(b, ADMIN);
      const mfa = await b.get('/staff/mfa');
      for (let i = 0; i < 3; i++)
        await b.post('/staff/mfa', { _csrf: csrfFrom(mfa.body), code: '000000', next: '/staff' });
      rt().clock.advance(60_000);
    }
    expect((await state()).failed_logins).toBeGreaterThanOrEqual(5);
  });

  it('answers hostile links and bodies with 4xx, never 500', async () => {
    expect((await new Browser(rt()).get(`/staff/welcome/${'x'.repeat(250)}`)).statusCode).toBe(410);
    expect([400, 410]).toContain((await new Browser(rt()).get('/staff/reset/%00%ff')).statusCode);
    const res = await rt().app.inject({
      method: 'POST',
      url: '/staff/sign-in',
      payload: { email: ['a', 'b'], password: { toString: 1 } },
    });
    expect(res.statusCode).toBeLessThan(500);
  });

  it('ends a session after the idle time-out and after the absolute limit', async () => {
    const b = await signIn(rt(), ADMIN);
    expect((await b.get('/staff/audit')).statusCode).toBe(200);
    rt().clock.advance(15 * 60_000 + 1);
    const res = await b.get('/staff/audit');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('reason=idle');
    const c = await signIn(rt(), ADMIN);
    for (let i = 0; i < 60; i++) {
      rt().clock.advance(14 * 60_000);
      const page = await c.get('/staff/audit');
      if (page.statusCode !== 200) break;
    }
    expect((await c.get('/staff/audit')).statusCode).toBe(303);
  });

  it('refuses a state change without the CSRF token and signs out for real', async () => {
    const b = await signIn(rt(), ADMIN);
    const noToken = await b.post('/staff/sign-out', {});
    expect(noToken.statusCode).toBe(403);
    const page = await b.get('/staff/audit');
    const out = await b.post('/staff/sign-out', { _csrf: csrfFrom(page.body) });
    expect(out.headers.location).toBe('/staff/sign-in?reason=signed-out');
    expect((await b.get('/staff/audit')).statusCode).toBe(303);
  });

  it('audits sign-ins and denials with an intact chain', async () => {
    await passwordStep(new Browser(rt()), ADMIN, 'not the password');
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    expect((await desk.get('/staff/audit')).statusCode).toBe(403);
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'outcome'])
      .orderBy('seq')
      .execute();
    expect(events).toEqual(
      expect.arrayContaining([
        { action: 'sign_in.password', outcome: 'failure' },
        { action: 'sign_in.mfa', outcome: 'success' },
        { action: 'access_denied', outcome: 'denied' },
      ]),
    );
    expect(await verifyAuditChain(rt().database)).toMatchObject({ ok: true });
  });
});

describe('staff password reset', () => {
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

  // As with patients' "send me a new link": an answer that waited for the mail would take longer for a known
  // address, telling who has an account. The job must still be waiting when the answer arrives.
  it('staff "forgot password" answers before any mail work starts', async () => {
    const b = new Browser(rt());
    const csrf = csrfFrom((await b.get('/staff/forgot')).body);
    await rt().worker.runOnce();
    b.ip = nextIp();
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

  it('a password reset by email never skips MFA and ends existing sessions', async () => {
    const old = await signIn(rt(), 'frontdesk@relief.example');
    const b = new Browser(rt());
    const forgot = await b.get('/staff/forgot');
    await b.post('/staff/forgot', { _csrf: csrfFrom(forgot.body), email: 'frontdesk@relief.example' });
    await b.post('/staff/forgot', { _csrf: csrfFrom(forgot.body), email: 'nobody@relief.example' });
    await rt().worker.runOnce();
    const mails = rt().mail.sent.filter((m) => m.subject.startsWith('Reset your'));
    expect(mails).toHaveLength(1);
    // Both requests are on record; the unknown address as a failure with no actor.
    const requests = (await events()).filter((e) => e.action === 'password.reset_requested');
    expect(requests.map((e) => [e.outcome, e.actor_id === null])).toEqual([
      ['success', false],
      ['failure', true],
    ]);
    const reset = linkIn(mails[0]!.text, 'reset');
    const form = await b.get(reset);
    const pw = 'copper meadow signal 7';
    expect((await b.post(reset, { _csrf: csrfFrom(form.body), password: pw, confirm: pw })).statusCode).toBe(303);
    expect((await old.get('/staff')).headers.location).toMatch(/^\/staff\/sign-in/);
    const signInForm = await b.get('/staff/sign-in');
    const step1 = await b.post('/staff/sign-in', {
      _csrf: csrfFrom(signInForm.body),
      email: 'frontdesk@relief.example',
      password: pw,
      next: '/staff',
    });
    expect(step1.headers.location).toMatch(/^\/staff\/mfa/);
    expect((await b.get('/staff')).headers.location).toBe('/staff/mfa');
  });

  it('a password reset does not clear the pause that failed sign-in codes put on the account', async () => {
    // Someone who knows the password (and can read the mailbox) guesses codes until the account is paused.
    const attacker = new Browser(rt());
    const signInForm = await attacker.get('/staff/sign-in');
    const pw = await attacker.post('/staff/sign-in', {
      _csrf: csrfFrom(signInForm.body),
      email: DESK,
      password: DEMO_PASSWORD,
      next: '/staff',
    });
    expect(pw.statusCode).toBe(303);
    const mfa = await attacker.get(pw.headers.location as string);
    for (let i = 0; i < 10; i++) {
      expect(
        (await attacker.post('/staff/mfa', { _csrf: csrfFrom(mfa.body), code: String(100000 + i), next: '/staff' }))
          .statusCode,
      ).toBe(401);
    }
    const paused = (await pauseOf(DESK, attacker.ip))!;
    expect(paused.locked_until).toBeGreaterThan(rt().clock.now());

    // A password reset through the emailed link...
    const forgot = await attacker.get('/staff/forgot');
    expect((await attacker.post('/staff/forgot', { _csrf: csrfFrom(forgot.body), email: DESK })).statusCode).toBe(200);
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.to === DESK)!;
    const reset = /http:\/\/relief\.test(\/staff\/reset\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const form = await attacker.get(reset);
    const newPassword = 'quartz meadow lantern 77';
    expect(
      (await attacker.post(reset, { _csrf: csrfFrom(form.body), password: newPassword, confirm: newPassword }))
        .statusCode,
    ).toBe(303);

    // ...must not wipe the growing pause on codes: README says only a completed second step clears it.
    const after = (await pauseOf(DESK, attacker.ip))!;
    expect(
      { failed_logins: after.failed_logins, paused: (after.locked_until ?? 0) > rt().clock.now() },
      'the reset cleared the MFA pause and failure count',
    ).toEqual({
      failed_logins: paused.failed_logins,
      paused: true,
    });
  });
});
