import type { Database } from '../kernel/db/database.ts';
import type { Refusal } from '../kernel/refusal.ts';
import { auditAlone, type Actor } from '../patients/service.ts';
import type { AppointmentDetail } from './repository.ts';

/** What was done, for the notice on the appointment's page after the redirect. */
export type Done = 'arrived' | 'no_show' | 'cleared' | 'cancelled' | 'moved' | 'booked';

/** Done, or refused: the refusal's message and per-field messages (`fields`) are shown with the form again. */
export type ActionResult = { ok: true; done: Done; appointmentId: string } | Refusal;

export const where = (a: AppointmentDetail) => ({
  locationId: a.location_id,
  patientRef: a.patient_id ?? a.request_id,
});

/** Records a refused action (which rule, never the values typed) and returns the refusal. */
export async function refused(
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
