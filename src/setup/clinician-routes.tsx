import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, staffOf } from '../kernel/http/reply.ts';
import { addClinician, clinicianToEdit, clinicians, editClinician } from './clinician-service.ts';
import { ClinicianEditPage, ClinicianListPage, clinicianValues } from './clinician-views.tsx';
import { checkbox, errorsOf, plain, valuesOf, whole, type Errors, type Values } from './forms.ts';
import { actorOf, ADMIN_ONLY } from './http.ts';
import type { ConflictRow } from './impact.ts';

type Params = { Params: { id: string } };

const details = { name: plain('name', 2, 80), credentials: plain('credentials', 0, 80) };
const addForm = z.object({ ...details, kind: z.enum(['provider', 'nurse'], { error: 'Choose provider or nurse.' }) });
/** Clinics staff one nurse for one to a few chairs; six is a hard ceiling the database holds too. */
const capacity = whole('number of infusions at once', 1, 6, 'infusions');
/** A supervising provider oversees a handful of chairs on site (issue 11 §5); twelve is the database's ceiling too. */
const supervision = whole('number of infusions supervised at once', 1, 12, 'infusions');
const editForm = z.object({
  ...details,
  active: checkbox,
  watches_at_once: capacity.optional(),
  supervises_at_once: supervision.optional(),
});

/** The clinic's providers and nurses: add one, change name, credentials and whether they are offered for booking. */
export async function clinicianSetupRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;

  const list = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string } = {},
    status = 200,
  ) =>
    html(
      reply,
      ClinicianListPage({
        staff: staffOf(req),
        clinicians: await clinicians(database),
        values: extra.values ?? { kind: 'provider' },
        errors: extra.errors ?? {},
        saved: extra.saved,
      }),
      status,
    );

  // The pages were under /staff/setup/providers until providers and nurses became clinicians (migration 011): old
  // bookmarks and open forms keep working; 308 keeps a form post a post.
  const moved = (req: FastifyRequest, reply: FastifyReply) =>
    reply.redirect(req.url.replace('/staff/setup/providers', '/staff/setup/clinicians'), 308);
  for (const url of ['/staff/setup/providers', '/staff/setup/providers/*']) {
    app.get(url, { config: ADMIN_ONLY }, moved);
    app.post(url, { config: ADMIN_ONLY }, moved);
  }

  app.get('/staff/setup/clinicians', { config: ADMIN_ONLY }, async (req, reply) => list(req, reply));

  app.post('/staff/setup/clinicians', { config: ADMIN_ONLY }, async (req, reply) => {
    const parsed = addForm.safeParse(req.body ?? {});
    if (!parsed.success) return list(req, reply, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    await addClinician(database, actorOf(app, req), parsed.data);
    return list(req, reply, { saved: `${parsed.data.name} added. Give them a weekly schedule so they can be booked.` });
  });

  const edit = async (
    req: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { values?: Values; errors?: Errors; saved?: string; conflicts?: ConflictRow[] } = {},
    status = 200,
  ) => {
    const clinician = await clinicianToEdit(database, req.params.id);
    return html(
      reply,
      ClinicianEditPage({
        staff: staffOf(req),
        clinician,
        values: extra.values ?? clinicianValues(clinician),
        errors: extra.errors ?? {},
        saved: extra.saved,
        conflicts: extra.conflicts,
      }),
      status,
    );
  };

  app.get<Params>('/staff/setup/clinicians/:id', { config: ADMIN_ONLY }, async (req, reply) => edit(req, reply));

  app.post<Params>('/staff/setup/clinicians/:id', { config: ADMIN_ONLY }, async (req, reply) => {
    const parsed = editForm.safeParse(req.body ?? {});
    if (!parsed.success) return edit(req, reply, { values: valuesOf(req.body), errors: errorsOf(parsed.error) }, 400);
    const { name, active } = parsed.data;
    const conflicts = await editClinician(database, actorOf(app, req), req.params.id, parsed.data);
    return edit(req, reply, {
      saved: active ? `${name} saved.` : `${name} saved; no longer offered for booking.`,
      conflicts,
    });
  });
}
