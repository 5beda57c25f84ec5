import { countBooking } from '../kernel/ops/counters.ts';
import { DateTime } from 'luxon';
import type { Clinic, Location } from '../kernel/clinic.ts';
import type { Kysely } from 'kysely';
import { isBookingConflict, isInfusionGateRefusal, type Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { cancelPending, enqueue, type NewJob } from '../kernel/outbox/outbox.ts';
import { loadAvailability, type AppointmentType, type ResourceChoice } from './availability.ts';
import {
  findAppointment,
  insertAppointment,
  liveAppointmentForRequest,
  markCancelled,
  moveAppointment,
  parseLane,
  type Appointment,
} from './repository.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { withBuffers, type Slot, type SlotOption } from './slots.ts';

export type BookingOutcome =
  | { ok: true; appointment: Appointment }
  | { ok: false; reason: 'taken'; alternatives: Slot[] }
  | { ok: false; reason: 'already_booked'; appointmentId: string }
  /**
   * An infusion or booster for a patient without a signed eligible screening valid at that time and an active
   * treatment plan: refused by the database itself (migration 024), whatever path asked. Nothing was written.
   */
  | { ok: false; reason: 'not_eligible' };

export interface BookingContext {
  database: Database;
  clinic: Clinic;
  location: Location;
  type: AppointmentType;
  now: number;
  /** A nurse or place staff chose: availability, the booking and its alternatives consider that one alone. */
  only?: ResourceChoice;
}

const MINUTE = 60_000;

/** Free times for the coming horizon at this location. */
export function availability(
  ctx: BookingContext,
  from: number,
  to: number,
  excludeAppointmentId?: string,
): Promise<Slot[]> {
  return loadAvailability(ctx.database.db, {
    locationId: ctx.location.id,
    zone: ctx.location.time_zone,
    type: ctx.type,
    from,
    to,
    now: ctx.now,
    excludeAppointmentId,
    ...(ctx.only ? { only: ctx.only } : {}),
  });
}

/** The slot at exactly `start`, recomputed from the database (never trusted from the form). */
async function slotAt(ctx: BookingContext, start: number, excludeAppointmentId?: string): Promise<Slot | undefined> {
  const slots = await availability(ctx, start, start + 1, excludeAppointmentId);
  return slots.find((s) => s.start === start);
}

/** The free times closest to a wanted one, for the "just taken" answer. */
export async function nearestAlternatives(
  ctx: BookingContext,
  wanted: number,
  count = 6,
  excludeAppointmentId?: string,
): Promise<Slot[]> {
  const from = Math.max(ctx.now, wanted - 3 * 24 * 60 * MINUTE);
  const slots = await availability(ctx, from, wanted + 14 * 24 * 60 * MINUTE, excludeAppointmentId);
  return slots
    .filter((s) => s.start !== wanted)
    .sort((a, b) => Math.abs(a.start - wanted) - Math.abs(b.start - wanted) || a.start - b.start)
    .slice(0, count)
    .sort((a, b) => a.start - b.start);
}

/** Reminder jobs for a visit at the clinic's configured offsets (defaults 48 h and 2 h before). */
export function reminderJobs(ctx: Pick<BookingContext, 'clinic' | 'now'>, appt: Appointment): NewJob[] {
  const jobs: NewJob[] = [];
  for (const offset of ctx.clinic.reminderOffsetsMin) {
    const runAt = appt.starts_at - offset * MINUTE;
    // A reminder that would arrive within minutes of booking adds nothing to the confirmation.
    if (runAt <= ctx.now + 10 * MINUTE) continue;
    // Keyed by this version of the visit (its last change), not its time alone: a visit moved away and back to the
    // same time needs new reminders, while the cancelled ones of the first version keep their key.
    jobs.push({
      kind: 'appointment_reminder',
      refId: appt.id,
      runAt,
      dedupeKey: `reminder:${appt.id}:${appt.starts_at}:${appt.updated_at}:${offset}`,
      locationId: appt.location_id,
    });
  }
  return jobs;
}

/** Which provider, and what the booking means to the caller: work in the booking's own transaction. */
export interface BookingOptions {
  /** Only this provider (staff booking on someone's behalf). */
  providerId?: string;
  /**
   * What the booking means to the caller, last in the booking's transaction (after the insert and its mail jobs): a
   * request marked booked, a wait ended, the audit event. If it throws, nothing is booked. Last because the audit
   * event takes the audit chain's lock (PostgreSQL), which every audited write waits for until this one commits.
   */
  onBooked?: (trx: Kysely<DB>, appt: Appointment & { patient_id: string | null }) => Promise<void>;
}

/**
 * Who an appointment is for: a known patient, or the patient behind a request, whom the caller finds (matches or
 * creates) inside the booking's transaction, so that a refused booking leaves no patient behind. A visit booked from
 * a request carries its id: the database keeps one live booking per request.
 */
export type BookingFor =
  { patientId: string } | { requestId: string; patientOf: (trx: Kysely<DB>) => Promise<string | null> };

/**
 * Books an appointment of the context's type at `start`, trying each free option of that time in turn. The
 * database's overlap rules decide races, so concurrent bookings of one time yield exactly one appointment.
 */
export async function bookAppointment(
  ctx: BookingContext,
  who: BookingFor,
  start: number,
  options: BookingOptions = {},
): Promise<BookingOutcome> {
  // Options share their nurse and place (each lead is paired with the first free ones), so once the database refuses
  // one, the others of that look are likely stale too: take the first option, and after a refusal look again. A
  // refusal means someone else's booking took part of it, so each look has fewer options; the bound only stops a
  // person who clashes with their own visit from trying forever.
  const outcome = await firstFreeOption(ctx, who, start, options);
  countBooking(outcome.ok ? 'booked' : outcome.reason);
  return outcome;
}

async function firstFreeOption(
  ctx: BookingContext,
  who: BookingFor,
  start: number,
  options: BookingOptions,
): Promise<BookingOutcome> {
  let rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const slot = await slotAt(ctx, start);
    const free =
      slot?.options.filter((o) => options.providerId === undefined || o.providerId === options.providerId) ?? [];
    if (free.length === 0) break;
    if (round === 0) rounds = Math.min(free.length + 2, 64);
    const outcome = await tryBook(ctx, who, start, free[0]!, options);
    if (outcome) return outcome;
  }
  return { ok: false, reason: 'taken', alternatives: await nearestAlternatives(ctx, start) };
}

/** Where and when an appointment of the context's type sits for one option (provider, nurse, place). */
export function placement(ctx: BookingContext, start: number, option: SlotOption) {
  const end = start + ctx.type.duration_min * MINUTE;
  const busy = withBuffers({ start, end }, ctx.type.buffer_before_min, ctx.type.buffer_after_min);
  const lane = option.nurseId === null ? null : parseLane(option.nurseId);
  const supervision = option.supervisorId === undefined ? null : parseLane(option.supervisorId);
  return {
    location_id: ctx.location.id,
    provider_id: option.providerId,
    nurse_id: lane?.nurseId ?? null,
    nurse_lane: lane?.number ?? null,
    room_id: option.roomId,
    starts_at: start,
    ends_at: end,
    busy_from: busy.start,
    busy_to: busy.end,
    supervisor_id: supervision?.nurseId ?? null,
    supervisor_lane: supervision?.number ?? null,
  };
}

/** One attempt with one option: the booking, or undefined when the database refused it as overlapping. */
async function tryBook(
  ctx: BookingContext,
  who: BookingFor,
  start: number,
  option: SlotOption,
  options: BookingOptions,
): Promise<BookingOutcome | undefined> {
  const requestId = 'requestId' in who ? who.requestId : null;
  const appt: Appointment = {
    id: timeOrderedId(),
    type_id: ctx.type.id,
    request_id: requestId,
    ...placement(ctx, start, option),
    status: 'booked',
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  try {
    await ctx.database.transact(async (trx) => {
      const patientId = 'patientId' in who ? who.patientId : await who.patientOf(trx);
      const row = { ...appt, patient_id: patientId };
      await insertAppointment(trx, row);
      await enqueue(
        trx,
        [
          {
            kind: 'booking_confirmed',
            refId: appt.id,
            runAt: ctx.now,
            dedupeKey: `confirmed:${appt.id}`,
            locationId: appt.location_id,
          },
          ...reminderJobs(ctx, appt),
        ],
        ctx.now,
      );
      await options.onBooked?.(trx, row);
    });
    return { ok: true, appointment: appt };
  } catch (err) {
    if (isInfusionGateRefusal(err)) return { ok: false, reason: 'not_eligible' };
    if (!isBookingConflict(err)) throw err;
    if (requestId === null) return undefined;
    const existing = await liveAppointmentForRequest(ctx.database.db, requestId);
    return existing ? { ok: false, reason: 'already_booked', appointmentId: existing } : undefined;
  }
}

export type ChangeOutcome =
  | { ok: true; appointment: Appointment }
  | { ok: false; reason: 'taken'; alternatives: Slot[] }
  | { ok: false; reason: 'not_active' | 'too_late' | 'not_eligible' };

/** True when self-service changes are still allowed for this visit. */
export function beforeCutoff(clinic: Clinic, appt: Appointment, now: number): boolean {
  return changeableAt(clinic, appt.starts_at, now);
}

/** Whether a visit starting at `start` could be moved or cancelled online at `now`: the one cutoff rule. */
export function changeableAt(clinic: Clinic, start: number, now: number): boolean {
  return start - clinic.cancelCutoffMin * MINUTE >= now;
}

/**
 * The time a move or cancel frees (the visit as it was), in that change's own transaction, right after the change:
 * the waitlist offers it to the people waiting.
 */
export type OnFreed = (trx: Kysely<DB>, freed: Appointment) => Promise<unknown>;

/** What a move means to the caller, in the move's own transaction. */
export interface RescheduleOptions {
  onFreed?: OnFreed;
  /** Work (an audit event) after the move and its mail; if it throws, nothing moves. */
  onMoved?: (trx: Kysely<DB>, moved: Appointment, current: Appointment) => Promise<void>;
}

/** Moves a booked appointment to a new time: one update the database checks for overlap, or change nothing. */
export async function rescheduleAppointment(
  ctx: BookingContext,
  appointmentId: string,
  start: number,
  options: RescheduleOptions = {},
): Promise<ChangeOutcome> {
  // As with cancelling: a change that raced in between the read and the write means reading again.
  reading: for (let attempt = 0; attempt < 3; attempt++) {
    const current = await findAppointment(ctx.database.db, appointmentId);
    if (!current || current.status !== 'booked') return { ok: false, reason: 'not_active' };
    if (!beforeCutoff(ctx.clinic, current, ctx.now)) return { ok: false, reason: 'too_late' };
    const slot = await slotAt(ctx, start, appointmentId);
    for (const option of slot?.options ?? []) {
      const moved: Appointment = { ...current, ...placement(ctx, start, option), updated_at: ctx.now };
      try {
        const done = await ctx.database.transact(async (trx) => {
          if (!(await moveAppointment(trx, current, moved))) return false;
          await options.onFreed?.(trx, current);
          await cancelPending(trx, appointmentId, ['appointment_reminder']);
          await enqueue(
            trx,
            [
              {
                kind: 'booking_rescheduled',
                refId: appointmentId,
                runAt: ctx.now,
                dedupeKey: `rescheduled:${appointmentId}:${start}:${ctx.now}`,
                locationId: moved.location_id,
              },
              ...reminderJobs(ctx, moved),
            ],
            ctx.now,
          );
          await options.onMoved?.(trx, moved, current);
          return true;
        });
        if (!done) continue reading;
        return { ok: true, appointment: moved };
      } catch (err) {
        // Another option at the same time meets the same gate: say so at once.
        if (isInfusionGateRefusal(err)) return { ok: false, reason: 'not_eligible' };
        if (!isBookingConflict(err)) throw err;
      }
    }
    return { ok: false, reason: 'taken', alternatives: await nearestAlternatives(ctx, start, 6, appointmentId) };
  }
  return { ok: false, reason: 'not_active' };
}

/** What a cancel means to the caller, in the cancel's own transaction. */
export interface CancelOptions {
  /** Staff cancelling: not bound by the online cutoff. */
  ignoreCutoff?: boolean;
  onFreed?: OnFreed;
  /**
   * What the cancel means to the caller, after the cancel and its mail: a request back in the inbox, the audit event.
   * If it throws, nothing is cancelled.
   */
  onCancelled?: (trx: Kysely<DB>, appt: Appointment) => Promise<void>;
}

/** Cancels a booked appointment; its time is free for others the moment this commits. */
export async function cancelAppointment(
  database: Database,
  clinic: Clinic,
  appointmentId: string,
  now: number,
  options: CancelOptions = {},
): Promise<{ ok: true } | { ok: false; reason: 'not_active' | 'too_late' }> {
  // Read, then cancel only if the row is still as read; a move that raced in between means reading again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await findAppointment(database.db, appointmentId);
    if (!current || current.status !== 'booked') return { ok: false, reason: 'not_active' };
    if (!options.ignoreCutoff && !beforeCutoff(clinic, current, now)) return { ok: false, reason: 'too_late' };
    const done = await database.transact(async (trx) => {
      if (!(await markCancelled(trx, current, now))) return false;
      await options.onFreed?.(trx, current);
      await cancelPending(trx, appointmentId, ['appointment_reminder', 'booking_confirmed', 'booking_rescheduled']);
      await enqueue(
        trx,
        {
          kind: 'booking_cancelled',
          refId: appointmentId,
          runAt: now,
          dedupeKey: `cancelled:${appointmentId}`,
          locationId: current.location_id,
        },
        now,
      );
      await options.onCancelled?.(trx, current);
      return true;
    });
    if (done) return { ok: true };
  }
  return { ok: false, reason: 'not_active' };
}

/** Start of the local day of an instant, for grouping. */
export function localDay(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toISODate()!;
}
