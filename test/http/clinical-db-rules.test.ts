import { describe, expect, it } from 'vitest';
import { sql, type Insertable } from 'kysely';
import type { DB } from '../../src/kernel/db/schema.ts';
import { appointmentRow, T0 } from '../helpers/appointments.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';

// The clinical core's rules that the database keeps by itself (migration 021), whatever the application does: each
// write below goes straight to the database, as a bug or someone with database access would.
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

async function userId(email: string): Promise<string> {
  return (await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

let fixtures = 0;
/** A patient with a consultation, a signed eligible screening, a signed active plan and a weight. */
async function clinicalPatient() {
  const provider = await userId('provider@relief.example');
  const nurse = await userId('nurse@relief.example');
  const now = T0;
  const patient = `p-${Math.random().toString(36).slice(2, 10)}`;
  await db()
    .insertInto('patients')
    .values({
      id: patient,
      first_name: 'Rosa',
      last_name: 'Vega',
      email: `${patient}@example.com`,
      phone: '+13125550100',
      contact_method: 'email',
      location_id: 'loc-chicago',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const appointment = appointmentRow({
    patient_id: patient,
    provider_id: 'prov-okafor',
    at: 24 * 60 * (1 + fixtures++),
  });
  await db().insertInto('appointments').values(appointment).execute();
  await db()
    .insertInto('clinical_definitions')
    .values({
      id: `def-${patient}`,
      kind: 'contraindication_rules',
      version: 1,
      body: '[]',
      source: 'test',
      created_by: null,
      created_at: now,
    })
    .execute();
  await db()
    .insertInto('screenings')
    .values({
      id: `scr-${patient}`,
      patient_id: patient,
      location_id: 'loc-chicago',
      intake_id: null,
      rules_definition_id: `def-${patient}`,
      outcome: 'eligible',
      status: 'signed',
      created_by: provider,
      created_at: now,
      updated_at: now,
      signed_by: provider,
      signed_at: now,
      expires_at: now + 365 * 86_400_000,
    })
    .execute();
  await db()
    .insertInto('protocols')
    .values({
      id: `prot-${patient}`,
      code: `p-${patient}`,
      version: 1,
      definition: '{}',
      created_by: null,
      created_at: now,
      retired_at: null,
    })
    .execute();
  await db()
    .insertInto('treatment_plans')
    .values({
      id: `plan-${patient}`,
      patient_id: patient,
      location_id: 'loc-chicago',
      protocol_id: `prot-${patient}`,
      screening_id: `scr-${patient}`,
      definition: '{}',
      status: 'active',
      status_reason: null,
      created_by: provider,
      created_at: now,
      updated_at: now,
      signed_by: provider,
      signed_at: now,
    })
    .execute();
  await db()
    .insertInto('weights')
    .values({
      id: `w-${patient}`,
      patient_id: patient,
      kg: 72.5747792,
      entered_value: 160,
      entered_unit: 'lb',
      measured_at: now,
      measured_by: nurse,
      created_at: now,
    })
    .execute();
  return {
    provider,
    nurse,
    patient,
    appointment: appointment.id,
    plan: `plan-${patient}`,
    screening: `scr-${patient}`,
  };
}

type Fixture = Awaited<ReturnType<typeof clinicalPatient>>;

function order(f: Fixture, over: Partial<Insertable<DB['dose_orders']>> = {}): Insertable<DB['dose_orders']> {
  return {
    id: `o-${Math.random().toString(36).slice(2, 10)}`,
    plan_id: f.plan,
    plan_version: 1,
    appointment_id: f.appointment,
    patient_id: f.patient,
    weight_id: `w-${f.patient}`,
    weight_kg: 72.5747792,
    bag_mg: 100,
    bag_ml: 100,
    session_hours: 4,
    mg_per_kg_h: 0.35,
    pump_rate_ml_h: 25,
    mg_per_hour: 25,
    session_total_mg: 100,
    calculation: '{}',
    ordered_by: f.provider,
    ordered_at: T0,
    status: 'ordered',
    verified_by: null,
    verified_at: null,
    voided_at: null,
    void_reason: null,
    ...over,
  };
}

const refused = (p: Promise<unknown>) => expect(p).rejects.toThrow();

describe(`the clinical core's database rules (${engine})`, () => {
  it('keeps the weight to the precision it was given (a double, not a 4-byte float)', async () => {
    const f = await clinicalPatient();
    const w = await db()
      .selectFrom('weights')
      .select('kg')
      .where('id', '=', `w-${f.patient}`)
      .executeTakeFirstOrThrow();
    expect(w.kg).toBe(72.5747792);
  });

  it('refuses a dose order verified by the person who ordered it, or without a matching check, and keeps a verification', async () => {
    const f = await clinicalPatient();
    // Written verified in one insert: refused (an order is written as ordered, then checked).
    await expect(
      db()
        .insertInto('dose_orders')
        .values(order(f, { status: 'verified', verified_by: f.nurse, verified_at: T0 }))
        .execute(),
    ).rejects.toThrow(/written as ordered/);
    const o = order(f);
    await db().insertInto('dose_orders').values(o).execute();
    const verify = (by: string) =>
      db()
        .updateTable('dose_orders')
        .set({ status: 'verified', verified_by: by, verified_at: T0 })
        .where('id', '=', o.id)
        .execute();
    // By the orderer, or by another person with no matching check on record: refused.
    await expect(verify(f.provider)).rejects.toThrow(/matching independent check|dose_orders_two_people/);
    await expect(verify(f.nurse)).rejects.toThrow(/matching independent check/);
    const check = { order_id: o.id, ordered_by: f.provider, nurse_id: f.nurse, entered: '{}', checked_at: T0 };
    await db()
      .insertInto('dose_checks')
      .values({ ...check, id: 'c-miss', match: 0 })
      .execute();
    await expect(verify(f.nurse)).rejects.toThrow(/matching independent check/);
    await db()
      .insertInto('dose_checks')
      .values({ ...check, id: 'c-match', match: 1 })
      .execute();
    await verify(f.nurse);
    const row = await db().selectFrom('dose_orders').selectAll().where('id', '=', o.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'verified', verified_by: f.nurse, ordered_by: f.provider });
    // A verification is never changed or undone; the order can only be voided.
    const admin = await userId('admin@relief.example');
    await expect(
      db().updateTable('dose_orders').set({ verified_by: admin }).where('id', '=', o.id).execute(),
    ).rejects.toThrow(/never changed/);
    await expect(
      db()
        .updateTable('dose_orders')
        .set({ status: 'ordered', verified_by: null, verified_at: null })
        .where('id', '=', o.id)
        .execute(),
    ).rejects.toThrow(/never changed/);
    await db()
      .updateTable('dose_orders')
      .set({ status: 'void', voided_at: T0, void_reason: 'bag changed' })
      .where('id', '=', o.id)
      .execute();
    // The checks stay as they were made.
    await expect(
      db().updateTable('dose_checks').set({ match: 1 }).where('id', '=', 'c-miss').execute(),
    ).rejects.toThrow(/kept as written/);
    await expect(db().deleteFrom('dose_checks').where('id', '=', 'c-miss').execute()).rejects.toThrow(
      /kept as written/,
    );
  });

  it('refuses REPLACE (SQLite) and ON CONFLICT DO UPDATE or TRUNCATE (PostgreSQL) as it refuses UPDATE and DELETE', async () => {
    const f = await clinicalPatient();
    const o = order(f);
    await db().insertInto('dose_orders').values(o).execute();
    const changed = { ...o, pump_rate_ml_h: 30 };
    if (engine === 'sqlite') {
      await expect(db().replaceInto('dose_orders').values(changed).execute()).rejects.toThrow(/dose orders are kept/);
      const seq = (await db().selectFrom('audit_events').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow())
        .seq;
      const event = await db().selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
      await expect(
        db()
          .replaceInto('audit_events')
          .values({ ...event, actor_role: 'nurse' })
          .execute(),
      ).rejects.toThrow(/append-only/);
      await expect(
        db()
          .replaceInto('screenings')
          .values({
            id: f.screening,
            patient_id: f.patient,
            location_id: 'loc-chicago',
            intake_id: null,
            rules_definition_id: null,
            outcome: null,
            status: 'draft',
            created_by: f.provider,
            created_at: T0,
            updated_at: T0,
            signed_by: null,
            signed_at: null,
            expires_at: null,
          })
          .execute(),
      ).rejects.toThrow(/screenings are kept/);
    } else {
      await expect(
        db()
          .insertInto('dose_orders')
          .values(changed)
          .onConflict((oc) => oc.column('id').doUpdateSet({ pump_rate_ml_h: 30 }))
          .execute(),
      ).rejects.toThrow(/never changed/);
      for (const table of ['dose_orders', 'dose_checks', 'screenings', 'treatment_plans', 'protocols']) {
        await expect(sql.raw(`truncate ${table} cascade`).execute(db())).rejects.toThrow(/cannot be truncated/);
      }
    }
    const row = await db()
      .selectFrom('dose_orders')
      .select('pump_rate_ml_h')
      .where('id', '=', o.id)
      .executeTakeFirstOrThrow();
    expect(row.pump_rate_ml_h).toBe(25);
  });

  it('keeps protocol versions and clinical definitions as written; a protocol version may only be retired', async () => {
    const f = await clinicalPatient();
    const protocol = `prot-${f.patient}`;
    await expect(
      db().updateTable('protocols').set({ definition: '{"x":1}' }).where('id', '=', protocol).execute(),
    ).rejects.toThrow(/never changed/);
    await expect(db().deleteFrom('protocols').where('id', '=', protocol).execute()).rejects.toThrow(
      /protocol versions are kept/,
    );
    await db().updateTable('protocols').set({ retired_at: T0 }).where('id', '=', protocol).execute();
    await expect(db().updateTable('clinical_definitions').set({ body: '[1]' }).execute()).rejects.toThrow(
      /kept as written/,
    );
    await expect(db().deleteFrom('clinical_definitions').execute()).rejects.toThrow(/kept as written/);
  });

  it('refuses a verified order without its verifier, and a half-written one', async () => {
    const f = await clinicalPatient();
    await refused(
      db()
        .insertInto('dose_orders')
        .values(order(f, { status: 'verified' }))
        .execute(),
    );
    await refused(
      db()
        .insertInto('dose_orders')
        .values(order(f, { verified_by: f.nurse }))
        .execute(),
    );
    await refused(
      db()
        .insertInto('dose_orders')
        .values(order(f, { status: 'void' }))
        .execute(),
    );
  });

  it('refuses a check by the orderer, and a check that claims another orderer than the order’s', async () => {
    const f = await clinicalPatient();
    const o = order(f);
    await db().insertInto('dose_orders').values(o).execute();
    const check = { id: 'c-1', order_id: o.id, entered: '{}', match: 0 as const, checked_at: T0 };
    await expect(
      db()
        .insertInto('dose_checks')
        .values({ ...check, ordered_by: f.provider, nurse_id: f.provider })
        .execute(),
    ).rejects.toThrow(/dose_checks_two_people/);
    // Pretending the nurse ordered it, so the check passes, breaks the composite key to the order.
    await refused(
      db()
        .insertInto('dose_checks')
        .values({ ...check, ordered_by: f.nurse, nurse_id: f.provider })
        .execute(),
    );
    await db()
      .insertInto('dose_checks')
      .values({ ...check, ordered_by: f.provider, nurse_id: f.nurse })
      .execute();
  });

  it('never changes an order’s figures or deletes it; a void order is final', async () => {
    const f = await clinicalPatient();
    const o = order(f);
    await db().insertInto('dose_orders').values(o).execute();
    for (const set of [
      { pump_rate_ml_h: 30 },
      { weight_kg: 80 },
      { bag_mg: 200 },
      { ordered_by: f.nurse },
      { calculation: '{"x":1}' },
    ]) {
      await expect(db().updateTable('dose_orders').set(set).where('id', '=', o.id).execute()).rejects.toThrow(
        /never changed/,
      );
    }
    await expect(db().deleteFrom('dose_orders').where('id', '=', o.id).execute()).rejects.toThrow(
      /dose orders are kept/,
    );
    await db()
      .updateTable('dose_orders')
      .set({ status: 'void', voided_at: T0, void_reason: 'weight changed' })
      .where('id', '=', o.id)
      .execute();
    await expect(
      db().updateTable('dose_orders').set({ status: 'ordered', voided_at: null }).where('id', '=', o.id).execute(),
    ).rejects.toThrow(/void dose order is final/);
  });

  it('allows one live order per appointment; a void one leaves room for the next', async () => {
    const f = await clinicalPatient();
    const first = order(f);
    await db().insertInto('dose_orders').values(first).execute();
    await refused(db().insertInto('dose_orders').values(order(f)).execute());
    await db()
      .updateTable('dose_orders')
      .set({ status: 'void', voided_at: T0, void_reason: 'bag changed' })
      .where('id', '=', first.id)
      .execute();
    await db().insertInto('dose_orders').values(order(f)).execute();
  });

  it('keeps a signed screening as signed: no change, no deletion; addenda only, and those append-only', async () => {
    const f = await clinicalPatient();
    await expect(
      db().updateTable('screenings').set({ outcome: 'not_eligible' }).where('id', '=', f.screening).execute(),
    ).rejects.toThrow(/signed screening is immutable/);
    await expect(db().deleteFrom('screenings').where('id', '=', f.screening).execute()).rejects.toThrow(
      /screenings are kept/,
    );
    await db()
      .insertInto('screening_addenda')
      .values({ id: 'ad-1', screening_id: f.screening, text: 'ECG reviewed', author_id: f.provider, created_at: T0 })
      .execute();
    await expect(db().updateTable('screening_addenda').set({ text: 'changed' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db().deleteFrom('screening_addenda').execute()).rejects.toThrow(/append-only/);
  });

  it('lets a draft screening change, and refuses to sign one without its outcome, signer and expiry', async () => {
    const f = await clinicalPatient();
    const draft = {
      id: 'scr-draft',
      patient_id: f.patient,
      location_id: 'loc-chicago',
      intake_id: null,
      rules_definition_id: null,
      outcome: null,
      status: 'draft' as const,
      created_by: f.provider,
      created_at: T0,
      updated_at: T0,
      signed_by: null,
      signed_at: null,
      expires_at: null,
    };
    await db().insertInto('screenings').values(draft).execute();
    await db()
      .updateTable('screenings')
      .set({ facts: '{"ketamine_allergy":false}' })
      .where('id', '=', draft.id)
      .execute();
    await refused(
      db()
        .updateTable('screenings')
        .set({ status: 'signed', signed_by: f.provider, signed_at: T0 })
        .where('id', '=', draft.id)
        .execute(),
    );
  });

  it('keeps a signed plan’s protocol and figures, and lets its status move', async () => {
    const f = await clinicalPatient();
    await expect(
      db().updateTable('treatment_plans').set({ definition: '{"changed":true}' }).where('id', '=', f.plan).execute(),
    ).rejects.toThrow(/signed plan keeps/);
    await db()
      .updateTable('treatment_plans')
      .set({ status: 'paused', status_reason: 'travel' })
      .where('id', '=', f.plan)
      .execute();
    await expect(db().deleteFrom('treatment_plans').where('id', '=', f.plan).execute()).rejects.toThrow(
      /plans are kept/,
    );
    await refused(
      db()
        .updateTable('treatment_plans')
        .set({ status: 'finished' as never })
        .where('id', '=', f.plan)
        .execute(),
    );
  });

  it('keeps consent documents and signatures as written', async () => {
    const f = await clinicalPatient();
    await db()
      .insertInto('consent_documents')
      .values({
        id: 'doc-1',
        code: 'off-label',
        version: 1,
        title: 'Consent',
        body: 'Text',
        sha256: 'a'.repeat(64),
        published_by: null,
        published_at: T0,
      })
      .execute();
    await refused(
      db()
        .insertInto('consent_documents')
        .values({
          id: 'doc-2',
          code: 'off-label',
          version: 1,
          title: 'Again',
          body: 'T',
          sha256: 'b'.repeat(64),
          published_by: null,
          published_at: T0,
        })
        .execute(),
    );
    await expect(db().updateTable('consent_documents').set({ body: 'Other text' }).execute()).rejects.toThrow(
      /never changed/,
    );
    await db()
      .insertInto('consent_signatures')
      .values({
        id: 'sig-1',
        patient_id: f.patient,
        document_id: 'doc-1',
        sha256: 'a'.repeat(64),
        typed_name: 'Rosa Vega',
        signed_at: T0,
        ip: '203.0.113.5',
      })
      .execute();
    await expect(db().deleteFrom('consent_signatures').execute()).rejects.toThrow(/kept as signed/);
  });
});
