import { sql, type Kysely } from 'kysely';

/**
 * Patients are claimed for their own visits from this release on (see booking/repository.ts claimResources). Visits
 * booked before it get their patient claims now (past ones too: a migration has no trustworthy clock to tell, and
 * the rows are few), so the guarantee holds for them as well. Where two
 * such visits of one person already overlap, the first keeps the unit and the clash stays as it was (both booked,
 * for the clinic to sort out): no booking is changed by a migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const unit = 5 * 60_000;
  await sql`
    with recursive u(id, patient, t, e) as (
      select id, patient_id, starts_at - starts_at % ${sql.lit(unit)}, ends_at from appointments
      where status = 'booked' and patient_id is not null
      union all
      select id, patient, t + ${sql.lit(unit)}, e from u where t + ${sql.lit(unit)} < e
    )
    insert into resource_claims (resource_id, unit_start, appointment_id)
    select patient, t, id from u where true
    on conflict do nothing`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Relief migrations only move forward; restore from a backup to go back.');
}
