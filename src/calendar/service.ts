import type { Clinic } from '../kernel/clinic.ts';
import { bookRequest, findRequest, visitCancelled } from '../requests/service.ts';
import type { Database } from '../kernel/db/database.ts';
import { consultationType } from '../scheduling/availability.ts';
import { markAttendance } from '../scheduling/repository.ts';
import { endWait, offerFreedTime } from '../waitlist/service.ts';
import { cancelAppointment } from '../scheduling/booking-service.ts';
import type { Slot } from '../scheduling/slots.ts';
import { auditAlone, auditStaff, notFound, type Actor } from '../patients/service.ts';
import { patientOfRequest } from '../patients/service.ts';
import { NOT_READY_TO_BOOK, staffLocation, staffPlacement, type BookingRefusal } from './staff-booking.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { Refusal } from '../kernel/refusal.ts';
import { appointmentDetail, type AppointmentDetail } from './repository.ts';
import { refused, where, type ActionResult } from './outcome.ts';
import { appointmentId, attendanceForm, bookForm, formErrors } from './schema.ts';
import { today } from '../kernel/time/wall-clock.ts';

/**
 * The appointment behind `rawId` if this person may see it. Anything else is a plain 404: a malformed or unknown id
 * silently, an appointment of another location with a 'denied' event for `action`.
 */
const NO_CONSULTATION =
  'The clinic has no consultation appointment type in use: an administrator adds one under Clinic set-up.';

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

export async function setAttendance(
  database: Database,
  actor: Actor,
  appt: AppointmentDetail,
  body: unknown,
): Promise<ActionResult> {
  const action = 'appointment.attendance';
  const refuse = (result: Refusal, reason: string) => refused(database, actor, appt, action, result, reason);
  const parsed = attendanceForm.safeParse(body);
  if (!parsed.success)
    return refuse(
      new Refusal('invalid_request', 'Choose arrived, no-show or not marked.', formErrors(parsed.error)),
      'invalid',
    );
  const value = parsed.data.attendance === 'none' ? null : parsed.data.attendance;
  if (appt.status !== 'booked')
    return refuse(
      new Refusal('not_active', 'This appointment was cancelled, so attendance cannot be marked.'),
      'not_active',
    );
  if (value !== null && today(appt.starts_at, appt.time_zone) > today(actor.now, appt.time_zone)) {
    return refuse(
      new Refusal('conflict', 'Arrival and no-show can be marked from the day of the appointment.'),
      'too_early',
    );
  }
  const changed = await database.transact(async (trx) => {
    if (!(await markAttendance(trx, appt.id, value, actor.now))) return false;
    await auditStaff(trx, database, actor, action, 'success', where(appt), {
      appointmentId: appt.id,
      from: appt.attendance,
      to: value,
    });
    return true;
  });
  if (!changed) return refuse(new Refusal('not_active', 'This appointment was cancelled meanwhile.'), 'not_active');
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
  const refuse = (result: Refusal, reason: string) => refused(database, actor, appt, action, result, reason);
  if (appt.status !== 'booked')
    return refuse(new Refusal('not_active', 'This appointment is already cancelled.'), 'not_active');
  if (appt.ends_at <= actor.now)
    return refuse(
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
  if (!outcome.ok) return refuse(new Refusal('conflict', 'This appointment was cancelled meanwhile.'), outcome.reason);
  return { ok: true, appointmentId: appt.id, done: 'cancelled' };
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
  const type = await consultationType(database.db);
  // Every consultation type retired, or none added yet: the administrator's to fix, the desk's to be told.
  if (!type)
    return fail(new Refusal('conflict', NO_CONSULTATION, { request: NO_CONSULTATION }), request.location_id, 'no_type');
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
  // Only consultations are booked for requests; the gate answers here only if that ever changes.
  if (outcome.reason === 'not_eligible')
    return fail(new Refusal('not_eligible', NOT_READY_TO_BOOK), location.id, 'not_eligible');
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

export type { ActionResult, Done } from './outcome.ts';
export { staffReschedule } from './move-service.ts';

// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { STAFF_TIME_STEP_MIN } from './schema.ts';
