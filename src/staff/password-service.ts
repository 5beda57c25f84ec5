import { revokeUserSessions } from '../kernel/http/sessions.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { StaffDeps } from './deps.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { endOpenLinks, roleOf, setPasswordHash } from './repository.ts';
import { auditAccount } from './sign-in-service.ts';
import { confirmationProblem, type LinkPurpose } from './sign-in-rules.ts';
import { checkAuthLink, createAuthLink, findUserByEmail, useAuthLink } from './users.ts';

/**
 * Passwords chosen through an emailed link: the first one (enrolment link from an administrator or
 * `relief users create`) and a reset, and asking for a reset link. A link that cannot be used is refused as `gone`.
 */

const GONE = 'The link has expired or was already used.';

/** Whether a link can still be used to choose a password. */
export async function passwordLink(
  deps: StaffDeps,
  token: string,
  purpose: LinkPurpose,
): Promise<{ ok: true } | Refusal> {
  return (await checkAuthLink(deps.database.db, token, purpose, deps.now())) ? { ok: true } : new Refusal('gone', GONE);
}

/**
 * Sets the password and uses the link up. A new password is the last word: the account's other links and all its
 * sessions end with it. Invalid passwords are refused as `invalid_request` (field `password`).
 */
export async function choosePassword(
  deps: StaffDeps,
  input: { token: string; purpose: LinkPurpose; password: string; confirm: string },
  ip: string,
): Promise<{ ok: true } | Refusal> {
  const { database } = deps;
  const link = await checkAuthLink(database.db, input.token, input.purpose, deps.now());
  if (!link) return new Refusal('gone', GONE);
  const problem =
    confirmationProblem(input.password, input.confirm) ??
    passwordProblem(input.password, { email: link.email, name: link.name });
  if (problem) return new Refusal('invalid_request', problem, { password: problem });
  const hash = await hashPassword(input.password);
  const t = deps.now();
  const done = await database.transact(async (trx) => {
    if (!(await useAuthLink(trx, link.token_hash, t))) return false;
    // The account's other outstanding links (an older reset email) end with it: a new password is the last word.
    await endOpenLinks(trx, link.id, t);
    // The failure count and pause stay: they guard the second step, which only a completed second step clears.
    await setPasswordHash(trx, link.id, hash);
    await revokeUserSessions(trx, link.id, t);
    const role = await roleOf(trx, link.id);
    const action = input.purpose === 'enrol' ? 'password.set' : 'password.reset';
    await auditAccount(trx, deps, { id: link.id, role }, { action, outcome: 'success', ip }, t);
    return true;
  });
  return done ? { ok: true } : new Refusal('gone', GONE);
}

/** Mails a reset link if the address belongs to an active account with a password; the answer is the same anyway. */
export async function requestPasswordReset(deps: StaffDeps, email: string, ip: string): Promise<void> {
  const { database, config } = deps;
  const user = email ? await findUserByEmail(database.db, email) : undefined;
  const eligible = user && !user.disabled_at && user.password_hash ? user : undefined;
  const t = deps.now();
  // Known or not, the request is recorded in one transaction, so the answer takes about as long either way.
  await database.transact(async (trx) => {
    if (eligible) {
      const { rowId } = await createAuthLink(trx, config.secret, eligible.id, 'reset', t);
      await enqueue(trx, { kind: 'staff_password_reset', refId: rowId, runAt: t }, t);
    }
    const outcome = eligible ? 'success' : 'failure';
    await auditAccount(trx, deps, eligible, { action: 'password.reset_requested', outcome, ip }, t);
  });
  if (eligible) deps.onOutbox?.();
}
