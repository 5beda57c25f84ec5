import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../kernel/http/reply.ts';
import { Refusal } from '../kernel/refusal.ts';
import { auditPatientSearch, auditQuery, filterValues, type AuditFilterValues, type AuditQuery } from './schema.ts';
import {
  AUDIT_EXPORT_LIMIT,
  AUDIT_PAGE_SIZE,
  auditExport,
  auditPage,
  auditPatientSearch as searchPatients,
} from './service.ts';
import { AuditPage, auditCsv, type PatientMatches } from './views.tsx';

/** The filters as a query string, for pager and CSV links (absent filters left out). */
function queryString(filters: AuditFilterValues, page?: number, upto?: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters) as Array<[string, string | undefined]>)
    if (value !== undefined) params.set(key, value);
  if (page !== undefined && page > 1) params.set('page', String(page));
  if (upto !== undefined && page !== undefined) params.set('upto', String(upto));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function exportFileName(now: number): string {
  const iso = new Date(now).toISOString();
  return `relief-audit-${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '')}Z.csv`;
}

/** The admin-only audit viewer: a filtered, paged table and a CSV export; each use is itself audited. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });
  const adminOnly = { policy: { roles: ['admin' as const] } };

  /** The first page (or `page`) of the filtered trail, with the patient search's matches when one was made. */
  const listPage = async (
    actor: Actor,
    q: Pick<AuditQuery, 'page' | 'upto'>,
    filters: AuditFilterValues,
    matches?: PatientMatches,
  ) => {
    const page = q.page ?? 1;
    const { rows, hasNext, upto, names } = await auditPage(database, actor, filters, page, q.upto);
    return AuditPage({
      staff: actor.staff,
      filters,
      rows,
      names,
      page,
      pageSize: AUDIT_PAGE_SIZE,
      prevHref: page > 1 ? `/staff/audit${queryString(filters, page - 1, upto)}` : undefined,
      nextHref: hasNext ? `/staff/audit${queryString(filters, page + 1, upto)}` : undefined,
      csvHref: `/staff/audit.csv${queryString(filters)}`,
      exportLimit: AUDIT_EXPORT_LIMIT,
      patientHref: (ref) => `/staff/audit${queryString({ ...filters, patient_ref: ref })}`,
      anyPatientHref: `/staff/audit${queryString({ ...filters, patient_ref: undefined })}`,
      ...(matches ? { matches } : {}),
    });
  };

  typed.get('/staff/audit', { config: adminOnly, schema: { querystring: auditQuery } }, async (req, reply) => {
    const actor = actorOf(req);
    return html(reply, await listPage(actor, req.query, filterValues(req.query)));
  });

  // Finding a patient to filter by: posted, so that the name typed stays out of the address and the logs (as the
  // patients page does); each match is a plain link to the trail filtered by that patient's id.
  app.post('/staff/audit', { config: adminOnly }, async (req, reply) => {
    const actor = actorOf(req);
    const parsed = auditPatientSearch.safeParse(req.body ?? {});
    const typedQ = (req.body as { q?: unknown } | undefined)?.q;
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'q')] ??= issue.message;
      // A bad filter carried along is the address's fault, not the search's: refused as the GET would refuse it.
      const filters = auditQuery.omit({ page: true, upto: true }).safeParse(req.body ?? {});
      if (!filters.success || !fields.q)
        throw new Refusal('invalid_request', 'Some of the filters are not valid.', fields);
      const q = typeof typedQ === 'string' ? typedQ.slice(0, 100) : '';
      return html(reply, await listPage(actor, {}, filterValues(filters.data), { q, error: fields.q }), 400);
    }
    const { q, ...rest } = parsed.data;
    const found = await searchPatients(database, actor, q);
    return html(reply, await listPage(actor, {}, filterValues(rest), { q, ...found }));
  });

  typed.get('/staff/audit.csv', { config: adminOnly, schema: { querystring: auditQuery } }, async (req, reply) => {
    const actor = actorOf(req);
    const { rows } = await auditExport(database, actor, filterValues(req.query));
    return (
      reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${exportFileName(actor.now)}"`)
        .header('x-content-type-options', 'nosniff')
        .type('text/csv; charset=utf-8')
        // A byte-order mark, so spreadsheet programs read the file as UTF-8.
        .send(`\uFEFF${auditCsv(rows)}`)
    );
  });
}
