import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { loadAvailability } from '../scheduling/availability.ts';
import { STAFF_TIME_STEP_MIN } from '../scheduling/grid.ts';

/** How many waiting people are offered one freed time at once; the first to accept gets it. */
export const OFFERS_PER_FREED_TIME = 5;

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
 * A time was freed (cancelled or moved): offer it to the people waiting longest at that location for that type,
 * inside the transaction that freed it, so the offers exist exactly when the time is really free. An offer lasts
 * until the type's minimum notice before the time; accepting goes through the ordinary booking path.
 */
export async function offerFreedTime(
  trx: Kysely<DB>,
  freed: { location_id: string; type_id: string; starts_at: number; request_id: string | null },
  now: number,
): Promise<number> {
  const type = await trx.selectFrom('appointment_types').selectAll().where('id', '=', freed.type_id).executeTakeFirst();
  if (!type || !type.online_bookable) return 0;
  const expiresAt = freed.starts_at - type.min_notice_min * 60_000;
  if (expiresAt <= now) return 0;
  // Freed is not always free: a visit moved by half an hour still holds its provider at the old time. Offer only a
  // time that accepting could book (as accepting does: any 5-minute start, so staff times off the grid count).
  const location = await trx
    .selectFrom('locations')
    .select('time_zone')
    .where('id', '=', freed.location_id)
    .executeTakeFirstOrThrow();
  const slots = await loadAvailability(trx, {
    locationId: freed.location_id,
    zone: location.time_zone,
    type: { ...type, step_min: STAFF_TIME_STEP_MIN },
    from: freed.starts_at,
    to: freed.starts_at + 1,
    now,
  });
  if (!slots.some((s) => s.start === freed.starts_at)) return 0;
  let query = trx
    .selectFrom('waitlist_entries')
    .innerJoin('consultation_requests as r', 'r.id', 'waitlist_entries.request_id')
    .select('waitlist_entries.id')
    .where('waitlist_entries.location_id', '=', freed.location_id)
    .where('waitlist_entries.type_id', '=', freed.type_id)
    .where('waitlist_entries.status', '=', 'waiting')
    // A request the clinic has closed is offered nothing; nor is one already booked (it could not accept).
    .where('r.status', 'not in', ['not_candidate', 'closed', 'booked'])
    .orderBy('waitlist_entries.created_at')
    .limit(OFFERS_PER_FREED_TIME);
  if (freed.request_id) query = query.where('waitlist_entries.request_id', '!=', freed.request_id);
  const entries = await query.execute();
  for (const e of entries) {
    const id = randomUUID();
    await trx
      .insertInto('waitlist_offers')
      .values({
        id,
        entry_id: e.id,
        slot_start: freed.starts_at,
        created_at: now,
        expires_at: expiresAt,
        accepted_at: null,
      })
      .onConflict((oc) => oc.columns(['entry_id', 'slot_start']).doNothing())
      .execute();
    await enqueue(
      trx,
      { kind: 'waitlist_offer', refId: id, runAt: now, dedupeKey: `waitlist_offer:${e.id}:${freed.starts_at}` },
      now,
    );
  }
  return entries.length;
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
