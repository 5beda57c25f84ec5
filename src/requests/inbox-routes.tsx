import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html, staffOf } from '../kernel/http/reply.ts';
import { Refusal } from '../kernel/refusal.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { LeadPage } from './request-view.tsx';
import {
  conversion,
  leadAppointments,
  leadNotes,
  listLeads,
  listLocations,
  ownerChoices,
  type Lead,
} from './inbox-repository.ts';
import {
  formErrors,
  LEAD_ROLES,
  LEADS_PAGE_SIZE,
  listQuery,
  period,
  periodBounds,
  typedValues,
  type FormErrors,
} from './inbox-schema.ts';
import { waitingEntriesFor } from '../waitlist/service.ts';
import {
  addNote,
  addToWaitlist,
  assignOwner,
  audit,
  auditView,
  changeStatus,
  leadFor,
  type Actor,
  type LeadAction,
  type WriteResult,
} from './inbox-service.ts';
import { LeadsPage, type LeadsFilterValues } from './inbox-views.tsx';

const policy = { roles: LEAD_ROLES };

/** The filters as a query string for pager links (defaults left out). */
function queryString(f: LeadsFilterValues, page: number, upto?: number): string {
  const params = new URLSearchParams();
  if (f.location) params.set('location', f.location);
  if (f.status) params.set('status', f.status);
  if (f.owner !== 'anyone') params.set('owner', f.owner);
  params.set('from', f.from);
  params.set('to', f.to);
  if (page > 1) params.set('page', String(page));
  if (upto !== undefined) params.set('upto', String(upto));
  return `?${params.toString()}`;
}

type Params = { Params: { id: string } };

/** The front desk's leads inbox: the list with conversion figures, a request's page, and its status, owner and log. */
export async function leadsRoutes(app: FastifyInstance): Promise<void> {
  const { database, now } = app.deps;
  const db = database.db;
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: now() });

  app.get('/staff/leads', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const { staff } = actor;
    // Parsed here rather than by a route schema, so that sign-in and role come first (the guard runs after schemas).
    const parsed = listQuery.safeParse(req.query ?? {});
    if (!parsed.success)
      throw new Refusal('invalid_request', 'Some of the filters are not valid.', formErrors(parsed.error));
    const q = parsed.data;
    const visible = (await listLocations(db)).filter((l) => canSeeLocation(staff, l.id, actor.now));
    if (q.location !== undefined && !visible.some((l) => l.id === q.location)) {
      await database.transact((trx) =>
        audit(trx, database, actor, 'lead.list', 'denied', { locationId: q.location ?? null, patientRef: null }),
      );
      throw new Refusal('invalid_request', 'Choose a location from the list.', {
        location: 'Choose a location from the list.',
      });
    }
    // "Today" is the chosen location's own (else the first one's): between two locations' midnights they differ.
    const zoneOf = (id: string | undefined) => visible.find((l) => l.id === id)?.time_zone;
    const { from, to } = period(q, actor.now, zoneOf(q.location) ?? visible[0]?.time_zone ?? 'UTC');
    const filters: LeadsFilterValues = { location: q.location, status: q.status, owner: q.owner, from, to };

    const found = await listLeads(
      db,
      // Later pages list only requests received up to the first page's newest, so a request arriving meanwhile does
      // not push one already shown onto the next page.
      {
        locationIds: q.location ? [q.location] : visible.map((l) => l.id),
        status: q.status,
        owner: q.owner,
        userId: staff.userId,
        receivedUpTo: q.upto,
      },
      LEADS_PAGE_SIZE + 1,
      (q.page - 1) * LEADS_PAGE_SIZE,
    );
    const rows = found.slice(0, LEADS_PAGE_SIZE);
    const upto = q.upto ?? rows[0]?.created_at;
    const figures = await Promise.all(
      visible.map(async (location) => {
        // Without chosen dates and without a chosen location, each location counts its own last 30 days.
        const own =
          q.location === undefined && q.from === undefined && q.to === undefined
            ? period(q, actor.now, location.time_zone)
            : { from, to };
        const { start, end } = periodBounds(own, location.time_zone);
        return {
          location,
          ...(start < end ? await conversion(db, location.id, start, end) : { received: 0, booked: 0, attended: 0 }),
        };
      }),
    );

    await database.transact((trx) =>
      audit(
        trx,
        database,
        actor,
        'lead.list',
        'success',
        { locationId: q.location ?? null, patientRef: null },
        {
          location: q.location ?? 'all',
          status: q.status ?? 'any',
          owner: q.owner,
          from,
          to,
          page: q.page,
          rows: rows.length,
        },
      ),
    );

    const page = LeadsPage({
      staff,
      now: actor.now,
      locations: visible,
      filters,
      conversion: figures,
      rows,
      page: q.page,
      pageSize: LEADS_PAGE_SIZE,
      prevHref: q.page > 1 ? `/staff/leads${queryString(filters, q.page - 1, upto)}` : undefined,
      nextHref: found.length > LEADS_PAGE_SIZE ? `/staff/leads${queryString(filters, q.page + 1, upto)}` : undefined,
    });
    return html(reply, page);
  });

  /** The request's page, optionally after a refused form (status 400, messages and typed values). */
  async function leadPage(actor: Actor, lead: Lead, refused?: { errors: FormErrors; body: unknown }) {
    const [appointments, notes, owners, waiting] = await Promise.all([
      leadAppointments(db, lead.id),
      leadNotes(db, lead.id),
      ownerChoices(db, lead.location_id),
      waitingEntriesFor(db, lead.id),
    ]);
    const page = LeadPage({
      staff: actor.staff,
      now: actor.now,
      lead,
      appointments,
      notes,
      owners,
      onWaitlist: waiting.some((w) => w.location_id === lead.location_id),
      ...(refused ? { errors: refused.errors, values: typedValues(refused.body) } : {}),
    });
    return { page, appointments: appointments.length, notes: notes.length };
  }

  app.get<Params>('/staff/leads/:id', { config: { policy } }, async (req, reply) => {
    const actor = actorOf(req);
    const lead = await leadFor(database, actor, req.params.id, 'lead.view');
    const shown = await leadPage(actor, lead);
    await auditView(database, actor, lead, { appointments: shown.appointments, notes: shown.notes });
    return html(reply, shown.page);
  });

  const write = (
    path: string,
    action: LeadAction,
    run: (actor: Actor, lead: Lead, body: unknown) => Promise<WriteResult>,
  ) =>
    app.post<Params>(`/staff/leads/:id/${path}`, { config: { policy } }, async (req, reply) => {
      const actor = actorOf(req);
      const lead = await leadFor(database, actor, req.params.id, action);
      const result = await run(actor, lead, req.body);
      if (result.ok) return reply.code(303).redirect(`/staff/leads/${lead.id}`);
      const shown = await leadPage(actor, lead, { errors: result.errors, body: req.body });
      return html(reply, shown.page, 400);
    });

  write('status', 'lead.update_status', (actor, lead, body) => changeStatus(database, actor, lead, body));
  write('owner', 'lead.assign', (actor, lead, body) => assignOwner(database, actor, lead, body));
  write('notes', 'lead.note', (actor, lead, body) => addNote(database, actor, lead, body));
  write('waitlist', 'lead.waitlist', (actor, lead) => addToWaitlist(database, actor, lead));
}
