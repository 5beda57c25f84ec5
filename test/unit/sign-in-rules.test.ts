import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ACCOUNT_FAILURE_LIMIT,
  ACCOUNT_PAUSE_MS,
  afterAccountFailure,
  afterFailure,
  pausedUntil,
  CLEARED,
  confirmationProblem,
  ENROL_LINK_MS,
  isPaused,
  linkExpiresAt,
  linkUsable,
  lockoutMs,
  MAX_PAUSE_MS,
  normaliseRecoveryCode,
  passwordStep,
  recoveryCodeToUse,
  RESET_LINK_MS,
  safeNext,
  secondStepKind,
  totpStepFresh,
  totpWindow,
  wellFormedLinkToken,
  type PasswordAccount,
} from '../../src/staff/sign-in-rules.ts';

const NOW = Date.parse('2026-03-02T15:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60_000;

describe('the pause after failures', () => {
  // failures → pause, by hand: none for three, then 1 s doubling, capped at 15 minutes (900 s).
  const table: Array<[number, number]> = [
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 1 * SECOND],
    [4, 2 * SECOND],
    [5, 4 * SECOND],
    [6, 8 * SECOND],
    [10, 128 * SECOND],
    [12, 512 * SECOND],
    // 2^10 s = 1024 s is past the cap of 900 s.
    [13, 15 * MINUTE],
    [14, 15 * MINUTE],
    [100, 15 * MINUTE],
    [2000, 15 * MINUTE],
  ];
  it.each(table)('after %i failures the pause is %i ms', (failures, pause) => {
    expect(lockoutMs(failures)).toBe(pause);
  });

  it('counts one more failure and pauses from the moment of it', () => {
    expect(afterFailure(0, NOW)).toEqual({ failed_logins: 1, locked_until: null });
    expect(afterFailure(1, NOW)).toEqual({ failed_logins: 2, locked_until: null });
    expect(afterFailure(2, NOW)).toEqual({ failed_logins: 3, locked_until: NOW + 1_000 });
    expect(afterFailure(3, NOW)).toEqual({ failed_logins: 4, locked_until: NOW + 2_000 });
    expect(afterFailure(20, NOW)).toEqual({ failed_logins: 21, locked_until: NOW + 15 * MINUTE });
  });

  it('is paused strictly before locked_until, and not at or after it', () => {
    expect(isPaused(null, NOW)).toBe(false);
    expect(isPaused(NOW + 1, NOW)).toBe(true);
    expect(isPaused(NOW, NOW)).toBe(false);
    expect(isPaused(NOW - 1, NOW)).toBe(false);
  });

  it('clears to no failures and no pause', () => {
    expect(CLEARED).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('property: the pause never shrinks as failures grow, and never passes the cap', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (a, b) => {
        const [few, many] = a <= b ? [a, b] : [b, a];
        expect(lockoutMs(few)).toBeLessThanOrEqual(lockoutMs(many));
        expect(lockoutMs(many)).toBeLessThanOrEqual(MAX_PAUSE_MS);
      }),
    );
  });

  it('property: a pause set by a failure has cleared once its length has passed', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 0, max: 2 ** 45 }), (failed, now) => {
        const after = afterFailure(failed, now);
        expect(after.failed_logins).toBe(failed + 1);
        expect(isPaused(after.locked_until, now + lockoutMs(failed + 1))).toBe(false);
        if (lockoutMs(failed + 1) > 0) expect(isPaused(after.locked_until, now)).toBe(true);
      }),
    );
  });
});

describe('the pause per address, and the account-wide limit', () => {
  it('counts every failure account-wide, pausing everywhere only from the limit on, and reports reaching it once', () => {
    expect(afterAccountFailure(0, NOW)).toEqual({ failed_logins: 1, locked_until: null, limitReached: false });
    expect(afterAccountFailure(ACCOUNT_FAILURE_LIMIT - 2, NOW)).toEqual({
      failed_logins: ACCOUNT_FAILURE_LIMIT - 1,
      locked_until: null,
      limitReached: false,
    });
    expect(afterAccountFailure(ACCOUNT_FAILURE_LIMIT - 1, NOW)).toEqual({
      failed_logins: ACCOUNT_FAILURE_LIMIT,
      locked_until: NOW + ACCOUNT_PAUSE_MS,
      limitReached: true,
    });
    expect(afterAccountFailure(ACCOUNT_FAILURE_LIMIT + 5, NOW)).toMatchObject({
      locked_until: NOW + ACCOUNT_PAUSE_MS,
      limitReached: false,
    });
    // Far above the pause per address: a holder is never held back by a few guesses elsewhere.
    expect(ACCOUNT_FAILURE_LIMIT).toBeGreaterThanOrEqual(10 * 3);
  });

  it('holds an address back by its own pause or the account-wide one, whichever ends later', () => {
    const account = { failed_logins: 2, locked_until: null };
    expect(pausedUntil(undefined, account)).toBeNull();
    expect(pausedUntil({ failed_logins: 5, locked_until: NOW + 4 * SECOND }, account)).toBe(NOW + 4 * SECOND);
    expect(pausedUntil(undefined, { failed_logins: 40, locked_until: NOW + MINUTE })).toBe(NOW + MINUTE);
    expect(
      pausedUntil(
        { failed_logins: 9, locked_until: NOW + 2 * MINUTE },
        { failed_logins: 40, locked_until: NOW + MINUTE },
      ),
    ).toBe(NOW + 2 * MINUTE);
    fc.assert(
      fc.property(fc.option(fc.nat(), { nil: null }), fc.option(fc.nat(), { nil: null }), (own, everywhere) => {
        const until = pausedUntil(
          { failed_logins: 1, locked_until: own },
          { failed_logins: 1, locked_until: everywhere },
        );
        expect(until).toBe(own === null && everywhere === null ? null : Math.max(own ?? 0, everywhere ?? 0) || null);
      }),
    );
  });
});

describe('the password step', () => {
  const account = (over: Partial<PasswordAccount> = {}): PasswordAccount => ({
    locked_until: null,
    disabled_at: null,
    totp_enabled_at: NOW - 1000,
    ...over,
  });

  it('goes on to a code, or to setting one up, only with the right password of an active, unpaused account', () => {
    const enrolled = account();
    expect(passwordStep(enrolled, true, NOW)).toEqual({ ok: true, account: enrolled, stage: 'mfa' });
    const fresh = account({ totp_enabled_at: null });
    expect(passwordStep(fresh, true, NOW)).toEqual({ ok: true, account: fresh, stage: 'enrol' });
  });

  const refusals: Array<[string, PasswordAccount | undefined, boolean, { paused: boolean; count: boolean }]> = [
    ['a wrong password counts', account(), false, { paused: false, count: true }],
    ['an unknown user has nothing to count', undefined, true, { paused: false, count: false }],
    ['a disabled account counts', account({ disabled_at: NOW - 1 }), true, { paused: false, count: true }],
    [
      'a paused account, right password: not counted',
      account({ locked_until: NOW + 1 }),
      true,
      { paused: true, count: false },
    ],
    [
      'a paused account, wrong password: not counted',
      account({ locked_until: NOW + 1 }),
      false,
      { paused: true, count: false },
    ],
    ['a pause that has just ended is no pause', account({ locked_until: NOW }), false, { paused: false, count: true }],
  ];
  it.each(refusals)('%s', (_name, who, matches, expected) => {
    expect(passwordStep(who, matches, NOW)).toEqual({ ok: false, ...expected });
  });

  it('property: whatever the account, only a matching password of an active unpaused account passes', () => {
    const arbitraryAccount = fc.record({
      locked_until: fc.option(fc.integer({ min: NOW - MINUTE, max: NOW + MINUTE })),
      disabled_at: fc.option(fc.integer({ min: 0, max: NOW })),
      totp_enabled_at: fc.option(fc.integer({ min: 0, max: NOW })),
    });
    fc.assert(
      fc.property(fc.option(arbitraryAccount, { nil: undefined }), fc.boolean(), (who, matches) => {
        const step = passwordStep(who, matches, NOW);
        const shouldPass = who !== undefined && matches && who.disabled_at === null && !isPaused(who.locked_until, NOW);
        expect(step.ok).toBe(shouldPass);
        if (!step.ok) expect(step.count).toBe(who !== undefined && !isPaused(who.locked_until, NOW));
      }),
    );
  });
});

describe('TOTP steps', () => {
  // 2026-03-02T15:00:00Z = 1772463600 s; / 30 = 59082120 exactly.
  const STEP = 59_082_120;

  it('accepts the current step and one either side', () => {
    expect(totpWindow(NOW)).toEqual({ current: STEP, earliest: STEP - 1, latest: STEP + 1 });
    expect(totpWindow(NOW + 29_999)).toEqual({ current: STEP, earliest: STEP - 1, latest: STEP + 1 });
    expect(totpWindow(NOW + 30_000)).toEqual({ current: STEP + 1, earliest: STEP, latest: STEP + 2 });
    expect(totpWindow(NOW - 1)).toEqual({ current: STEP - 1, earliest: STEP - 2, latest: STEP });
  });

  const fresh: Array<[number, number | null, boolean]> = [
    [STEP, null, true],
    [STEP, STEP - 1, true],
    [STEP, STEP, false],
    [STEP, STEP + 1, false],
    [STEP + 1, STEP, true],
    // A fractional last step counts as the whole step it lies in.
    [STEP, STEP - 0.5, true],
    [STEP, STEP + 0.5, false],
    [STEP, Number.NaN, false],
    [STEP, Number.POSITIVE_INFINITY, false],
    [STEP, Number.NEGATIVE_INFINITY, false],
  ];
  it.each(fresh)('step %d after last accepted %d: fresh = %s', (step, last, expected) => {
    expect(totpStepFresh(step, last)).toBe(expected);
  });

  it('property: a step at or below the last accepted step is refused, and any later one is fresh', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 40 }), (step, last) => {
        expect(totpStepFresh(step, last)).toBe(step > last);
      }),
    );
  });

  it('property: once a step is accepted, no step of the same window can be used twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: -1, max: 1 }), (now, d) => {
        const { current } = totpWindow(now);
        const used = current + d;
        expect(totpStepFresh(used, used)).toBe(false);
        expect(totpStepFresh(used - 1, used)).toBe(false);
      }),
    );
  });
});

describe('the second step', () => {
  it('sends digits to TOTP and anything with a letter to the recovery codes', () => {
    expect(secondStepKind('123456')).toBe('totp');
    expect(secondStepKind('123 456')).toBe('totp');
    expect(secondStepKind('')).toBe('totp');
    expect(secondStepKind('k7q2-9xw4-m3pd')).toBe('recovery');
    expect(secondStepKind('K7Q2 9XW4 M3PD')).toBe('recovery');
    expect(secondStepKind('12345a')).toBe('recovery');
  });

  it('normalises a typed recovery code: case, spaces, dashes, and look-alike letters', () => {
    const table: Array<[string, string]> = [
      ['k7q2-9xw4-m3pd', 'k7q29xw4m3pd'],
      ['K7Q2 9XW4 M3PD', 'k7q29xw4m3pd'],
      ['  k7q2—9xw4–m3pd ', 'k7q29xw4m3pd'],
      ['k7qO-9xwl-m3pd', 'k7q09xw1m3pd'],
      ['k7qo-9xwI-m3pd', 'k7q09xw1m3pd'],
      ['ｋ７ｑ２-9xw4-m3pd', 'k7q29xw4m3pd'],
    ];
    for (const [typed, normalised] of table) expect(normaliseRecoveryCode(typed), typed).toBe(normalised);
  });

  it('uses up an unused code with the typed hash, and nothing else', () => {
    const stored = [
      { code_hash: 'aa', used_at: null },
      { code_hash: 'bb', used_at: NOW - 1 },
      { code_hash: 'cc', used_at: null },
    ];
    expect(recoveryCodeToUse('aa', stored)).toBe('aa');
    expect(recoveryCodeToUse('cc', stored)).toBe('cc');
    expect(recoveryCodeToUse('bb', stored), 'a used code').toBeUndefined();
    expect(recoveryCodeToUse('dd', stored), 'an unknown code').toBeUndefined();
    expect(recoveryCodeToUse('aa', []), 'no codes at all').toBeUndefined();
  });

  it('property: a code, once used, is never usable again', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 4, maxLength: 8 }), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.nat(),
        (hashes, pick) => {
          const typed = hashes[pick % hashes.length]!;
          const stored = hashes.map((code_hash) => ({ code_hash, used_at: null as number | null }));
          expect(recoveryCodeToUse(typed, stored)).toBe(typed);
          const after = stored.map((c) => (c.code_hash === typed ? { ...c, used_at: NOW } : c));
          expect(recoveryCodeToUse(typed, after)).toBeUndefined();
        },
      ),
    );
  });
});

describe('enrolment and reset links', () => {
  it('lasts three days for enrolment and one hour for a reset', () => {
    expect(ENROL_LINK_MS).toBe(72 * 3_600_000);
    expect(RESET_LINK_MS).toBe(3_600_000);
    expect(linkExpiresAt('enrol', NOW)).toBe(NOW + 259_200_000);
    expect(linkExpiresAt('reset', NOW)).toBe(NOW + 3_600_000);
  });

  it('looks up only well-formed tokens (43 base64url characters)', () => {
    expect(wellFormedLinkToken('a'.repeat(43))).toBe(true);
    expect(wellFormedLinkToken('A-_9'.repeat(10) + 'abc')).toBe(true);
    expect(wellFormedLinkToken('a'.repeat(42))).toBe(false);
    expect(wellFormedLinkToken('a'.repeat(44))).toBe(false);
    expect(wellFormedLinkToken('a'.repeat(42) + '=')).toBe(false);
    expect(wellFormedLinkToken('x'.repeat(250))).toBe(false);
    expect(wellFormedLinkToken('')).toBe(false);
  });

  const open = { purpose: 'reset', used_at: null, expires_at: NOW + 1, disabled_at: null };
  const links: Array<[string, typeof open | Record<string, unknown>, 'enrol' | 'reset', boolean]> = [
    ['an unused, unexpired link of an active account', open, 'reset', true],
    ['a link asked for another purpose', open, 'enrol', false],
    ['a used link', { ...open, used_at: NOW - 1 }, 'reset', false],
    ['a link at its expiry', { ...open, expires_at: NOW }, 'reset', false],
    ['an expired link', { ...open, expires_at: NOW - 1 }, 'reset', false],
    ['a link of a disabled account', { ...open, disabled_at: NOW - 1 }, 'reset', false],
  ];
  it.each(links)('%s: usable = %s', (_name, link, purpose, expected) => {
    expect(linkUsable(link as typeof open, purpose, NOW)).toBe(expected);
  });

  it('property: a link made now is usable until just before it expires, and not from then on', () => {
    fc.assert(
      fc.property(fc.constantFrom('enrol' as const, 'reset' as const), fc.integer({ min: 0, max: 2 ** 45 }), (p, t) => {
        const link = { purpose: p, used_at: null, expires_at: linkExpiresAt(p, t), disabled_at: null };
        const life = p === 'enrol' ? ENROL_LINK_MS : RESET_LINK_MS;
        expect(linkUsable(link, p, t)).toBe(true);
        expect(linkUsable(link, p, t + life - 1)).toBe(true);
        expect(linkUsable(link, p, t + life)).toBe(false);
      }),
    );
  });

  it('asks for the same password twice', () => {
    expect(confirmationProblem('quartz meadow lantern 77', 'quartz meadow lantern 77')).toBeUndefined();
    expect(confirmationProblem('quartz meadow lantern 77', 'quartz meadow lantern 78')).toBe(
      'The two passwords are not the same.',
    );
  });
});

describe('where to go after sign-in', () => {
  const table: Array<[unknown, string]> = [
    ['/staff', '/staff'],
    ['/staff/audit', '/staff/audit'],
    ['/staff/leads/abc-123', '/staff/leads/abc-123'],
    ['/staff/sign-in', '/staff'],
    ['/staff/sign-out', '/staff'],
    ['https://evil.example/staff', '/staff'],
    ['//evil.example/staff', '/staff'],
    ['/staff?x=1', '/staff'],
    ['/staffing', '/staff'],
    ['/', '/staff'],
    ['', '/staff'],
    [undefined, '/staff'],
    [['/staff/audit'], '/staff'],
  ];
  it.each(table)('%j goes to %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it('property: the answer is always a staff page, never the sign-in pages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webPath(), fc.webUrl()), (next) => {
        const to = safeNext(next);
        expect(to === '/staff' || to.startsWith('/staff/')).toBe(true);
        expect(to.startsWith('/staff/sign')).toBe(false);
      }),
    );
  });
});

describe('a sign-in walked through the rules, as the service applies them', () => {
  // As src/staff/sign-in-service.ts applies them: a refused password step that counts records afterFailure, so does
  // every refused code, and a completed second step records CLEARED; nothing else writes the count and pause.
  const account = (lockout: { failed_logins: number; locked_until: number | null }) => ({
    ...lockout,
    disabled_at: null,
    totp_enabled_at: NOW - 1000,
  });

  it('pauses after three failures with a growing delay; a right password alone clears nothing, the second step does', () => {
    let state = { failed_logins: 0, locked_until: null as number | null };
    let now = NOW;
    for (let i = 0; i < 3; i++) {
      const step = passwordStep(account(state), false, now);
      expect(step).toEqual({ ok: false, paused: false, count: true });
      state = afterFailure(state.failed_logins, now);
    }
    expect(state).toEqual({ failed_logins: 3, locked_until: now + 1_000 });
    // Even the right password is refused while paused, and the refusal does not count.
    expect(passwordStep(account(state), true, now)).toEqual({ ok: false, paused: true, count: false });
    now += 1_001;
    expect(passwordStep(account(state), false, now)).toEqual({ ok: false, paused: false, count: true });
    state = afterFailure(state.failed_logins, now);
    expect(state).toEqual({ failed_logins: 4, locked_until: now + 2_000 });
    now += 2_001;
    expect(passwordStep(account(state), true, now)).toMatchObject({ ok: true, stage: 'mfa' });
    expect(state.failed_logins).toBe(4);
    state = CLEARED;
    expect(state).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('a known password does not reset the count that wrong codes build up', () => {
    let state = { failed_logins: 0, locked_until: null as number | null };
    let now = NOW;
    for (let round = 0; round < 2; round++) {
      expect(passwordStep(account(state), true, now)).toMatchObject({ ok: true });
      // Three wrong codes; while paused no code is checked, and each refused one still counts.
      for (let i = 0; i < 3; i++) state = afterFailure(state.failed_logins, now);
      now += 60_000;
    }
    expect(state.failed_logins).toBe(6);
    expect(isPaused(state.locked_until, now - 60_000)).toBe(true);
  });
});
