import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { notFound, Refusal } from '../kernel/refusal.ts';
import { errorsOf, isId } from './forms.ts';
import { bookingConflicts, type ConflictRow, conflictAudit } from './impact.ts';
import { findRoom, insertRoom, roomsOf, updateRoom } from './repository.ts';
import { roomName, type RoomInput } from './room-schema.ts';
import { locationOr404, saveSetup, type Actor } from './service.ts';

const NAME_TAKEN = 'This location already has a room or chair with that name.';
const ACTIONS = ['rename', 'deactivate', 'reactivate'] as const;

/** Names are compared without case: "Chair 1" and "chair 1" would confuse the front desk. */
async function nameTaken(db: Kysely<DB>, locationId: string, name: string, exceptId: string | null): Promise<boolean> {
  const rooms = await roomsOf(db, locationId);
  return rooms.some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
}

const nameRefused = (message: string) => new Refusal('invalid_request', message, { name: message });

/** A location and its rooms and chairs, chairs after rooms, by name. */
export async function roomsAt(database: Database, locationId: unknown) {
  const location = await locationOr404(database.db, locationId);
  return { location, rooms: await roomsOf(database.db, location.id) };
}

export async function addRoom(
  database: Database,
  actor: Actor,
  locationId: unknown,
  { name, kind }: RoomInput,
): Promise<void | Refusal> {
  const location = await locationOr404(database.db, locationId);
  if (await nameTaken(database.db, location.id, name, null)) return nameRefused(NAME_TAKEN);
  const id = randomUUID();
  await saveSetup(database, actor, { thing: 'room_add', locationId: location.id }, async (trx) => {
    await insertRoom(trx, { id, locationId: location.id, name, kind });
    return { result: undefined, detail: { location: location.id, room: id, kind } };
  });
}

export type RoomChange =
  { action: 'rename'; name: string } | { action: 'deactivate' | 'reactivate'; name: string; conflicts: ConflictRow[] };

/**
 * Renames a room (the new name is checked here, once the room is known to exist), or takes it out of use or puts
 * it back. Taking a room out of use leaves its bookings in place; they are returned so that they can be moved.
 */
export async function changeRoom(
  database: Database,
  actor: Actor,
  where: { locationId: unknown; roomId: unknown; action: unknown },
  newName: unknown,
): Promise<RoomChange | Refusal> {
  const location = await locationOr404(database.db, where.locationId);
  const action = ACTIONS.find((a) => a === where.action);
  if (!action || !isId(where.roomId)) throw notFound('That room');
  const room = await findRoom(database.db, location.id, where.roomId);
  if (!room) throw notFound('That room');

  if (action === 'rename') {
    const parsed = roomName.safeParse(newName);
    if (!parsed.success) return nameRefused(errorsOf(parsed.error).form ?? 'Enter the name.');
    if (await nameTaken(database.db, location.id, parsed.data, room.id)) return nameRefused(NAME_TAKEN);
    await saveSetup(database, actor, { thing: 'room_rename', locationId: location.id }, async (trx) => {
      await updateRoom(trx, room.id, { name: parsed.data });
      return { result: undefined, detail: { location: location.id, room: room.id } };
    });
    return { action, name: parsed.data };
  }

  const active = action === 'reactivate' ? 1 : 0;
  const conflicts = await saveSetup(
    database,
    actor,
    { thing: `room_${action}`, locationId: location.id },
    async (trx) => {
      await updateRoom(trx, room.id, { active });
      const found = active ? [] : await bookingConflicts(trx, { locationId: location.id, roomId: room.id }, actor.now);
      return { result: found, detail: { location: location.id, room: room.id, ...conflictAudit(found) } };
    },
  );
  return { action, name: room.name, conflicts };
}
