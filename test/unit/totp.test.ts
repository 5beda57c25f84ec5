import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { newTotpSecret, totpUri, totpQrSvg, totpCode, checkTotp } from '../../src/staff/totp.ts';
import { sealSecret, openSecret } from '../../src/staff/secrets.ts';
import { newRecoveryCodes, hashRecoveryCode, RECOVERY_ALPHABET } from '../../src/staff/recovery-codes.ts';

/** RFC 4648 base32, no padding (independent of otplib, to derive the test-vector secret). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 appendix B: the SHA-1 seed is the 20 ASCII bytes "12345678901234567890". */
const RFC_SECRET = base32(Buffer.from('12345678901234567890', 'ascii'));

/** RFC 6238 appendix B, SHA-1 rows: time in seconds and the 8-digit TOTP; the 6-digit code is its last 6 digits. */
const RFC_VECTORS: ReadonlyArray<[seconds: number, eightDigits: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const STEP_MS = 30_000;
/** A fixed instant in the middle of a step. */
const NOW = 1_760_000_015_000;
const STEP = Math.floor(NOW / STEP_MS);
const codeAtStep = (secret: string, step: number) => totpCode(secret, step * STEP_MS);

describe('TOTP: RFC 6238 SHA-1 test vectors (6 digits)', () => {
  it('the secret is the base32 form of "12345678901234567890"', () => {
    expect(RFC_SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it.each(RFC_VECTORS)('at %i s the code is the last six digits of %s', (seconds, eight) => {
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(eight.slice(-6));
  });

  it.each(RFC_VECTORS)('checkTotp accepts the vector at %i s and reports its step', (seconds, eight) => {
    expect(checkTotp(RFC_SECRET, eight.slice(-6), seconds * 1000, null)).toEqual({
      ok: true,
      step: Math.floor(seconds / 30),
    });
  });

  it('keeps leading zeros', () => {
    expect(totpCode(RFC_SECRET, 1111111109 * 1000)).toBe('081804');
  });

  it('takes milliseconds: the code changes exactly at the step boundary', () => {
    // Step 1 covers 30 000–59 999 ms; 59 s is still step 1.
    expect(totpCode(RFC_SECRET, 59_999)).toBe('287082');
    expect(totpCode(RFC_SECRET, 30_000)).toBe('287082');
    expect(totpCode(RFC_SECRET, 29_999)).not.toBe('287082');
  });
});

describe('newTotpSecret', () => {
  it('is 160 bits of base32', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/u);
    expect(base32Decode(secret)).toHaveLength(20);
  });

  it('is different every time', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newTotpSecret()));
    expect(secrets.size).toBe(200);
  });

  it('works with totpCode and checkTotp', () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, NOW);
    expect(code).toMatch(/^[0-9]{6}$/u);
    expect(checkTotp(secret, code, NOW, null)).toEqual({ ok: true, step: STEP });
  });
});

describe('totpUri', () => {
  it('is an otpauth://totp URI with label issuer:account, the secret and the issuer', () => {
    const uri = totpUri('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'jane.doe@relief.example', 'Relief Clinic');
    expect(uri.startsWith('otpauth://totp/')).toBe(true);
    expect(uri).toBe(
      'otpauth://totp/Relief%20Clinic:jane.doe%40relief.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Relief%20Clinic',
    );
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Relief Clinic:jane.doe@relief.example');
    expect(url.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(url.searchParams.get('issuer')).toBe('Relief Clinic');
    // Defaults (SHA1, 6 digits, 30 s) are implicit; nothing else would be understood by every app.
    const algorithm = url.searchParams.get('algorithm');
    expect(algorithm === null || algorithm === 'SHA1').toBe(true);
    expect(url.searchParams.get('digits') ?? '6').toBe('6');
    expect(url.searchParams.get('period') ?? '30').toBe('30');
  });

  it('encodes special characters and keeps the colon as the only separator', () => {
    const uri = totpUri('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'a&b=c@x.example', 'Relief: Downtown & Co');
    const url = new URL(uri);
    const label = decodeURIComponent(url.pathname.slice(1));
    expect(label).toBe('Relief Downtown & Co:a&b=c@x.example');
    expect(label.split(':')).toHaveLength(2);
    expect(url.searchParams.get('issuer')).toBe('Relief Downtown & Co');
    expect(url.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });
});

describe('totpQrSvg', () => {
  it('returns SVG markup', async () => {
    const svg = await totpQrSvg(totpUri(newTotpSecret(), 'jane@relief.example', 'Relief'));
    expect(svg.trimStart().startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<path');
  });
});

describe('checkTotp: window', () => {
  const secret = RFC_SECRET;

  it('accepts the current step and one step either side, reporting the step that matched', () => {
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, null)).toEqual({ ok: true, step: STEP });
    expect(checkTotp(secret, codeAtStep(secret, STEP - 1), NOW, null)).toEqual({ ok: true, step: STEP - 1 });
    expect(checkTotp(secret, codeAtStep(secret, STEP + 1), NOW, null)).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses two or more steps away', () => {
    for (const offset of [-10, -3, -2, 2, 3, 10]) {
      const code = codeAtStep(secret, STEP + offset);
      // Skip the (one-in-a-million) case of a coincidentally equal code within the window.
      const inWindow = [-1, 0, 1].some((d) => codeAtStep(secret, STEP + d) === code);
      if (!inWindow) expect(checkTotp(secret, code, NOW, null)).toEqual({ ok: false });
    }
  });

  it('the window is measured in steps, at both ends of the current step', () => {
    const first = STEP * STEP_MS;
    const last = (STEP + 1) * STEP_MS - 1;
    for (const now of [first, last]) {
      expect(checkTotp(secret, codeAtStep(secret, STEP - 1), now, null).ok).toBe(true);
      expect(checkTotp(secret, codeAtStep(secret, STEP + 1), now, null).ok).toBe(true);
      expect(checkTotp(secret, codeAtStep(secret, STEP - 2), now, null).ok).toBe(false);
      expect(checkTotp(secret, codeAtStep(secret, STEP + 2), now, null).ok).toBe(false);
    }
  });

  it('refuses a wrong code and the code of another secret', () => {
    const right = codeAtStep(secret, STEP);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(checkTotp(secret, wrong, NOW, null)).toEqual({ ok: false });
    const other = newTotpSecret();
    const otherCode = codeAtStep(other, STEP);
    const collides = [-1, 0, 1].some((d) => codeAtStep(secret, STEP + d) === otherCode);
    if (!collides) expect(checkTotp(secret, otherCode, NOW, null)).toEqual({ ok: false });
  });
});

describe('checkTotp: replay', () => {
  const secret = RFC_SECRET;

  it('refuses the same code again once its step is recorded', () => {
    const code = codeAtStep(secret, STEP);
    const first = checkTotp(secret, code, NOW, null);
    expect(first).toEqual({ ok: true, step: STEP });
    if (!first.ok) throw new Error('unreachable');
    expect(checkTotp(secret, code, NOW, first.step)).toEqual({ ok: false });
    expect(checkTotp(secret, code, NOW + 10_000, first.step)).toEqual({ ok: false });
  });

  it('refuses an earlier step after a later one was used', () => {
    expect(checkTotp(secret, codeAtStep(secret, STEP - 1), NOW, STEP)).toEqual({ ok: false });
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, STEP + 1)).toEqual({ ok: false });
  });

  it('accepts a later step than the one recorded', () => {
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, STEP - 1)).toEqual({ ok: true, step: STEP });
    expect(checkTotp(secret, codeAtStep(secret, STEP + 1), NOW, STEP)).toEqual({ ok: true, step: STEP + 1 });
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, STEP - 100)).toEqual({ ok: true, step: STEP });
  });

  it('a recorded step at or beyond the end of the window refuses everything, without throwing', () => {
    for (const last of [STEP + 1, STEP + 2, STEP + 1000, Number.MAX_SAFE_INTEGER, Infinity]) {
      for (const d of [-1, 0, 1])
        expect(checkTotp(secret, codeAtStep(secret, STEP + d), NOW, last)).toEqual({ ok: false });
    }
  });

  it('a recorded step that is not a number refuses (fail closed)', () => {
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, Number.NaN)).toEqual({ ok: false });
  });

  it('a negative recorded step refuses nothing', () => {
    expect(checkTotp(secret, codeAtStep(secret, STEP), NOW, -1)).toEqual({ ok: true, step: STEP });
    expect(checkTotp(RFC_SECRET, '287082', 59_000, -5)).toEqual({ ok: true, step: 1 });
  });

  it('step 0 can be recorded', () => {
    expect(checkTotp(RFC_SECRET, '287082', 59_000, 0)).toEqual({ ok: true, step: 1 });
    expect(checkTotp(RFC_SECRET, '287082', 59_000, 1)).toEqual({ ok: false });
  });
});

describe('checkTotp: code format', () => {
  const secret = RFC_SECRET;
  const code = codeAtStep(secret, STEP);

  it.each([
    ['with a space in the middle', `${code.slice(0, 3)} ${code.slice(3)}`],
    ['with surrounding spaces', `  ${code} `],
    ['with spaces between every digit', code.split('').join(' ')],
    ['with a tab and a newline', `${code.slice(0, 3)}\t${code.slice(3)}\n`],
  ])('accepts the code %s', (_label, typed) => {
    expect(checkTotp(secret, typed, NOW, null)).toEqual({ ok: true, step: STEP });
  });

  it.each([
    ['empty', ''],
    ['spaces only', '      '],
    ['five digits', code.slice(0, 5)],
    ['seven digits', `${code}0`],
    ['eight digits', `${code}00`],
    ['letters', 'abcdef'],
    ['a letter among digits', `${code.slice(0, 5)}a`],
    ['a dash', `${code.slice(0, 3)}-${code.slice(3)}`],
    ['a sign', `+${code.slice(1)}`],
    ['full-width digits', code.replace(/[0-9]/gu, (d) => String.fromCharCode(0xff10 + Number(d)))],
    ['Arabic-Indic digits', code.replace(/[0-9]/gu, (d) => String.fromCharCode(0x0660 + Number(d)))],
    ['a decimal', '12345.6'],
    ['an exponent', '1e5000'],
  ])('refuses %s without throwing', (_label, typed) => {
    expect(checkTotp(secret, typed, NOW, null)).toEqual({ ok: false });
  });

  it('property: never throws, and accepts only a window code', () => {
    const window = new Set([-1, 0, 1].map((d) => codeAtStep(secret, STEP + d)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9 ]{0,10}$/u)), (typed) => {
        const result = checkTotp(secret, typed, NOW, null);
        if (result.ok) expect(window.has(typed.replace(/\s+/gu, ''))).toBe(true);
      }),
    );
  });
});

describe('sealSecret / openSecret', () => {
  const APP_SECRET = 'test-app-secret-0123456789abcdef0123456789';

  it('round-trips', () => {
    const secret = newTotpSecret();
    expect(openSecret(sealSecret(secret, APP_SECRET), APP_SECRET)).toBe(secret);
    expect(openSecret(sealSecret('', APP_SECRET), APP_SECRET)).toBe('');
    expect(openSecret(sealSecret('é😀漢', APP_SECRET), APP_SECRET)).toBe('é😀漢');
  });

  it('property: round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (plain) => {
        expect(openSecret(sealSecret(plain, APP_SECRET), APP_SECRET)).toBe(plain);
      }),
      { numRuns: 200 },
    );
  });

  it("has the form 'v1.<iv>.<tag>.<ciphertext>' in base64url with a 12-byte IV and a 16-byte tag", () => {
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const sealed = sealSecret(secret, APP_SECRET);
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    expect(version).toBe('v1');
    expect(rest).toEqual([]);
    expect(iv).toMatch(/^[A-Za-z0-9_-]+$/u);
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext!, 'base64url')).toHaveLength(secret.length);
    expect(sealed).not.toContain(secret);
  });

  it('uses a fresh IV each time', () => {
    const a = sealSecret('same', APP_SECRET);
    const b = sealSecret('same', APP_SECRET);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('refuses to open under another app secret', () => {
    const sealed = sealSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', APP_SECRET);
    expect(() => openSecret(sealed, `${APP_SECRET}x`)).toThrow();
  });

  it('refuses an empty app secret', () => {
    expect(() => sealSecret('x', '')).toThrow(RangeError);
    expect(() => openSecret(sealSecret('x', APP_SECRET), '')).toThrow(RangeError);
  });

  const flipBit = (part: string, byteIndex: number) => {
    const bytes = Buffer.from(part, 'base64url');
    bytes[byteIndex % bytes.length]! ^= 1;
    return bytes.toString('base64url');
  };

  it('detects tampering with the IV, the tag or the ciphertext (every byte)', () => {
    const sealed = sealSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', APP_SECRET);
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const length = Buffer.from(parts[index]!, 'base64url').length;
      for (let byte = 0; byte < length; byte++) {
        const altered = [...parts];
        altered[index] = flipBit(parts[index]!, byte);
        expect(() => openSecret(altered.join('.'), APP_SECRET)).toThrow();
      }
    }
  });

  it('refuses swapped ciphertexts between two seals', () => {
    const a = sealSecret('first-secret-value', APP_SECRET).split('.');
    const b = sealSecret('other-secret-value', APP_SECRET).split('.');
    expect(() => openSecret([a[0], a[1], a[2], b[3]].join('.'), APP_SECRET)).toThrow();
  });

  it('refuses malformed input', () => {
    const sealed = sealSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', APP_SECRET);
    const [, iv, tag, ciphertext] = sealed.split('.');
    for (const bad of [
      '',
      'v1',
      'v1...',
      sealed.replace(/^v1\./u, 'v2.'),
      `${sealed}.extra`,
      [iv, tag, ciphertext].join('.'),
      ['v1', iv!.slice(0, -2), tag, ciphertext].join('.'),
      ['v1', iv, tag!.slice(0, -4), ciphertext].join('.'),
      ['v1', iv, tag, `${ciphertext}!`].join('.'),
      ['v1', `${iv}=`, tag, ciphertext].join('.'),
      ['v1', iv, tag, ciphertext!.slice(0, -1)].join('.'),
      ['v1', iv, tag, ''].join('.'),
    ]) {
      expect(() => openSecret(bad, APP_SECRET), bad).toThrow();
    }
  });
});

describe('recovery codes', () => {
  const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/u;

  it('the alphabet has 32 symbols and no look-alikes (i, l, o) nor u', () => {
    expect(RECOVERY_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_ALPHABET).size).toBe(32);
    for (const c of 'ilou') expect(RECOVERY_ALPHABET).not.toContain(c);
    expect(RECOVERY_ALPHABET).toBe(RECOVERY_ALPHABET.toLowerCase());
  });

  it('each code carries at least 60 bits', () => {
    const [code] = newRecoveryCodes(1);
    const symbols = code!.replace(/-/gu, '').length;
    expect(symbols * Math.log2(RECOVERY_ALPHABET.length)).toBeGreaterThanOrEqual(60);
  });

  it('makes 10 distinct codes like k7q2-9xw4-m3pd by default', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
    expect('k7q2-9xw4-m3pd').toMatch(FORMAT);
  });

  it('makes the number asked for', () => {
    expect(newRecoveryCodes(1)).toHaveLength(1);
    expect(newRecoveryCodes(16)).toHaveLength(16);
  });

  it('refuses a count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => newRecoveryCodes(n)).toThrow(RangeError);
  });

  it('uses every symbol of the alphabet', () => {
    const seen = new Set(newRecoveryCodes(100).join('').replace(/-/gu, ''));
    expect(seen.size).toBe(32);
  });

  it('hashes to SHA-256 hex of the normalised code', () => {
    const expected = createHash('sha256').update('k7q29xw4m3pd').digest('hex');
    expect(hashRecoveryCode('k7q2-9xw4-m3pd')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('ignores case, spaces and dashes', () => {
    const h = hashRecoveryCode('k7q2-9xw4-m3pd');
    for (const typed of [
      'K7Q2-9XW4-M3PD',
      'k7q2 9xw4 m3pd',
      'k7q29xw4m3pd',
      ' k7q2 - 9xw4 - m3pd ',
      'k7q2–9xw4–m3pd',
      'ｋ７ｑ２-９ｘｗ４-ｍ３ｐｄ',
    ]) {
      expect(hashRecoveryCode(typed), typed).toBe(h);
    }
  });

  it('reads the look-alikes o as 0 and i, l as 1', () => {
    expect(hashRecoveryCode('k7q0-9xw1-m3pd')).toBe(hashRecoveryCode('k7qO-9xwl-m3pd'));
    expect(hashRecoveryCode('k7q0-9xw1-m3pd')).toBe(hashRecoveryCode('k7qo-9xwI-m3pd'));
  });

  it('different codes hash differently', () => {
    const codes = newRecoveryCodes(50);
    expect(new Set(codes.map(hashRecoveryCode)).size).toBe(50);
    expect(hashRecoveryCode('k7q2-9xw4-m3pd')).not.toBe(hashRecoveryCode('k7q2-9xw4-m3pe'));
  });

  it('property: a generated code, however it is typed back, hashes the same', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (upper, spaces) => {
        const [code] = newRecoveryCodes(1);
        let typed = upper ? code!.toUpperCase() : code!;
        if (spaces) typed = typed.replace(/-/gu, ' ');
        expect(hashRecoveryCode(typed)).toBe(hashRecoveryCode(code!));
      }),
    );
  });
});
