import { beforeAll, describe, expect, it } from 'vitest';
import { useTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const REASON = 'Patient Ana Reyes from Denver collapsed in the Chicago waiting room';

describe('emergency access tells the administrators', () => {
  const runtime = useTestRuntime({ shared: true, seed: 'clinic-and-staff' });
  let rt: TestRuntime;
  let provider: Browser;
  let admin: Browser;
  beforeAll(async () => {
    rt = runtime();
    // A second administrator, who never signs in: told all the same.
    await rt.database.db
      .insertInto('users')
      .values({ id: 'u-admin-2', email: 'owner@relief.example', name: 'Olu Owner', role: 'admin', created_at: 0 })
      .execute();
    provider = await signIn(rt, 'provider@relief.example');
    admin = await signIn(rt, 'admin@relief.example');
  });

  const adminBanner = async () =>
    /id="emergency-access-alert"[\s\S]*?<\/div>/.exec((await admin.get('/staff/users')).body)?.[0];
  const providerPage = async () => (await provider.get('/staff/patients')).body;
  /** Time passes with both at work (a session left idle would end before the hour does). */
  const passMinutes = async (minutes: number) => {
    for (let left = minutes; left > 0; left -= 5) {
      rt.clock.advance(Math.min(5, left) * 60_000);
      await admin.get('/staff/users');
      await provider.get('/staff/patients');
    }
  };

  it('emails every administrator at once, without the reason, and shows a banner on admin pages while it lasts', async () => {
    const admins = await rt.database.db
      .selectFrom('users')
      .select('email')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .execute();
    expect(admins.length).toBeGreaterThanOrEqual(2);
    expect(await adminBanner()).toBeUndefined();

    const form = await provider.get('/staff/break-glass');
    const granted = await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: REASON });
    expect(granted.statusCode).toBe(303);
    await rt.worker.runOnce();
    const notices = rt.mail.sent.filter((m) => /^Emergency access started by /.test(m.subject));
    expect(notices.map((m) => m.to).sort()).toEqual(admins.map((a) => a.email).sort());
    for (const m of notices) {
      expect(m.text).toContain('/staff/sessions');
      expect(m.text).toMatch(/until .*\d{4} at \d{1,2}:\d{2} [AP]M/);
      expect(m.text).not.toContain('Ana Reyes');
      expect(m.html).not.toContain('Ana Reyes');
    }

    const banner = await adminBanner();
    expect(banner).toContain('Emergency access is active.');
    expect(banner).toMatch(/about 60 more minutes/);
    expect(banner).not.toContain('Ana Reyes');
    // Other roles do not get the administrators' banner; the provider has their own.
    const page = await providerPage();
    expect(page).not.toContain('id="emergency-access-alert"');
    expect(page).toContain('Emergency access is active and audited.');
  });

  it('ends the banners, the provider’s too, when the hour is up', async () => {
    await passMinutes(59);
    expect(await adminBanner()).toMatch(/about 1 more minute\b/);
    expect(await providerPage()).toContain('Emergency access is active and audited.');
    await passMinutes(1);
    expect(await adminBanner()).toBeUndefined();
    expect(await providerPage()).not.toContain('Emergency access is active');
  });

  it('tells again when a provider asks for another hour, and not a disabled administrator', async () => {
    await rt.database.db
      .updateTable('users')
      .set({ disabled_at: rt.clock.now() })
      .where('email', '=', 'admin@relief.example')
      .execute();
    rt.mail.sent = [];
    const form = await provider.get('/staff/break-glass');
    await provider.post('/staff/break-glass', { _csrf: csrfFrom(form.body), reason: 'A second emergency today' });
    await rt.worker.runOnce();
    const to = rt.mail.sent.filter((m) => /^Emergency access started by /.test(m.subject)).map((m) => m.to);
    expect(to).toEqual(['owner@relief.example']);
  });
});
