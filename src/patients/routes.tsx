import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { Refusal } from '../kernel/refusal.ts';
import { findPatients, PATIENT_ROLES, patientRecord, type Actor } from './service.ts';
import { PatientPage, PatientsPage } from './views.tsx';
import { inTreatment } from '../clinical/service.ts';

const policy = { roles: PATIENT_ROLES };
export const SEARCH_MIN = 2;
const searchQuery = z.object({
  q: z
    .string({ error: 'Enter a name, email address or phone number.' })
    .trim()
    .max(100, 'Use at most 100 characters.')
    .optional(),
});

/** Patient search and the patient's page, both limited to the person's locations and audited. */
export async function patientRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });

  // Clinicians also see who is in treatment, each a link to their clinical summary (two clicks to a pain chart).
  app.get('/staff/patients', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const treated = await inTreatment(database, actor);
    return html(
      reply,
      PatientsPage({
        staff: actor.staff,
        q: '',
        results: undefined,
        more: false,
        tooShort: false,
        inTreatment: treated,
      }),
    );
  });

  // A search is posted, not put in the address: names, emails and phone numbers would otherwise stay in the
  // browser's history on a shared front-desk computer and in any proxy's access log.
  app.post('/staff/patients', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const parsed = searchQuery.safeParse(req.body ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'The search is not valid.', {
        q: parsed.error.issues[0]?.message ?? 'Not valid.',
      });
    const text = parsed.data.q ?? '';
    if (text.length < SEARCH_MIN) {
      return html(
        reply,
        PatientsPage({ staff: actor.staff, q: text, results: undefined, more: false, tooShort: text.length > 0 }),
        text.length > 0 ? 400 : 200,
      );
    }
    const { results, more } = await findPatients(database, actor, text);
    return html(reply, PatientsPage({ staff: actor.staff, q: text, results, more, tooShort: false }));
  });

  app.get<{ Params: { id: string } }>('/staff/patients/:id', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const record = await patientRecord(database, actor, req.params.id);
    return html(reply, PatientPage({ staff: actor.staff, now: actor.now, ...record }));
  });
}
