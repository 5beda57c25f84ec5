import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../kernel/db/schema.ts';
import { LEAD_ROLES, type NoteKind } from './inbox-schema.ts';

export interface LeadLocation {
  id: string;
  name: string;
  time_zone: string;
}

export interface LeadListFilters {
  /** The locations to list (already limited to what the person may see). */
  locationIds: string[];
  status: string | undefined;
  owner: 'anyone' | 'me' | 'unassigned';
  userId: string;
  /** Only requests received up to this instant (paging through a list while new requests arrive). */
  receivedUpTo: number | undefined;
  /** Only these requests (e.g. those whose booking link was not delivered). */
  requestIds?: string[];
}

export interface LeadListRow {
  id: string;
  first_name: string;
  last_name: string;
  location_id: string;
  location_name: string;
  time_zone: string;
  reason: string;
  status: string;
  owner_name: string | null;
  created_at: number;
  /** The live (status 'booked') consultation's start, if any, and where it is (perhaps not the request's location). */
  booked_at: number | null;
  booked_location_name: string | null;
  booked_time_zone: string | null;
}

export async function listLocations(db: Kysely<DB>): Promise<LeadLocation[]> {
  return db.selectFrom('locations').select(['id', 'name', 'time_zone']).orderBy('sort_order').orderBy('name').execute();
}

/** Requests matching the filters, newest first; one row more than `limit` tells there is a next page. */
export async function listLeads(
  db: Kysely<DB>,
  f: LeadListFilters,
  limit: number,
  offset: number,
): Promise<LeadListRow[]> {
  if (f.locationIds.length === 0 || f.requestIds?.length === 0) return [];
  let q = db
    .selectFrom('consultation_requests as r')
    .innerJoin('locations as l', 'l.id', 'r.location_id')
    .leftJoin('users as o', 'o.id', 'r.owner_id')
    // At most one live booking per request (unique index one_booking_per_request).
    .leftJoin('appointments as a', (join) => join.onRef('a.request_id', '=', 'r.id').on('a.status', '=', 'booked'))
    // The visit may be at another location than the request's: shown at its own place and on its own clock.
    .leftJoin('locations as al', 'al.id', 'a.location_id')
    .select([
      'al.name as booked_location_name',
      'al.time_zone as booked_time_zone',
      'r.id',
      'r.first_name',
      'r.last_name',
      'r.location_id',
      'l.name as location_name',
      'l.time_zone',
      'r.reason',
      'r.status',
      'o.name as owner_name',
      'r.created_at',
      'a.starts_at as booked_at',
    ])
    .where('r.location_id', 'in', f.locationIds);
  if (f.receivedUpTo !== undefined) q = q.where('r.created_at', '<=', f.receivedUpTo);
  if (f.status !== undefined) q = q.where('r.status', '=', f.status);
  if (f.requestIds) q = q.where('r.id', 'in', f.requestIds);
  if (f.owner === 'me') q = q.where('r.owner_id', '=', f.userId);
  if (f.owner === 'unassigned') q = q.where('r.owner_id', 'is', null);
  const rows = await q.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(limit).offset(offset).execute();
  return rows.map((r) => ({
    ...r,
    created_at: Number(r.created_at),
    booked_at: r.booked_at === null ? null : Number(r.booked_at),
  }));
}

/**
 * Requests received at a location in [start, end) and what became of them, each request counted once: booked (a
 * consultation still booked, or attended), cancelled (every consultation it had was cancelled, by the patient or the
 * clinic, and none booked since), and attended (marked arrived for a consultation still booked).
 */
export async function conversion(
  db: Kysely<DB>,
  locationId: string,
  start: number,
  end: number,
): Promise<{ received: number; booked: number; cancelled: number; attended: number }> {
  const row = await db
    .selectFrom('consultation_requests as r')
    .leftJoin('appointments as a', 'a.request_id', 'r.id')
    // At most one live booking per request (unique index one_booking_per_request).
    .leftJoin('appointments as live', (join) =>
      join.onRef('live.request_id', '=', 'r.id').on('live.status', '=', 'booked'),
    )
    .leftJoin('appointments as seen', (join) =>
      join.onRef('seen.request_id', '=', 'r.id').on('seen.attendance', '=', 'arrived').on('seen.status', '=', 'booked'),
    )
    .select((eb) => [
      eb.fn.count<number>('r.id').distinct().as('received'),
      eb.fn.count<number>('live.request_id').distinct().as('booked'),
      eb.fn
        .count<number>(eb.case().when('live.id', 'is', null).then(eb.ref('a.request_id')).end())
        .distinct()
        .as('cancelled'),
      // Attended: the front desk marked the person arrived for a consultation of this request.
      eb.fn.count<number>('seen.request_id').distinct().as('attended'),
    ])
    .where('r.location_id', '=', locationId)
    .where('r.created_at', '>=', start)
    .where('r.created_at', '<', end)
    .executeTakeFirstOrThrow();
  return {
    received: Number(row.received),
    booked: Number(row.booked),
    cancelled: Number(row.cancelled),
    attended: Number(row.attended),
  };
}

export async function findLead(db: Kysely<DB>, id: string) {
  const row = await db
    .selectFrom('consultation_requests as r')
    .innerJoin('locations as l', 'l.id', 'r.location_id')
    .leftJoin('users as o', 'o.id', 'r.owner_id')
    .select([
      'r.id',
      'r.location_id',
      'l.name as location_name',
      'l.time_zone',
      'r.first_name',
      'r.last_name',
      'r.email',
      'r.phone',
      'r.contact_method',
      'r.reason',
      'r.heard_from',
      'r.message',
      'r.status',
      'r.owner_id',
      'o.name as owner_name',
      'r.created_at',
      'r.updated_at',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      created_at: Number(row.created_at),
      updated_at: row.updated_at === null ? null : Number(row.updated_at),
    }
  );
}
export type Lead = NonNullable<Awaited<ReturnType<typeof findLead>>>;

export async function leadAppointments(db: Kysely<DB>, requestId: string) {
  const rows = await db
    .selectFrom('appointments as a')
    .leftJoin('clinicians as p', 'p.id', 'a.provider_id')
    .leftJoin('clinicians as n', 'n.id', 'a.nurse_id')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .select((eb) => [
      'a.id',
      'a.starts_at',
      'a.status',
      'a.updated_at',
      eb.fn.coalesce('p.name', 'n.name').as('provider_name'),
      't.name as type_name',
      'l.name as location_name',
      'l.time_zone',
    ])
    .where('a.request_id', '=', requestId)
    .orderBy('a.starts_at', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, starts_at: Number(r.starts_at), updated_at: Number(r.updated_at) }));
}
export type LeadAppointment = Awaited<ReturnType<typeof leadAppointments>>[number];

export async function leadNotes(db: Kysely<DB>, requestId: string) {
  const rows = await db
    .selectFrom('request_notes as n')
    .innerJoin('users as u', 'u.id', 'n.author_id')
    .select(['n.id', 'n.kind', 'n.body', 'n.created_at', 'u.name as author_name'])
    .where('n.request_id', '=', requestId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}
export type LeadNote = Awaited<ReturnType<typeof leadNotes>>[number];

export interface OwnerChoice {
  id: string;
  name: string;
  role: Role;
}

/** Active staff who work leads and can see the location: the people a request may be assigned to. */
export async function ownerChoices(db: Kysely<DB>, locationId: string): Promise<OwnerChoice[]> {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.name', 'u.role'])
    .where('u.disabled_at', 'is', null)
    .where('u.role', 'in', LEAD_ROLES)
    .where((eb) =>
      eb.or([
        eb('u.role', '=', 'admin'),
        eb.exists(
          eb
            .selectFrom('user_locations as ul')
            .select('ul.user_id')
            .whereRef('ul.user_id', '=', 'u.id')
            .where('ul.location_id', '=', locationId),
        ),
      ]),
    )
    .orderBy('u.name')
    .orderBy('u.id')
    .execute();
}

/**
 * Sets the status; unless it is a final one, not over a live booking (the WHERE re-checks under the row lock, so a
 * booking committed meanwhile wins). Returns whether the row changed.
 */
export async function updateStatus(
  trx: Kysely<DB>,
  id: string,
  status: string,
  overBooked: boolean,
  now: number,
): Promise<boolean> {
  let q = trx.updateTable('consultation_requests').set({ status, updated_at: now }).where('id', '=', id);
  // Back to New or Contacted only without a live consultation: not straight from Booked, nor after closing a booked
  // request (its visit still stands, and cancelling it is what returns the request to New).
  if (!overBooked) {
    q = q
      .where('status', '<>', 'booked')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('appointments')
              .select('appointments.id')
              .whereRef('appointments.request_id', '=', 'consultation_requests.id')
              .where('appointments.status', '=', 'booked'),
          ),
        ),
      );
  }
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function updateOwner(trx: Kysely<DB>, id: string, ownerId: string | null, now: number): Promise<void> {
  await trx
    .updateTable('consultation_requests')
    .set({ owner_id: ownerId, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function insertNote(
  trx: Kysely<DB>,
  requestId: string,
  authorId: string,
  kind: NoteKind,
  body: string,
  now: number,
): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto('request_notes')
    .values({ id, request_id: requestId, author_id: authorId, kind, body, created_at: now })
    .execute();
  await trx.updateTable('consultation_requests').set({ updated_at: now }).where('id', '=', requestId).execute();
  return id;
}
