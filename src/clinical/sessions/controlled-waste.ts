/**
 * Wasting what is left in a bag (issue 12 §5): after the infusion stops (or, for a bag drawn for an infusion that is
 * not given, before the start), the nurse records the drug wasted and a second person of the location witnesses it
 * with their own authenticator code. More than what is left is refused, so a bag can never account for more drug
 * than it held.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { freshSession, sessionFor } from './access.ts';
import { changeSession } from './change.ts';
import { sessionDrug, type SessionDrug } from './controlled-balance.ts';
import { insertWaste } from './controlled-repository.ts';
import { toHundredths } from './reconcile.ts';
import { confirmWitness } from './witness.ts';

export interface WasteInput {
  /** The session version the page showed. */
  version: number;
  bagId: string;
  mg: number;
  witnessId: string;
  witnessCode: string;
}

const mg = (n: number) => `${toHundredths(n)} mg`;

/** Why no waste may be recorded now, or null: after the stop, or for a bag drawn for an infusion never started. */
export function wasteClosedReason(state: string, drug: SessionDrug): string | null {
  if (drug.bags.length === 0) return 'No bag was drawn for this session: there is nothing to waste.';
  if (state === 'infusing' || state === 'paused') return 'Waste is recorded after the infusion stops.';
  if (state === 'discharged' || state === 'not_given') return 'This session is closed.';
  return null;
}

/** Picks the refusal for `mg` of `bagId` against the figures as they stand, or null when it may be recorded. */
function overWaste(drug: SessionDrug, bagId: string, amount: number): Refusal | null {
  const bag = drug.bags.find((b) => b.bag.id === bagId);
  if (!bag) return refuse('invalid_request', 'That bag is not one of this session’s: open the session again.');
  if (bag.leftMg <= 0)
    return refuse('conflict', `Nothing is left to waste from lot ${bag.bag.lot}: its drug is all accounted for.`, {
      waste_mg: 'Waste: nothing is left in this bag.',
    });
  if (amount > bag.leftMg + 1e-9)
    return refuse('invalid_request', `Only ${mg(bag.leftMg)} is left in this bag to waste.`, {
      waste_mg: `Waste: at most ${mg(bag.leftMg)}, what is left in this bag.`,
    });
  return null;
}

export async function recordWaste(
  database: Database,
  secret: string,
  actor: Actor,
  rawPatientId: unknown,
  rawSessionId: unknown,
  input: WasteInput,
): Promise<{ ok: true } | Refusal> {
  if (!CLINICAL_RECORD_ROLES.includes(actor.staff.role))
    return refuse('forbidden', 'Only a nurse or a provider records waste.');
  const { session, where } = await sessionFor(database, actor, rawPatientId, rawSessionId, 'session.waste');
  return database.transact(async (trx) => {
    const before = await sessionDrug(trx, session.id, actor.now);
    const fresh = await freshSession(trx, session.id);
    if (!before) return refuse('not_found', 'That session could not be found.');
    const closed = wasteClosedReason(fresh.state, before);
    if (closed) return refuse('conflict', `${closed} Nothing was recorded.`);
    const early = overWaste(before, input.bagId, input.mg);
    if (early) return early;
    const witnessed = await confirmWitness(trx, { database, secret }, actor, {
      witnessId: input.witnessId,
      code: input.witnessCode,
      locationId: session.location_id,
      purpose: 'session.waste',
    });
    if (witnessed !== true) return witnessed;
    const changed = await changeSession(trx, database, actor, {
      sessionId: session.id,
      basedOn: input.version,
      strict: false,
      audit: 'session.waste',
      where,
      detail: { bag: input.bagId, witness: input.witnessId },
    });
    if (isRefusal(changed)) return changed;
    // The session row is now locked by this transaction: a waste recorded meanwhile by someone else is seen here,
    // and a refusal now is thrown so the version moved above is undone with everything else.
    const now = await sessionDrug(trx, session.id, actor.now);
    const late = now ? overWaste(now, input.bagId, input.mg) : refuse('not_found', 'That session could not be found.');
    if (late) throw late;
    await insertWaste(trx, {
      id: timeOrderedId(actor.now),
      session_id: session.id,
      bag_id: input.bagId,
      mg: toHundredths(input.mg),
      wasted_by: actor.staff.userId,
      witnessed_by: input.witnessId,
      at: actor.now,
    });
    return { ok: true as const };
  });
}
