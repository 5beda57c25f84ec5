import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { isRefusal } from '../kernel/refusal.ts';
import { errorsOf, valuesOf } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { roomForm } from './room-schema.ts';
import { addRoom, changeRoom, roomsAt } from './room-service.ts';
import { renameKey, RoomsPage, type RoomsPageProps } from './room-views.tsx';

type Params = { Params: { id: string } };
type RoomParams = { Params: { id: string; roomId: string; action: string } };

/** Rooms and chairs of a location: add, rename, take out of use and put back. */
export async function roomSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;

  async function page(
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: Partial<RoomsPageProps> = {},
    status = 200,
  ) {
    const { location, rooms } = await roomsAt(database, req.params.id);
    return html(reply, RoomsPage({ staff: staffOf(req), location, rooms, values: {}, errors: {}, ...extra }), status);
  }

  app.get<Params>('/staff/setup/locations/:id/rooms', { config: ADMIN_ONLY }, async (req, reply) => page(req, reply));

  app.post<Params>('/staff/setup/locations/:id/rooms', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const parsed = roomForm.safeParse(req.body ?? {});
    if (!parsed.success) return page(req, reply, { values, errors: errorsOf(parsed.error) }, 400);
    const added = await addRoom(database, actorOf(app, req), req.params.id, parsed.data);
    if (isRefusal(added)) return page(req, reply, { values, errors: added.fields ?? {} }, 400);
    const { name, kind } = parsed.data;
    return page(req, reply, { saved: `${kind === 'room' ? 'Room' : 'Chair'} “${name}” added.` });
  });

  app.post<RoomParams>(
    '/staff/setup/locations/:id/rooms/:roomId/:action',
    { config: ADMIN_ONLY },
    async (req, reply) => {
      const { id, roomId, action } = req.params;
      const newName = (req.body as Record<string, unknown> | undefined)?.name;
      const done = await changeRoom(database, actorOf(app, req), { locationId: id, roomId, action }, newName);
      if (isRefusal(done)) {
        const key = renameKey(roomId);
        const values = { [key]: valuesOf(req.body).name ?? '' };
        return page(req, reply, { values, errors: { [key]: done.fields?.name ?? 'Enter the name.' } }, 400);
      }
      if (done.action === 'rename') return page(req, reply, { saved: `Renamed to “${done.name}”.` });
      if (done.action === 'reactivate') return page(req, reply, { saved: `“${done.name}” is in use again.` });
      return page(req, reply, {
        saved: `“${done.name}” is out of use and no longer offered for booking.`,
        conflicts: done.conflicts,
      });
    },
  );
}
