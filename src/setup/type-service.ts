import type { Database } from '../kernel/db/database.ts';
import { notFound } from '../kernel/refusal.ts';
import { resourceSummary, TYPE_CODES } from '../scheduling/type-needs.ts';
import {
  findAppointmentType,
  listAppointmentTypes,
  updateAppointmentType,
  type AppointmentType,
} from './repository.ts';
import { saveSetup, type Actor } from './service.ts';
import type { TypeInput } from './type-schema.ts';

export const appointmentTypes = (database: Database) => listAppointmentTypes(database.db);

/** One of the fixed types by its code; anything else is not found. */
export async function appointmentTypeOr404(database: Database, code: unknown): Promise<AppointmentType> {
  const known = TYPE_CODES.find((c) => c === code);
  const type = known ? await findAppointmentType(database.db, known) : undefined;
  if (!type) throw notFound('That appointment type');
  return type;
}

/** Durations, buffers, notice, step and what one appointment holds. Booked visits keep their times. */
export async function saveAppointmentType(
  database: Database,
  actor: Actor,
  code: unknown,
  v: TypeInput,
): Promise<AppointmentType> {
  const type = await appointmentTypeOr404(database, code);
  await saveSetup(database, actor, { thing: 'appointment_type', locationId: null }, async (trx) => {
    await updateAppointmentType(trx, type.id, {
      duration_min: v.duration,
      buffer_before_min: v.buffer_before,
      buffer_after_min: v.buffer_after,
      min_notice_min: v.notice * 60,
      step_min: v.step,
      needs_provider: v.needs_provider ? 1 : 0,
      needs_nurse: v.needs_nurse ? 1 : 0,
      place: v.place,
      online_bookable: v.online_bookable ? 1 : 0,
    });
    return {
      result: undefined,
      detail: {
        type: type.code,
        duration: v.duration,
        bufferBefore: v.buffer_before,
        bufferAfter: v.buffer_after,
        noticeHours: v.notice,
        step: v.step,
        needs: resourceSummary({
          needs_provider: Number(v.needs_provider),
          needs_nurse: Number(v.needs_nurse),
          place: v.place,
        }),
      },
    };
  });
  return type;
}
