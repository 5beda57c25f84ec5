import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../kernel/audit/staff-audit.ts';
import type { Role } from '../kernel/db/schema.ts';
import type { StaffContext } from '../kernel/http/policy.ts';
import { html, staffOf } from '../kernel/http/reply.ts';
import { notFound } from '../kernel/refusal.ts';
import { breakGlassReason, fieldErrors, newUserSchema, sessionParams, userActionParams } from './admin-schema.ts';
import {
  accountsOverview,
  breakGlass,
  createAccount,
  endSession,
  openSessions,
  setAccountDisabled,
} from './admin-service.ts';
import { BreakGlassPage, SessionsPage, UsersPage } from './admin-views.tsx';
import type { StaffDeps } from './deps.ts';

/** Administration of staff accounts and sessions (admins), and emergency access (providers). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const deps: StaffDeps = app.deps;
  const admin = { policy: { roles: ['admin'] as Role[] } };
  const provider = { policy: { roles: ['provider'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  async function usersPage(
    reply: FastifyReply,
    staff: StaffContext,
    extra: Partial<Parameters<typeof UsersPage>[0]> = {},
    status = 200,
  ) {
    const { users, locations } = await accountsOverview(deps);
    return html(reply, UsersPage({ staff, users, locations, ...extra }), status);
  }

  app.get('/staff/users', { config: admin }, async (req, reply) => usersPage(reply, staffOf(req)));

  app.post('/staff/users', { config: admin }, async (req, reply) => {
    const actor = actorOf(req);
    const body = (req.body ?? {}) as Record<string, string | string[]>;
    const parsed = newUserSchema.safeParse(body);
    if (!parsed.success) return usersPage(reply, actor.staff, { values: body, errors: fieldErrors(parsed.error) }, 400);
    const result = await createAccount(deps, actor, parsed.data);
    if (!result.ok) return usersPage(reply, actor.staff, { values: body, errors: result.fields }, result.statusCode);
    return usersPage(reply, actor.staff, { created: { email: parsed.data.email, link: result.link } });
  });

  app.post('/staff/users/:id/:action', { config: admin }, async (req, reply) => {
    const params = userActionParams.safeParse(req.params);
    if (!params.success) throw notFound('That account');
    const result = await setAccountDisabled(deps, actorOf(req), params.data.id, params.data.action);
    if (!result.ok) throw result;
    return reply.code(303).redirect('/staff/users');
  });

  app.get('/staff/sessions', { config: admin }, async (req, reply) =>
    html(reply, SessionsPage({ staff: staffOf(req), sessions: await openSessions(deps) })),
  );

  app.post('/staff/sessions/:idHash/end', { config: admin }, async (req, reply) => {
    const params = sessionParams.safeParse(req.params);
    if (!params.success) throw notFound('That session');
    const result = await endSession(deps, actorOf(req), params.data.idHash);
    if (!result.ok) throw result;
    return reply.code(303).redirect('/staff/sessions');
  });

  app.get('/staff/break-glass', { config: provider }, async (req, reply) =>
    html(reply, BreakGlassPage({ staff: staffOf(req) })),
  );

  app.post('/staff/break-glass', { config: provider }, async (req, reply) => {
    const actor = actorOf(req);
    const reason = breakGlassReason.parse((req.body as { reason?: unknown } | undefined)?.reason);
    const result = await breakGlass(deps, actor, reason);
    if (!result.ok) {
      const page = BreakGlassPage({ staff: actor.staff, reason: reason.slice(0, 200), error: result.message });
      return html(reply, page, result.statusCode);
    }
    return reply.code(303).redirect('/staff/leads');
  });
}
