import { describe, expect, it } from 'vitest';
import { useTestRuntime } from '../helpers/runtime.ts';
import { Browser, csrfFrom, signIn } from '../helpers/staff.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { openSecret } from '../../src/staff/secrets.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const ADMIN = 'admin@relief.example';
const DESK = 'frontdesk@relief.example';
const PROVIDER = 'provider@relief.example';
const userByEmail = (email: string) =>
  rt().database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
const linkIn = (text: string, kind: 'welcome' | 'reset') =>
  new RegExp(`http://relief\\.test(/staff/${kind}/[A-Za-z0-9_-]+)`).exec(text)![1]!;
const events = () =>
  rt().database.db.selectFrom('audit_events').select(['action', 'outcome', 'actor_id']).orderBy('seq').execute();

describe('staff administration', () => {
  it('creates an account whose owner enrols: password, then MFA with a QR code and recovery codes', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const page = await admin.get('/staff/users');
    const res = await admin.post('/staff/users', {
      _csrf: csrfFrom(page.body),
      name: 'Rosa Reyes',
      email: 'rosa@relief.example',
      role: 'nurse',
      locations: 'loc-denver',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Account created for rosa@relief.example');
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find((m) => m.to === 'rosa@relief.example')!;
    const welcome = linkIn(mail.text, 'welcome');

    const rosa = new Browser(rt());
    const form = await rosa.get(welcome);
    expect(form.statusCode).toBe(200);
    const weak = await rosa.post(welcome, {
      _csrf: csrfFrom(form.body),
      password: 'password1234',
      confirm: 'password1234',
    });
    expect(weak.statusCode).toBe(400);
    const good = 'lantern orchard velvet 42';
    expect(
      (await rosa.post(welcome, { _csrf: csrfFrom(form.body), password: good, confirm: good })).headers.location,
    ).toBe('/staff/sign-in?reason=password');
    // The link works once.
    expect((await rosa.get(welcome)).statusCode).toBe(410);

    const signInForm = await rosa.get('/staff/sign-in');
    const step1 = await rosa.post('/staff/sign-in', {
      _csrf: csrfFrom(signInForm.body),
      email: 'rosa@relief.example',
      password: good,
      next: '/staff',
    });
    expect(step1.headers.location).toBe('/staff/enrol');
    const enrol = await rosa.get('/staff/enrol');
    expect(enrol.body).toContain('data:image/svg+xml;base64,');
    const user = await rt()
      .database.db.selectFrom('users')
      .select(['totp_secret'])
      .where('email', '=', 'rosa@relief.example')
      .executeTakeFirstOrThrow();
    const secret = openSecret(user.totp_secret!, rt().config.secret);
    const codes = await rosa.post('/staff/enrol', {
      _csrf: csrfFrom(enrol.body),
      code: totpCode(secret, rt().clock.now()),
    });
    const recovery = [...codes.body.matchAll(/<code>([0-9a-z-]{14})<\/code>/g)].map((m) => m[1]!);
    expect(recovery).toHaveLength(10);
    expect((await rosa.get('/staff/leads')).statusCode).not.toBe(303);

    // A recovery code signs in once.
    rt().clock.advance(60_000);
    const again = new Browser(rt());
    const f2 = await again.get('/staff/sign-in');
    await again.post('/staff/sign-in', {
      _csrf: csrfFrom(f2.body),
      email: 'rosa@relief.example',
      password: good,
      next: '/staff',
    });
    const mfa = await again.get('/staff/mfa');
    expect(
      (await again.post('/staff/mfa', { _csrf: csrfFrom(mfa.body), code: recovery[0]!, next: '/staff' })).statusCode,
    ).toBe(303);
    const third = new Browser(rt());
    const f3 = await third.get('/staff/sign-in');
    await third.post('/staff/sign-in', {
      _csrf: csrfFrom(f3.body),
      email: 'rosa@relief.example',
      password: good,
      next: '/staff',
    });
    const mfa3 = await third.get('/staff/mfa');
    expect(
      (await third.post('/staff/mfa', { _csrf: csrfFrom(mfa3.body), code: recovery[0]!, next: '/staff' })).statusCode,
    ).toBe(401);
  });

  it('a second half-finished sign-in cannot replace an enrolled authenticator', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const page = await admin.get('/staff/users');
    await admin.post('/staff/users', {
      _csrf: csrfFrom(page.body),
      name: 'Omar Ortiz',
      email: 'omar@relief.example',
      role: 'nurse',
      locations: 'loc-chicago',
    });
    await rt().worker.runOnce();
    const welcome = linkIn(rt().mail.sent.find((m) => m.to === 'omar@relief.example')!.text, 'welcome');
    const w = new Browser(rt());
    const form = await w.get(welcome);
    const pw = 'harbor quilt pepper 19';
    await w.post(welcome, { _csrf: csrfFrom(form.body), password: pw, confirm: pw });
    const [one, two] = [new Browser(rt()), new Browser(rt())];
    for (const b of [one, two]) {
      const f = await b.get('/staff/sign-in');
      expect(
        (
          await b.post('/staff/sign-in', {
            _csrf: csrfFrom(f.body),
            email: 'omar@relief.example',
            password: pw,
            next: '/staff',
          })
        ).headers.location,
      ).toBe('/staff/enrol');
    }
    const enrol = await one.get('/staff/enrol');
    const row = () =>
      rt()
        .database.db.selectFrom('users')
        .select(['totp_secret'])
        .where('email', '=', 'omar@relief.example')
        .executeTakeFirstOrThrow();
    const secret = openSecret((await row()).totp_secret!, rt().config.secret);
    expect(
      (await one.post('/staff/enrol', { _csrf: csrfFrom(enrol.body), code: totpCode(secret, rt().clock.now()) }))
        .statusCode,
    ).toBe(200);
    const sealed = (await row()).totp_secret;
    // The other half-finished session was ended with the enrolment, and cannot start a new secret.
    expect((await two.get('/staff/enrol')).headers.location).toMatch(/^\/staff\/sign-in/);
    expect((await row()).totp_secret).toBe(sealed);
  });

  it('refuses bad input on the account form with messages and writes nothing', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const page = await admin.get('/staff/users');
    const before = (await rt().database.db.selectFrom('users').select('id').execute()).length;
    const res = await admin.post('/staff/users', {
      _csrf: csrfFrom(page.body),
      name: '<script>x</script>',
      email: 'nope',
      role: 'janitor',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter an email address like name@clinic.org.');
    expect(res.body).toContain('Choose a role.');
    expect(res.body).not.toContain('<script>x');
    const dup = await admin.post('/staff/users', {
      _csrf: csrfFrom(page.body),
      name: 'Dup',
      email: 'nurse@relief.example',
      role: 'nurse',
      locations: 'loc-chicago',
    });
    expect(dup.body).toContain('There is already an account with this email.');
    expect((await rt().database.db.selectFrom('users').select('id').execute()).length).toBe(before);
  });

  it('disabling a user ends their sessions at once; an admin can end any session', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const provider = await signIn(rt(), 'provider@relief.example');
    expect((await nurse.get('/staff')).headers.location).toBe('/staff/calendar');
    const nurseId = (
      await rt()
        .database.db.selectFrom('users')
        .select('id')
        .where('email', '=', 'nurse@relief.example')
        .executeTakeFirstOrThrow()
    ).id;
    const page = await admin.get('/staff/users');
    await admin.post(`/staff/users/${nurseId}/disable`, { _csrf: csrfFrom(page.body) });
    expect((await nurse.get('/staff')).headers.location).toMatch(/^\/staff\/sign-in/);

    const sessions = await admin.get('/staff/sessions');
    expect(sessions.body).toContain('Amara Okafor');
    const providerSession = (
      await rt()
        .database.db.selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select('id_hash')
        .where('users.email', '=', 'provider@relief.example')
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id_hash;
    await admin.post(`/staff/sessions/${providerSession}/end`, { _csrf: csrfFrom(sessions.body) });
    expect((await provider.get('/staff/break-glass')).headers.location).toMatch(/^\/staff\/sign-in/);
    expect((await events()).map((e) => e.action)).toEqual(expect.arrayContaining(['user.disable', 'session.end']));
  });

  it('emergency access: providers only, with a reason, time-boxed and audited', async () => {
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    expect((await desk.get('/staff/break-glass')).statusCode).toBe(403);
    const provider = await signIn(rt(), 'provider@relief.example');
    const form = await provider.get('/staff/break-glass');
    expect(
      (await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: 'short' })).statusCode,
    ).toBe(400);
    expect(
      (
        await provider.post('/staff/break-glass', {
          _csrf: csrfFrom(form.body),
          reason: 'Patient from Denver in distress at Chicago',
        })
      ).statusCode,
    ).toBe(303);
    const session = await rt()
      .database.db.selectFrom('sessions')
      .select(['break_glass_until'])
      .where('break_glass_until', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(session.break_glass_until).toBe(rt().clock.now() + 3_600_000);
    expect((await events()).some((e) => e.action === 'break_glass')).toBe(true);
    const admin = await signIn(rt(), 'admin@relief.example');
    expect((await admin.get('/staff/sessions')).body).toContain('Patient from Denver in distress at Chicago');
  });

  it('each emergency-access reason stays in the audit trail when the session asks again', async () => {
    const provider = await signIn(rt(), PROVIDER);
    const form = await provider.get('/staff/break-glass');
    const first = 'Denver patient collapsed in Chicago lobby, need allergies';
    const second = 'Still treating the same patient, need the follow-up history';
    expect((await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: first })).statusCode).toBe(
      303,
    );
    rt().clock.advance(10 * 60_000);
    expect((await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: second })).statusCode).toBe(
      303,
    );

    const sessions = await rt().database.db.selectFrom('sessions').select('break_glass_reason').execute();
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'break_glass')
      .execute();
    const stored = [...sessions.map((s) => s.break_glass_reason ?? ''), ...events.map((e) => e.detail)];
    expect(
      stored.some((text) => text.includes(first)),
      'the justification of the first emergency access is kept nowhere',
    ).toBe(true);
  });

  it('an admin ending a session is audited with whose session it was; ending none answers 404 and is audited as a failure', async () => {
    const admin = await signIn(rt(), ADMIN);
    await signIn(rt(), DESK);
    const desk = await userByEmail(DESK);
    const target = (
      await rt()
        .database.db.selectFrom('sessions')
        .select('id_hash')
        .where('user_id', '=', desk.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).id_hash;
    const page = await admin.get('/staff/sessions');
    expect((await admin.post(`/staff/sessions/${target}/end`, { _csrf: csrfFrom(page.body) })).statusCode).toBe(303);
    // A session id that belongs to nobody: nothing was ended, and the answer and the trail say so.
    expect((await admin.post(`/staff/sessions/${'0'.repeat(64)}/end`, { _csrf: csrfFrom(page.body) })).statusCode).toBe(
      404,
    );

    const ended = await rt()
      .database.db.selectFrom('audit_events')
      .select(['outcome', 'detail'])
      .where('action', '=', 'session.end')
      .orderBy('seq')
      .execute();
    expect(
      ended.map((e) => ({ outcome: e.outcome, user: (JSON.parse(e.detail) as { user?: string }).user ?? null })),
      'session.end events name no user, and a no-op is recorded as a success',
    ).toEqual([
      { outcome: 'success', user: desk.id },
      { outcome: 'failure', user: null },
    ]);
  });
});
