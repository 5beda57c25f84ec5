import { createHash, randomBytes } from 'node:crypto';

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
 * SHA-256 hex of the normalised code: lower-cased, spaces and dashes removed. As in Crockford's base32, a typed
 * o is read as 0 and i or l as 1 (those letters never occur in a code, so this only forgives look-alikes).
 */
export function hashRecoveryCode(code: string): string {
  const normalised = code
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-‐‑‒–—]+/gu, '')
    .replace(/o/gu, '0')
    .replace(/[il]/gu, '1');
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
