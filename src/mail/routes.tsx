import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../kernel/audit/staff-audit.ts';
import type { Role } from '../kernel/db/schema.ts';
import { html, staffOf } from '../kernel/http/reply.ts';
import { notFound } from '../kernel/refusal.ts';
import { mailOverview, retryAllMessages, retryMessage } from './service.ts';
import { MailPage } from './views.tsx';

const messageParams = z.object({ id: z.string().regex(/^[0-9A-Za-z-]{1,64}$/) });
const doneQuery = z.object({ retried: z.coerce.number().int().min(0).max(100_000).optional() });

/** The mail page for administrators: the backlog, failed messages, and Retry (one, or all). */
export async function mailRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const admin = { policy: { roles: ['admin'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/mail', { config: admin }, async (req, reply) => {
    const query = doneQuery.safeParse(req.query);
    const retried = query.success ? query.data.retried : undefined;
    const notice =
      retried === undefined
        ? undefined
        : `${retried} message${retried === 1 ? ' is' : 's are'} being sent again. Refresh to see the result.`;
    const overview = await mailOverview(deps.database, deps.now());
    return html(reply, MailPage({ staff: staffOf(req), overview, ...(notice ? { notice } : {}) }));
  });

  app.post('/staff/mail/:id/retry', { config: admin }, async (req, reply) => {
    const params = messageParams.safeParse(req.params);
    if (!params.success) throw notFound('That message');
    const result = await retryMessage(deps.database, actorOf(req), params.data.id);
    if (!result.ok) throw result;
    deps.onOutbox?.();
    return reply.code(303).redirect('/staff/mail?retried=1');
  });

  app.post('/staff/mail/retry-all', { config: admin }, async (req, reply) => {
    const n = await retryAllMessages(deps.database, actorOf(req));
    deps.onOutbox?.();
    return reply.code(303).redirect(`/staff/mail?retried=${n}`);
  });
}
