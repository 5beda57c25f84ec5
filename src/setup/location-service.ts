import { randomUUID } from 'node:crypto';
import type { Database } from '../kernel/db/database.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import { Refusal } from '../kernel/refusal.ts';
import { bookingConflicts, type ConflictRow, conflictAudit } from './impact.ts';
import type { LocationInput } from './location-schema.ts';
import { insertLocation, listLocationNames, slugTaken, updateLocation, type Location } from './repository.ts';
import { locationOr404, saveSetup, type Actor } from './service.ts';

const SLUG_TAKEN = 'Another location already uses this short name.';
const slugRefused = () => new Refusal('invalid_request', SLUG_TAKEN, { slug: SLUG_TAKEN });

export const listLocations = (database: Database) => listLocationNames(database.db);

export const locationToEdit = (database: Database, id: unknown) => locationOr404(database.db, id);

/** Adds a location, last in the list; its short name must be free. */
export async function createLocation(
  database: Database,
  actor: Actor,
  input: LocationInput,
): Promise<{ id: string } | Refusal> {
  if (await slugTaken(database.db, input.slug, null)) return slugRefused();
  const id = randomUUID();
  try {
    await saveSetup(database, actor, { thing: 'location_create', locationId: id }, async (trx) => {
      await insertLocation(trx, database.engine, id, input);
      return { result: undefined, detail: { location: id, slug: input.slug, zone: input.time_zone } };
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return slugRefused();
  }
  return { id };
}

/** Changes a location's details; returns it as saved and the booked visits that no longer fit. */
export async function editLocation(
  database: Database,
  actor: Actor,
  id: unknown,
  input: LocationInput,
): Promise<{ location: Location; conflicts: ConflictRow[] } | Refusal> {
  const location = await locationOr404(database.db, id);
  if (await slugTaken(database.db, input.slug, location.id)) return slugRefused();
  try {
    // A new time zone moves every weekly rule in time, so booked visits are checked again.
    const conflicts = await saveSetup(database, actor, { thing: 'location', locationId: location.id }, async (trx) => {
      await updateLocation(trx, location.id, input);
      const found = await bookingConflicts(trx, { locationId: location.id }, actor.now);
      return {
        result: found,
        detail: { location: location.id, slug: input.slug, zone: input.time_zone, ...conflictAudit(found) },
      };
    });
    return { location: { ...location, ...input }, conflicts };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return slugRefused();
  }
}
