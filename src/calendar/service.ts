import { DateTime } from 'luxon';
import type { Clinic } from '../kernel/clinic.ts';
import { bookRequest, findRequest, visitCancelled } from '../requests/service.ts';
import { isBookingConflict, type Database } from '../kernel/db/database.ts';
import { findAppointmentType } from '../scheduling/availability.ts';
import { findAppointment, patientVisitsBetween, stillAsRead, type Appointment } from '../scheduling/repository.ts';
import { endWait, offerFreedTime } from '../waitlist/service.ts';
import { cancelAppointment, reminderJobs } from '../scheduling/booking-service.ts';
import type { Slot } from '../scheduling/slots.ts';
import { cancelPending, enqueue } from '../kernel/outbox/outbox.ts';
import { auditAlone, auditStaff, notFound, type Actor } from '../patients/service.ts';
import { patientOfRequest } from '../patients/service.ts';
import { STAFF_HORIZON_MS, staffLocation, staffPlacement, type BookingRefusal } from './staff-booking.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { Refusal } from '../kernel/refusal.ts';
import { appointmentDetail, locationHours, type AppointmentDetail } from './repository.ts';
import { appointmentId, attendanceForm, bookForm, formErrors, rescheduleForm } from './schema.ts';
import { exactWallInstant, today, wallInstant, weekdayOf } from '../kernel/time/wall-clock.ts';

/** What was done, for the notice on the appointment's page after the redirect. */
export type Done = 'arrived' | 'no_show' | 'cleared' | 'cancelled' | 'moved' | 'booked';

/** Done, or refused: the refusal's message and per-field messages (`fields`) are shown with the form again. */
export type ActionResult = { ok: true; done: Done; appointmentId: string } | Refusal;

const where = (a: AppointmentDetail) => ({ locationId: a.location_id, patientRef: a.patient_id ?? a.request_id });

/**
 * The appointment behind `rawId` if this person may see it. Anything else is a plain 404: a malformed or unknown id
 * silently, an appointment of another location with a 'denied' event for `action`.
 */
export async function appointmentFor(
  database: Database,
  actor: Actor,
  rawId: unknown,
  action: string,
): Promise<AppointmentDetail> {
  const id = appointmentId.safeParse(rawId);
  if (!id.success) throw notFound();
  const appt = await appointmentDetail(database.db, id.data);
  if (!appt) throw notFound();
  if (!canSeeLocation(actor.staff, appt.location_id, actor.now)) {
    await auditAlone(database, actor, action, 'denied', where(appt));
    throw notFound();
  }
  return appt;
}

/** Records a refused action (which rule, never the values typed) and returns the refusal. */
async function refused(
  database: Database,
  actor: Actor,
  appt: AppointmentDetail,
  action: string,
  result: Refusal,
  reason: string,
): Promise<Refusal> {
  await auditAlone(database, actor, action, 'failure', where(appt), { appointmentId: appt.id, reason });
  return result;
}

export async function setAttendance(
  database: Database,
  actor: Actor,
  appt: AppointmentDetail,
  body: unknown,
): Promise<ActionResult> {
  const action = 'appointment.attendance';
  const parsed = attendanceForm.safeParse(body);
  if (!parsed.success)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('invalid_request', 'Choose arrived, no-show or not marked.', formErrors(parsed.error)),
      'invalid',
    );
  const value = parsed.data.attendance === 'none' ? null : parsed.data.attendance;
  if (appt.status !== 'booked')
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('not_active', 'This appointment was cancelled, so attendance cannot be marked.'),
      'not_active',
    );
  if (value !== null && today(appt.starts_at, appt.time_zone) > today(actor.now, appt.time_zone)) {
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('conflict', 'Arrival and no-show can be marked from the day of the appointment.'),
      'too_early',
    );
  }
  const changed = await database.transact(async (trx) => {
    const res = await trx
      .updateTable('appointments')
      .set({ attendance: value, updated_at: actor.now })
      .where('id', '=', appt.id)
      .where('status', '=', 'booked')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await auditStaff(trx, database, actor, action, 'success', where(appt), {
      appointmentId: appt.id,
      from: appt.attendance,
      to: value,
    });
    return true;
  });
  if (!changed)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('not_active', 'This appointment was cancelled meanwhile.'),
      'not_active',
    );
  return { ok: true, appointmentId: appt.id, done: value ?? 'cleared' };
}

/** Staff cancel through the same path as patients, without the online cutoff; the time is free when this returns. */
export async function staffCancel(
  database: Database,
  actor: Actor,
  appt: AppointmentDetail,
  clinic: Clinic,
): Promise<ActionResult> {
  const action = 'appointment.cancel';
  if (appt.status !== 'booked')
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('not_active', 'This appointment is already cancelled.'),
      'not_active',
    );
  if (appt.ends_at <= actor.now)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('conflict', 'This appointment is over. Mark it as a no-show instead of cancelling it.'),
      'past',
    );
  const outcome = await cancelAppointment(database, clinic, appt.id, actor.now, {
    ignoreCutoff: true,
    onFreed: (trx, freed) => offerFreedTime(trx, freed, actor.now),
    onCancelled: async (trx, current) => {
      await visitCancelled(trx, current);
      await auditStaff(trx, database, actor, action, 'success', where(appt), {
        appointmentId: appt.id,
        startsAt: appt.starts_at,
      });
    },
  });
  if (!outcome.ok)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('conflict', 'This appointment was cancelled meanwhile.'),
      outcome.reason,
    );
  return { ok: true, appointmentId: appt.id, done: 'cancelled' };
}

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
  const [hours, active] = await Promise.all([
    database.db
      .selectFrom('clinician_hours')
      .select(['clinician_id', 'from_min', 'to_min'])
      .where('clinician_id', 'in', ids)
      .where('location_id', '=', appt.location_id)
      .where('weekday', '=', weekdayOf(day))
      .execute(),
    database.db.selectFrom('clinicians').select('id').where('id', 'in', ids).where('active', '=', 1).execute(),
  ]);
  return ids.find(
    (id) =>
      !active.some((a) => a.id === id) ||
      !hours.some(
        (h) =>
          h.clinician_id === id &&
          start >= wallInstant(zone, day, h.from_min) &&
          end <= wallInstant(zone, day, h.to_min),
      ),
  );
}

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
  const parsed = rescheduleForm.safeParse(body);
  if (!parsed.success)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('invalid_request', 'Enter the new date and time.', formErrors(parsed.error)),
      'invalid',
    );
  const { date, time } = parsed.data;
  if (appt.status !== 'booked')
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('not_active', 'This appointment was cancelled, so it cannot be moved.'),
      'not_active',
    );
  // A wall time in fall-back's repeated hour names two instants and reads as the first; the form shows the visit's
  // own time, so a form sent back unchanged keeps the visit's own instant (the second 1:30 stays the second).
  const shown = DateTime.fromMillis(appt.starts_at, { zone: appt.time_zone });
  const start =
    shown.toISODate() === date && shown.toFormat('HH:mm') === time
      ? appt.starts_at
      : exactWallInstant(appt.time_zone, date, time);
  if (start === undefined)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('invalid_request', 'That time does not exist on that day (the clocks go forward).', {
        time: 'Choose another time.',
      }),
      'no_such_time',
    );
  if (start <= actor.now)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('invalid_request', 'Choose a time in the future.', { date: 'Choose a time in the future.' }),
      'past',
    );
  if (start > actor.now + STAFF_HORIZON_MS)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('invalid_request', 'Choose a date within the next two years.', {
        date: 'Choose a date within the next two years.',
      }),
      'too_far',
    );
  const current = await findAppointment(database.db, appt.id);
  if (!current) throw notFound();
  const end = start + (current.ends_at - current.starts_at);
  if (!(await withinOpeningHours(database, current.location_id, appt.time_zone, date, start, end))) {
    return refused(
      database,
      actor,
      appt,
      action,
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
    ? await database.db
        .selectFrom('clinician_time_off')
        .select('clinician_id')
        .where('clinician_id', 'in', clinicians)
        .where('starts_at', '<', moved.busy_to)
        .where('ends_at', '>', moved.busy_from)
        .executeTakeFirst()
    : undefined;
  if (away) {
    const name = away.clinician_id === current.provider_id ? appt.provider_name : appt.nurse_name;
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('conflict', `${name ?? 'The clinician'} is away at that time.`),
      'time_off',
    );
  }
  if (
    current.patient_id &&
    (await patientVisitsBetween(database.db, current.patient_id, start, end, current.id)).length
  ) {
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal('conflict', `${appt.first_name ?? 'The patient'} has another appointment at that time.`, {
        time: 'Choose another time.',
      }),
      'patient_busy',
    );
  }
  const off = await notWorking(database, current, appt.time_zone, date, start, end);
  if (off) {
    const name = off === current.provider_id ? appt.provider_name : appt.nurse_name;
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal(
        'conflict',
        `${name ?? 'The clinician'} does not work at this location for all of that time, or is no longer active.`,
      ),
      'outside_hours',
    );
  }
  // The nurse keeps the patient; any of their lanes will do (their current one first).
  const capacity = current.nurse_id
    ? ((
        await database.db
          .selectFrom('clinicians')
          .select('watches_at_once')
          .where('id', '=', current.nurse_id)
          .executeTakeFirst()
      )?.watches_at_once ?? 1)
    : 1;
  // Only lanes within the nurse's number (it may have been lowered since), the current one first if it still is.
  const within = Array.from({ length: capacity }, (_, i) => i + 1);
  const own = current.nurse_lane ?? 1;
  const lanes = current.nurse_id ? (own <= capacity ? [own, ...within.filter((n) => n !== own)] : within) : [null];
  const places = await placesInUse(database, current);
  if (places.length === 0)
    return refused(
      database,
      actor,
      appt,
      action,
      new Refusal(
        'conflict',
        `${appt.room_name ?? 'The room'} is out of use and there is no other of its kind here. Cancel this visit and book it again.`,
      ),
      'no_place',
    );
  for (const [room, lane] of places.flatMap((room) => lanes.map((lane) => [room, lane] as const))) {
    const placed: Appointment = { ...moved, room_id: room, nurse_lane: lane };
    try {
      const done = await database.transact(async (trx) => {
        const res = await trx
          .updateTable('appointments')
          // A new time starts unmarked: arrival or no-show belongs to the visit as it was.
          .set({
            starts_at: placed.starts_at,
            ends_at: placed.ends_at,
            busy_from: placed.busy_from,
            busy_to: placed.busy_to,
            room_id: placed.room_id,
            nurse_lane: placed.nurse_lane,
            updated_at: placed.updated_at,
            attendance: null,
          })
          .where('id', '=', current.id)
          .$call((qb) => stillAsRead(qb, current))
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
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
        return refused(
          database,
          actor,
          appt,
          action,
          new Refusal('conflict', 'This appointment was changed meanwhile. Reload it and try again.'),
          'changed',
        );
      return { ok: true, appointmentId: appt.id, done: 'moved' };
    } catch (err) {
      if (!isBookingConflict(err)) throw err;
    }
  }
  const held = [appt.provider_name, appt.nurse_name, appt.room_name]
    .filter((n): n is string => n !== null)
    .join(' or ');
  return refused(
    database,
    actor,
    appt,
    action,
    new Refusal('conflict', `That time is taken: ${held} is busy then. Nothing was changed.`),
    'taken',
  );
}

/**
 * Where a moved visit may sit: its own room or chair while that is in use, else the location's others of the same
 * kind in use (a place taken out of use lists its visits so they can be moved; a move must be able to leave it).
 */
async function placesInUse(database: Database, current: Appointment): Promise<Array<string | null>> {
  if (current.room_id === null) return [null];
  const own = await database.db
    .selectFrom('rooms')
    .select(['kind', 'active'])
    .where('id', '=', current.room_id)
    .executeTakeFirst();
  if (!own) return [];
  const others = await database.db
    .selectFrom('rooms')
    .select('id')
    .where('location_id', '=', current.location_id)
    .where('kind', '=', own.kind)
    .where('active', '=', 1)
    .where('id', '!=', current.room_id)
    .orderBy('name')
    .execute();
  return [...(own.active === 1 ? [current.room_id] : []), ...others.map((r) => r.id)];
}

/**
 * Books a consultation for an existing request on the person's behalf, through the same path as online booking
 * (the slot engine offers the time, the database's overlap rules guard it), with the chosen provider and no minimum notice.
 */
export async function bookOnBehalf(
  database: Database,
  actor: Actor,
  clinic: Clinic,
  body: unknown,
): Promise<{ ok: true; done: 'booked'; appointmentId: string } | BookingRefusal> {
  const action = 'appointment.book';
  const parsed = bookForm.safeParse(body);
  const fail = async (
    refusal: Refusal,
    locationId: string | null,
    reason: string,
    alternatives?: Slot[],
  ): Promise<BookingRefusal> => {
    await auditAlone(
      database,
      actor,
      action,
      reason === 'denied' ? 'denied' : 'failure',
      { locationId, patientRef: null },
      { reason },
    );
    return { ok: false, refusal, ...(alternatives ? { alternatives } : {}) };
  };
  if (!parsed.success)
    return fail(
      new Refusal('invalid_request', 'Some of the details are missing or not valid.', formErrors(parsed.error)),
      null,
      'invalid',
    );
  const f = parsed.data;
  const at = await staffLocation(database, actor, f.location);
  if (!at.ok) return fail(at.refusal, at.locationId, at.reason);
  const { location } = at;
  const request = await findRequest(database.db, f.request);
  if (!request || !canSeeLocation(actor.staff, request.location_id, actor.now)) {
    return fail(
      new Refusal('invalid_request', 'Choose a consultation request from the list.', {
        request: 'Choose a request from the list.',
      }),
      request?.location_id ?? location.id,
      request ? 'denied' : 'invalid',
    );
  }
  // The clinic closed it: booking must not undo that decision unseen. Reopening is a status change on the lead's page.
  if (request.status === 'not_candidate' || request.status === 'closed') {
    return fail(
      new Refusal(
        'invalid_request',
        'That request is closed. Reopen it on its lead page first if it should be booked.',
        {
          request: 'Choose an open request from the list.',
        },
      ),
      request.location_id,
      'closed',
    );
  }
  const type = await findAppointmentType(database.db, 'consultation');
  if (!type) throw new Error('the consultation appointment type is missing');
  const person = { patientId: await patientOfRequest(database.db, request), firstName: request.first_name };
  const placed = await staffPlacement(database, actor, clinic, location, type, f, person);
  if (!placed.ok) return fail(placed.refusal, location.id, placed.reason);
  const { start, providerId, ctx } = placed;
  const outcome = await bookRequest(ctx, request.id, start, {
    ...(providerId ? { providerId } : {}),
    onBooked: async (trx, appt) => {
      await endWait(trx, request.id, ctx.now);
      await auditStaff(
        trx,
        database,
        actor,
        action,
        'success',
        { locationId: location.id, patientRef: appt.patient_id ?? request.id },
        { appointmentId: appt.id, requestId: request.id, providerId: appt.provider_id },
      );
    },
  });
  if (outcome.ok) return { ok: true, appointmentId: outcome.appointment.id, done: 'booked' };
  if (outcome.reason === 'already_booked') {
    return fail(
      new Refusal('conflict', 'This request already has a booked consultation. Cancel or move that one instead.'),
      location.id,
      'already_booked',
    );
  }
  const forProvider = outcome.alternatives.filter(
    (s) => providerId === undefined || s.options.some((o) => o.providerId === providerId),
  );
  return fail(
    new Refusal('conflict', 'That time is taken, or outside the provider’s hours for consultations.', {
      time: 'Choose another time.',
    }),
    location.id,
    'taken',
    forProvider,
  );
}

// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { STAFF_TIME_STEP_MIN } from './schema.ts';
