import { findLocation, type Clinic, type Location } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import type { AppointmentType, ResourceChoice } from '../scheduling/availability.ts';
import { patientVisitsBetween } from '../scheduling/repository.ts';
import type { BookingContext } from '../scheduling/booking-service.ts';
import type { Slot } from '../scheduling/slots.ts';
import { Refusal } from '../kernel/refusal.ts';
import type { Actor } from '../patients/service.ts';
import { canSeeLocation } from '../kernel/http/policy.ts';
import { locationResources } from './repository.ts';
import { ANY_PROVIDER, type FormErrors } from './schema.ts';
import { exactWallInstant } from '../kernel/time/wall-clock.ts';

/** How far ahead staff may book or move a visit (a series is planned months, not years, ahead). */
export const STAFF_HORIZON_MS = 730 * 24 * 3_600_000;

/**
 * Why an infusion or booster was refused for a patient who is not ready (the gate of migration 024), in words for
 * every role: the front desk learns that a clinician must act, never the screening's outcome or its reasons.
 */
export const NOT_READY_TO_BOOK =
  'This patient has no signed eligible screening and active treatment plan, so infusions cannot be booked yet (the screening must still be valid on the day of the visit), or a provider has put infusions on hold. A provider completes both, or clears the hold, first.';
/** The booking form's own line under "Kind of appointment" (the whole reason is in the summary above it). */
export const NOT_READY_FIELD = 'An infusion or booster needs this patient’s screening and treatment plan first.';
export const NOT_READY_TO_MOVE =
  'This infusion cannot be moved there: the patient needs a signed eligible screening still valid at that time and an active treatment plan, and no hold on infusions. Nothing was changed. A provider renews the screening or the plan, or clears the hold, first.';
export const NOT_READY_TO_MOVE_FIELD = 'Not possible until a provider renews the screening or the treatment plan.';

/** A refused staff booking, as its form shows it: why, and the free times nearest the one that was taken. */
export interface BookingRefusal {
  ok: false;
  refusal: Refusal;
  alternatives?: Slot[];
}

/** A check before booking that refused: why, with per-field messages, and which rule, for the audit trail. */
export interface StaffRefusal {
  ok: false;
  refusal: Refusal;
  reason: string;
}

const refusal = (
  code: 'invalid_request' | 'conflict',
  message: string,
  fields: FormErrors,
  reason: string,
): StaffRefusal => ({ ok: false, refusal: new Refusal(code, message, fields), reason });

/**
 * The location a staff booking form names, when this person may book there. Otherwise a 400 either way (a location
 * elsewhere is not told apart from one that does not exist), with the reason and location for the audit trail.
 */
export async function staffLocation(
  database: Database,
  actor: Actor,
  slug: string,
): Promise<{ ok: true; location: Location } | (StaffRefusal & { locationId: string | null })> {
  const location = await findLocation(database.db, slug);
  if (location && canSeeLocation(actor.staff, location.id, actor.now)) return { ok: true, location };
  const message = 'Choose a location from the list.';
  return {
    ...refusal('invalid_request', message, { location: message }, location ? 'denied' : 'invalid'),
    locationId: location?.id ?? null,
  };
}

/**
 * What both staff booking forms check once the location and type are known: the provider chosen (or "any"), a
 * start that exists, is ahead and within the horizon, and that the person is not at another visit then. On success,
 * the booking context staff book with: no minimum notice and any 5-minute start (no online grid); hours, places and
 * database's overlap rules are the online path's.
 */
export async function staffPlacement(
  database: Database,
  actor: Actor,
  clinic: Clinic,
  location: Location,
  type: AppointmentType,
  form: { provider: string; nurse?: string | undefined; room?: string | undefined; date: string; time: string },
  person: { patientId: string | undefined; firstName: string },
): Promise<StaffRefusal | { ok: true; start: number; providerId: string | undefined; ctx: BookingContext }> {
  const providerId = form.provider === ANY_PROVIDER ? undefined : form.provider;
  const resources = await locationResources(database.db, location.id);
  if (providerId !== undefined) {
    if (!type.needs_provider)
      return refusal(
        'invalid_request',
        `This kind of appointment (${type.name}) is not booked with a provider: choose “Any”.`,
        { provider: 'Choose “Any”.' },
        'invalid',
      );
    if (!resources.providers.some((p) => p.id === providerId)) {
      return refusal(
        'invalid_request',
        'Choose a provider who works at this location.',
        { provider: 'Choose a provider from the list.' },
        'invalid',
      );
    }
  }
  const chosen = chosenResources(type, resources, form);
  if (!chosen.ok) return chosen;
  const start = exactWallInstant(location.time_zone, form.date, form.time);
  if (start === undefined || start <= actor.now)
    return refusal(
      'invalid_request',
      'Choose a time in the future that exists on that day.',
      { time: 'Choose another time.' },
      'no_such_time',
    );
  if (start > actor.now + STAFF_HORIZON_MS)
    return refusal(
      'invalid_request',
      'Choose a date within the next two years.',
      { date: 'Choose a date within the next two years.' },
      'too_far',
    );
  // The database refuses a second visit for the same person at once; this says so in words first.
  if (
    person.patientId &&
    (await patientVisitsBetween(database.db, person.patientId, start, start + type.duration_min * 60_000)).length
  ) {
    return refusal(
      'conflict',
      `${person.firstName} already has an appointment at that time.`,
      { time: 'Choose another time.' },
      'patient_busy',
    );
  }
  const ctx: BookingContext = {
    database,
    clinic,
    location,
    type: { ...type, min_notice_min: 0, step_min: 5 },
    now: actor.now,
    ...(chosen.only ? { only: chosen.only } : {}),
  };
  return { ok: true, start, providerId, ctx };
}

/**
 * The nurse and the chair or room a form names (from its lists, or a calendar column), when the type takes one of
 * that kind and the location has it; a forged or mismatched id is refused naming its field.
 */
function chosenResources(
  type: AppointmentType,
  resources: Awaited<ReturnType<typeof locationResources>>,
  form: { nurse?: string | undefined; room?: string | undefined },
): StaffRefusal | { ok: true; only: ResourceChoice | undefined } {
  const only: ResourceChoice = {};
  if (form.nurse !== undefined) {
    if (!type.needs_nurse)
      return refusal(
        'invalid_request',
        `This kind of appointment (${type.name}) is not booked with a nurse: choose “Any”.`,
        { nurse: 'Choose “Any”.' },
        'invalid',
      );
    if (!resources.nurses.some((n) => n.id === form.nurse))
      return refusal(
        'invalid_request',
        'Choose a nurse who works at this location.',
        { nurse: 'Choose a nurse from the list.' },
        'invalid',
      );
    only.nurseId = form.nurse;
  }
  if (form.room !== undefined) {
    const place = resources.rooms.find((r) => r.id === form.room);
    if (!place)
      return refusal(
        'invalid_request',
        'Choose a chair or room at this location.',
        { room: 'Choose a chair or room from the list.' },
        'invalid',
      );
    if (type.place !== place.kind)
      return refusal(
        'invalid_request',
        type.place === 'none'
          ? `This kind of appointment (${type.name}) takes no chair or room: choose “Any”.`
          : `This kind of appointment (${type.name}) takes a ${type.place}, not a ${place.kind}.`,
        { room: type.place === 'none' ? 'Choose “Any”.' : `Choose a ${type.place} or “Any”.` },
        'invalid',
      );
    only.roomId = form.room;
  }
  return { ok: true, only: only.nurseId || only.roomId ? only : undefined };
}
