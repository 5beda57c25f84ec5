import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { errorsOf, valuesOf, type Errors, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { typeForm, typeValues } from './type-schema.ts';
import { appointmentTypeOr404, appointmentTypes, saveAppointmentType } from './type-service.ts';
import { TypePage, TypesPage } from './type-views.tsx';

type Params = { Params: { code: string } };

export async function typeSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;

  const page = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) => {
    const type = await appointmentTypeOr404(database, req.params.code);
    return html(
      reply,
      TypePage({
        staff: staffOf(req),
        type,
        values: extra.values ?? typeValues(type),
        errors: extra.errors ?? {},
        saved: extra.saved,
      }),
      status,
    );
  };

  app.get('/staff/setup/types', { config: ADMIN_ONLY }, async (req, reply) =>
    html(reply, TypesPage({ staff: staffOf(req), types: await appointmentTypes(database) })),
  );

  app.get<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => page(req, reply));

  app.post<Params>('/staff/setup/types/:code', { config: ADMIN_ONLY }, async (req, reply) => {
    const parsed = typeForm.safeParse(req.body ?? {});
    if (!parsed.success) return page(req, reply, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    const type = await saveAppointmentType(database, actorOf(app, req), req.params.code, parsed.data);
    return page(req, reply, { saved: `${type.name} saved. New bookings use these times.` });
  });
}
