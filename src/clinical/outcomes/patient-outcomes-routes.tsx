import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { patientOutcomesPage } from './patient-outcomes-service.ts';
import { PatientOutcomesPage } from './patient-outcomes-views.tsx';

const params = z.object({ id: z.string().max(64) });

/** A patient's outcomes tab (nurses and providers). */
export async function patientOutcomesRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/patients/:id/outcomes', { config: clinical }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    const { patient, outcomes } = await patientOutcomesPage(deps.database, actorOf(req), p.data.id);
    return html(reply, PatientOutcomesPage({ staff: staffOf(req), patient, data: outcomes }));
  });
}
