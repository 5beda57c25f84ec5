import type { Kysely, Selectable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { AppointmentLinkColumns, AppointmentTable, DB } from '../db/schema.ts';
import { claimUnits } from './slots.ts';
import { offerFreedTime } from '../waitlist/repository.ts';

export type Appointment = Selectable<AppointmentTable>;

/** Claims are 5-minute units; appointment types keep durations and buffers on this grid (a CHECK enforces it). */
export const CLAIM_UNIT_MIN = 5;

/**
 * A nurse watches up to `max_patients` infusions at once: one lane each. A lane is a resource of its own, named
 * `<nurse id>#<seat>`, so claims and the slot engine treat it like any provider or chair.
 */
export const laneId = (nurseId: string, seat: number) => `${nurseId}#${seat}`;

/** The nurse and seat of a lane id (a bare id is lane 1). */
export function parseLane(id: string): { nurseId: string; seat: number } {
  const at = id.lastIndexOf('#');
  return at < 0 ? { nurseId: id, seat: 1 } : { nurseId: id.slice(0, at), seat: Number(id.slice(at + 1)) };
}

/** The provider, nurse lane and room or chair an appointment holds (ids are unique across the kinds). */
export function resourcesOf(appt: Pick<Appointment, 'provider_id' | 'nurse_id' | 'nurse_seat' | 'room_id'>): string[] {
  const lane = appt.nurse_id === null ? null : laneId(appt.nurse_id, appt.nurse_seat ?? 1);
  return [appt.provider_id, lane, appt.room_id].filter((id): id is string => id !== null);
}

/** An appointment as the claims see it: its resources, and its patient once known. */
type Claimable = Appointment & { patient_id?: string | null };

/**
 * Claims every 5-minute unit of the appointment's busy time for each resource it uses, and of the visit itself for
 * the patient (a person cannot be in two places at once; the buffers are the chair's and the staff's, not theirs).
 * The primary key (resource_id, unit_start) makes the database itself refuse an overlapping appointment on either
 * engine. Patient, clinician and room ids are distinct (UUIDs or prefixed ids), so they share the key space.
 */
export async function claimResources(trx: Kysely<DB>, appt: Claimable): Promise<void> {
  const units = claimUnits({ start: appt.busy_from, end: appt.busy_to }, CLAIM_UNIT_MIN);
  const rows = resourcesOf(appt).flatMap((resource_id) => units.map((unit_start) => ({ resource_id, unit_start, appointment_id: appt.id })));
  if (appt.patient_id) {
    for (const unit_start of claimUnits({ start: appt.starts_at, end: appt.ends_at }, CLAIM_UNIT_MIN)) rows.push({ resource_id: appt.patient_id, unit_start, appointment_id: appt.id });
  }
  await trx.insertInto('resource_claims').values(rows).execute();
}

/** Frees the appointment's claimed units, found through the claims' own key (resource, time range). */
export async function releaseResources(trx: Kysely<DB>, appt: Claimable): Promise<void> {
  const resources = [...resourcesOf(appt), ...(appt.patient_id ? [appt.patient_id] : [])];
  await trx
    .deleteFrom('resource_claims')
    .where('resource_id', 'in', resources)
    .where('unit_start', '>=', appt.busy_from - CLAIM_UNIT_MIN * 60_000)
    .where('unit_start', '<', appt.busy_to)
    .where('appointment_id', '=', appt.id)
    .execute();
}

/**
 * Frees an appointment's time (cancelled or moved) and, in the same transaction, offers it to the waitlist:
 * every path that releases time goes through here, so none can forget the people waiting.
 */
export async function freeTime(trx: Kysely<DB>, appt: Claimable, now: number): Promise<void> {
  await releaseResources(trx, appt);
  await offerFreedTime(trx, appt, now);
}

/**
 * Narrows an update to the row as it was read: still booked, same time, same resources. Changes are read outside
 * their transaction, so a cancel and a move racing each other would otherwise both act on the old row and release
 * the wrong claims; with this, the later one updates nothing and reads again.
 */
export function stillAsRead(qb: UpdateQueryBuilder<DB, 'appointments', 'appointments', UpdateResult>, current: Appointment) {
  return qb
    .where('status', '=', 'booked')
    .where('starts_at', '=', current.starts_at)
    .where('ends_at', '=', current.ends_at)
    .where('provider_id', 'is not distinct from', current.provider_id)
    .where('nurse_id', 'is not distinct from', current.nurse_id)
    .where('nurse_seat', 'is not distinct from', current.nurse_seat)
    .where('room_id', 'is not distinct from', current.room_id);
}

export async function insertAppointment(trx: Kysely<DB>, appt: Claimable): Promise<void> {
  await trx.insertInto('appointments').values(appt).execute();
  await claimResources(trx, appt);
}

/**
 * The patient's booked visits that overlap [from, to) (visit time, not buffers), except `exceptId`: a person cannot
 * be at two at once. The claims refuse such a booking anyway; this lets pages say so, or not offer the time.
 */
export async function patientVisitsBetween(db: Kysely<DB>, patientId: string, from: number, to: number, exceptId?: string) {
  let query = db
    .selectFrom('appointments')
    .select(['id', 'starts_at', 'ends_at'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'booked')
    // Bounded on the (patient_id, starts_at) index: a visit is never longer than a day.
    .where('starts_at', '>', from - MAX_VISIT_MS)
    .where('starts_at', '<', to)
    .where('ends_at', '>', from);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return query.execute();
}
const MAX_VISIT_MS = 86_400_000;

/** The appointment with its patient and attendance (migration 003's columns). */
export async function findAppointment(db: Kysely<DB>, id: string): Promise<(Appointment & AppointmentLinkColumns) | undefined> {
  return db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The request's live booking, or else its most recent one (cancelled), or undefined. */
export async function latestAppointmentForRequest(db: Kysely<DB>, requestId: string): Promise<Appointment | undefined> {
  const rows = await db
    .selectFrom('appointments')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.find((r) => r.status === 'booked') ?? rows[0];
}
