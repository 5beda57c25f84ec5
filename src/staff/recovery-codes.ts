import { createHash, randomBytes } from 'node:crypto';
import { normaliseRecoveryCode } from './sign-in-rules.ts';

/**
 * Single-use recovery codes for when the authenticator is lost. Only their SHA-256 is stored: each code carries
 * 60 random bits, which is far beyond guessing through a rate-limited sign-in form, so a slow hash is not needed.
 *
 * The alphabet is Crockford's base32 in lower case: digits and letters without i, l, o (which read as 1 and 0)
 * and u. 32 symbols give exactly 5 bits a character, 12 characters 60 bits, shown as 'k7q2-9xw4-m3pd'.
 */

export const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 3;
const GROUP_LENGTH = 4;

function newRecoveryCode(): string {
  const bytes = randomBytes(GROUPS * GROUP_LENGTH);
  // 256 is a multiple of 32, so the low five bits of a random byte are uniform over the alphabet.
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b & 31]);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) groups.push(chars.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH).join(''));
  return groups.join('-');
}

/** `count` distinct new codes, each like 'k7q2-9xw4-m3pd'. */
export function newRecoveryCodes(count = 10): string[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer.');
  const codes = new Set<string>();
  while (codes.size < count) codes.add(newRecoveryCode());
  return [...codes];
}

/**
 * SHA-256 hex of the normalised code (see normaliseRecoveryCode: lower-cased, spaces and dashes removed, look-alike
 * letters read as the digits they resemble).
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(code), 'utf8').digest('hex');
}
