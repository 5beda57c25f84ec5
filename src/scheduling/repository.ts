import type { Kysely, Selectable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type {
  AppointmentLinkColumns,
  AppointmentSupervisionColumns,
  AppointmentTable,
  Attendance,
  DB,
} from '../kernel/db/schema.ts';

export type Appointment = Selectable<AppointmentTable>;
/** An appointment as placed: with its supervising provider's lane when its kind needs one (migration 025). */
export type Placed = Appointment & Partial<AppointmentSupervisionColumns>;

/**
 * A nurse watches up to `watches_at_once` infusions at once: one lane each. A lane is a resource of its own, named
 * `<nurse id>#<lane number>`, so the slot engine treats it like any provider or chair (and the database refuses overlap
 * within a lane, migration 009).
 */
export const laneId = (nurseId: string, number: number) => `${nurseId}#${number}`;

/** The nurse and lane number of a lane id (a bare id is lane 1). */
export function parseLane(id: string): { nurseId: string; number: number } {
  const at = id.lastIndexOf('#');
  return at < 0 ? { nurseId: id, number: 1 } : { nurseId: id.slice(0, at), number: Number(id.slice(at + 1)) };
}

/**
 * Narrows an update to the row as it was read: still booked, same time, same resources. Changes are read outside
 * their transaction, so a cancel and a move racing each other would otherwise both act on the old row (offering the
 * wrong time to the waitlist, or cancelling a visit just moved); with this, the later one updates nothing and reads again.
 */
export function stillAsRead(qb: UpdateQueryBuilder<DB, 'appointments', 'appointments', UpdateResult>, current: Placed) {
  return qb
    .where('status', '=', 'booked')
    .where('starts_at', '=', current.starts_at)
    .where('ends_at', '=', current.ends_at)
    .where('provider_id', 'is not distinct from', current.provider_id)
    .where('nurse_id', 'is not distinct from', current.nurse_id)
    .where('nurse_lane', 'is not distinct from', current.nurse_lane)
    .where('room_id', 'is not distinct from', current.room_id)
    .$if('supervisor_id' in current, (q) =>
      q
        .where('supervisor_id', 'is not distinct from', current.supervisor_id ?? null)
        .where('supervisor_lane', 'is not distinct from', current.supervisor_lane ?? null),
    );
}

/** Moves a booked appointment to its new placement if it is still as read; false when it changed meanwhile. */
export async function moveAppointment(trx: Kysely<DB>, current: Placed, moved: Placed): Promise<boolean> {
  const updated = await trx
    .updateTable('appointments')
    .set({
      location_id: moved.location_id,
      provider_id: moved.provider_id,
      nurse_id: moved.nurse_id,
      nurse_lane: moved.nurse_lane,
      room_id: moved.room_id,
      // A visit moved is supervised afresh: whoever the placement chose, or no one when its kind needs none.
      supervisor_id: moved.supervisor_id ?? null,
      supervisor_lane: moved.supervisor_lane ?? null,
      starts_at: moved.starts_at,
      ends_at: moved.ends_at,
      busy_from: moved.busy_from,
      busy_to: moved.busy_to,
      updated_at: moved.updated_at,
      // A new time starts unmarked: arrival or no-show belongs to the visit as it was.
      attendance: null,
    })
    .where('id', '=', current.id)
    .$call((qb) => stillAsRead(qb, current))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Notes arrival or no-show (or clears it) on a booked appointment; false when it is no longer booked. */
export async function markAttendance(
  trx: Kysely<DB>,
  id: string,
  attendance: Attendance | null,
  now: number,
): Promise<boolean> {
  const updated = await trx
    .updateTable('appointments')
    .set({ attendance, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Cancels a booked appointment if it is still as read; false when it changed meanwhile. */
export async function markCancelled(trx: Kysely<DB>, current: Appointment, now: number): Promise<boolean> {
  const updated = await stillAsRead(
    trx.updateTable('appointments').set({ status: 'cancelled', updated_at: now }).where('id', '=', current.id),
    current,
  ).executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * Inserts a booked appointment. The table refuses it when it overlaps another booked appointment of its provider,
 * nurse lane, room or chair (busy time) or patient (visit time): see isOverlapViolation().
 */
export async function insertAppointment(trx: Kysely<DB>, appt: Placed & { patient_id?: string | null }): Promise<void> {
  await trx.insertInto('appointments').values(appt).execute();
}

/**
 * The patient's booked visits that overlap [from, to) (visit time, not buffers), except `exceptId`: a person cannot
 * be at two at once. The database refuses such a booking anyway; this lets pages say so, or not offer the time.
 */
export async function patientVisitsBetween(
  db: Kysely<DB>,
  patientId: string,
  from: number,
  to: number,
  exceptId?: string,
) {
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
export async function findAppointment(
  db: Kysely<DB>,
  id: string,
): Promise<(Appointment & AppointmentLinkColumns) | undefined> {
  return db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The id of the request's live (booked) appointment, if any: the database allows at most one. */
export async function liveAppointmentForRequest(db: Kysely<DB>, requestId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('appointments')
    .select('id')
    .where('request_id', '=', requestId)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return row?.id;
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
