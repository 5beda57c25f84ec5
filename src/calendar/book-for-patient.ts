import type { Clinic } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import { findAppointmentType } from '../scheduling/availability.ts';
import { resourcePhrase } from '../scheduling/type-needs.ts';
import { bookAppointment } from '../scheduling/booking-service.ts';
import { startIntake } from '../clinical/service.ts';
import type { Slot } from '../scheduling/slots.ts';
import { Refusal } from '../kernel/refusal.ts';
import { auditAlone, auditStaff, type Actor } from '../patients/service.ts';
import type { Patient } from '../patients/service.ts';
import { formErrors, patientBookForm } from './schema.ts';
import { GATED_KINDS, infusionReady } from '../clinical/service.ts';
import {
  NOT_READY_FIELD,
  NOT_READY_TO_BOOK,
  staffLocation,
  staffPlacement,
  type BookingRefusal,
} from './staff-booking.ts';

export type PatientBookResult = { ok: true; appointmentId: string } | BookingRefusal;

/**
 * Books any appointment type (infusion, booster, follow-up, consultation) for a known patient, through the same
 * path as online booking: the slot engine finds a free provider, nurse and place as the type needs, the database's overlap rules
 * guard them. Staff may book today (no minimum notice). The audit event commits with the booking.
 */
export async function bookForPatient(
  database: Database,
  actor: Actor,
  clinic: Clinic,
  patient: Patient,
  body: unknown,
): Promise<PatientBookResult> {
  const action = 'appointment.book';
  const patientRef = patient.id;
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
      { locationId, patientRef },
      { reason },
    );
    return { ok: false, refusal, ...(alternatives ? { alternatives } : {}) };
  };
  const parsed = patientBookForm.safeParse(body ?? {});
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
  const type = await findAppointmentType(database.db, f.type);
  if (!type)
    return fail(
      new Refusal('invalid_request', 'Choose the kind of appointment.', { type: 'Choose the kind of appointment.' }),
      location.id,
      'invalid',
    );
  const placed = await staffPlacement(database, actor, clinic, location, type, f, {
    patientId: patient.id,
    firstName: patient.first_name,
  });
  if (!placed.ok) return fail(placed.refusal, location.id, placed.reason);
  const { start, providerId, ctx } = placed;
  // Said before looking for free times, so a patient who is not ready never hears "taken"; the database decides anyway.
  const notReady = () =>
    fail(new Refusal('not_eligible', NOT_READY_TO_BOOK, { type: NOT_READY_FIELD }), location.id, 'not_eligible');
  if (GATED_KINDS.has(type.kind) && !(await infusionReady(database.db, patient.id, start))) return notReady();
  const outcome = await bookAppointment(ctx, { patientId: patient.id }, start, {
    ...(providerId ? { providerId } : {}),
    onBooked: async (trx, appt) => {
      // A consultation booked from the patient's page sends the pre-visit questions as an online booking does.
      if (type.kind === 'consultation')
        await startIntake(trx, {
          patientId: patient.id,
          appointmentId: appt.id,
          locationId: location.id,
          now: ctx.now,
        });
      await auditStaff(
        trx,
        database,
        actor,
        action,
        'success',
        { locationId: location.id, patientRef },
        {
          appointmentId: appt.id,
          type: type.code,
          providerId: appt.provider_id,
          nurseId: appt.nurse_id,
          roomId: appt.room_id,
        },
      );
    },
  });
  if (outcome.ok) return { ok: true, appointmentId: outcome.appointment.id };
  if (outcome.reason === 'not_eligible') return notReady();
  const alternatives =
    outcome.reason === 'taken'
      ? outcome.alternatives.filter((s) => !providerId || s.options.some((o) => o.providerId === providerId))
      : [];
  const kind = type.name.toLowerCase();
  return fail(
    new Refusal(
      'conflict',
      `That time is not free. ${/^[aeiou]/.test(kind) ? 'An' : 'A'} ${kind} needs ${resourcePhrase(type)} free for its whole time, within working hours.`,
      { time: 'Choose another time.' },
    ),
    location.id,
    'taken',
    alternatives,
  );
}
