import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import type { Errors } from '../../kernel/ui/form.tsx';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { sessionFor } from './access.ts';
import { acknowledgeAlert } from './alerts-service.ts';
import { actionField, OpenAlerts } from './alerts-views.tsx';
import { sessionPage } from './page.tsx';
import { sessionView } from './read.ts';
import { sessionHref } from './views.tsx';

const alertParams = z.object({
  id: z.string().max(64),
  session: z.string().max(64),
  alert: z.string().max(64),
});

const text = (body: Record<string, unknown>, key: string) => (typeof body[key] === 'string' ? body[key] : '');

/** Acknowledging an alert with the action taken (nurses and providers of the session's location). */
export async function sessionAlertRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.post(
    '/staff/patients/:id/sessions/:session/alerts/:alert/acknowledge',
    { config: clinical },
    async (req, reply) => {
      const p = alertParams.safeParse(req.params);
      if (!p.success) throw notFound();
      const actor = actorOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const access = await sessionFor(deps.database, actor, p.data.id, p.data.session, 'session.alert.acknowledge');
      const action = text(body, 'action');
      const result = await acknowledgeAlert(deps.database, actor, access, {
        alertId: p.data.alert,
        version: text(body, 'version'),
        action,
      });
      if (result.ok)
        return reply
          .code(303)
          .redirect(`${sessionHref(access.patient.id, access.session.id)}?saved=alert-acknowledged`);
      // The page again, as it is now, with the message under this alert's own box (its text kept).
      const field = actionField(p.data.alert);
      const errors: Errors = {};
      for (const [key, message] of Object.entries(result.fields ?? { action: result.message }))
        errors[key === 'action' ? field : key] = message;
      const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
      const staff = staffOf(req);
      return html(
        reply,
        sessionPage(staff, view, { errors, top: OpenAlerts({ staff, view, values: { [field]: action }, errors }) }),
        result.statusCode,
      );
    },
  );
}
