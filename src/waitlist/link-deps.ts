import { getClinic, type Clinic } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import type { Tokens } from '../kernel/tokens.ts';

/**
 * What the waitlist's link pages need from the app. Refused links are counted per address in the database's rate
 * store (kernel/http/refusals.ts), and booking links and offers share that count.
 */
export interface LinkDeps {
  database: Database;
  tokens: Tokens;
  /** Nudges the outbox worker after a commit. */
  onOutbox?: () => void;
}

export async function clinicOf(deps: LinkDeps): Promise<Clinic> {
  const clinic = await getClinic(deps.database.db);
  if (!clinic) throw new Error('clinic is not set up');
  return clinic;
}
