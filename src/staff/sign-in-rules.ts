/**
 * The rules of staff sign-in, as pure functions of data and `now` (epoch milliseconds): the growing pause after
 * failures, which second step a typed code takes, replay of TOTP steps, recovery codes, and enrolment and reset
 * links. No I/O and no clock read: the services load the rows, ask these functions, and write what they decide
 * (with conditional writes where two requests may race). Unit tests: test/unit/sign-in-rules.test.ts.
 */

// ---------------------------------------------------------------------------------------------------------------
// The pause after failures

/** Failures allowed before the first pause; then 1 s, doubling at each further failure, up to 15 minutes. */
export const FREE_FAILURES = 3;
export const FIRST_PAUSE_MS = 1000;
export const MAX_PAUSE_MS = 15 * 60_000;

/** Growing pause after failed sign-ins: none for the first three, then 1 s, 2 s, 4 s ... up to 15 minutes. */
export function lockoutMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_PAUSE_MS * 2 ** (failures - FREE_FAILURES), MAX_PAUSE_MS);
}

/** An account's failure count and pause, as stored on its user row. */
export interface Lockout {
  failed_logins: number;
  locked_until: number | null;
}

/** True while the account is paused: neither its password nor its codes are checked then. */
export function isPaused(lockedUntil: number | null, now: number): boolean {
  return lockedUntil !== null && lockedUntil > now;
}

/** The count and pause after one more failure; the pause runs from the failure. */
export function afterFailure(failedLogins: number, now: number): Lockout {
  const failures = failedLogins + 1;
  const pause = lockoutMs(failures);
  return { failed_logins: failures, locked_until: pause ? now + pause : null };
}

/**
 * The account-wide limit, far above the per-address pause: failures from every address together. Reaching it pauses
 * the account everywhere for 15 minutes at each further failure, and the account holder and the administrators are
 * told (once, as the count reaches the limit), since someone is trying many addresses.
 */
export const ACCOUNT_FAILURE_LIMIT = 30;
export const ACCOUNT_PAUSE_MS = MAX_PAUSE_MS;

/** The account-wide count and pause after one more failure, and whether this failure reached the limit. */
export function afterAccountFailure(failedLogins: number, now: number): Lockout & { limitReached: boolean } {
  const failures = failedLogins + 1;
  return {
    failed_logins: failures,
    locked_until: failures >= ACCOUNT_FAILURE_LIMIT ? now + ACCOUNT_PAUSE_MS : null,
    limitReached: failures === ACCOUNT_FAILURE_LIMIT,
  };
}

/**
 * When sign-in from an address resumes: the later of that address's own pause and the account-wide one. A pause
 * set from another address does not hold this one back (a stranger's guesses cannot lock the holder out), unless
 * the account-wide limit was reached.
 */
export function pausedUntil(address: Lockout | undefined, account: Lockout): number | null {
  const until = Math.max(address?.locked_until ?? 0, account.locked_until ?? 0);
  return until > 0 ? until : null;
}

/**
 * What a completed second step leaves. Nothing else clears the count and pause: not a right password (so a known
 * password cannot reset the pause on codes) and not a password reset.
 */
export const CLEARED: Lockout = { failed_logins: 0, locked_until: null };

// ---------------------------------------------------------------------------------------------------------------
// The password step

export interface PasswordAccount {
  locked_until: number | null;
  disabled_at: number | null;
  totp_enabled_at: number | null;
}

export type PasswordStep<A extends PasswordAccount = PasswordAccount> =
  | { ok: true; account: A; stage: 'mfa' | 'enrol' }
  /** `count`: whether this failure adds to the account's count (there is an account, and it was not paused). */
  | { ok: false; paused: boolean; count: boolean };

/**
 * The outcome of the password step. Unknown users, disabled users and paused accounts all get the same refusal as a
 * wrong password (the service has them cost one full hash too). A password tried while the account is paused was
 * never checked, so it does not add to the count. Who has not set up two-step sign-in yet goes on to enrol.
 */
export function passwordStep<A extends PasswordAccount>(
  account: A | undefined,
  passwordMatches: boolean,
  now: number,
): PasswordStep<A> {
  const paused = account !== undefined && isPaused(account.locked_until, now);
  if (!account || paused || account.disabled_at !== null || !passwordMatches)
    return { ok: false, paused, count: account !== undefined && !paused };
  return { ok: true, account, stage: account.totp_enabled_at !== null ? 'mfa' : 'enrol' };
}

// ---------------------------------------------------------------------------------------------------------------
// The second step: TOTP codes and recovery codes

/** RFC 6238 settings every authenticator app understands: 30-second steps, six digits. */
export const TOTP_PERIOD_S = 30;
/** One step either side of the current one, for clock drift and a code typed as it changes. */
export const TOTP_WINDOW_STEPS = 1;

/** The time steps whose codes are accepted at `now`. */
export function totpWindow(now: number): { current: number; earliest: number; latest: number } {
  const current = Math.floor(Math.floor(now / 1000) / TOTP_PERIOD_S);
  return { current, earliest: current - TOTP_WINDOW_STEPS, latest: current + TOTP_WINDOW_STEPS };
}

/**
 * A step may be used only once: it must lie after the last accepted step. A last step that is not a finite number
 * refuses every step (fail closed).
 */
export function totpStepFresh(step: number, lastStep: number | null): boolean {
  if (lastStep === null) return true;
  if (!Number.isFinite(lastStep)) return false;
  return step > Math.floor(lastStep);
}

/**
 * Which check a typed second-step code goes to. A TOTP code is six digits, so anything with a letter in it can only
 * be a recovery code; a recovery code is only tried for such input.
 */
export function secondStepKind(code: string): 'totp' | 'recovery' {
  return /[a-z]/i.test(code) ? 'recovery' : 'totp';
}

/**
 * A typed recovery code as it is hashed: lower-cased, spaces and dashes removed. As in Crockford's base32, a typed
 * o is read as 0 and i or l as 1 (those letters never occur in a code, so this only forgives look-alikes).
 */
export function normaliseRecoveryCode(code: string): string {
  return code
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-‐‑‒–—]+/gu, '')
    .replace(/o/gu, '0')
    .replace(/[il]/gu, '1');
}

export interface StoredRecoveryCode {
  code_hash: string;
  used_at: number | null;
}

/** The stored code a typed one (by its hash) uses up: an unused one with that hash. A used code opens nothing. */
export function recoveryCodeToUse(typedHash: string, stored: readonly StoredRecoveryCode[]): string | undefined {
  return stored.find((c) => c.used_at === null && c.code_hash === typedHash)?.code_hash;
}

// ---------------------------------------------------------------------------------------------------------------
// Enrolment and password-reset links

export type LinkPurpose = 'enrol' | 'reset';

export const ENROL_LINK_MS = 72 * 3_600_000;
export const RESET_LINK_MS = 60 * 60_000;

/** When a link made at `now` stops working: an enrolment link after three days, a reset link after an hour. */
export function linkExpiresAt(purpose: LinkPurpose, now: number): number {
  return now + (purpose === 'enrol' ? ENROL_LINK_MS : RESET_LINK_MS);
}

/** Link tokens are 32 bytes in base64url; anything else is not looked up at all. */
export function wellFormedLinkToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export interface StoredLink {
  purpose: string;
  used_at: number | null;
  expires_at: number;
  /** Of the account the link belongs to. */
  disabled_at: number | null;
}

/** A link works once, for its own purpose, before it expires, and only for an account that is not disabled. */
export function linkUsable(link: StoredLink, purpose: LinkPurpose, now: number): boolean {
  return link.purpose === purpose && link.used_at === null && link.expires_at > now && link.disabled_at === null;
}

/** The problem with a new password's confirmation, if any (the password itself is checked by passwordProblem). */
export function confirmationProblem(password: string, confirm: string): string | undefined {
  return password !== confirm ? 'The two passwords are not the same.' : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Where to go after sign-in

/** Only our own staff pages are valid places to return to after sign-in. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/staff(\/[A-Za-z0-9/_.-]*)?$/.test(next) && !next.startsWith('/staff/sign')
    ? next
    : '/staff';
}
