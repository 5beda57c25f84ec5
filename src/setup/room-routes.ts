import { randomUUID } from 'node:crypto';
import { staffOf } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../kernel/db/schema.ts';
import { notFound } from '../kernel/refusal.ts';
import { errorsOf, isId, plain, valuesOf, type Errors } from './forms.ts';
import { bookingConflicts } from './impact.ts';
import { renameKey, RoomsPage, type RoomsPageProps } from './room-views.tsx';
import { ADMIN_ONLY, locationOr404, saveSetup } from './service.ts';
import { sendPage } from './ui.tsx';

type Params = { Params: { id: string } };
type RoomParams = { Params: { id: string; roomId: string; action: string } };

const roomName = plain('name', 1, 60);
const roomForm = z.object({
  name: roomName,
  kind: z.enum(['room', 'chair'], { error: 'Choose a consultation room or an infusion chair.' }),
});
const ACTIONS = ['rename', 'deactivate', 'reactivate'] as const;

async function nameTaken(db: Kysely<DB>, locationId: string, name: string, exceptId: string | null): Promise<boolean> {
  const rooms = await db.selectFrom('rooms').select(['id', 'name']).where('location_id', '=', locationId).execute();
  return rooms.some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
}
const NAME_TAKEN = 'This location already has a room or chair with that name.';

/** Rooms and chairs of a location: add, rename, take out of use and put back. */
export async function roomSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;

  async function page(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<RoomsPageProps> = {},
    status = 200,
  ) {
    const location = await locationOr404(db, req.params.id);
    const rooms = await db
      .selectFrom('rooms')
      .select(['id', 'name', 'kind', 'active'])
      .where('location_id', '=', location.id)
      .orderBy('kind', 'desc')
      .orderBy('name')
      .execute();
    return sendPage(
      reply,
      RoomsPage({ staff: staffOf(req), location, rooms, values: {}, errors: {}, ...extra }),
      status,
    );
  }

  app.get<Params>('/staff/setup/locations/:id/rooms', { config: ADMIN_ONLY }, async (req, reply) => page(req, reply));

  app.post<Params>('/staff/setup/locations/:id/rooms', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationOr404(db, req.params.id);
    const values = valuesOf(req.body);
    const parsed = roomForm.safeParse(req.body ?? {});
    const errors: Errors = parsed.success ? {} : errorsOf(parsed.error);
    if (parsed.success && (await nameTaken(db, location.id, parsed.data.name, null))) errors.name = NAME_TAKEN;
    if (!parsed.success || Object.keys(errors).length) return page(req, reply, { values, errors }, 400);
    const { name, kind } = parsed.data;
    const id = randomUUID();
    await saveSetup(app, req, { thing: 'room_add', locationId: location.id }, async (trx) => {
      await trx.insertInto('rooms').values({ id, location_id: location.id, name, kind, active: 1 }).execute();
      return { result: undefined, detail: { location: location.id, room: id, kind } };
    });
    return page(req, reply, { saved: `${kind === 'room' ? 'Room' : 'Chair'} “${name}” added.` });
  });

  app.post<RoomParams>(
    '/staff/setup/locations/:id/rooms/:roomId/:action',
    { config: ADMIN_ONLY },
    async (req, reply) => {
      const location = await locationOr404(db, req.params.id);
      const action = ACTIONS.find((a) => a === req.params.action);
      if (!action || !isId(req.params.roomId)) throw notFound('That room');
      const room = await db
        .selectFrom('rooms')
        .selectAll()
        .where('id', '=', req.params.roomId)
        .where('location_id', '=', location.id)
        .executeTakeFirst();
      if (!room) throw notFound('That room');

      if (action === 'rename') {
        const key = renameKey(room.id);
        const raw = valuesOf(req.body).name ?? '';
        const parsed = roomName.safeParse((req.body as Record<string, unknown> | undefined)?.name);
        const error = !parsed.success
          ? errorsOf(parsed.error).form
          : (await nameTaken(db, location.id, parsed.data, room.id))
            ? NAME_TAKEN
            : undefined;
        if (!parsed.success || error)
          return page(req, reply, { values: { [key]: raw }, errors: { [key]: error ?? 'Enter the name.' } }, 400);
        await saveSetup(app, req, { thing: 'room_rename', locationId: location.id }, async (trx) => {
          await trx.updateTable('rooms').set({ name: parsed.data }).where('id', '=', room.id).execute();
          return { result: undefined, detail: { location: location.id, room: room.id } };
        });
        return page(req, reply, { saved: `Renamed to “${parsed.data}”.` });
      }

      const active = action === 'reactivate' ? 1 : 0;
      const conflicts = await saveSetup(app, req, { thing: `room_${action}`, locationId: location.id }, async (trx) => {
        await trx.updateTable('rooms').set({ active }).where('id', '=', room.id).execute();
        // Taking a room out of use leaves its bookings in place; list them so they can be moved.
        const found = active ? [] : await bookingConflicts(trx, { locationId: location.id, roomId: room.id }, now());
        return { result: found, detail: { location: location.id, room: room.id, conflicts: found.length } };
      });
      return page(req, reply, {
        saved: active
          ? `“${room.name}” is in use again.`
          : `“${room.name}” is out of use and no longer offered for booking.`,
        conflicts: active ? undefined : conflicts,
      });
    },
  );
}
