import type { FastifyInstance, FastifyReply } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { isRefusal } from '../kernel/refusal.ts';
import { valuesOf } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { locationValues, parseLocation } from './location-schema.ts';
import { createLocation, editLocation, listLocations, locationToEdit } from './location-service.ts';
import { LocationFormPage, LocationsPage, type LocationFormProps } from './location-views.tsx';

type Params = { Params: { id: string } };

export async function locationSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  const form = (reply: FastifyReply, props: LocationFormProps, status = 200) =>
    html(reply, LocationFormPage(props), status);

  app.get('/staff/setup/locations', { config: ADMIN_ONLY }, async (req, reply) =>
    html(reply, LocationsPage({ staff: staffOf(req), locations: await listLocations(database) })),
  );

  app.get('/staff/setup/locations/new', { config: ADMIN_ONLY }, async (req, reply) =>
    form(reply, { staff: staffOf(req), values: { time_zone: 'America/Chicago' }, errors: {} }),
  );

  app.post('/staff/setup/locations', { config: ADMIN_ONLY }, async (req, reply) => {
    const input = parseLocation(req.body);
    const created = isRefusal(input) ? input : await createLocation(database, actorOf(app, req), input);
    if (isRefusal(created))
      return form(reply, { staff: staffOf(req), values: valuesOf(req.body), errors: created.fields ?? {} }, 400);
    return reply.code(303).redirect(`/staff/setup/locations/${created.id}/hours?created=1`);
  });

  app.get<Params>('/staff/setup/locations/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const location = await locationToEdit(database, req.params.id);
    return form(reply, { staff: staffOf(req), location, values: locationValues(location), errors: {} });
  });

  app.post<Params>('/staff/setup/locations/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const input = parseLocation(req.body);
    const done = isRefusal(input) ? input : await editLocation(database, actorOf(app, req), req.params.id, input);
    if (isRefusal(done)) {
      const location = await locationToEdit(database, req.params.id);
      return form(reply, { staff, location, values: valuesOf(req.body), errors: done.fields ?? {} }, 400);
    }
    const { location, conflicts } = done;
    const saved = 'Location saved.';
    return form(reply, { staff, location, values: locationValues(location), errors: {}, saved, conflicts });
  });
}
