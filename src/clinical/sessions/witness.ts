/**
 * The second person at a controlled-substance step (drawing the ketamine bag, wasting what is left): another nurse or
 * provider of the session's location, present at the chair, who proves it is them with their own authenticator code
 * on the recording nurse's screen. The code is checked like a signature (no replay, failures count towards the
 * witness's own pause and are audited); a witness chosen from a list alone would prove nothing.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { confirmSecondFactor } from '../../staff/service.ts';

export interface WitnessChoice {
  id: string;
  name: string;
  role: 'nurse' | 'provider';
}

/** The people who may witness at `locationId`: active nurses and providers working there, except the recorder. */
export async function witnessChoices(db: Kysely<DB>, locationId: string, recorderId: string): Promise<WitnessChoice[]> {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_locations as ul', 'ul.user_id', 'u.id')
    .select(['u.id', 'u.name', 'u.role'])
    .where('ul.location_id', '=', locationId)
    .where('u.role', 'in', ['nurse', 'provider'])
    .where('u.disabled_at', 'is', null)
    .where('u.id', '<>', recorderId)
    .orderBy('u.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as WitnessChoice['role'] }));
}

/**
 * True when `witnessId` may witness at `locationId` and typed their current code; otherwise a refusal naming the
 * form's `witness` or `witness_code` field. Call it inside the recording transaction and RETURN a refusal from it
 * (not throw), so a wrong code's failure count and audit event commit while nothing else is written.
 */
export async function confirmWitness(
  trx: Kysely<DB>,
  deps: { database: Database; secret: string },
  actor: Actor,
  witness: { witnessId: string; code: string; locationId: string; purpose: string },
): Promise<true | Refusal> {
  if (witness.witnessId === actor.staff.userId)
    return refuse('invalid_request', 'The witness is a second person.', {
      witness: 'Witness: choose another nurse or provider; you cannot witness your own entry.',
    });
  const allowed = await witnessChoices(trx, witness.locationId, actor.staff.userId);
  if (!allowed.some((w) => w.id === witness.witnessId))
    return refuse('invalid_request', 'Choose a witness who works at this location.', {
      witness: 'Witness: choose a nurse or provider of this location.',
    });
  if (!/^\d{6}$/.test(witness.code.trim()))
    return refuse('invalid_request', 'The witness types the 6-digit code their authenticator app shows now.', {
      witness_code: 'Witness code: the 6 digits their authenticator app shows now.',
    });
  const ok = await confirmSecondFactor(
    trx,
    deps,
    { userId: witness.witnessId, ip: actor.ip },
    witness.code.trim(),
    actor.now,
    witness.purpose,
  );
  if (ok === true) return true;
  return refuse(ok.code, `The witness’s code: ${ok.message}`, { witness_code: `Witness code: ${ok.message}` });
}
