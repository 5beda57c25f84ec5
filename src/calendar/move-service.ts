import { DateTime } from 'luxon';
import type { Clinic } from '../kernel/clinic.ts';
import { isBookingConflict, isInfusionGateRefusal, type Database } from '../kernel/db/database.ts';
import { cancelPending, enqueue } from '../kernel/outbox/outbox.ts';
import { Refusal } from '../kernel/refusal.ts';
import { exactWallInstant, wallInstant, weekdayOf } from '../kernel/time/wall-clock.ts';
import { freeSupervisionLane } from '../scheduling/availability.ts';
import { reminderJobs } from '../scheduling/booking-service.ts';
import {
  findAppointment,
  moveAppointment,
  parseLane,
  patientVisitsBetween,
  type Appointment,
  type Placed,
} from '../scheduling/repository.ts';
import { SUPERVISED_KINDS } from '../scheduling/type-needs.ts';
import { auditStaff, notFound, type Actor } from '../patients/service.ts';
import { offerFreedTime } from '../waitlist/service.ts';
import { refused, where, type ActionResult } from './outcome.ts';
import {
  clinicianAway,
  clinicianDay,
  locationHours,
  placesOfKind,
  watchesAtOnce,
  type AppointmentDetail,
} from './repository.ts';
import { formErrors, rescheduleForm } from './schema.ts';
import { NOT_READY_TO_MOVE, NOT_READY_TO_MOVE_FIELD, STAFF_HORIZON_MS } from './staff-booking.ts';

/**
 * Moves an appointment to a new start with the same provider, nurse, room or chair, and length. The database's
 * overlap rules decide: if the new time overlaps another booked appointment of any of them (or of the patient), the
 * database refuses and nothing changes. There is no override of double booking in this release.
 */
export async function staffReschedule(
  database: Database,
  actor: Actor,
  appt: AppointmentDetail,
  clinic: Clinic,
  body: unknown,
): Promise<ActionResult> {
  const action = 'appointment.reschedule';
  const refuse = (result: Refusal, reason: string) => refused(database, actor, appt, action, result, reason);
  const parsed = rescheduleForm.safeParse(body);
  if (!parsed.success)
    return refuse(new Refusal('invalid_request', 'Enter the new date and time.', formErrors(parsed.error)), 'invalid');
  const { date, time } = parsed.data;
  if (appt.status !== 'booked')
    return refuse(new Refusal('not_active', 'This appointment was cancelled, so it cannot be moved.'), 'not_active');
  // A wall time in fall-back's repeated hour names two instants and reads as the first; the form shows the visit's
  // own time, so a form sent back unchanged keeps the visit's own instant (the second 1:30 stays the second).
  const shown = DateTime.fromMillis(appt.starts_at, { zone: appt.time_zone });
  const start =
    shown.toISODate() === date && shown.toFormat('HH:mm') === time
      ? appt.starts_at
      : exactWallInstant(appt.time_zone, date, time);
  if (start === undefined)
    return refuse(
      new Refusal('invalid_request', 'That time does not exist on that day (the clocks go forward).', {
        time: 'Choose another time.',
      }),
      'no_such_time',
    );
  if (start <= actor.now)
    return refuse(
      new Refusal('invalid_request', 'Choose a time in the future.', { date: 'Choose a time in the future.' }),
      'past',
    );
  if (start > actor.now + STAFF_HORIZON_MS)
    return refuse(
      new Refusal('invalid_request', 'Choose a date within the next two years.', {
        date: 'Choose a date within the next two years.',
      }),
      'too_far',
    );
  const current = await findAppointment(database.db, appt.id);
  if (!current) throw notFound();
  const end = start + (current.ends_at - current.starts_at);
  if (!(await withinOpeningHours(database, current.location_id, appt.time_zone, date, start, end))) {
    return refuse(
      new Refusal(
        'invalid_request',
        'The clinic is closed for part of that time. Choose a time within the opening hours.',
        {
          time: 'Choose a time within the opening hours.',
        },
      ),
      'closed',
    );
  }
  const moved: Appointment = {
    ...current,
    starts_at: start,
    ends_at: end,
    busy_from: start - (current.starts_at - current.busy_from),
    busy_to: end + (current.busy_to - current.ends_at),
    updated_at: actor.now,
  };
  const clinicians = [current.provider_id, current.nurse_id].filter((id): id is string => id !== null);
  const away = clinicians.length
    ? await clinicianAway(database.db, clinicians, moved.busy_from, moved.busy_to)
    : undefined;
  if (away) {
    const name = away.clinician_id === current.provider_id ? appt.provider_name : appt.nurse_name;
    return refuse(new Refusal('conflict', `${name ?? 'The clinician'} is away at that time.`), 'time_off');
  }
  if (
    current.patient_id &&
    (await patientVisitsBetween(database.db, current.patient_id, start, end, current.id)).length
  ) {
    return refuse(
      new Refusal('conflict', `${appt.first_name ?? 'The patient'} has another appointment at that time.`, {
        time: 'Choose another time.',
      }),
      'patient_busy',
    );
  }
  const off = await notWorking(database, current, appt.time_zone, date, start, end);
  if (off) {
    const name = off === current.provider_id ? appt.provider_name : appt.nurse_name;
    return refuse(
      new Refusal(
        'conflict',
        `${name ?? 'The clinician'} does not work at this location for all of that time, or is no longer active.`,
      ),
      'outside_hours',
    );
  }
  // The nurse keeps the patient; any of their lanes will do (their current one first).
  const capacity = current.nurse_id ? await watchesAtOnce(database.db, current.nurse_id) : 1;
  // Only lanes within the nurse's number (it may have been lowered since), the current one first if it still is.
  const within = Array.from({ length: capacity }, (_, i) => i + 1);
  const own = current.nurse_lane ?? 1;
  const lanes = current.nurse_id ? (own <= capacity ? [own, ...within.filter((n) => n !== own)] : within) : [null];
  const places = await placesInUse(database, current);
  if (places.length === 0)
    return refuse(
      new Refusal(
        'conflict',
        `${appt.room_name ?? 'The room'} is out of use and there is no other of its kind here. Cancel this visit and book it again.`,
      ),
      'no_place',
    );
  // An infusion is supervised afresh at its new time by whichever provider working then has a lane free, looked up
  // again after a refusal (the lane may be what was taken meanwhile).
  const supervision = async () => {
    if (!SUPERVISED_KINDS.has(appt.type_kind)) return { supervisor_id: null, supervisor_lane: null };
    const free = await freeSupervisionLane(database.db, {
      locationId: current.location_id,
      zone: appt.time_zone,
      start,
      end,
      now: actor.now,
      excludeAppointmentId: current.id,
    });
    if (free === undefined) return undefined;
    const { nurseId, number } = parseLane(free);
    return { supervisor_id: nurseId, supervisor_lane: number };
  };
  for (const [room, lane] of places.flatMap((room) => lanes.map((lane) => [room, lane] as const))) {
    const supervisor = await supervision();
    if (!supervisor)
      return refuse(
        new Refusal('conflict', NO_SUPERVISOR, { time: 'Choose a time when a provider is on site to supervise.' }),
        'no_supervisor',
      );
    const placed: Placed = { ...moved, room_id: room, nurse_lane: lane, ...supervisor };
    try {
      const done = await database.transact(async (trx) => {
        // A new time starts unmarked: arrival or no-show belongs to the visit as it was.
        if (!(await moveAppointment(trx, current, placed))) return false;
        await offerFreedTime(trx, current, actor.now);
        await cancelPending(trx, current.id, ['appointment_reminder']);
        await enqueue(
          trx,
          [
            {
              kind: 'booking_rescheduled',
              refId: current.id,
              runAt: actor.now,
              dedupeKey: `rescheduled:${current.id}:${start}:${actor.now}`,
              locationId: placed.location_id,
            },
            ...reminderJobs({ clinic, now: actor.now }, placed),
          ],
          actor.now,
        );
        await auditStaff(trx, database, actor, action, 'success', where(appt), {
          appointmentId: appt.id,
          from: current.starts_at,
          to: start,
        });
        return true;
      });
      if (!done)
        return refuse(
          new Refusal('conflict', 'This appointment was changed meanwhile. Reload it and try again.'),
          'changed',
        );
      return { ok: true, appointmentId: appt.id, done: 'moved' };
    } catch (err) {
      // The database's infusion gate (migration 024): every other place at that time meets it too.
      if (isInfusionGateRefusal(err))
        return refuse(
          new Refusal('not_eligible', NOT_READY_TO_MOVE, { date: NOT_READY_TO_MOVE_FIELD }),
          'not_eligible',
        );
      if (!isBookingConflict(err)) throw err;
    }
  }
  const held = [appt.provider_name, appt.nurse_name, appt.room_name]
    .filter((n): n is string => n !== null)
    .join(' or ');
  return refuse(new Refusal('conflict', `That time is taken: ${held} is busy then. Nothing was changed.`), 'taken');
}

const NO_SUPERVISOR = 'No provider is on site with a free supervision place for all of that time. Nothing was changed.';

/** Whether [start, end) lies within one opening span of the location on `day`, which is not a closure. */
async function withinOpeningHours(
  database: Database,
  locationId: string,
  zone: string,
  day: string,
  start: number,
  end: number,
): Promise<boolean> {
  const { byWeekday, closures } = await locationHours(database.db, locationId);
  if (closures.has(day)) return false;
  return (byWeekday.get(weekdayOf(day)) ?? []).some(
    (s) => start >= wallInstant(zone, day, s.from) && end <= wallInstant(zone, day, s.to),
  );
}

/** The provider or nurse of the appointment who is inactive or does not work [start, end) there that day, if any. */
async function notWorking(
  database: Database,
  appt: Appointment,
  zone: string,
  day: string,
  start: number,
  end: number,
): Promise<string | undefined> {
  const ids = [appt.provider_id, appt.nurse_id].filter((id): id is string => id !== null);
  if (ids.length === 0) return undefined;
  const { hours, active } = await clinicianDay(database.db, ids, appt.location_id, weekdayOf(day));
  return ids.find(
    (id) =>
      !active.has(id) ||
      !hours.some(
        (h) =>
          h.clinician_id === id &&
          start >= wallInstant(zone, day, h.from_min) &&
          end <= wallInstant(zone, day, h.to_min),
      ),
  );
}

/**
 * Where a moved visit may sit: its own room or chair while that is in use, else the location's others of the same
 * kind in use (a place taken out of use lists its visits so they can be moved; a move must be able to leave it).
 */
async function placesInUse(database: Database, current: Appointment): Promise<Array<string | null>> {
  if (current.room_id === null) return [null];
  const { own, others } = await placesOfKind(database.db, current.room_id, current.location_id);
  if (!own) return [];
  return [...(own.active === 1 ? [current.room_id] : []), ...others];
}
