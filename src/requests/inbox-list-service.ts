import type { Database } from '../kernel/db/database.ts';
import { Refusal } from '../kernel/refusal.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { conversion, listLeads, listLocations, type LeadListRow, type LeadLocation } from './inbox-repository.ts';
import { LEADS_PAGE_SIZE, period, periodBounds, type ListQuery } from './inbox-schema.ts';
import { audit, type Actor } from './inbox-service.ts';
import { undeliveredRequestIds } from './undelivered-link.ts';

export interface ConversionRow {
  location: LeadLocation;
  received: number;
  booked: number;
  cancelled: number;
  attended: number;
}

export interface LeadsFilterValues {
  location: string | undefined;
  status: string | undefined;
  owner: string;
  link: 'any' | 'undelivered';
  from: string;
  to: string;
}

/** One page of the leads list, with each location's conversion figures for the period. */
export interface LeadsList {
  /** The locations this person may see. */
  locations: LeadLocation[];
  filters: LeadsFilterValues;
  conversion: ConversionRow[];
  rows: LeadListRow[];
  /** Whether there is a next page. */
  more: boolean;
  /** Pages after the first list requests received up to this instant: the first page's newest. */
  upto: number | undefined;
  /** Requests of the listed locations whose booking link was not delivered and awaits someone. */
  undelivered: Set<string>;
}

/** The leads list as filtered, recorded as looked at (or, for a location this person may not see, as denied). */
export async function leadsList(database: Database, actor: Actor, q: ListQuery): Promise<LeadsList> {
  const { staff } = actor;
  const db = database.db;
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
  const filters: LeadsFilterValues = { location: q.location, status: q.status, owner: q.owner, link: q.link, from, to };
  const locationIds = q.location ? [q.location] : visible.map((l) => l.id);
  const undelivered = await undeliveredRequestIds(db, locationIds);

  const found = await listLeads(
    db,
    // Later pages list only requests received up to the first page's newest, so a request arriving meanwhile does
    // not push one already shown onto the next page.
    {
      locationIds,
      status: q.status,
      ...(q.link === 'undelivered' ? { requestIds: [...undelivered] } : {}),
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
        ...(start < end
          ? await conversion(db, location.id, start, end)
          : { received: 0, booked: 0, cancelled: 0, attended: 0 }),
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
  return {
    locations: visible,
    filters,
    conversion: figures,
    rows,
    more: found.length > LEADS_PAGE_SIZE,
    upto,
    undelivered,
  };
}
