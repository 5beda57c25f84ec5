import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { sessionPage } from './page.tsx';
import { patientSessionList, sessionView } from './read.ts';
import { SessionListPage } from './views.tsx';

const params = z.object({ id: z.string().max(64) });
const sessionParams = params.extend({ session: z.string().max(64) });
const savedQuery = z.object({ saved: z.string().max(40).optional() });

/** A patient's infusion sessions and each session's page (nurses and providers). */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/patients/:id/sessions', { config: clinical }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    const list = await patientSessionList(deps.database, actorOf(req), p.data.id);
    return html(reply, SessionListPage({ staff: staffOf(req), list }));
  });

  app.get('/staff/patients/:id/sessions/:session', { config: clinical }, async (req, reply) => {
    const p = sessionParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
    const q = savedQuery.safeParse(req.query);
    return html(reply, sessionPage(staffOf(req), view, { saved: q.success ? q.data.saved : undefined }));
  });
}
