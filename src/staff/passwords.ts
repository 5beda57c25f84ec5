import { createRequire } from 'node:module';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';

/**
 * Staff passwords, following NIST SP 800-63B: a length floor and ceiling, a check against common passwords and
 * against the person's own name and email, and no composition rules (no "one digit, one symbol").
 *
 * Every password is Unicode-normalised to NFKC before it is checked, counted or hashed. The same password typed on
 * another device, keyboard or input method can arrive as different code points: "é" as one precomposed code point
 * or as "e" plus a combining accent, digits and letters as their full-width forms from a CJK input method, "ﬁ" as a
 * ligature. NFKC maps all of these to one form, so the password someone chose keeps working wherever they type it
 * (800-63B §5.1.1.2 asks for NFKC or NFKD before hashing). Lengths are counted in code points, not UTF-16 units, so
 * an emoji or a CJK character outside the Basic Multilingual Plane counts as one character, as a person would count it.
 */

export const PASSWORD_RULES = { minLength: 12, maxLength: 128 } as const;

/** Argon2id at the OWASP minimum: 19 MiB of memory, 2 passes, 1 lane. */
const ARGON2_OPTIONS = {
  // `Algorithm` is a `const enum` whose runtime object is empty, so the value is written out: 2 = Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * A hash of a random value nobody knows, with the same parameters as `hashPassword`. Verifying against it when the
 * account does not exist makes "unknown email" take as long as "wrong password", so timing does not reveal which
 * addresses have accounts. (A unit test checks its parameters still match ARGON2_OPTIONS.)
 */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$OT6v0qPA8T2KaoAdqXg3rw$04Oaj9iH/lZT+bvOYXmcrHGXOKb5PlYiMLUN4N1JeG4';

/**
 * Inputs longer than this many UTF-16 units are refused before normalising: no acceptable password is that long
 * (128 code points are at most 256 units, and NFKC composition shrinks a sequence by at most a few times), and it
 * stops a megabyte "password" from costing normalisation and hashing time.
 */
const MAX_INPUT_UNITS = 4096;

const require = createRequire(import.meta.url);
const commonPasswords = require('fxa-common-password-list') as { test(password: string): boolean };

const codePoints = (s: string): number => [...s].length;

/** True when the string holds an unpaired UTF-16 surrogate (not valid Unicode text; UTF-8 would mangle it). */
const hasLoneSurrogate = (s: string): boolean => /\p{Surrogate}/u.test(s);

/** The form that is checked and hashed, or null when no acceptable password could have produced this input. */
function normalise(password: string): string | null {
  if (password.length > MAX_INPUT_UNITS || hasLoneSurrogate(password)) return null;
  const normalised = password.normalize('NFKC');
  return codePoints(normalised) > PASSWORD_RULES.maxLength ? null : normalised;
}

/** Lower-cased, NFKC pieces of the name and email local part that a password must not contain (4+ code points). */
function personalWords(context: { email?: string; name?: string }): string[] {
  const words: string[] = [];
  const email = context.email?.trim() ?? '';
  if (email) {
    const at = email.lastIndexOf('@');
    const local = at === -1 ? email : email.slice(0, at);
    words.push(local, ...local.split(/[._+-]+/u));
  }
  const name = context.name?.trim() ?? '';
  if (name) {
    words.push(name.replace(/\s+/gu, ' '), name.replace(/\s+/gu, ''), ...name.split(/[\s-]+/u));
  }
  return words.map((w) => w.normalize('NFKC').toLowerCase()).filter((w) => codePoints(w) >= 4);
}

/** null when acceptable, else one plain sentence for the person (e.g. 'Use at least 12 characters.'). */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (hasLoneSurrogate(password))
    return 'Your password contains a character that cannot be used; please choose another.';
  if (password.length > MAX_INPUT_UNITS) return `Use at most ${PASSWORD_RULES.maxLength} characters.`;
  const normalised = password.normalize('NFKC');
  const length = codePoints(normalised);
  if (length < PASSWORD_RULES.minLength) return `Use at least ${PASSWORD_RULES.minLength} characters.`;
  if (length > PASSWORD_RULES.maxLength) return `Use at most ${PASSWORD_RULES.maxLength} characters.`;
  const lower = normalised.toLowerCase();
  if (new Set(lower).size === 1) return 'Do not use one character repeated; choose something harder to guess.';
  // The list is all lower-case, so testing the lower-cased form also catches "Password1234" and "PASSWORD1234".
  if (commonPasswords.test(normalised) || commonPasswords.test(lower)) {
    return 'This is one of the most common passwords; choose something harder to guess.';
  }
  if (personalWords(context).some((w) => lower.includes(w))) {
    return 'Do not use your name or email address in your password.';
  }
  return null;
}

/**
 * Argon2id hash in PHC format ('$argon2id$v=19$m=19456,t=2,p=1$…'), of the NFKC form. It does not enforce the
 * rules: call `passwordProblem` first. Argon2 does not truncate, so every character counts.
 */
export async function hashPassword(password: string): Promise<string> {
  if (hasLoneSurrogate(password)) throw new RangeError('Password is not valid Unicode text.');
  return argon2Hash(password.normalize('NFKC'), ARGON2_OPTIONS);
}

/**
 * Verifies; when `hash` is null (unknown user) it verifies against a fixed dummy hash so the answer takes as long.
 * An input that no acceptable password could match (too long, not valid Unicode) and a stored hash that cannot be
 * parsed are also answered with false after a dummy verification, never with an exception.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  const candidate = normalise(password);
  if (hash === null || candidate === null) {
    await dummyVerify(candidate ?? '');
    return false;
  }
  try {
    return await argon2Verify(hash, candidate);
  } catch {
    await dummyVerify(candidate);
    return false;
  }
}

async function dummyVerify(candidate: string): Promise<void> {
  try {
    await argon2Verify(DUMMY_HASH, candidate);
  } catch {
    // Unreachable with a well-formed DUMMY_HASH; the answer is false either way.
  }
}
