/**
 * Dose-order fixtures written straight to the database, for tests of the parts that stand on others being built in
 * parallel (a dose order needs a signed screening and an active plan with booked sessions).
 */
import { randomUUID } from 'node:crypto';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
import { appointmentRow } from './appointments.ts';
import type { TestRuntime } from './runtime.ts';

const DAY = 86_400_000;
/** Each plan's sessions go on days of their own, so the fixtures of one test file never share a chair. */
let planDays = 0;

export async function userId(rt: TestRuntime, email: string): Promise<string> {
  const row = await rt.database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A patient of `locationId` whose marked names let a test prove they stay out of the audit trail. */
export async function clinicalPatientFixture(
  rt: TestRuntime,
  over: { first_name?: string; last_name?: string; location_id?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const now = rt.clock.now();
  await rt.database.db
    .insertInto('patients')
    .values({
      id,
      first_name: over.first_name ?? 'Rosa',
      last_name: over.last_name ?? 'Vega',
      email: `${id}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: over.location_id ?? 'loc-chicago',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * A signed eligible screening, and an active signed plan made from the protocol `protocolCode` (the suggested
 * protocols are written first when the library is empty), with `sessions` infusion appointments booked on the days
 * after the clock's (a session each day at 10:00 Chicago, 4 hours).
 */
export async function activePlanFixture(
  rt: TestRuntime,
  patientId: string,
  providerId: string,
  protocolCode = 'crps-10-day',
  sessions = 2,
) {
  const db = rt.database.db;
  const now = rt.clock.now();
  if (!(await db.selectFrom('protocols').select('id').limit(1).executeTakeFirst()))
    await rt.database.transact((trx) => writeSuggestedProtocols(trx, now, null));
  const protocol = await db
    .selectFrom('protocols')
    .selectAll()
    .where('code', '=', protocolCode)
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
  const definition = await db
    .selectFrom('clinical_definitions')
    .select('id')
    .where('kind', '=', 'contraindication_rules')
    .executeTakeFirst();
  const rulesId = definition?.id ?? randomUUID();
  if (!definition)
    await db
      .insertInto('clinical_definitions')
      .values({
        id: rulesId,
        kind: 'contraindication_rules',
        version: 1,
        body: '[]',
        source: 'test',
        created_by: null,
        created_at: now,
      })
      .execute();
  const screening = randomUUID();
  await db
    .insertInto('screenings')
    .values({
      id: screening,
      patient_id: patientId,
      location_id: 'loc-chicago',
      intake_id: null,
      rules_definition_id: rulesId,
      outcome: 'eligible',
      status: 'signed',
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
      expires_at: now + 365 * DAY,
    })
    .execute();
  const plan = randomUUID();
  await db
    .insertInto('treatment_plans')
    .values({
      id: plan,
      patient_id: patientId,
      location_id: 'loc-chicago',
      protocol_id: protocol.id,
      screening_id: screening,
      definition: protocol.definition,
      status: 'active',
      status_reason: null,
      created_by: providerId,
      created_at: now,
      updated_at: now,
      signed_by: providerId,
      signed_at: now,
    })
    .execute();
  const appointments: string[] = [];
  // One hour after the clock's time of day (10:00 Chicago at the test clock's start), on days no other plan uses.
  for (let i = 1; i <= sessions; i++) {
    const start = now + (planDays + i) * DAY + 60 * 60_000;
    const row = appointmentRow({
      patient_id: patientId,
      type_id: 'type-infusion',
      room_id: 'chair-chi-1',
      minutes: 240,
      // A supervising provider, as the database requires of every booked infusion (migration 027).
      supervisor_id: 'prov-okafor',
      supervisor_lane: 1,
    });
    row.starts_at = start;
    row.ends_at = start + 240 * 60_000;
    row.busy_from = start;
    row.busy_to = start + 240 * 60_000;
    await db.insertInto('appointments').values(row).execute();
    await db
      .insertInto('plan_sessions')
      .values({ appointment_id: row.id, plan_id: plan, kind: 'induction', number: i })
      .execute();
    appointments.push(row.id);
  }
  planDays += sessions;
  return { plan, screening, appointments, protocolId: protocol.id };
}

/** A weight measured `daysAgo` days before the clock, as entered (kg or lb). */
export async function weightFixture(
  rt: TestRuntime,
  patientId: string,
  measuredBy: string,
  value: number,
  unit: 'kg' | 'lb' = 'kg',
  daysAgo = 1,
): Promise<string> {
  const id = randomUUID();
  const now = rt.clock.now();
  await rt.database.db
    .insertInto('weights')
    .values({
      id,
      patient_id: patientId,
      kg: unit === 'kg' ? value : value * 0.45359237,
      entered_value: value,
      entered_unit: unit,
      measured_at: now - daysAgo * DAY,
      measured_by: measuredBy,
      created_at: now,
    })
    .execute();
  return id;
}
