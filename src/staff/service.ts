/**
 * The staff feature's public service: what other features may ask of it. Today that is the second-factor re-check a
 * clinical signature needs (screening, plan, dose order): the signer types the current code from their authenticator
 * app at the moment of signing, so a session left open on a shared workstation cannot sign for them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { refuse, type Refusal } from '../kernel/refusal.ts';
import { acceptTotpStep, addressLockout } from './repository.ts';
import { openSecret } from './secrets.ts';
import { isPaused, pausedUntil } from './sign-in-rules.ts';
import { auditAccount, countFailure } from './sign-in-service.ts';
import { checkTotp } from './totp.ts';
import { findUser } from './users.ts';

export const SIGNATURE_CODE_WRONG =
  'That code did not work. Type the 6-digit code your authenticator app shows now (each code can be used once).';
const PAUSED = 'Signing is paused after several wrong codes. Try again in a few minutes.';

/**
 * Checks the signer's current authenticator code inside the signing transaction: accepted, the code's step is spent
 * (no replay, as at sign-in) and the caller goes on to sign; refused, the failure counts towards the same pause as
 * sign-in codes and is audited, and the caller must write nothing else. Recovery codes are not accepted here: they
 * are for getting back into an account, not for signing clinical records. The caller returns the refusal from its
 * transaction rather than throwing it, so that the failure and its audit event commit.
 */
export async function confirmSecondFactor(
  trx: Kysely<DB>,
  deps: { database: Database; secret: string },
  signer: { userId: string; ip: string },
  code: string,
  now: number,
  purpose: string,
): Promise<true | Refusal> {
  const user = await findUser(trx, signer.userId);
  if (!user?.totp_secret) return refuse('forbidden', 'Signing needs an authenticator app set up on your account.');
  const address = await addressLockout(trx, user.id, signer.ip);
  if (isPaused(pausedUntil(address, user), now)) return refuse('too_many_requests', PAUSED, { code: PAUSED });
  const check = checkTotp(openSecret(user.totp_secret, deps.secret), code, now, user.last_totp_step);
  const accepted = check.ok && (await acceptTotpStep(trx, user.id, check.step));
  const outcome = accepted ? 'success' : 'failure';
  await auditAccount(
    trx,
    deps,
    user,
    { action: 'signature.second_factor', outcome, ip: signer.ip, detail: { purpose } },
    now,
  );
  if (accepted) return true;
  await countFailure(trx, user, address, signer.ip, now);
  return refuse('invalid_request', SIGNATURE_CODE_WRONG, { code: SIGNATURE_CODE_WRONG });
}
