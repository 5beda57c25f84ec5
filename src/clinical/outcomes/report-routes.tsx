import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal } from '../../kernel/refusal.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { outcomesExport } from './report-export.ts';
import { rawFilters } from './report-filters.ts';
import { checkFilters, reportChoices, responderReport } from './report-service.ts';
import { OutcomesReportPage } from './report-views.tsx';

/** The clinic's outcomes report and its de-identified export: providers (the medical director is one). */
export async function outcomesReportRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const providers = { policy: { roles: [...PRESCRIBER_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/outcomes', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const raw = rawFilters(req.query);
    const choices = await reportChoices(deps.database, actor);
    try {
      const filters = await checkFilters(deps.database, actor, choices, raw, 'outcomes.report.view');
      const data = await responderReport(deps.database, actor, choices, filters);
      return html(reply, OutcomesReportPage({ staff: actor.staff, choices, values: raw, data }));
    } catch (e) {
      if (!isRefusal(e) || !e.fields) throw e;
      return html(reply, OutcomesReportPage({ staff: actor.staff, choices, values: raw, errors: e.fields }), 400);
    }
  });

  app.get('/staff/outcomes.csv', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const choices = await reportChoices(deps.database, actor);
    const filters = await checkFilters(deps.database, actor, choices, rawFilters(req.query), 'outcomes.export');
    const { body } = await outcomesExport(deps.database, actor, choices, filters);
    const day = new Date(actor.now).toISOString().slice(0, 10);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="relief-outcomes-${day}.csv"`)
      .header('x-content-type-options', 'nosniff')
      .type('text/csv; charset=utf-8')
      .send(Readable.from(body));
  });
}
