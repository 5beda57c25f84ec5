import type { Kysely } from 'kysely';
import type { DB } from '../kernel/db/schema.ts';
import {
  bookAppointment,
  type BookingContext,
  type BookingOptions,
  type BookingOutcome,
} from '../scheduling/booking-service.ts';
import { matchOrCreatePatient } from '../patients/service.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { startIntake } from '../clinical/service.ts';
import { cancelNoticeRecipients, markBooked, markCancelledByPatient, reopenBooked } from './repository.ts';

/**
 * Books a consultation for a request through the one booking service, online, by staff or from a waitlist offer.
 * What that means to the request happens in the booking's transaction: the person is matched to a patient (or
 * becomes one) before the insert, and the request is marked booked after it. `onBooked` adds the caller's own work
 * there, after the request's: ending the request's wait (the waitlist's endWait) and the audit event.
 */
export function bookRequest(
  ctx: BookingContext,
  requestId: string,
  start: number,
  options: BookingOptions = {},
): Promise<BookingOutcome> {
  return bookAppointment(
    ctx,
    {
      requestId,
      // The same person (email and phone) booking again, from this request or another, is the same patient.
      patientOf: async (trx) => (await matchOrCreatePatient(trx, requestId, ctx.now)) ?? null,
    },
    start,
    {
      ...options,
      onBooked: async (trx, appt) => {
        await markBooked(trx, requestId, appt.patient_id);
        // The pre-visit questions and consent go out with the booking, in its transaction.
        if (appt.patient_id && ctx.type.kind === 'consultation')
          await startIntake(trx, {
            patientId: appt.patient_id,
            appointmentId: appt.id,
            locationId: appt.location_id,
            now: ctx.now,
          });
        await options.onBooked?.(trx, appt);
      },
    },
  );
}

/** A cancelled visit sends its request back to the inbox, in the cancel's transaction (see reopenBooked). */
export async function visitCancelled(trx: Kysely<DB>, appt: { request_id: string | null }): Promise<void> {
  if (appt.request_id) await reopenBooked(trx, appt.request_id);
}

/**
 * The patient cancelled the visit themselves (online, with their link), in the cancel's transaction: the request shows
 * "cancelled by the patient" instead of going quietly back to New, and whoever works it is emailed (its owner, else
 * the location's front desk), so that someone calls to find another time. A request the clinic closed stays closed
 * and nobody is told: it is no longer being worked.
 */
export async function visitCancelledByPatient(
  trx: Kysely<DB>,
  appt: { id: string; request_id: string | null },
  now: number,
): Promise<void> {
  if (!appt.request_id || !(await markCancelledByPatient(trx, appt.request_id))) return;
  const recipients = await cancelNoticeRecipients(trx, appt.request_id);
  await enqueue(
    trx,
    recipients.map((userId) => ({
      kind: 'lead_cancelled' as const,
      refId: `${userId} ${appt.request_id}`,
      runAt: now,
      dedupeKey: `lead_cancelled:${userId}:${appt.id}`,
    })),
    now,
  );
}
