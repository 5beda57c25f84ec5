import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import {
  answerForPatient,
  questionnaireForStaff,
  questionnairesTab,
  startVisitQuestionnaire,
} from './questionnaire-staff-service.ts';
import { QuestionnaireFillPage, QuestionnairesTabPage } from './questionnaire-staff-views.tsx';

const savedQuery = z.object({ saved: z.enum(['complete', 'partial']).optional() });
const SAVED = {
  complete: 'Saved as complete and scored.',
  partial: 'Saved. Not scored until every question is answered.',
};

/** Nurses and providers: a patient's questionnaires and diary, and answers entered at a visit. */
export async function questionnaireStaffRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const { database } = deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const param = (req: FastifyRequest, key: string) => (req.params as Record<string, string | undefined>)[key];
  const savedOf = (req: FastifyRequest) => {
    const q = savedQuery.safeParse(req.query);
    return q.success && q.data.saved ? SAVED[q.data.saved] : undefined;
  };

  app.get('/staff/patients/:id/questionnaires', { config: clinical }, async (req, reply) => {
    const actor = actorOf(req);
    const view = await questionnairesTab(database, actor, param(req, 'id'));
    return html(reply, QuestionnairesTabPage({ staff: actor.staff, ...view, now: actor.now, saved: savedOf(req) }));
  });

  app.post('/staff/patients/:id/questionnaires', { config: clinical }, async (req, reply) => {
    const made = await startVisitQuestionnaire(database, actorOf(req), param(req, 'id'));
    return reply.code(303).redirect(`/staff/patients/${made.patientId}/questionnaires/${made.questionnaireId}`);
  });

  app.get('/staff/patients/:id/questionnaires/:q', { config: clinical }, async (req, reply) => {
    const actor = actorOf(req);
    const view = await questionnaireForStaff(database, actor, param(req, 'id'), param(req, 'q'));
    return html(reply, QuestionnaireFillPage({ staff: actor.staff, view, now: actor.now, saved: savedOf(req) }));
  });

  app.post('/staff/patients/:id/questionnaires/:q', { config: clinical }, async (req, reply) => {
    const actor = actorOf(req);
    const result = await answerForPatient(database, actor, param(req, 'id'), param(req, 'q'), req.body);
    if (result.ok) {
      const { view } = result;
      const to =
        result.done === 'complete'
          ? `/staff/patients/${view.patient.id}/questionnaires?saved=complete`
          : `/staff/patients/${view.patient.id}/questionnaires/${view.q.id}?saved=partial`;
      return reply.code(303).redirect(to);
    }
    // A form refused as stale shows what is saved now, so that a second try is based on it.
    const view =
      result.refusal.code === 'conflict'
        ? await questionnaireForStaff(database, actor, param(req, 'id'), param(req, 'q'))
        : result.view;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    if (result.refusal.code === 'invalid_request')
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && v.length <= 10) values[k] = v;
    return html(
      reply,
      QuestionnaireFillPage({
        staff: actor.staff,
        view,
        now: actor.now,
        errors: result.refusal.fields ?? { questionnaire: result.refusal.message },
        ...(result.refusal.code === 'invalid_request' ? { values } : {}),
      }),
      result.refusal.statusCode,
    );
  });
}
