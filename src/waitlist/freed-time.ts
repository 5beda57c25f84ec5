import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { bookableAt, findAppointmentTypeById } from '../scheduling/availability.ts';
import { STAFF_TIME_STEP_MIN } from '../scheduling/grid.ts';
import { insertOffer, longestWaiting } from './repository.ts';

/** How many waiting people are offered one freed time at once; the first to accept gets it. */
export const OFFERS_PER_FREED_TIME = 5;

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
  const type = await findAppointmentTypeById(trx, freed.type_id);
  if (!type || !type.online_bookable || type.retired_at !== null) return 0;
  const expiresAt = freed.starts_at - type.min_notice_min * 60_000;
  if (expiresAt <= now) return 0;
  // Freed is not always free: a visit moved by half an hour still holds its provider at the old time. Offer only a
  // time that accepting could book (as accepting does: any 5-minute start, so staff times off the grid count).
  const grid = { ...type, step_min: STAFF_TIME_STEP_MIN };
  if (!(await bookableAt(trx, freed.location_id, grid, freed.starts_at, now))) return 0;
  const entries = await longestWaiting(trx, freed, OFFERS_PER_FREED_TIME);
  for (const e of entries) {
    const id = randomUUID();
    await insertOffer(trx, { id, entryId: e.id, slotStart: freed.starts_at, expiresAt }, now);
    await enqueue(
      trx,
      {
        kind: 'waitlist_offer',
        refId: id,
        runAt: now,
        dedupeKey: `waitlist_offer:${e.id}:${freed.starts_at}`,
        locationId: freed.location_id,
      },
      now,
    );
  }
  return entries.length;
}
