import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  PASSWORD_RULES,
  passwordProblem,
  hashPassword,
  verifyPassword,
  DUMMY_HASH,
} from '../../src/staff/passwords.ts';

const require = createRequire(import.meta.url);
const commonList = require('fxa-common-password-list') as { test(password: string): boolean };

const TOO_SHORT = 'Use at least 12 characters.';
const TOO_LONG = 'Use at most 128 characters.';
const REPEATED = 'Do not use one character repeated; choose something harder to guess.';
const COMMON = 'This is one of the most common passwords; choose something harder to guess.';
const PERSONAL = 'Do not use your name or email address in your password.';

/** n code points of an uncommon, non-repeating ASCII sequence. */
const BASE = 'Zt4#qLm8!vRx2$kWp9&nHc3*gYb7^sJd6%';
const pw = (n: number): string => BASE.repeat(Math.ceil(n / BASE.length) + 1).slice(0, n);
const cp = (s: string): number => [...s].length;

const EMOJI = '😀'; // one code point, two UTF-16 units

const PHC_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

describe('PASSWORD_RULES', () => {
  it('is 12 to 128 characters', () => {
    expect(PASSWORD_RULES).toEqual({ minLength: 12, maxLength: 128 });
  });
});

describe('passwordProblem: length', () => {
  it('refuses 11 code points and accepts 12', () => {
    expect(passwordProblem(pw(11))).toBe(TOO_SHORT);
    expect(passwordProblem(pw(12))).toBeNull();
  });

  it('accepts 128 code points and refuses 129', () => {
    expect(passwordProblem(pw(128))).toBeNull();
    expect(passwordProblem(pw(129))).toBe(TOO_LONG);
  });

  it('refuses the empty string and very short ones', () => {
    expect(passwordProblem('')).toBe(TOO_SHORT);
    expect(passwordProblem('a')).toBe(TOO_SHORT);
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    const eleven = pw(10) + EMOJI; // 11 code points, 12 UTF-16 units
    expect(eleven.length).toBe(12);
    expect(cp(eleven)).toBe(11);
    expect(passwordProblem(eleven)).toBe(TOO_SHORT);

    const twelve = pw(11) + EMOJI; // 12 code points
    expect(passwordProblem(twelve)).toBeNull();

    const max = pw(127) + EMOJI; // 128 code points, 129 units
    expect(max.length).toBe(129);
    expect(passwordProblem(max)).toBeNull();
    expect(passwordProblem(pw(128) + EMOJI)).toBe(TOO_LONG);
  });

  it('counts astral characters one each across the whole range', () => {
    const emojis = '😀🎉🚀🌈🍕🐙🎸🧩🔭🦉🌵🪁';
    expect(cp(emojis)).toBe(12);
    expect(passwordProblem(emojis)).toBeNull();
    expect(passwordProblem([...emojis].slice(0, 11).join(''))).toBe(TOO_SHORT);
  });

  it('counts after NFKC normalisation (combining accents compose)', () => {
    // 'e' + COMBINING ACUTE ACCENT is two code points typed, one ('é') after NFKC.
    const decomposed = pw(10) + 'e\u0301'; // 12 code points as typed, 11 after NFKC
    expect(cp(decomposed)).toBe(12);
    expect(passwordProblem(decomposed)).toBe(TOO_SHORT);
    expect(passwordProblem(pw(11) + 'e\u0301')).toBeNull();
    // A ligature expands: 'ﬁ' is 'fi' after NFKC.
    expect(passwordProblem(pw(10) + 'ﬁ')).toBeNull();
    expect(passwordProblem(pw(127) + 'ﬁ')).toBe(TOO_LONG);
  });

  it('refuses absurdly long input quickly, with the too-long sentence', () => {
    const huge = pw(1_000_000);
    const start = performance.now();
    expect(passwordProblem(huge)).toBe(TOO_LONG);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('property: for ASCII text the only length verdicts are the two boundaries', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 0, maxLength: 300 }), (s) => {
        const problem = passwordProblem(s);
        if (s.length < 12) expect(problem).toBe(TOO_SHORT);
        else if (s.length > 128) expect(problem).toBe(TOO_LONG);
        else expect(problem === TOO_SHORT || problem === TOO_LONG).toBe(false);
      }),
    );
  });

  it('property: never throws, answers null or one sentence', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string(), fc.string(), (s, email, name) => {
        const problem = passwordProblem(s, { email, name });
        if (problem !== null) expect(problem).toMatch(/^[A-Z][^.]*\.$/u);
      }),
    );
  });
});

describe('passwordProblem: no composition rules (NIST 800-63B)', () => {
  it.each([
    'only lower case letters here',
    'ONLY UPPER CASE LETTERS',
    '839201746518',
    'correcthorsebatterystaple',
    'aaaaaaaaaaab',
    '   spaces   inside   ',
    'пароль без цифр и знаков',
    '漢字だけのパスワードです十二',
  ])('accepts %j', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });
});

describe('passwordProblem: one repeated character', () => {
  it.each([
    ['a × 12', 'a'.repeat(12)],
    ['Z × 40', 'Z'.repeat(40)],
    ['space × 12', ' '.repeat(12)],
    ['emoji × 12', EMOJI.repeat(12)],
    ['é composed from combining marks × 12', 'e\u0301'.repeat(12)],
    ['alternating case', 'aAaAaAaAaAaA'],
    ['x × 128', 'x'.repeat(128)],
  ])('refuses %s', (_label, password) => {
    expect(passwordProblem(password)).toBe(REPEATED);
  });

  it('still gives the length answer first', () => {
    expect(passwordProblem('a'.repeat(11))).toBe(TOO_SHORT);
    expect(passwordProblem('a'.repeat(129))).toBe(TOO_LONG);
  });

  it('accepts two different characters', () => {
    expect(passwordProblem('ab'.repeat(6) + 'c')).toBeNull();
  });
});

describe('passwordProblem: common passwords', () => {
  // Long entries of the list (all lower case) that pass the length rule.
  const listed = [
    'password1234',
    'qwertyuiopasdf',
    'qwertyuiopasdfgh',
    'password12345',
    'passwordpassword',
    '123456789012',
    '1qaz2wsx3edc',
    'qazwsxedcrfv',
    'qwerty123456',
  ];

  it('the fixtures are in the list', () => {
    for (const p of listed) expect(commonList.test(p)).toBe(true);
  });

  it.each(listed)('refuses %j', (password) => {
    expect(passwordProblem(password)).toBe(COMMON);
  });

  it.each(['Password1234', 'PASSWORD1234', 'QwertyUiopAsdf', 'PassWordPassWord'])(
    'refuses %j case-insensitively',
    (password) => {
      expect(commonList.test(password)).toBe(false);
      expect(passwordProblem(password)).toBe(COMMON);
    },
  );

  it('refuses a common password typed in full-width forms (NFKC)', () => {
    const fullWidth = 'ｐａｓｓｗｏｒｄ１２３４';
    expect(fullWidth).not.toBe('password1234');
    expect(passwordProblem(fullWidth)).toBe(COMMON);
  });

  it('accepts variations that are not in the list', () => {
    for (const p of ['password1234!', 'iloveyou1234', 'password12x34'])
      expect(commonList.test(p.toLowerCase())).toBe(false);
    expect(passwordProblem('password1234!')).toBeNull();
    expect(passwordProblem('iloveyou1234')).toBeNull();
  });

  it('a repeated digit string in the list gets the repeated-character sentence', () => {
    expect(commonList.test('111111111111')).toBe(true);
    expect(passwordProblem('111111111111')).toBe(REPEATED);
  });
});

describe('passwordProblem: name and email', () => {
  const jane = { email: 'jane.doe@relief.example', name: 'Jane Doe' };

  it('refuses a password equal to the email local part', () => {
    expect(passwordProblem('jonathan.fitzgerald', { email: 'jonathan.fitzgerald@relief.example' })).toBe(PERSONAL);
  });

  it('refuses one containing the local part, in any case', () => {
    expect(passwordProblem('my-jane.doe-secret', jane)).toBe(PERSONAL);
    expect(passwordProblem('MY-JANE.DOE-SECRET', jane)).toBe(PERSONAL);
  });

  it('refuses one containing a 4+ character piece of the local part or the name', () => {
    expect(passwordProblem('purple-jane-elephant', jane)).toBe(PERSONAL);
    expect(passwordProblem('purpleJANEelephant', jane)).toBe(PERSONAL);
    expect(passwordProblem('zebra-margaret-kettle', { name: 'Margaret Ng' })).toBe(PERSONAL);
    expect(passwordProblem('zebra-thatcher-kettle', { email: 'm_thatcher+mfa@x.example' })).toBe(PERSONAL);
  });

  it('refuses one equal to or containing the full name, with or without the space', () => {
    expect(passwordProblem('Robin Mackenzie', { name: 'Robin Mackenzie' })).toBe(PERSONAL);
    expect(passwordProblem('robinmackenzie99', { name: 'Robin Mackenzie' })).toBe(PERSONAL);
  });

  it('ignores names and local parts shorter than 4 characters', () => {
    expect(passwordProblem('bob-sled-journey-99', { email: 'bob@relief.example', name: 'Bob' })).toBeNull();
    expect(passwordProblem('al-li-wonderland-7', { email: 'al.li@relief.example', name: 'Al Li' })).toBeNull();
    expect(passwordProblem('the-anna-cat-sat', { name: 'Ann' })).toBeNull();
  });

  it('checks exactly 4 characters', () => {
    expect(passwordProblem('the-anna-cat-sat', { name: 'Anna' })).toBe(PERSONAL);
  });

  it('does not match the email domain', () => {
    expect(passwordProblem('relief-example-tulip', { email: 'q@relief.example' })).toBeNull();
  });

  it('matches a name given in another normal form', () => {
    expect(passwordProblem('chloe\u0301-garden-door', { name: 'Chlo\u00e9 Martin' })).toBe(PERSONAL);
  });

  it('accepts unrelated passwords, and works without context or with empty values', () => {
    expect(passwordProblem('purple-elephant-kettle', jane)).toBeNull();
    expect(passwordProblem('purple-elephant-kettle')).toBeNull();
    expect(passwordProblem('purple-elephant-kettle', { email: '', name: '   ' })).toBeNull();
  });
});

describe('passwordProblem: invalid text', () => {
  it('refuses an unpaired surrogate', () => {
    expect(passwordProblem(pw(12) + '\uD800')).toMatch(/cannot be used/u);
    expect(passwordProblem('\uDC00' + pw(12))).toMatch(/cannot be used/u);
  });
});

describe('hashPassword', () => {
  it('produces argon2id PHC strings with the OWASP minimum parameters and a fresh salt each time', async () => {
    const a = await hashPassword(pw(16));
    const b = await hashPassword(pw(16));
    expect(a.startsWith(PHC_PREFIX)).toBe(true);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/u);
    expect(a).not.toBe(b);
  });

  it('the dummy hash has the same parameters', () => {
    expect(DUMMY_HASH.startsWith(PHC_PREFIX)).toBe(true);
  });

  it('refuses text with an unpaired surrogate', async () => {
    await expect(hashPassword(pw(12) + '\uD800')).rejects.toThrow(RangeError);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('purple-elephant-kettle');
    expect(await verifyPassword(hash, 'purple-elephant-kettle')).toBe(true);
    expect(await verifyPassword(hash, 'purple-elephant-kettlf')).toBe(false);
    expect(await verifyPassword(hash, 'Purple-elephant-kettle')).toBe(false);
    expect(await verifyPassword(hash, 'purple-elephant-kettle ')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('does not truncate: a 100-character password differs from its 99-character prefix', async () => {
    const hundred = pw(100);
    const hash = await hashPassword(hundred);
    expect(await verifyPassword(hash, hundred)).toBe(true);
    expect(await verifyPassword(hash, hundred.slice(0, 99))).toBe(false);
    expect(await verifyPassword(hash, hundred + 'x')).toBe(false);
    expect(await verifyPassword(await hashPassword(hundred.slice(0, 99)), hundred)).toBe(false);
  });

  it('every character counts at the maximum length', async () => {
    const max = pw(127) + EMOJI;
    const hash = await hashPassword(max);
    expect(await verifyPassword(hash, max)).toBe(true);
    expect(await verifyPassword(hash, pw(127) + '😁')).toBe(false);
  });

  it('matches across normal forms (NFKC): composed/decomposed accents, full-width forms', async () => {
    const composed = 'caf\u00e9-au-lait-matin';
    const hash = await hashPassword(composed);
    expect(await verifyPassword(hash, 'cafe\u0301-au-lait-matin')).toBe(true);
    const fullWidthHash = await hashPassword('ｔｕｌｉｐ－ｇａｒｄｅｎ－４２');
    expect(await verifyPassword(fullWidthHash, 'tulip-garden-42')).toBe(true);
  });

  it('emoji passwords round-trip', async () => {
    const p = '😀🎉🚀🌈🍕🐙🎸🧩🔭🦉🌵🪁';
    expect(await verifyPassword(await hashPassword(p), p)).toBe(true);
  });

  it('unknown user (null hash): false, after a real argon2 verification', async () => {
    const start = performance.now();
    expect(await verifyPassword(null, 'purple-elephant-kettle')).toBe(false);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThan(5);
  });

  it('unknown user takes about as long as a known one', async () => {
    const hash = await hashPassword('purple-elephant-kettle');
    const time = async (h: string | null) => {
      const start = performance.now();
      await verifyPassword(h, 'purple-elephant-kettle');
      return performance.now() - start;
    };
    await time(hash); // warm up
    const known = Math.min(await time(hash), await time(hash), await time(hash));
    const unknown = Math.min(await time(null), await time(null), await time(null));
    expect(unknown).toBeGreaterThan(5);
    expect(unknown).toBeGreaterThan(known / 4);
    expect(unknown).toBeLessThan(known * 4);
  });

  it('no password opens the dummy hash path', async () => {
    expect(await verifyPassword(null, '')).toBe(false);
    expect(await verifyPassword(null, pw(12))).toBe(false);
  });

  it('input that no acceptable password could be: false, still after argon2, no exception', async () => {
    const hash = await hashPassword(pw(128));
    const start = performance.now();
    expect(await verifyPassword(hash, pw(129))).toBe(false);
    expect(performance.now() - start).toBeGreaterThan(5);
    expect(await verifyPassword(hash, pw(1_000_000))).toBe(false);
    expect(await verifyPassword(hash, pw(12) + '\uD800')).toBe(false);
  });

  it('a malformed stored hash gives false, not an exception', async () => {
    expect(await verifyPassword('not-a-hash', pw(12))).toBe(false);
    expect(await verifyPassword('', pw(12))).toBe(false);
  });
});
