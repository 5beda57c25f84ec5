import type { Kysely } from 'kysely';
import { appendAudit, type AuditDetail, type AuditOutcome } from '../kernel/audit/audit.ts';
import type { DB, Role } from '../kernel/db/schema.ts';
import { createSession, loadSession, revokeSession, touchSession } from '../kernel/http/sessions.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { Client, SignInDeps, StaffDeps } from './deps.ts';
import { verifyPassword } from './passwords.ts';
import { hashRecoveryCode } from './recovery-codes.ts';
import {
  acceptTotpStep,
  activeAdminIds,
  addressLockout,
  clearAddressLockout,
  recoveryCodesOf,
  saveAddressLockout,
  saveLockout,
  useRecoveryCode,
} from './repository.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import type { Lockout } from './sign-in-rules.ts';
import { openSecret } from './secrets.ts';
import {
  afterAccountFailure,
  afterFailure,
  CLEARED,
  isPaused,
  passwordStep,
  pausedUntil,
  recoveryCodeToUse,
  secondStepKind,
} from './sign-in-rules.ts';
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
    deps.database,
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

/**
 * One more failure of an account from an address: the address's own growing pause, and the account-wide count. When
 * the count reaches the account-wide limit, the account holder and every administrator are emailed (no address or
 * other detail beyond the account's name).
 */
export async function countFailure(
  trx: Kysely<DB>,
  user: { id: string; failed_logins: number },
  address: Lockout | undefined,
  ip: string,
  now: number,
): Promise<void> {
  await saveAddressLockout(trx, user.id, ip, afterFailure(address?.failed_logins ?? 0, now));
  const { limitReached, ...account } = afterAccountFailure(user.failed_logins, now);
  await saveLockout(trx, user.id, account);
  if (!limitReached) return;
  const told = [...new Set([user.id, ...(await activeAdminIds(trx))])];
  await enqueue(
    trx,
    told.map((to) => ({
      kind: 'sign_in_limit_notice' as const,
      refId: `${to} ${user.id}`,
      runAt: now,
      dedupeKey: `sign-in-limit:${to}:${user.id}:${now}`,
    })),
    now,
  );
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
  const address = user ? await addressLockout(database.db, user.id, client.ip) : undefined;
  // Paused from this address, or everywhere once the account-wide limit is reached.
  const account = user && { ...user, locked_until: pausedUntil(address, user) };
  // Unknown users, disabled users and paused accounts all cost one full hash and get the same answer.
  const checkable = account && !isPaused(account.locked_until, t) && account.disabled_at === null;
  const matches = await verifyPassword(checkable ? account.password_hash : null, input.password);
  const step = passwordStep(account, matches, t);
  if (!step.ok) {
    await database.transact(async (trx) => {
      if (user && step.count) await countFailure(trx, user, address, client.ip, t);
      const detail = { locked: step.paused };
      await auditAccount(trx, deps, user, { action: 'sign_in.password', outcome: 'failure', ip: client.ip, detail }, t);
    });
    return new Refusal('sign_in_required', WRONG_PASSWORD);
  }
  // Failures are cleared only when the second step succeeds, so a known password cannot reset the pause on codes.
  const { account: who, stage } = step;
  const token = await database.transact(async (trx) => {
    const started = await startSession(trx, deps, who.id, stage, client, oldToken, t);
    await auditAccount(trx, deps, who, { action: 'sign_in.password', outcome: 'success', ip: client.ip }, t);
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
  const address = await addressLockout(database.db, user.id, client.ip);
  // While paused, no code is checked at all.
  const secret =
    !isPaused(pausedUntil(address, user), t) && user.totp_secret
      ? openSecret(user.totp_secret, deps.config.secret)
      : undefined;
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
      await countFailure(trx, user, address, client.ip, t);
      return undefined;
    }
    await clearAddressLockout(trx, user.id, client.ip);
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
