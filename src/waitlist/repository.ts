import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';

export async function joinWaitlist(
  db: Kysely<DB>,
  entry: { requestId: string; locationId: string; typeId: string },
  now: number,
): Promise<void> {
  await db
    .insertInto('waitlist_entries')
    .values({
      id: randomUUID(),
      request_id: entry.requestId,
      location_id: entry.locationId,
      type_id: entry.typeId,
      status: 'waiting',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['request_id', 'location_id', 'type_id']).doUpdateSet({ status: 'waiting', updated_at: now }),
    )
    .execute();
}

export async function leaveWaitlist(db: Kysely<DB>, requestId: string, now: number): Promise<void> {
  await db
    .updateTable('waitlist_entries')
    .set({ status: 'left', updated_at: now })
    .where('request_id', '=', requestId)
    .where('status', '=', 'waiting')
    .execute();
}

/** Booking ends the wait: no more offers for this request, even if the visit is cancelled later. */
export async function endWait(trx: Kysely<DB>, requestId: string, now: number): Promise<void> {
  await trx
    .updateTable('waitlist_entries')
    .set({ status: 'booked', updated_at: now })
    .where('request_id', '=', requestId)
    .where('status', '=', 'waiting')
    .execute();
}

export async function waitingEntriesFor(db: Kysely<DB>, requestId: string) {
  return db
    .selectFrom('waitlist_entries')
    .select(['id', 'location_id'])
    .where('request_id', '=', requestId)
    .where('status', '=', 'waiting')
    .execute();
}

/**
 * The entries waiting longest for this type at this location, except the freed visit's own request. The request's
 * status is read in the same query, so the limit counts only people who could accept: a request the clinic has
 * closed is offered nothing, nor is one already booked.
 */
export async function longestWaiting(
  trx: Kysely<DB>,
  freed: { location_id: string; type_id: string; request_id: string | null },
  limit: number,
): Promise<Array<{ id: string }>> {
  let query = trx
    .selectFrom('waitlist_entries')
    .innerJoin('consultation_requests as r', 'r.id', 'waitlist_entries.request_id')
    .select('waitlist_entries.id')
    .where('waitlist_entries.location_id', '=', freed.location_id)
    .where('waitlist_entries.type_id', '=', freed.type_id)
    .where('waitlist_entries.status', '=', 'waiting')
    .where('r.status', 'not in', ['not_candidate', 'closed', 'booked'])
    .orderBy('waitlist_entries.created_at')
    .limit(limit);
  if (freed.request_id) query = query.where('waitlist_entries.request_id', '!=', freed.request_id);
  return query.execute();
}

/** An offer of a freed time to one entry (once per entry and time). */
export async function insertOffer(
  trx: Kysely<DB>,
  offer: { id: string; entryId: string; slotStart: number; expiresAt: number },
  now: number,
): Promise<void> {
  await trx
    .insertInto('waitlist_offers')
    .values({
      id: offer.id,
      entry_id: offer.entryId,
      slot_start: offer.slotStart,
      created_at: now,
      expires_at: offer.expiresAt,
      accepted_at: null,
    })
    .onConflict((oc) => oc.columns(['entry_id', 'slot_start']).doNothing())
    .execute();
}

export async function findOffer(db: Kysely<DB>, offerId: string) {
  return db
    .selectFrom('waitlist_offers')
    .innerJoin('waitlist_entries', 'waitlist_entries.id', 'waitlist_offers.entry_id')
    .select([
      'waitlist_offers.id',
      'waitlist_offers.slot_start',
      'waitlist_offers.expires_at',
      'waitlist_offers.accepted_at',
      'waitlist_entries.id as entry_id',
      'waitlist_entries.request_id',
      'waitlist_entries.location_id',
      'waitlist_entries.type_id',
      'waitlist_entries.status',
    ])
    .where('waitlist_offers.id', '=', offerId)
    .executeTakeFirst();
}

/** The offer was taken by this acceptance (in its booking's transaction). */
export async function markOfferAccepted(trx: Kysely<DB>, offerId: string, now: number): Promise<void> {
  await trx.updateTable('waitlist_offers').set({ accepted_at: now }).where('id', '=', offerId).execute();
}

export type Offer = NonNullable<Awaited<ReturnType<typeof findOffer>>>;
