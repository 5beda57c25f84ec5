import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal } from '../../kernel/refusal.ts';
import { visibleLocations } from '../../patients/service.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { safetyRates } from './rates-service.ts';
import { RatesPage } from './rates-views.tsx';
import { closeFlag, readFilters, safetyWorklist, takeFlag, viewFlag, worklistQuery } from './worklist-service.ts';
import { SafetyFlagPage, SafetyWorklistPage } from './worklist-views.tsx';

const SAVED: Record<string, string> = {
  taken: 'You own this flag now.',
  closed: 'Assessment recorded; the flag is closed.',
  lifted: 'Assessment recorded; the flag is closed and the hold on infusions is lifted.',
};

/** The safety worklist, its flags and the clinic's rates: providers only (the medical director is a provider). */
export async function safetyRoutes(app: FastifyInstance): Promise<void> {
  const { database } = app.deps;
  const providers = { policy: { roles: [...PRESCRIBER_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: app.deps.now() });
  const idOf = (req: FastifyRequest) => (req.params as { id?: string }).id;
  const savedOf = (req: FastifyRequest) => {
    const q = worklistQuery.safeParse(req.query);
    return q.success && q.data.saved ? SAVED[q.data.saved] : undefined;
  };

  app.get('/staff/safety', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const query = worklistQuery.safeParse(req.query);
    const raw = query.success ? query.data : {};
    const locations = (await visibleLocations(database.db, actor)).filter((l) =>
      actor.staff.locationIds.includes(l.id),
    );
    const filters = readFilters(actor, raw);
    if (isRefusal(filters)) {
      const fallback = { location: '', kind: '', state: 'active' as const };
      const rows = await safetyWorklist(database, actor, fallback);
      return html(
        reply,
        SafetyWorklistPage({ staff: actor.staff, rows, filters: fallback, locations, errors: filters.fields ?? {} }),
        400,
      );
    }
    const rows = await safetyWorklist(database, actor, filters);
    return html(reply, SafetyWorklistPage({ staff: actor.staff, rows, filters, locations, saved: savedOf(req) }));
  });

  app.get('/staff/safety/rates', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const rates = await safetyRates(database, actor);
    return html(reply, RatesPage({ staff: actor.staff, ...rates }));
  });

  app.get('/staff/safety/:id', { config: providers }, async (req, reply) => {
    const flag = await viewFlag(database, actorOf(req), idOf(req));
    return html(reply, SafetyFlagPage({ staff: staffOf(req), flag, saved: savedOf(req) }));
  });

  app.post('/staff/safety/:id/take', { config: providers }, async (req, reply) => {
    const result = await takeFlag(database, actorOf(req), idOf(req));
    if (isRefusal(result)) throw result;
    return reply.code(303).redirect(`/staff/safety/${idOf(req)}?saved=taken`);
  });

  app.post('/staff/safety/:id/close', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const result = await closeFlag(database, actor, idOf(req), req.body);
    if (!isRefusal(result))
      return reply.code(303).redirect(`/staff/safety/${idOf(req)}?saved=${result.holds ? 'lifted' : 'closed'}`);
    if (result.code !== 'invalid_request') throw result;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof body[k] === 'string' ? body[k].slice(0, 4000) : '');
    const flag = await viewFlag(database, actor, idOf(req));
    return html(
      reply,
      SafetyFlagPage({
        staff: actor.staff,
        flag,
        errors: result.fields ?? {},
        values: { assessment: text('assessment'), action: text('action') },
      }),
      400,
    );
  });
}
