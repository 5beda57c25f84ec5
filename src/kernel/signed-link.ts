/**
 * The steps every emailed patient link takes before its page: the address over its budget of refused links is
 * stopped before any lookup; the token is checked for its purpose and expiry; a refusal is counted against the
 * address, audited as a failure of what the person tried, and answered with a friendly page, never an error. The
 * feature then finds its record from the claims and refuses through the same gate ('unknown', 'closed').
 */
import { auditPatientAlone, NOBODY, type About, type Visitor } from './audit/patient-audit.ts';
import { getClinic, type Clinic } from './clinic.ts';
import type { Database } from './db/database.ts';
import { linkRefusals, tooManyRefusals } from './http/refusals.ts';
import type { TokenClaims, TokenPurpose, Tokens } from './tokens.ts';

/**
 * Why a link does not open. 'closed' is a genuine link whose record has ended (a questionnaire past its window, a
 * plan no longer followed): it is not held against the address, as someone trying links could not have made it.
 */
export type LinkRefusal = 'invalid' | 'expired' | 'unknown' | 'closed';

export interface RefusedLink<R extends LinkRefusal = LinkRefusal> {
  page: 'problem';
  clinic: Clinic;
  reason: R;
}

export interface SignedLinkDeps {
  database: Database;
  tokens: Tokens;
}

export interface OpenedLink {
  clinic: Clinic;
  claims: TokenClaims;
  /** Refuses the link after the token was accepted: audited, and counted unless the link is 'closed'. */
  refuse: <R extends LinkRefusal>(about: About, reason: R) => Promise<RefusedLink<R>>;
}

export interface SignedLinkOptions {
  purpose: TokenPurpose;
  /** The audited action a refusal is recorded under (what the person tried: view, save, sign...). */
  action: string;
  /**
   * Whom an authentic but expired link was for, so the refusal is filed under that person; tampered links and links
   * of another purpose name nobody.
   */
  whoseExpired?: (claims: TokenClaims) => Promise<About>;
}

export async function openSignedLink(
  deps: SignedLinkDeps,
  token: string,
  visitor: Visitor,
  options: SignedLinkOptions,
): Promise<OpenedLink | RefusedLink<'invalid' | 'expired'>> {
  const { database, tokens } = deps;
  const clinic = await getClinic(database.db);
  if (!clinic) throw new Error('clinic is not set up');
  await tooManyRefusals(deps, visitor);
  const refuse = async <R extends LinkRefusal>(about: About, reason: R): Promise<RefusedLink<R>> => {
    if (reason !== 'closed') await linkRefusals(deps).note(visitor.ip, visitor.now);
    await auditPatientAlone(database, visitor, options.action, 'failure', about, { reason });
    return { page: 'problem', clinic, reason };
  };
  const check = tokens.verify(token, options.purpose, visitor.now);
  if (check.ok) return { clinic, claims: check.claims, refuse };
  // Checked again with no clock: only an authentic token of this purpose names its record.
  const authentic = check.reason === 'expired' ? tokens.verify(token, options.purpose, 0) : undefined;
  const about = authentic?.ok && options.whoseExpired ? await options.whoseExpired(authentic.claims) : NOBODY;
  return refuse(about, check.reason);
}
