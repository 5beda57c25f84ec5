import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { findRequestByKey, insertRequest } from './repository.ts';
import type { ConsultationRequestInput } from './form-schema.ts';

export type CreateResult =
  { ok: true; requestId: string; locationId: string; replay: boolean } | { ok: false; reason: 'key_reused' };

function bodyHash(input: ConsultationRequestInput, locationId: string): string {
  const { form_key: _key, website: _hp, consent: _c, ...rest } = input;
  const canonical = JSON.stringify(
    Object.entries({ ...rest, location: locationId }).sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Records a consultation request and queues its booking-link email in one transaction.
 * The form key makes it idempotent: the same submission again returns the first result; a different
 * submission under a used key is refused rather than silently merged.
 */
export async function createConsultationRequest(
  database: Database,
  input: ConsultationRequestInput,
  locationId: string,
  now: number,
  /** Work (the audit event) in the request's own transaction; if it throws, nothing is recorded or sent. */
  alsoInTransaction?: (trx: Kysely<DB>, requestId: string) => Promise<void>,
): Promise<CreateResult> {
  const hash = bodyHash(input, locationId);
  const replay = async (): Promise<CreateResult | undefined> => {
    const existing = await findRequestByKey(database.db, input.form_key);
    if (!existing) return undefined;
    return existing.body_hash === hash
      ? { ok: true, requestId: existing.id, locationId: existing.location_id, replay: true }
      : { ok: false, reason: 'key_reused' };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const id = randomUUID();
  try {
    await database.transact(async (trx) => {
      await insertRequest(trx, {
        id,
        idempotency_key: input.form_key,
        body_hash: hash,
        location_id: locationId,
        first_name: input.first_name,
        last_name: input.last_name,
        email: input.email,
        phone: input.phone,
        contact_method: input.contact_method,
        reason: input.reason,
        heard_from: input.heard_from,
        message: input.message,
        consent_at: now,
        status: 'new',
        created_at: now,
      });
      await enqueue(trx, { kind: 'booking_link', refId: id, runAt: now, dedupeKey: `booking_link:${id}` }, now);
      await alsoInTransaction?.(trx, id);
    });
  } catch (err) {
    // Two identical submissions racing: the loser answers with the winner's result.
    if (isUniqueViolation(err)) {
      const raced = await replay();
      if (raced) return raced;
    }
    throw err;
  }
  return { ok: true, requestId: id, locationId, replay: false };
}

// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { bookRequest, visitCancelled } from './booking.ts';
export { findRequest, requestForNewLink } from './repository.ts';
export { bookingUrl } from './links.ts';
export type { ConsultationRequest } from './repository.ts';
