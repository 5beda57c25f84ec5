import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, notFound, type Refusal } from '../../kernel/refusal.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { controlledLog, LOG_ROLES, type LogQuery } from './controlled-log.ts';
import { ControlledLogPage, LOG_PATH, logCsv } from './controlled-log-views.tsx';
import { recordReceipt } from './controlled-receipt.ts';
import { recordWaste } from './controlled-waste.ts';
import { sessionView } from './read.ts';
import { sessionPage } from './page.tsx';
import { sessionHref } from './views.tsx';

const sessionParams = z.object({ id: z.string().max(64), session: z.string().max(64) });
const logQuery = z.object({
  location: z.string().max(64).optional(),
  from: z.string().max(32).optional(),
  to: z.string().max(32).optional(),
  saved: z.string().max(32).optional(),
});

const str = (body: Record<string, unknown>, key: string) => (typeof body[key] === 'string' ? body[key] : '');

/** A typed amount in mg: up to 2 decimals, above 0. */
function wasteMg(raw: string): number | string {
  const text = raw.trim();
  if (!/^\d{1,5}(\.\d{1,2})?$/.test(text) || Number(text) <= 0)
    return 'Wasted: the mg wasted, above 0, up to 2 decimals, for example 2 or 1.75.';
  return Number(text);
}

/**
 * The controlled-substance record: a bag's waste on the session page (nurses and providers), and the log of a
 * location with its CSV and the stock received form (administrators; providers of the location).
 */
export async function controlledRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const logReaders = { policy: { roles: [...LOG_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.post('/staff/patients/:id/sessions/:session/waste', { config: clinical }, async (req, reply) => {
    const p = sessionParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Values = {
      bag: str(body, 'bag'),
      waste_mg: str(body, 'waste_mg'),
      witness: str(body, 'witness'),
    };
    const actor = actorOf(req);
    const rerender = async (errors: Errors, status: number) => {
      const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
      return html(reply, sessionPage(staffOf(req), view, { values, errors, area: 'controlled' }), status);
    };
    const mg = wasteMg(values.waste_mg ?? '');
    if (typeof mg === 'string') return rerender({ waste_mg: mg }, 400);
    const result = await recordWaste(deps.database, deps.config.secret, actor, p.data.id, p.data.session, {
      version: Number(str(body, 'version')),
      bagId: values.bag ?? '',
      mg,
      witnessId: values.witness ?? '',
      witnessCode: str(body, 'witness_code'),
    });
    if (!isRefusal(result)) return reply.code(303).redirect(`${sessionHref(p.data.id, p.data.session)}?saved=waste`);
    return refused(result, (errors) => rerender(errors, result.statusCode));
  });

  const logPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    q: LogQuery,
    form: { saved?: string; values?: Values; errors?: Errors } = {},
    status = 200,
  ) => {
    const log = await controlledLog(deps.database, actorOf(req), q);
    if (isRefusal(log)) throw log;
    const code = Object.keys(log.errors).length > 0 && status === 200 ? 400 : status;
    return html(reply, ControlledLogPage({ staff: staffOf(req), log, ...form }), code);
  };

  app.get(LOG_PATH, { config: logReaders }, async (req, reply) => {
    const q = logQuery.safeParse(req.query);
    if (!q.success) return logPage(req, reply, {}, { errors: { form: 'The filters were not understood.' } }, 400);
    const saved = q.data.saved === 'receipt' ? 'The stock received is recorded.' : undefined;
    return logPage(req, reply, q.data, saved ? { saved } : {});
  });

  app.get(`${LOG_PATH}.csv`, { config: logReaders }, async (req, reply) => {
    const q = logQuery.safeParse(req.query);
    if (!q.success) throw notFound();
    const log = await controlledLog(deps.database, actorOf(req), q.data, 'controlled.export');
    if (isRefusal(log)) throw log;
    return (
      reply
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="controlled-substances-${log.location.id}-${log.from}-${log.to}.csv"`,
        )
        .header('x-content-type-options', 'nosniff')
        .type('text/csv; charset=utf-8')
        // A byte-order mark, so spreadsheet programs read the file as UTF-8.
        .send(`\uFEFF${logCsv(log)}`)
    );
  });

  app.post(LOG_PATH, { config: logReaders }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Values = {};
    for (const key of ['location', 'lot', 'expires_on', 'mg', 'reference', 'received_day', 'received_time'])
      values[key] = str(body, key).slice(0, 200);
    const result = await recordReceipt(deps.database, actorOf(req), {
      location: values.location ?? '',
      lot: values.lot ?? '',
      expires_on: values.expires_on ?? '',
      mg: values.mg ?? '',
      reference: values.reference ?? '',
      received_day: values.received_day ?? '',
      received_time: values.received_time ?? '',
    });
    if (!isRefusal(result))
      return reply
        .code(303)
        .redirect(`${LOG_PATH}?${new URLSearchParams({ location: result.locationId, saved: 'receipt' }).toString()}`);
    const q = logQuery.safeParse(req.query);
    return refused(result, (errors) =>
      logPage(
        req,
        reply,
        { ...(q.success ? q.data : {}), location: values.location },
        { values, errors },
        result.statusCode,
      ),
    );
  });
}

/** A form's refusal (400 or 409) re-renders its page with the messages; 403 and 404 go to the app's error page. */
function refused<T>(refusal: Refusal, render: (errors: Errors) => Promise<T>): Promise<T> {
  if (refusal.statusCode === 403 || refusal.statusCode === 404) throw refusal;
  return render(refusal.fields ?? { form: refusal.message });
}
