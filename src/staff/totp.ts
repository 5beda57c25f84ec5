import QRCode from 'qrcode';
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import { TOTP_PERIOD_S, TOTP_WINDOW_STEPS, totpStepFresh, totpWindow } from './sign-in-rules.ts';

/**
 * Time-based one-time codes (RFC 6238) for staff sign-in, with the settings every authenticator app understands:
 * HMAC-SHA-1, 6 digits, 30-second steps. otplib 13's default crypto plugin (@noble/hashes) is synchronous, so the
 * sync functions are used and `checkTotp` is synchronous.
 *
 * Times (`now`) are Unix epoch milliseconds, as `Date.now()` returns and the rest of Relief uses.
 */

const PERIOD = TOTP_PERIOD_S;
const DIGITS = 6;
/** One step either side of the current one, for clock drift and a code typed as it changes. */
const WINDOW_STEPS = TOTP_WINDOW_STEPS;

const toEpochSeconds = (now: number): number => Math.floor(now / 1000);

/** A new secret: 160 random bits (the RFC 4226 recommendation), base32 without padding (32 characters). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/**
 * The otpauth://totp/ URI an authenticator app scans: label "issuer:account", secret and issuer parameters; the
 * defaults (SHA1, 6 digits, 30 s) are left implicit, as the Key URI Format allows. A colon is the separator between
 * issuer and account and may appear in neither, so any colon in them is replaced by a space.
 */
export function totpUri(secret: string, account: string, issuer: string): string {
  const clean = (s: string) => s.replace(/\s*:\s*/gu, ' ').trim();
  return generateURI({ issuer: clean(issuer), label: clean(account), secret });
}

/** The URI as an SVG QR code (markup, to be inlined in the enrolment page). */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}

/** The current code (tests and demo only). */
export function totpCode(secret: string, now: number): string {
  return generateSync({ secret, epoch: toEpochSeconds(now), period: PERIOD, digits: DIGITS, algorithm: 'sha1' });
}

/**
 * Accepts the code of the current step or one step either side; refuses a step at or before lastStep (no replay).
 * On success returns the matched time step, to be stored as the new lastStep. Spaces in the code are ignored
 * ("123 456"); anything else that is not six digits is refused without throwing. A lastStep that is not a finite
 * number refuses every code (fail closed).
 */
export function checkTotp(
  secret: string,
  code: string,
  now: number,
  lastStep: number | null,
): { ok: true; step: number } | { ok: false } {
  const token = code.replace(/\s+/gu, '');
  if (!/^[0-9]{6}$/u.test(token)) return { ok: false };
  const epoch = toEpochSeconds(now);
  const { current: currentStep, latest: newestStep } = totpWindow(now);
  // No step of the window is fresh: refused before otplib (which throws when afterTimeStep lies beyond the window).
  if (!totpStepFresh(newestStep, lastStep)) return { ok: false };
  const last = lastStep === null ? -1 : Math.floor(lastStep);
  const afterTimeStep = last >= 0 ? last : undefined;
  const result = verifySync({
    secret,
    token,
    epoch,
    period: PERIOD,
    digits: DIGITS,
    algorithm: 'sha1',
    epochTolerance: WINDOW_STEPS * PERIOD,
    ...(afterTimeStep === undefined ? {} : { afterTimeStep }),
  });
  if (!result.valid) return { ok: false };
  // otplib's result type is shared with HOTP, which has no timeStep; for TOTP it is always there.
  const step = 'timeStep' in result ? result.timeStep : currentStep + result.delta;
  // otplib already refuses steps at or before afterTimeStep; the replay rule is checked here once more, as stated.
  return totpStepFresh(step, lastStep) ? { ok: true, step } : { ok: false };
}
