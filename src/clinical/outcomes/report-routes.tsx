import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal } from '../../kernel/refusal.ts';
import { PRESCRIBER_ROLES } from '../patient-access.ts';
import { downloadExport, exportFor, startExport } from './export-service.ts';
import { downloadHref, exportHref, ExportPage } from './export-views.tsx';
import { rawFilters } from './report-filters.ts';
import { checkFilters, reportChoices, responderReport } from './report-service.ts';
import { OutcomesReportPage } from './report-views.tsx';

/**
 * The clinic's outcomes report and its de-identified export: providers (the medical director is one). The export
 * button starts a job; if it is ready within a moment (`EXPORT_WAIT_MS`, 1 s by default) the file downloads at once,
 * else the export's own page shows its progress.
 */
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

  app.post('/staff/outcomes/exports', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const raw = rawFilters(req.body);
    const choices = await reportChoices(deps.database, actor);
    let filters;
    try {
      filters = await checkFilters(deps.database, actor, choices, raw, 'outcomes.export');
    } catch (e) {
      if (!isRefusal(e) || !e.fields) throw e;
      return html(reply, OutcomesReportPage({ staff: actor.staff, choices, values: raw, errors: e.fields }), 400);
    }
    const job = await startExport(deps.database, actor, choices, filters);
    const run = deps.onExport?.();
    if (run && deps.config.exportWaitMs > 0) await Promise.race([run, delay(deps.config.exportWaitMs)]);
    const now = await exportFor(deps.database, { ...actor, now: deps.now() }, job.id);
    return reply.code(303).redirect(now.status === 'ready' ? downloadHref(job.id) : exportHref(job.id));
  });

  app.get<{ Params: { id: string } }>('/staff/outcomes/exports/:id', { config: providers }, async (req, reply) => {
    const actor = actorOf(req);
    const job = await exportFor(deps.database, actor, req.params.id);
    const choices = await reportChoices(deps.database, actor);
    const protocolName = job.protocol
      ? (choices.protocols.find((p) => p.code === job.protocol)?.name ?? job.protocol)
      : 'every protocol';
    const location = choices.locations.find((l) => l.id === job.location_id);
    return html(
      reply,
      ExportPage({
        staff: actor.staff,
        job,
        protocolName,
        locationName: job.location_id ? (location?.name ?? job.location_id) : 'all my locations',
        zone: location?.zone ?? choices.locations[0]?.zone ?? 'UTC',
      }),
    );
  });

  app.get<{ Params: { id: string } }>(
    '/staff/outcomes/exports/:id/download',
    { config: providers },
    async (req, reply) => {
      const actor = actorOf(req);
      const { job, body } = await downloadExport(deps.database, actor, req.params.id);
      if (body === null) return reply.code(303).redirect(exportHref(job.id));
      const day = new Date(Number(job.created_at)).toISOString().slice(0, 10);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="relief-outcomes-${day}.csv"`)
        .header('x-content-type-options', 'nosniff')
        .type('text/csv; charset=utf-8')
        .send(Readable.from(body));
    },
  );
}
