import type { FastifyInstance } from 'fastify';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { patientSummary } from './summary-service.ts';
import { SummaryPage } from './summary-views.tsx';

/** The patient's clinical summary, for nurses and providers of the patient's locations (an audited read). */
export async function summaryRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  app.get<{ Params: { id: string } }>(
    '/staff/patients/:id/summary',
    { config: { policy: { roles: CLINICAL_RECORD_ROLES } } },
    async (req, reply) => {
      const staff = staffOf(req);
      const data = await patientSummary(database, { staff, ip: req.ip, now: app.deps.now() }, req.params.id);
      return html(reply, SummaryPage({ staff, data }));
    },
  );
}
