import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { isRefusal } from '../kernel/refusal.ts';
import { errorsOf, valuesOf, type Errors, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { newTypeForm, newTypeValues, typeForm, typeValues } from './type-schema.ts';
import {
  appointmentTypeOr404,
  appointmentTypes,
  changeAppointmentType,
  createAppointmentType,
  saveAppointmentType,
  typeInUse,
} from './type-service.ts';
import { NewTypePage, TypePage, TypesPage, typeChangeMessage } from './type-views.tsx';

type Params = { Params: { code: string } };
type ActionParams = { Params: { code: string; action: string } };

/** Appointment types: the list, a new type, and each type's settings, retirement, return to use, or deletion. */
export async function typeSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;

  const page = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string; problem?: string } = {},
    status = 200,
  ) => {
    const type = await appointmentTypeOr404(database, req.params.code);
    return html(
      reply,
      TypePage({
        staff: staffOf(req),
        type,
        inUse: await typeInUse(database, type),
        values: extra.values ?? typeValues(type),
        errors: extra.errors ?? {},
        saved: extra.saved,
        problem: extra.problem,
      }),
      status,
    );
  };

  const list = async (req: FastifyRequest, reply: FastifyReply, saved?: string) =>
    html(reply, TypesPage({ staff: staffOf(req), types: await appointmentTypes(database), saved }));

  app.get('/staff/setup/types', { config: ADMIN_ONLY }, async (req, reply) => list(req, reply));

  app.get('/staff/setup/types/new', { config: ADMIN_ONLY }, async (req, reply) =>
    html(reply, NewTypePage({ staff: staffOf(req), values: newTypeValues, errors: {} })),
  );

  app.post('/staff/setup/types', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const again = (errors: Errors) => html(reply, NewTypePage({ staff: staffOf(req), values, errors }), 400);
    const parsed = newTypeForm.safeParse(req.body ?? {});
    if (!parsed.success) return again(errorsOf(parsed.error));
    const created = await createAppointmentType(database, actorOf(app, req), parsed.data);
    if (isRefusal(created)) return again(created.fields ?? { name: created.message });
    return reply.code(303).redirect(`/staff/setup/types/${created.code}?added=1`);
  });

  app.get<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => {
    const added = (req.query as Record<string, unknown>).added === '1';
    return page(req, reply, added ? { saved: 'Appointment type added. It can be booked now.' } : {});
  });

  app.post<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => {
    const values = valuesOf(req.body);
    const parsed = typeForm.safeParse(req.body ?? {});
    if (!parsed.success) return page(req, reply, { values, errors: errorsOf(parsed.error) }, 400);
    const type = await saveAppointmentType(database, actorOf(app, req), req.params.code, parsed.data);
    if (isRefusal(type)) return page(req, reply, { values, errors: type.fields ?? {} }, 400);
    return page(req, reply, { saved: `${type.name} saved. New bookings use these settings.` });
  });

  app.post<ActionParams>('/staff/setup/types/:code/:action', { config: ADMIN_ONLY }, async (req, reply) => {
    const done = await changeAppointmentType(database, actorOf(app, req), req.params.code, req.params.action);
    if (isRefusal(done)) return page(req, reply, { problem: done.message }, done.statusCode);
    if (done.action === 'deleted') return list(req, reply, typeChangeMessage(done));
    return page(req, reply, { saved: typeChangeMessage(done) });
  });
}
