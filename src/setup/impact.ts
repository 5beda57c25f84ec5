import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../kernel/db/schema.ts';
import {
  findConflicts,
  type BookedVisit,
  type ConflictReason,
  type ConflictRules,
  type Interval,
  type LocationRules,
} from './conflicts.ts';

/** A booked visit that no longer fits the set-up, with what the front desk needs to get in touch. */
export interface ConflictRow extends BookedVisit {
  zone: string;
  locationName: string;
  providerName: string | null;
  nurseName: string | null;
  supervisorName: string | null;
  firstName: string | null;
  patientId: string | null;
  requestId: string | null;
  reasons: ConflictReason[];
}

/**
 * What the audit event of a set-up change records about the conflict list it shows: how many, and which patients
 * (or, before a visit has a patient, requests) are listed, as any list of patients is audited. Ids only, no names.
 */
export function conflictAudit(found: readonly ConflictRow[]): { conflicts: number; patients?: string } {
  const listed = [...new Set(found.map((c) => c.patientId ?? c.requestId).filter((id): id is string => id !== null))];
  // Audit details are flat values: the ids go space-separated.
  return { conflicts: found.length, ...(listed.length ? { patients: listed.join(' ') } : {}) };
}

/**
 * Which bookings to check: those at a location, of a clinician (as provider, nurse or supervisor), or in a room (any
 * combination narrows).
 */
export interface ConflictScope {
  locationId?: string;
  /** A provider or a nurse. */
  clinicianId?: string;
  roomId?: string;
}

/**
 * Loads the booked future visits in scope and the rules that apply to them, and returns those that conflict.
 * Runs on the caller's transaction, so it sees the change just written. Queries run one after another: a
 * transaction has one connection.
 */
export async function bookingConflicts(db: Kysely<DB>, scope: ConflictScope, now: number): Promise<ConflictRow[]> {
  let query = db
    .selectFrom('appointments')
    .innerJoin('locations', 'locations.id', 'appointments.location_id')
    .leftJoin('clinicians', 'clinicians.id', 'appointments.provider_id')
    .leftJoin('clinicians as nurses', 'nurses.id', 'appointments.nurse_id')
    .leftJoin('clinicians as supervisors', 'supervisors.id', 'appointments.supervisor_id')
    .leftJoin('consultation_requests', 'consultation_requests.id', 'appointments.request_id')
    .leftJoin('patients', 'patients.id', 'appointments.patient_id')
    .select((eb) => [
      'appointments.id',
      'appointments.location_id',
      'appointments.provider_id',
      'appointments.nurse_id',
      'appointments.nurse_lane',
      'appointments.supervisor_id',
      'appointments.supervisor_lane',
      'appointments.room_id',
      'appointments.request_id',
      'appointments.patient_id',
      'appointments.starts_at',
      'appointments.ends_at',
      'locations.name as location_name',
      'locations.time_zone',
      'clinicians.name as provider_name',
      'nurses.name as nurse_name',
      'supervisors.name as supervisor_name',
      eb.fn.coalesce('patients.first_name', 'consultation_requests.first_name').as('first_name'),
    ])
    .where('appointments.status', '=', 'booked')
    .where('appointments.starts_at', '>', now);
  if (scope.locationId) query = query.where('appointments.location_id', '=', scope.locationId);
  const clinician = scope.clinicianId;
  if (clinician)
    query = query.where((eb) =>
      eb.or([
        eb('appointments.provider_id', '=', clinician),
        eb('appointments.nurse_id', '=', clinician),
        eb('appointments.supervisor_id', '=', clinician),
      ]),
    );
  if (scope.roomId) query = query.where('appointments.room_id', '=', scope.roomId);
  const rows = await query.orderBy('appointments.starts_at').execute();
  if (rows.length === 0) return [];

  const locationIds = [...new Set(rows.map((r) => r.location_id))];
  // Never empty: `in ()` is not SQL, and a visit holding only a room or chair has no clinician to look up.
  const clinicianIds = [
    '',
    ...new Set(
      rows.flatMap((r) => [r.provider_id, r.nurse_id, r.supervisor_id].filter((id): id is string => id !== null)),
    ),
  ];
  // Closures before yesterday (UTC) cannot touch a future visit in any zone.
  const since = DateTime.fromMillis(now, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
  const opening = await db.selectFrom('opening_hours').selectAll().where('location_id', 'in', locationIds).execute();
  const closures = await db
    .selectFrom('closures')
    .select(['location_id', 'date'])
    .where('location_id', 'in', locationIds)
    .where('date', '>=', since)
    .execute();
  const hours = await db
    .selectFrom('clinician_hours')
    .selectAll()
    .where('location_id', 'in', locationIds)
    .where('clinician_id', 'in', clinicianIds)
    .execute();
  const inactive = await db
    .selectFrom('rooms')
    .select(['id', 'location_id'])
    .where('location_id', 'in', locationIds)
    .where('active', '=', 0)
    .execute();
  const clinicians = await db
    .selectFrom('clinicians')
    .select(['id', 'active', 'kind', 'watches_at_once', 'supervises_at_once'])
    .where('id', 'in', clinicianIds)
    .execute();
  const off = await db
    .selectFrom('clinician_time_off')
    .select(['clinician_id', 'starts_at', 'ends_at'])
    .where('clinician_id', 'in', clinicianIds)
    .where('ends_at', '>', now)
    .execute();

  const locations: Record<string, LocationRules> = {};
  for (const id of locationIds) {
    const zone = rows.find((r) => r.location_id === id)!.time_zone;
    const rules: LocationRules = { zone, opening: {}, closures: [], clinicianHours: {}, inactiveRoomIds: [] };
    for (const o of opening)
      if (o.location_id === id) (rules.opening[o.weekday] ??= []).push({ from: o.opens_min, to: o.closes_min });
    rules.closures = closures.filter((c) => c.location_id === id).map((c) => c.date);
    const perClinician: Record<string, NonNullable<LocationRules['clinicianHours'][string]>> = {};
    for (const h of hours)
      if (h.location_id === id)
        ((perClinician[h.clinician_id] ??= {})[h.weekday] ??= []).push({ from: h.from_min, to: h.to_min });
    rules.clinicianHours = perClinician;
    rules.inactiveRoomIds = inactive.filter((r) => r.location_id === id).map((r) => r.id);
    locations[id] = rules;
  }
  const timeOff: Record<string, Interval[]> = {};
  for (const t of off) (timeOff[t.clinician_id] ??= []).push({ start: Number(t.starts_at), end: Number(t.ends_at) });
  const rules: ConflictRules = {
    locations,
    timeOff,
    inactiveClinicianIds: clinicians.filter((c) => !c.active).map((c) => c.id),
    nurseCapacity: Object.fromEntries(
      clinicians.filter((c) => c.kind === 'nurse').map((c) => [c.id, c.watches_at_once]),
    ),
    supervisorCapacity: Object.fromEntries(
      clinicians.filter((c) => c.kind === 'provider').map((c) => [c.id, c.supervises_at_once]),
    ),
  };

  const visits: ConflictRow[] = rows.map((r) => ({
    id: r.id,
    locationId: r.location_id,
    providerId: r.provider_id,
    nurseId: r.nurse_id,
    nurseLane: r.nurse_lane,
    supervisorId: r.supervisor_id,
    supervisorLane: r.supervisor_lane,
    roomId: r.room_id,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    zone: r.time_zone,
    locationName: r.location_name,
    providerName: r.provider_name,
    nurseName: r.nurse_name,
    supervisorName: r.supervisor_name,
    firstName: r.first_name,
    patientId: r.patient_id,
    requestId: r.request_id,
    reasons: [],
  }));
  return findConflicts(visits, rules).map((c) => ({ ...c.visit, reasons: c.reasons }));
}
