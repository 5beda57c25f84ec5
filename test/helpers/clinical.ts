/**
 * Clinical fixtures written straight to the database: what a provider's screening and plan would leave behind, for
 * tests of other areas that need a patient ready for infusions (the infusion gate of migration 024 refuses any
 * infusion or booster for a patient without a signed eligible screening and an active plan).
 */
import type { Runtime } from '../../src/runtime.ts';

const DAY = 86_400_000;
let fixtures = 0;

type Rt = Pick<Runtime, 'database'> & { clock: { now(): number } };

export interface ScreeningFixture {
  /** Default eligible. */
  outcome?: 'eligible' | 'not_eligible' | 'needs_information';
  /** Default 'signed'. */
  status?: 'draft' | 'signed';
  /** Default a year after the clock's now. */
  expiresAt?: number;
}

/** A provider's user id for signatures: the demo provider when the seed has staff, else a fixture provider account. */
async function providerUser(rt: Rt): Promise<string> {
  const db = rt.database.db;
  const found = await db.selectFrom('users').select('id').where('role', '=', 'provider').executeTakeFirst();
  if (found) return found.id;
  const id = 'user-fixture-provider';
  await db
    .insertInto('users')
    .values({
      id,
      email: 'fixture.provider@relief.example',
      name: 'Fixture Provider',
      role: 'provider',
      clinician_id: null,
      password_hash: null,
      totp_secret: null,
      totp_enabled_at: null,
      last_totp_step: null,
      locked_until: null,
      disabled_at: null,
      created_at: rt.clock.now(),
    })
    .execute();
  return id;
}

/** The rules version a signed screening names: one fixture definition per database, of a kind nothing else reads. */
async function rulesDefinition(rt: Rt): Promise<string> {
  const db = rt.database.db;
  const id = 'def-fixture-rules';
  const found = await db.selectFrom('clinical_definitions').select('id').where('id', '=', id).executeTakeFirst();
  if (!found)
    await db
      .insertInto('clinical_definitions')
      .values({
        id,
        kind: 'test-fixture-rules',
        version: 1,
        body: '[]',
        source: 'test fixture',
        created_by: null,
        created_at: rt.clock.now(),
      })
      .execute();
  return id;
}

async function locationOf(rt: Rt, patientId: string): Promise<string> {
  const row = await rt.database.db
    .selectFrom('patients')
    .select('location_id')
    .where('id', '=', patientId)
    .executeTakeFirstOrThrow();
  return row.location_id;
}

/** A screening of the patient signed by `providerId` (a user id) now: eligible and valid a year unless told. */
export async function signedEligibleScreening(
  rt: Rt,
  patientId: string,
  providerId: string,
  over: ScreeningFixture = {},
): Promise<string> {
  const now = rt.clock.now();
  const id = `scr-fixture-${++fixtures}-${patientId}`;
  const signed = (over.status ?? 'signed') === 'signed';
  await rt.database.db
    .insertInto('screenings')
    .values({
      id,
      patient_id: patientId,
      location_id: await locationOf(rt, patientId),
      intake_id: null,
      rules_definition_id: await rulesDefinition(rt),
      outcome: over.outcome ?? 'eligible',
      status: signed ? 'signed' : 'draft',
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: signed ? providerId : null,
      signed_at: signed ? now : null,
      expires_at: signed ? (over.expiresAt ?? now + 365 * DAY) : null,
    })
    .execute();
  return id;
}

/** A protocol to plan with: the library's first, or a fixture one when the library is empty. */
async function protocol(rt: Rt): Promise<string> {
  const db = rt.database.db;
  const found = await db.selectFrom('protocols').select('id').orderBy('code').executeTakeFirst();
  if (found) return found.id;
  const id = 'prot-fixture';
  await db
    .insertInto('protocols')
    .values({
      id,
      code: 'fixture',
      version: 1,
      definition: '{}',
      created_by: null,
      created_at: rt.clock.now(),
      retired_at: null,
    })
    .execute();
  return id;
}

/** A treatment plan of the patient on `screeningId`, signed now, in `status` (default active). */
export async function treatmentPlan(
  rt: Rt,
  patientId: string,
  screeningId: string,
  status: 'draft' | 'active' | 'paused' | 'completed' | 'stopped' = 'active',
): Promise<string> {
  const now = rt.clock.now();
  const provider = await providerUser(rt);
  const id = `plan-fixture-${++fixtures}-${patientId}`;
  const signed = status !== 'draft';
  await rt.database.db
    .insertInto('treatment_plans')
    .values({
      id,
      patient_id: patientId,
      location_id: await locationOf(rt, patientId),
      protocol_id: await protocol(rt),
      screening_id: screeningId,
      definition: '{}',
      status,
      status_reason: null,
      created_by: provider,
      created_at: now,
      updated_at: now,
      signed_by: signed ? provider : null,
      signed_at: signed ? now : null,
    })
    .execute();
  return id;
}

/** Makes the patient ready for infusions: a signed eligible screening (valid a year) and an active plan on it. */
export async function makeInfusionReady(rt: Rt, patientId: string): Promise<{ screeningId: string; planId: string }> {
  const screeningId = await signedEligibleScreening(rt, patientId, await providerUser(rt));
  return { screeningId, planId: await treatmentPlan(rt, patientId, screeningId) };
}

/** A new patient at `locationId` (default Chicago), ready for infusions: for tests that write appointments directly. */
export async function readyPatient(rt: Rt, id: string, locationId = 'loc-chicago'): Promise<string> {
  const now = rt.clock.now();
  await rt.database.db
    .insertInto('patients')
    .values({
      id,
      first_name: 'Test',
      last_name: id,
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: locationId,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await makeInfusionReady(rt, id);
  return id;
}
