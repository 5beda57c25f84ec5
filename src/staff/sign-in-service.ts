import type { Kysely } from 'kysely';
import { appendAudit, type AuditDetail, type AuditOutcome } from '../kernel/audit/audit.ts';
import type { DB, Role } from '../kernel/db/schema.ts';
import { createSession, loadSession, revokeSession, touchSession } from '../kernel/http/sessions.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { Client, SignInDeps, StaffDeps } from './deps.ts';
import { verifyPassword } from './passwords.ts';
import { hashRecoveryCode } from './recovery-codes.ts';
import { acceptTotpStep, recoveryCodesOf, saveLockout, useRecoveryCode } from './repository.ts';
import { openSecret } from './secrets.ts';
import { afterFailure, CLEARED, isPaused, passwordStep, recoveryCodeToUse, secondStepKind } from './sign-in-rules.ts';
import { checkTotp } from './totp.ts';
import { findUser, findUserByEmail } from './users.ts';

/** Signing in (password, then a code) and out. The routes set and clear the cookie; this holds the rest. */

const WRONG_PASSWORD =
  'That email and password do not match an active account. After several failed attempts, sign-in pauses for a while.';
const WRONG_CODE = 'That code did not work. Codes change every 30 seconds and each can be used once.';

/** A new session: its token goes into the cookie. */
export interface Started {
  ok: true;
  token: string;
}

/** An event about someone's own account: they are the actor, and no location or patient is concerned. */
export function auditAccount(
  trx: Kysely<DB>,
  deps: Pick<StaffDeps, 'database'>,
  who: { id: string; role: Role } | undefined,
  event: { action: string; outcome: AuditOutcome; ip: string; detail?: AuditDetail },
  now: number,
): Promise<void> {
  return appendAudit(
    trx,
    deps.database.engine,
    { actorId: who?.id ?? null, actorRole: who?.role ?? null, locationId: null, patientRef: null, ...event },
    now,
  );
}

/**
 * Ends the session the browser had (if any) and starts a new one at `stage`. A fresh id at every step up, so a
 * session id seen before sign-in is worthless after it.
 */
export async function startSession(
  trx: Kysely<DB>,
  deps: SignInDeps,
  userId: string,
  stage: 'mfa' | 'enrol' | 'active',
  client: Client,
  oldToken: string | undefined,
  now: number,
): Promise<string> {
  if (oldToken) {
    const loaded = await loadSession(trx, oldToken);
    if (loaded) await revokeSession(trx, loaded.session.id_hash, now);
  }
  const { token } = await createSession(
    trx,
    { userId, stage, ip: client.ip, userAgent: client.userAgent },
    now,
    deps.sessions,
  );
  return token;
}

/** The password step: on success a half-signed-in session that must next give a code (or set one up). */
export async function signInWithPassword(
  deps: SignInDeps,
  input: { email: string; password: string },
  client: Client,
  oldToken: string | undefined,
): Promise<(Started & { stage: 'mfa' | 'enrol' }) | Refusal> {
  const { database } = deps;
  const t = deps.now();
  const user = input.email ? await findUserByEmail(database.db, input.email) : undefined;
  // Unknown users, disabled users and paused accounts all cost one full hash and get the same answer.
  const checkable = user && !isPaused(user.locked_until, t) && user.disabled_at === null;
  const matches = await verifyPassword(checkable ? user.password_hash : null, input.password);
  const step = passwordStep(user, matches, t);
  if (!step.ok) {
    await database.transact(async (trx) => {
      if (user && step.count) await saveLockout(trx, user.id, afterFailure(user.failed_logins, t));
      const detail = { locked: step.paused };
      await auditAccount(trx, deps, user, { action: 'sign_in.password', outcome: 'failure', ip: client.ip, detail }, t);
    });
    return new Refusal('sign_in_required', WRONG_PASSWORD);
  }
  // Failures are cleared only when the second step succeeds, so a known password cannot reset the pause on codes.
  const { account, stage } = step;
  const token = await database.transact(async (trx) => {
    const started = await startSession(trx, deps, account.id, stage, client, oldToken, t);
    await auditAccount(trx, deps, account, { action: 'sign_in.password', outcome: 'success', ip: client.ip }, t);
    return started;
  });
  return { ok: true, token, stage };
}

/** The second step, with a TOTP code or a recovery code: on success a fully signed-in session. */
export async function signInWithCode(
  deps: SignInDeps,
  input: { userId: string; code: string },
  client: Client,
  oldToken: string | undefined,
): Promise<Started | Refusal> {
  const { database } = deps;
  const t = deps.now();
  const user = await findUser(database.db, input.userId);
  if (!user) throw new Refusal('sign_in_required', 'Please sign in to continue.');
  // While paused, no code is checked at all.
  const secret =
    !isPaused(user.locked_until, t) && user.totp_secret ? openSecret(user.totp_secret, deps.config.secret) : undefined;
  const token = await database.transact(async (trx) => {
    let accepted = false;
    if (secret !== undefined && secondStepKind(input.code) === 'totp') {
      const check = checkTotp(secret, input.code, t, user.last_totp_step);
      accepted = check.ok && (await acceptTotpStep(trx, user.id, check.step));
    } else if (secret !== undefined) {
      const codeHash = recoveryCodeToUse(hashRecoveryCode(input.code), await recoveryCodesOf(trx, user.id));
      accepted = codeHash !== undefined && (await useRecoveryCode(trx, user.id, codeHash, t));
      if (accepted) await saveLockout(trx, user.id, CLEARED);
    }
    const outcome = accepted ? 'success' : 'failure';
    await auditAccount(trx, deps, user, { action: 'sign_in.mfa', outcome, ip: client.ip }, t);
    if (!accepted) {
      await saveLockout(trx, user.id, afterFailure(user.failed_logins, t));
      return undefined;
    }
    return startSession(trx, deps, user.id, 'active', client, oldToken, t);
  });
  return token === undefined ? new Refusal('sign_in_required', WRONG_CODE) : { ok: true, token };
}

/** Ends this session, on the person's own request. */
export async function signOut(
  deps: SignInDeps,
  staff: { userId: string; role: Role; sessionIdHash: string },
  ip: string,
): Promise<void> {
  const t = deps.now();
  await deps.database.transact(async (trx) => {
    await revokeSession(trx, staff.sessionIdHash, t);
    await auditAccount(
      trx,
      deps,
      { id: staff.userId, role: staff.role },
      { action: 'sign_out', outcome: 'success', ip },
      t,
    );
  });
}

/** The page asked to stay signed in: the session counts as active now. */
export function keepAlive(deps: SignInDeps, sessionIdHash: string): Promise<void> {
  return touchSession(deps.database.db, sessionIdHash, deps.now());
}
