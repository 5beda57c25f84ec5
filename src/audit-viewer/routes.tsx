import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Actor } from '../kernel/audit/staff-audit.ts';
import { staffOf } from '../kernel/http/reply.ts';
import { renderDocument } from '../kernel/ui/jsx.ts';
import { auditQuery, filterValues, type AuditFilterValues } from './schema.ts';
import { AUDIT_EXPORT_LIMIT, AUDIT_PAGE_SIZE, auditExport, auditPage } from './service.ts';
import { AuditPage, auditCsv } from './views.tsx';

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

  typed.get('/staff/audit', { config: adminOnly, schema: { querystring: auditQuery } }, async (req, reply) => {
    const actor = actorOf(req);
    const filters = filterValues(req.query);
    const page = req.query.page ?? 1;
    const { rows, hasNext, upto } = await auditPage(database, actor, filters, page, req.query.upto);
    const page_ = AuditPage({
      staff: actor.staff,
      filters,
      rows,
      page,
      pageSize: AUDIT_PAGE_SIZE,
      prevHref: page > 1 ? `/staff/audit${queryString(filters, page - 1, upto)}` : undefined,
      nextHref: hasNext ? `/staff/audit${queryString(filters, page + 1, upto)}` : undefined,
      csvHref: `/staff/audit.csv${queryString(filters)}`,
      exportLimit: AUDIT_EXPORT_LIMIT,
    });
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page_));
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
