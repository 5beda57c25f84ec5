import type { Kysely } from 'kysely';
import { countBooking } from '../kernel/ops/counters.ts';
import { isBookingConflict, isInfusionGateRefusal, type Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { cancelPending, enqueue } from '../kernel/outbox/outbox.ts';
import { availability, placement, reminderJobs, type BookingContext } from './booking-service.ts';
import { findAppointment, insertAppointment, markCancelled, type Appointment } from './repository.ts';
import type { Slot, SlotOption } from './slots.ts';

/**
 * Several appointments of one type for one patient, booked in ONE transaction: all of them or none. Scheduling knows
 * nothing of what a series means (a treatment plan's sessions); the caller says so in `onBooked`, in the same
 * transaction. The database's overlap rules decide races exactly as for single bookings: a chair or nurse lane taken
 * meanwhile refuses the whole series, which is then looked at again; a start with nothing free is reported by its
 * position, with nothing written.
 */
export type SeriesOutcome =
  | { ok: true; appointments: Appointment[] }
  | { ok: false; reason: 'taken'; index: number; start: number }
  /** The database's infusion gate refused it: no signed eligible screening valid at a session, or no active plan. */
  | { ok: false; reason: 'not_eligible' };

export interface SeriesOptions {
  /** After every insert and its mail, in the same transaction; if it throws, nothing is booked. */
  onBooked?: (trx: Kysely<DB>, appointments: Array<Appointment & { patient_id: string }>) => Promise<void>;
}

const ROUNDS = 3;

export async function bookSeries(
  ctx: BookingContext,
  who: { patientId: string },
  starts: readonly number[],
  options: SeriesOptions = {},
): Promise<SeriesOutcome> {
  if (starts.length === 0) return { ok: true, appointments: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // One availability read for the whole span (bounded, indexed), then each start's first free option.
    const from = Math.min(...starts);
    const slots = await availability(ctx, from, Math.max(...starts) + 1);
    const byStart = new Map<number, Slot>(slots.map((s) => [s.start, s]));
    const chosen: SlotOption[] = [];
    for (const [index, start] of starts.entries()) {
      const option = byStart.get(start)?.options[0];
      if (!option) {
        countBooking('taken');
        return { ok: false, reason: 'taken', index, start };
      }
      chosen.push(option);
    }
    const rows = starts.map((start, i) => ({
      id: timeOrderedId(ctx.now),
      type_id: ctx.type.id,
      request_id: null,
      ...placement(ctx, start, chosen[i]!),
      status: 'booked' as const,
      created_at: ctx.now,
      updated_at: ctx.now,
      patient_id: who.patientId,
    }));
    try {
      await ctx.database.transact(async (trx) => {
        for (const row of rows) await insertAppointment(trx, row);
        await enqueue(
          trx,
          rows.flatMap((appt) => [
            {
              kind: 'booking_confirmed' as const,
              refId: appt.id,
              runAt: ctx.now,
              dedupeKey: `confirmed:${appt.id}`,
              locationId: appt.location_id,
            },
            ...reminderJobs(ctx, appt),
          ]),
          ctx.now,
        );
        await options.onBooked?.(trx, rows);
      });
      countBooking('booked');
      return { ok: true, appointments: rows };
    } catch (err) {
      if (isInfusionGateRefusal(err)) {
        countBooking('not_eligible');
        return { ok: false, reason: 'not_eligible' };
      }
      if (!isBookingConflict(err)) throw err;
      // Someone took part of it between the read and the write: nothing was written; look again.
    }
  }
  countBooking('taken');
  return { ok: false, reason: 'taken', index: 0, start: starts[0]! };
}

/**
 * Cancels several booked appointments in one transaction (a series called off): each one still booked is cancelled,
 * its reminders dropped and its cancellation mailed; `onCancelled` sees those cancelled, in the same transaction.
 * Appointments already cancelled or moved meanwhile are left as they are.
 */
export async function cancelSeries(
  database: Database,
  appointmentIds: readonly string[],
  now: number,
  options: { onCancelled?: (trx: Kysely<DB>, cancelled: Appointment[]) => Promise<void> } = {},
): Promise<Appointment[]> {
  return database.transact(async (trx) => {
    const cancelled: Appointment[] = [];
    for (const id of appointmentIds) {
      const current = await findAppointment(trx, id);
      if (!current || current.status !== 'booked') continue;
      if (!(await markCancelled(trx, current, now))) continue;
      await cancelPending(trx, id, ['appointment_reminder', 'booking_confirmed', 'booking_rescheduled']);
      await enqueue(
        trx,
        {
          kind: 'booking_cancelled',
          refId: id,
          runAt: now,
          dedupeKey: `cancelled:${id}`,
          locationId: current.location_id,
        },
        now,
      );
      cancelled.push(current);
    }
    await options.onCancelled?.(trx, cancelled);
    return cancelled;
  });
}
