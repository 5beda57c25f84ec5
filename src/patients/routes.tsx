import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { z } from 'zod';
import { Refusal } from '../kernel/refusal.ts';
import { auditAlone, locationScope, PATIENT_ROLES, patientFor, type Actor } from './access.ts';
import {
  PATIENT_SEARCH_LIMIT,
  patientAppointments,
  patientRequests,
  requestNotes,
  searchPatients,
} from './repository.ts';
import { PatientPage, PatientsPage } from './views.tsx';

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
  const db = database.db;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });

  app.get('/staff/patients', { config: { policy } }, async (req, reply) =>
    html(reply, PatientsPage({ staff: staffOf(req), q: '', results: undefined, more: false, tooShort: false })),
  );

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
    const found = await searchPatients(db, await locationScope(db, actor), text);
    const results = found.slice(0, PATIENT_SEARCH_LIMIT);
    // The count only: what was searched for can itself identify someone, so it stays out of the trail.
    await auditAlone(
      database,
      actor,
      'patient.search',
      'success',
      { locationId: null, patientRef: null },
      { results: results.length, more: found.length > results.length },
    );
    return html(
      reply,
      PatientsPage({ staff: actor.staff, q: text, results, more: found.length > results.length, tooShort: false }),
    );
  });

  app.get<{ Params: { id: string } }>('/staff/patients/:id', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const { patient, linked, where } = await patientFor(database, actor, req.params.id, 'patient.view');
    const scope = await locationScope(db, actor);
    const [appointments, requests] = await Promise.all([
      patientAppointments(db, patient.id, scope),
      patientRequests(db, patient.id, scope),
    ]);
    const notes = await requestNotes(
      db,
      requests.map((r) => r.id),
    );
    await auditAlone(database, actor, 'patient.view', 'success', where, {
      appointments: appointments.length,
      requests: requests.length,
      notes: notes.length,
    });
    const partial = scope !== 'all' && linked.some((l) => !scope.includes(l));
    return html(
      reply,
      PatientPage({ staff: actor.staff, now: actor.now, patient, appointments, requests, notes, partial }),
    );
  });
}
