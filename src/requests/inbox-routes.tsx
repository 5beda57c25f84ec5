import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { Refusal } from '../kernel/refusal.ts';
import { LeadPage } from './request-view.tsx';
import { formErrors, LEAD_ROLES, LEADS_PAGE_SIZE, listQuery, typedValues, type FormErrors } from './inbox-schema.ts';
import { leadsList, type LeadsFilterValues } from './inbox-list-service.ts';
import { viewLead, writeLead, type Actor, type LeadView, type LeadWrite } from './inbox-service.ts';
import { LeadsPage } from './inbox-views.tsx';

const policy = { roles: LEAD_ROLES };

/** The filters as a query string for pager links (defaults left out). */
function queryString(f: LeadsFilterValues, page: number, upto?: number): string {
  const params = new URLSearchParams();
  if (f.location) params.set('location', f.location);
  if (f.status) params.set('status', f.status);
  if (f.owner !== 'anyone') params.set('owner', f.owner);
  if (f.link !== 'any') params.set('link', f.link);
  params.set('from', f.from);
  params.set('to', f.to);
  if (page > 1) params.set('page', String(page));
  if (upto !== undefined) params.set('upto', String(upto));
  return `?${params.toString()}`;
}

type Params = { Params: { id: string } };

/** What a write's redirect says on the lead's page (PRG): only these words, never text from the address. */
const NOTICES = {
  link_sent: 'The booking link is on its way to their email address.',
  contacted: 'Marked as contacted by phone. The contact log has a note of it.',
} as const;
const DONE: Partial<Record<LeadWrite, keyof typeof NOTICES>> = {
  'resend-link': 'link_sent',
  'contacted-by-phone': 'contacted',
};

/** The front desk's leads inbox: the list with conversion figures, a request's page, and its status, owner and log. */
export async function leadsRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });

  app.get('/staff/leads', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    // Parsed here rather than by a route schema, so that sign-in and role come first (the guard runs after schemas).
    const parsed = listQuery.safeParse(req.query ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'Some of the filters are not valid.', formErrors(parsed.error));
    const q = parsed.data;
    const list = await leadsList(database, actor, q);
    const page = LeadsPage({
      staff: actor.staff,
      now: actor.now,
      locations: list.locations,
      filters: list.filters,
      conversion: list.conversion,
      rows: list.rows,
      page: q.page,
      pageSize: LEADS_PAGE_SIZE,
      prevHref: q.page > 1 ? `/staff/leads${queryString(list.filters, q.page - 1, list.upto)}` : undefined,
      nextHref: list.more ? `/staff/leads${queryString(list.filters, q.page + 1, list.upto)}` : undefined,
      undelivered: list.undelivered,
      undeliveredHref: `/staff/leads${queryString({ ...list.filters, link: 'undelivered' }, 1)}`,
    });
    return html(reply, page);
  });

  /** The request's page, optionally after a refused form (messages and typed values). */
  const leadPage = (actor: Actor, view: LeadView, refused?: { errors: FormErrors; body: unknown }, notice?: string) =>
    LeadPage({
      staff: actor.staff,
      now: actor.now,
      ...view,
      ...(refused ? { errors: refused.errors, values: typedValues(refused.body) } : {}),
      ...(notice ? { notice } : {}),
    });

  app.get<Params & { Querystring: { done?: unknown } }>(
    '/staff/leads/:id',
    { config: { policy } },
    async (req, reply) => {
      const actor = actorOf(req);
      const done = req.query.done;
      const notice =
        typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done as keyof typeof NOTICES] : undefined;
      return html(reply, leadPage(actor, await viewLead(database, actor, req.params.id), undefined, notice));
    },
  );

  const write = (form: LeadWrite) =>
    app.post<Params>(`/staff/leads/:id/${form}`, { config: { policy } }, async (req, reply) => {
      const actor = actorOf(req);
      const result = await writeLead(database, actor, req.params.id, form, req.body);
      if (result.ok) {
        const done = DONE[form];
        if (done === 'link_sent') app.deps.onOutbox?.();
        return reply.code(303).redirect(`/staff/leads/${result.leadId}${done ? `?done=${done}` : ''}`);
      }
      return html(reply, leadPage(actor, result.view, { errors: result.errors, body: req.body }), result.status);
    });

  write('status');
  write('owner');
  write('notes');
  write('waitlist');
  write('resend-link');
  write('contacted-by-phone');
}
