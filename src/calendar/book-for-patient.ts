import { z } from 'zod';
import type { Clinic } from '../clinic/repository.ts';
import { findLocation } from '../clinic/repository.ts';
import type { Database } from '../db/database.ts';
import { findAppointmentType } from '../booking/availability.ts';
import { patientVisitsBetween } from '../booking/repository.ts';
import { resourceSummary, TYPE_CODES } from '../booking/type-needs.ts';
import { bookAppointment } from '../booking/service.ts';
import type { Slot } from '../booking/slots.ts';
import { auditAlone, auditStaff, type Actor } from '../patients/access.ts';
import type { Patient } from '../patients/repository.ts';
import { canSeeLocation } from '../staff/policy.ts';
import { locationProviders } from './repository.ts';
import { STAFF_HORIZON_MS } from './service.ts';
import { formErrors, type FormErrors } from './schema.ts';
import { exactWallInstant, isDay } from './time.ts';

/** "Any" lets the booking take the first free provider, as online booking does. */
export const ANY_PROVIDER = 'any';

export const patientBookForm = z.object({
  location: z.string({ error: 'Choose a location.' }).max(64, 'Choose a location.'),
  type: z.enum(TYPE_CODES, { error: 'Choose the kind of appointment.' }),
  provider: z.string({ error: 'Choose a provider.' }).min(1, 'Choose a provider.').max(64, 'Choose a provider.').default(ANY_PROVIDER),
  date: z.string({ error: 'Enter the date like 2026-03-10.' }).trim().refine(isDay, 'Enter the date like 2026-03-10.'),
  time: z
    .string({ error: 'Enter a time like 09:30.' })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a time like 09:30.')
  .refine((t) => Number(t.slice(3)) % 5 === 0, 'Use minutes in steps of 5, like 09:30 or 09:35.'),
});

export type PatientBookResult =
  | { ok: true; appointmentId: string }
  | { ok: false; status: 400 | 409; message: string; errors?: FormErrors; alternatives?: Slot[] };

/**
 * Books any appointment type (infusion, booster, follow-up, consultation) for a known patient, through the same
 * path as online booking: the slot engine finds a free provider, nurse and place as the type needs, the claims
 * guard them. Staff may book today (no minimum notice). The audit event commits with the booking.
 */
export async function bookForPatient(database: Database, actor: Actor, clinic: Clinic, patient: Patient, body: unknown): Promise<PatientBookResult> {
  const action = 'appointment.book';
  const patientRef = patient.id;
  const fail = async (status: 400 | 409, message: string, errors: FormErrors | undefined, locationId: string | null, reason: string, alternatives?: Slot[]) => {
    await auditAlone(database, actor, action, reason === 'denied' ? 'denied' : 'failure', { locationId, patientRef }, { reason });
    return { ok: false as const, status, message, ...(errors ? { errors } : {}), ...(alternatives ? { alternatives } : {}) };
  };
  const parsed = patientBookForm.safeParse(body ?? {});
  if (!parsed.success) return fail(400, 'Some of the details are missing or not valid.', formErrors(parsed.error), null, 'invalid');
  const f = parsed.data;
  const location = await findLocation(database.db, f.location);
  if (!location || !canSeeLocation(actor.staff, location.id, actor.now)) {
    return fail(400, 'Choose a location from the list.', { location: 'Choose a location from the list.' }, location?.id ?? null, location ? 'denied' : 'invalid');
  }
  const type = await findAppointmentType(database.db, f.type);
  if (!type) return fail(400, 'Choose the kind of appointment.', { type: 'Choose the kind of appointment.' }, location.id, 'invalid');
  let providerId: string | undefined;
  if (f.provider !== ANY_PROVIDER) {
    if (!type.needs_provider) return fail(400, `This kind of appointment (${type.name}) is not booked with a provider.`, { provider: 'Choose “Any” for this kind of appointment.' }, location.id, 'invalid');
    if (!(await locationProviders(database.db, location.id)).some((p) => p.id === f.provider)) {
      return fail(400, 'Choose a provider who works at this location.', { provider: 'Choose a provider from the list.' }, location.id, 'invalid');
    }
    providerId = f.provider;
  }
  const start = exactWallInstant(location.time_zone, f.date, f.time);
  if (start === undefined || start <= actor.now) {
    return fail(400, 'Choose a time in the future that exists on that day.', { time: 'Choose another time.' }, location.id, 'no_such_time');
  }
  if (start > actor.now + STAFF_HORIZON_MS) return fail(400, 'Choose a date within the next two years.', { date: 'Choose a date within the next two years.' }, location.id, 'too_far');
  // The claims refuse a second visit for the same person at once; this says so in words first.
  const end = start + type.duration_min * 60_000;
  if ((await patientVisitsBetween(database.db, patient.id, start, end)).length) return fail(409, `${patient.first_name} already has an appointment at that time.`, { time: 'Choose another time.' }, location.id, 'patient_busy');
  // Staff may book today and at any 5-minute time: no minimum notice, no grid.
  const ctx = { database, clinic, location, type: { ...type, min_notice_min: 0, step_min: 5 }, now: actor.now };
  const outcome = await bookAppointment(ctx, { patientId: patient.id }, start, {
    ...(providerId ? { providerId } : {}),
    alsoInTransaction: (trx, appt) =>
      auditStaff(trx, database, actor, action, 'success', { locationId: location.id, patientRef }, { appointmentId: appt.id, type: type.code, providerId: appt.provider_id, nurseId: appt.nurse_id, roomId: appt.room_id }),
  });
  if (outcome.ok) return { ok: true, appointmentId: outcome.appointment.id };
  const alternatives = outcome.reason === 'taken' ? outcome.alternatives.filter((s) => !providerId || s.options.some((o) => o.providerId === providerId)) : [];
  const needs = resourceSummary(type).toLowerCase().replace(/, ([^,]*)$/, ' and $1');
  const kind = type.name.toLowerCase();
  return fail(409, `That time is not free. ${/^[aeiou]/.test(kind) ? 'An' : 'A'} ${kind} needs a ${needs.replace(/, /g, ', a ').replace(' and ', ' and a ')} free for its whole time, within working hours.`, { time: 'Choose another time.' }, location.id, 'taken', alternatives);
}
