import { revokeSession, revokeUserSessions } from '../kernel/http/sessions.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { Client, SignInDeps } from './deps.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { enableTotp, replaceRecoveryCodes, saveTotpSecret } from './repository.ts';
import { openSecret, sealSecret } from './secrets.ts';
import { auditAccount, startSession, type Started } from './sign-in-service.ts';
import { checkTotp, newTotpSecret, totpQrSvg, totpUri } from './totp.ts';
import { findUser } from './users.ts';

/**
 * Setting up two-step sign-in, on the first sign-in of an account. Refusals the routes tell apart by code:
 * - `conflict`: it was set up in another session meanwhile, so this one has been ended and must sign in again;
 * - `bad_request`: there is no secret to confirm yet (the set-up page was never shown);
 * - `invalid_request`: the code did not match (field `code`).
 */

export interface EnrolmentSession {
  userId: string;
  sessionIdHash: string;
}

/** The secret to add to an authenticator app, as text and as a QR code. */
export interface Enrolment {
  ok: true;
  secret: string;
  qrSvgDataUrl: string;
}

const ENROLLED_ELSEWHERE = 'Two-step sign-in was set up in another session. Please sign in again.';

/** Two-step sign-in was set up in another session meanwhile: this one must sign in again with a code. */
async function enrolledElsewhere(deps: SignInDeps, session: EnrolmentSession): Promise<Refusal> {
  await revokeSession(deps.database.db, session.sessionIdHash, deps.now());
  return new Refusal('conflict', ENROLLED_ELSEWHERE);
}

async function qrCode(secret: string, email: string): Promise<string> {
  const svg = await totpQrSvg(totpUri(secret, email, 'Relief'));
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The secret being set up: the one made on an earlier visit, or a new one, kept (sealed) until confirmed. */
export async function enrolment(deps: SignInDeps, session: EnrolmentSession): Promise<Enrolment | Refusal> {
  const { database, config } = deps;
  const user = await findUser(database.db, session.userId);
  if (!user) throw new Refusal('sign_in_required', 'Please sign in to continue.');
  if (user.totp_enabled_at !== null) return enrolledElsewhere(deps, session);
  let secret = user.totp_secret ? openSecret(user.totp_secret, config.secret) : undefined;
  if (!secret) {
    secret = newTotpSecret();
    await saveTotpSecret(database.db, user.id, sealSecret(secret, config.secret));
  }
  return { ok: true, secret, qrSvgDataUrl: await qrCode(secret, user.email) };
}

/**
 * Confirms the set-up with a first code: two-step sign-in is on, recovery codes are made (shown once), and a fully
 * signed-in session starts.
 */
export async function confirmEnrolment(
  deps: SignInDeps,
  session: EnrolmentSession,
  code: string,
  client: Client,
  oldToken: string | undefined,
): Promise<(Started & { recoveryCodes: string[] }) | Refusal> {
  const { database, config } = deps;
  const user = await findUser(database.db, session.userId);
  if (!user) throw new Refusal('sign_in_required', 'Please sign in to continue.');
  if (user.totp_enabled_at !== null) return enrolledElsewhere(deps, session);
  if (!user.totp_secret) return new Refusal('bad_request', 'Open the set-up page to get your code first.');
  const t = deps.now();
  const check = checkTotp(openSecret(user.totp_secret, config.secret), code, t, null);
  if (!check.ok) {
    const message = 'That code did not match. Check the time on your phone and try the newest code.';
    return new Refusal('invalid_request', message, { code: message });
  }
  const recoveryCodes = newRecoveryCodes();
  const token = await database.transact(async (trx) => {
    // Only the first enrolment counts; any other half-finished sign-in of this account is ended with it.
    if (!(await enableTotp(trx, user.id, check.step, t))) return undefined;
    await revokeUserSessions(trx, user.id, t);
    await replaceRecoveryCodes(trx, user.id, recoveryCodes.map(hashRecoveryCode));
    await auditAccount(trx, deps, user, { action: 'mfa.enrol', outcome: 'success', ip: client.ip }, t);
    return startSession(trx, deps, user.id, 'active', client, oldToken, t);
  });
  if (token === undefined) return enrolledElsewhere(deps, session);
  return { ok: true, token, recoveryCodes };
}
