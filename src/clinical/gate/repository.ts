import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

/** The kinds of appointment the infusion gate covers (appointment_types.kind). */
export const GATED_KINDS: ReadonlySet<string> = new Set(['infusion', 'booster']);

/**
 * Whether an infusion or booster may be booked for this patient at `at`: a signed eligible screening still valid then
 * and an active treatment plan, and no open safety flag holding infusions. The same rule as the database's own gate
 * (migrations 024 and 033), read ahead of a booking so a page can say so before looking for free times; the database
 * decides in the end. Reads only.
 */
export async function infusionReady(db: Kysely<DB>, patientId: string, at: number): Promise<boolean> {
  const [screening, plan, hold] = await Promise.all([
    db
      .selectFrom('screenings')
      .select('id')
      .where('patient_id', '=', patientId)
      .where('status', '=', 'signed')
      .where('outcome', '=', 'eligible')
      .where('expires_at', '>', at)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('treatment_plans')
      .select('id')
      .where('patient_id', '=', patientId)
      .where('status', '=', 'active')
      .limit(1)
      .executeTakeFirst(),
    openHold(db, patientId),
  ]);
  return screening !== undefined && plan !== undefined && !hold;
}

/** Whether an open safety flag holds this patient's infusions (migration 033; the database refuses the same). */
export async function openHold(db: Kysely<DB>, patientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('clinical_alerts')
    .select('id')
    .where('patient_id', '=', patientId)
    .where('holds', '=', 1)
    .where('resolved_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
