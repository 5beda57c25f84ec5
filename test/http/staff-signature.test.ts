import { describe, expect, it } from 'vitest';
import { confirmSecondFactor, SIGNATURE_CODE_WRONG } from '../../src/staff/service.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { demoAccount } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const PROVIDER = 'provider@relief.example';

async function providerId(): Promise<string> {
  const row = await rt()
    .database.db.selectFrom('users')
    .select('id')
    .where('email', '=', PROVIDER)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One re-check in its own transaction, as a signing service makes it. */
async function recheck(userId: string, code: string) {
  const r = rt();
  return r.database.transact((trx) =>
    confirmSecondFactor(
      trx,
      { database: r.database, secret: r.config.secret },
      { userId, ip: '203.0.113.9' },
      code,
      r.clock.now(),
      'screening.sign',
    ),
  );
}

const signatureEvents = () =>
  rt()
    .database.db.selectFrom('audit_events')
    .select(['outcome', 'detail'])
    .where('action', '=', 'signature.second_factor')
    .orderBy('seq')
    .execute();

describe(`the second-factor re-check at signing (${engine})`, () => {
  it('accepts the current code once, refuses its replay and a wrong code by the field, and audits each', async () => {
    const id = await providerId();
    const code = totpCode(demoAccount(PROVIDER).totp, rt().clock.now());
    expect(await recheck(id, code)).toBe(true);
    const replay = await recheck(id, code);
    expect(replay).not.toBe(true);
    if (replay === true) return;
    expect(replay.statusCode).toBe(400);
    expect(replay.fields).toEqual({ code: SIGNATURE_CODE_WRONG });
    const wrong = await recheck(id, '000000');
    expect(wrong).not.toBe(true);
    expect((await signatureEvents()).map((e) => e.outcome)).toEqual(['success', 'failure', 'failure']);
    expect((await signatureEvents())[0]?.detail).toContain('screening.sign');
  });

  it('pauses after repeated wrong codes, like sign-in, and then refuses even the right code', async () => {
    const id = await providerId();
    for (let i = 0; i < 3; i++) expect(await recheck(id, '000000')).not.toBe(true);
    const right = await recheck(id, totpCode(demoAccount(PROVIDER).totp, rt().clock.now()));
    expect(right).not.toBe(true);
    if (right === true) return;
    expect(right.statusCode).toBe(429);
    // The pause passes; the right code then signs.
    rt().clock.advance(30_000);
    expect(await recheck(id, totpCode(demoAccount(PROVIDER).totp, rt().clock.now()))).toBe(true);
  });

  it('refuses a code typed as anything but six digits, without throwing', async () => {
    const id = await providerId();
    for (const code of ['', 'abcdef', '1234567', '12 34 5x', '<script>'])
      expect(await recheck(id, code)).not.toBe(true);
  });
});
