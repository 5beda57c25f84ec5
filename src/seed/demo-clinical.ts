import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { timeOrderedId } from '../kernel/ids.ts';
import { DEFAULT_RULES } from '../clinical/eligibility/default-rules.ts';
import { writeSuggestedProtocols } from '../clinical/service.ts';

const DAY = 86_400_000;

/**
 * Makes demo patients ready for infusions, as the clinic's rule requires (the database's infusion gate, migration
 * 024): each gets a screening signed eligible by the demo provider three weeks ago (valid twelve months, the shipped
 * default) and an active treatment plan on the first protocol of the library, signed the day after. The shipped
 * contraindication rules are recorded as version 1, as a provider's first signature does, and an empty library gets
 * the suggested protocols (as the demo seed gives it). Returns false, writing nothing, when the clinic has no provider
 * account to sign (then the demo has no infusions).
 */
export async function makeDemoPatientsReady(
  database: Database,
  patients: ReadonlyArray<{ id: string; locationId: string }>,
  now: number,
): Promise<boolean> {
  if (patients.length === 0) return true;
  return database.transact(async (trx) => {
    const provider = await trx
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'provider')
      .orderBy('created_at')
      .executeTakeFirst();
    if (!provider) return false;
    const firstProtocol = () =>
      trx
        .selectFrom('protocols')
        .select(['id', 'definition'])
        .where('retired_at', 'is', null)
        .orderBy('code')
        .orderBy('version', 'desc')
        .executeTakeFirst();
    let protocol = await firstProtocol();
    if (!protocol) {
      await writeSuggestedProtocols(trx, now, null);
      protocol = await firstProtocol();
    }
    if (!protocol) return false;
    const rules = await rulesVersion(trx, now);
    const screenedAt = now - 21 * DAY;
    const plannedAt = screenedAt + DAY;
    for (const p of patients) {
      const screeningId = timeOrderedId(screenedAt);
      await trx
        .insertInto('screenings')
        .values({
          id: screeningId,
          patient_id: p.id,
          location_id: p.locationId,
          intake_id: null,
          rules_definition_id: rules,
          outcome: 'eligible',
          status: 'signed',
          created_by: provider.id,
          created_at: screenedAt,
          updated_at: screenedAt,
          signed_by: provider.id,
          signed_at: screenedAt,
          expires_at: DateTime.fromMillis(screenedAt, { zone: 'utc' }).plus({ months: 12 }).toMillis(),
        })
        .execute();
      await trx
        .insertInto('treatment_plans')
        .values({
          id: timeOrderedId(plannedAt),
          patient_id: p.id,
          location_id: p.locationId,
          protocol_id: protocol.id,
          screening_id: screeningId,
          definition: protocol.definition,
          status: 'active',
          status_reason: null,
          created_by: provider.id,
          created_at: plannedAt,
          updated_at: plannedAt,
          signed_by: provider.id,
          signed_at: plannedAt,
        })
        .execute();
    }
    return true;
  });
}

/** The contraindication rules in force as a stored version (the shipped defaults become version 1 if none is). */
export async function rulesVersion(trx: Kysely<DB>, now: number): Promise<string> {
  const kind = 'contraindication-rules';
  const current = await trx
    .selectFrom('clinical_definitions')
    .select('id')
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  if (current) return current.id;
  const id = timeOrderedId(now);
  await trx
    .insertInto('clinical_definitions')
    .values({
      id,
      kind,
      version: 1,
      body: JSON.stringify(DEFAULT_RULES),
      source: DEFAULT_RULES.source,
      created_by: null,
      created_at: now,
    })
    .execute();
  return id;
}
