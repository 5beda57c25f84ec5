import type { Kysely, Selectable } from 'kysely';
import type { AppointmentLinkColumns, AppointmentTable, DB } from '../db/schema.ts';
import { claimUnits } from './slots.ts';
import { offerFreedTime } from '../waitlist/repository.ts';

export type Appointment = Selectable<AppointmentTable>;

/** Claims are 5-minute units; appointment types keep durations and buffers on this grid (a CHECK enforces it). */
export const CLAIM_UNIT_MIN = 5;

/** The provider, nurse and room or chair an appointment holds (ids are unique across the three kinds). */
export function resourcesOf(appt: Pick<Appointment, 'provider_id' | 'nurse_id' | 'room_id'>): string[] {
  return [appt.provider_id, appt.nurse_id, appt.room_id].filter((id): id is string => id !== null);
}

/**
 * Claims every 5-minute unit of the appointment's busy time for each resource it uses. The primary key
 * (resource_id, unit_start) makes the database itself refuse an overlapping appointment on either engine.
 */
export async function claimResources(trx: Kysely<DB>, appt: Appointment): Promise<void> {
  const units = claimUnits({ start: appt.busy_from, end: appt.busy_to }, CLAIM_UNIT_MIN);
  const resources = resourcesOf(appt);
  const rows = resources.flatMap((resource_id) => units.map((unit_start) => ({ resource_id, unit_start, appointment_id: appt.id })));
  await trx.insertInto('resource_claims').values(rows).execute();
}

/** Frees the appointment's claimed units, found through the claims' own key (resource, time range). */
export async function releaseResources(trx: Kysely<DB>, appt: Appointment): Promise<void> {
  const resources = resourcesOf(appt);
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
export async function freeTime(trx: Kysely<DB>, appt: Appointment, now: number): Promise<void> {
  await releaseResources(trx, appt);
  await offerFreedTime(trx, appt, now);
}

export async function insertAppointment(trx: Kysely<DB>, appt: Appointment): Promise<void> {
  await trx.insertInto('appointments').values(appt).execute();
  await claimResources(trx, appt);
}

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
