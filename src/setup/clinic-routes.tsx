import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StaffContext } from '../kernel/http/policy.ts';
import { html, staffOf } from '../kernel/http/reply.ts';
import { DEFAULT_BRAND, logoPath } from '../kernel/ui/brand/brand.ts';
import { clinicForm, clinicValues } from './clinic-schema.ts';
import { clinicSettings, saveClinicSettings } from './clinic-service.ts';
import { ClinicPage } from './clinic-views.tsx';
import { errorsOf, valuesOf, type Errors, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import { logoSetupRoutes } from './logo-routes.tsx';

export async function clinicSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;

  const show = async (
    reply: FastifyReply,
    staff: StaffContext,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) => {
    const clinic = await clinicSettings(database);
    const brand = clinic?.brand ?? DEFAULT_BRAND;
    // The frame shows the brand as saved now, even when this request has just changed it.
    const page = ClinicPage({
      staff: { ...staff, brand },
      values: extra.values ?? (clinic ? clinicValues(clinic) : {}),
      logo: logoPath(brand),
      errors: extra.errors ?? {},
      saved: extra.saved,
    });
    return html(reply, page, status);
  };

  app.get('/staff/setup/clinic', { config: ADMIN_ONLY }, async (req, reply) => show(reply, staffOf(req)));

  app.post('/staff/setup/clinic', { config: ADMIN_ONLY }, async (req, reply) => {
    const staff = staffOf(req);
    const parsed = clinicForm.safeParse(req.body ?? {});
    if (!parsed.success) return show(reply, staff, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    await saveClinicSettings(database, actorOf(app, req), parsed.data);
    return show(reply, staff, { saved: 'Clinic settings saved.' });
  });

  await app.register(logoSetupRoutes, { show });
}
