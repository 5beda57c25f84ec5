/** Treatment-plan fixtures written straight to the database: a signed eligible screening and an active plan, for the plan and series tests. */
import { randomUUID } from 'node:crypto';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
import type { ProtocolDefinition } from '../../src/clinical/protocols/protocol.ts';
import type { TestRuntime } from './runtime.ts';

const YEAR = 365 * 24 * 3_600_000;

/** A patient of Chicago written directly (no consultation booked), for clinical tests. */
export async function clinicPatient(rt: TestRuntime, first = 'Robin', location = 'loc-chicago'): Promise<string> {
  const id = randomUUID();
  const now = rt.clock.now();
  await rt.database.db
    .insertInto('patients')
    .values({
      id,
      first_name: first,
      last_name: `Vale-${id.slice(0, 6)}`,
      email: `${id.slice(0, 8)}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: location,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** The users.id of a demo account. */
export async function userId(rt: TestRuntime, email: string): Promise<string> {
  return (await rt.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow())
    .id;
}

/**
 * A screening as the screening area signs it: signed, eligible, expiring in a year (or `expiresIn` ms), resting on a
 * contraindication-rules definition. Written directly: the screening pages are another area's.
 */
export async function signedEligibleScreening(
  rt: TestRuntime,
  patientId: string,
  providerId: string,
  options: { outcome?: 'eligible' | 'not_eligible'; expiresIn?: number; locationId?: string } = {},
): Promise<string> {
  const db = rt.database.db;
  const now = rt.clock.now();
  let rules = await db
    .selectFrom('clinical_definitions')
    .select('id')
    .where('kind', '=', 'contraindication_rules')
    .executeTakeFirst();
  if (!rules) {
    rules = { id: randomUUID() };
    await db
      .insertInto('clinical_definitions')
      .values({
        id: rules.id,
        kind: 'contraindication_rules',
        version: 1,
        body: '{}',
        source: 'test fixture',
        created_by: null,
        created_at: now,
      })
      .execute();
  }
  const id = randomUUID();
  await db
    .insertInto('screenings')
    .values({
      id,
      patient_id: patientId,
      location_id: options.locationId ?? 'loc-chicago',
      intake_id: null,
      rules_definition_id: rules.id,
      outcome: options.outcome ?? 'eligible',
      status: 'signed',
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
      expires_at: now + (options.expiresIn ?? YEAR),
    })
    .execute();
  return id;
}

/** The protocol library as the demo has it (a clinic starts with none). */
export const suggestedProtocols = (rt: TestRuntime) =>
  rt.database.transact((trx) => writeSuggestedProtocols(trx, rt.clock.now(), null));

/**
 * An active (signed) plan of a protocol for a patient with a signed eligible screening, written directly: what the
 * plan pages produce, for tests of what comes after (booking infusions, dose orders).
 */
export async function activePlanFor(
  rt: TestRuntime,
  patientId: string,
  providerId: string,
  code = 'crps-10-day',
  /** Changes to the protocol's definition as the provider made them in the plan (hours per session, say). */
  change: (definition: ProtocolDefinition) => ProtocolDefinition = (d) => d,
  locationId = 'loc-chicago',
): Promise<string> {
  const db = rt.database.db;
  const now = rt.clock.now();
  const screeningId = await signedEligibleScreening(rt, patientId, providerId, { locationId });
  const protocol = await db
    .selectFrom('protocols')
    .selectAll()
    .where('code', '=', code)
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  await db
    .insertInto('treatment_plans')
    .values({
      id,
      patient_id: patientId,
      location_id: locationId,
      protocol_id: protocol.id,
      screening_id: screeningId,
      definition: JSON.stringify(change(JSON.parse(protocol.definition))),
      deviations: '[]',
      status: 'active',
      status_reason: null,
      version: 2,
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
    })
    .execute();
  return id;
}
