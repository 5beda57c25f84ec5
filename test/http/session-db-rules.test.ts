import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeSession } from '../../src/clinical/sessions/change.ts';
import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import { isRefusal } from '../../src/kernel/refusal.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { checkedInSession, infusingSession, orderedVisit } from '../helpers/sessions.ts';

// The infusion day's rules that the database keeps by itself (migration 029), whatever the application does: each
// write below goes straight to the database, as a bug or a script with database access would.
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

const move = (id: string, version: number, set: Record<string, unknown>) =>
  db()
    .updateTable('infusion_sessions')
    .set({ ...set, version: version + 1, updated_at: rt().clock.now() })
    .where('id', '=', id)
    .execute();

async function bag(sessionId: string, drawnBy: string, witnessedBy: string) {
  await db()
    .insertInto('session_bags')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      location_id: 'loc-chicago',
      drug: 'ketamine',
      lot: 'L1',
      expires_on: '2099-01-01',
      drug_mg: 100,
      volume_ml: 100,
      drawn_by: drawnBy,
      witnessed_by: witnessedBy,
      drawn_at: rt().clock.now(),
    })
    .execute();
}

function vitals(sessionId: string, by: string, over: Record<string, unknown> = {}) {
  const now = rt().clock.now();
  return db()
    .insertInto('session_vitals')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      phase: 'infusion',
      taken_at: now,
      recorded_at: now,
      recorded_by: by,
      late_reason: null,
      entry_key: randomUUID(),
      systolic: 120,
      diastolic: 80,
      heart_rate: 70,
      spo2: 98,
      respiratory_rate: 14,
      temperature_c: null,
      sedation: 0,
      dissociation: 0,
      ...over,
    })
    .execute();
}

describe('infusion session database rules', () => {
  it('begins a session checked in at version 1, once per appointment', async () => {
    const visit = await orderedVisit(rt());
    const id = await checkedInSession(rt(), visit);
    await expect(checkedInSession(rt(), visit)).rejects.toThrow();
    const row = await db().selectFrom('infusion_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.state).toBe('checked_in');
    await expect(move(id, 1, { state: 'infusing' })).rejects.toThrow(); // not an edge, and no start figures
    // The version moves on by exactly one.
    await expect(
      db().updateTable('infusion_sessions').set({ state: 'ready', version: 5 }).where('id', '=', id).execute(),
    ).rejects.toThrow(/session_version/);
    await move(id, 1, { state: 'ready' });
  });

  it('starts an infusion only from this appointment’s verified order and a witnessed bag', async () => {
    const visit = await orderedVisit(rt());
    const id = await checkedInSession(rt(), visit);
    await move(id, 1, { state: 'ready' });
    const start = (version: number, orderId: string) =>
      move(id, version, { state: 'infusing', dose_order_id: orderId, started_at: rt().clock.now() });
    // No bag yet.
    await expect(start(2, visit.orderId)).rejects.toThrow(/session_start/);
    // The same person cannot draw and witness.
    await expect(bag(id, visit.nurseId, visit.nurseId)).rejects.toThrow();
    await bag(id, visit.nurseId, visit.providerId);
    // Another appointment's verified order.
    const other = await orderedVisit(rt(), 'Ines');
    await expect(start(2, other.orderId)).rejects.toThrow(/session_start/);
    // This appointment's order, but not verified (voided).
    await db()
      .updateTable('dose_orders')
      .set({ status: 'void', voided_at: rt().clock.now(), void_reason: 'test' })
      .where('id', '=', visit.orderId)
      .execute();
    await expect(start(2, visit.orderId)).rejects.toThrow(/session_start/);
  });

  it('keeps every entry: vitals, timeline and bags are append-only; impossible vitals are refused', async () => {
    const visit = await orderedVisit(rt());
    const id = await infusingSession(rt(), visit);
    await vitals(id, visit.nurseId);
    await expect(db().updateTable('session_vitals').set({ systolic: 130 }).execute()).rejects.toThrow(/append-only/);
    await expect(db().deleteFrom('session_vitals').execute()).rejects.toThrow(/append-only/);
    await expect(db().deleteFrom('session_events').execute()).rejects.toThrow(/append-only/);
    await expect(db().updateTable('session_bags').set({ drug_mg: 50 }).execute()).rejects.toThrow(/append-only/);
    await expect(vitals(id, visit.nurseId, { systolic: 80, diastolic: 80 })).rejects.toThrow();
    await expect(vitals(id, visit.nurseId, { heart_rate: 0 })).rejects.toThrow();
    await expect(vitals(id, visit.nurseId, { spo2: 101 })).rejects.toThrow();
    // A resent entry (same key) is stored once.
    const key = randomUUID();
    await vitals(id, visit.nurseId, { entry_key: key });
    await expect(vitals(id, visit.nurseId, { entry_key: key })).rejects.toThrow();
    await expect(db().deleteFrom('infusion_sessions').where('id', '=', id).execute()).rejects.toThrow(/kept/);
  });

  it('closes a discharged session for good', async () => {
    const visit = await orderedVisit(rt());
    const id = await infusingSession(rt(), visit);
    const now = rt().clock.now();
    await move(id, 3, { state: 'recovering', stopped_at: now, stop_reason: 'completed' });
    await expect(
      move(id, 4, { state: 'discharged', discharged_at: now, discharged_by: visit.nurseId }),
    ).rejects.toThrow(/session_state/);
    await move(id, 4, { state: 'ready_for_discharge' });
    // Migration 030: discharge also needs a passing assessment (or a provider's override).
    await expect(
      move(id, 5, { state: 'discharged', discharged_at: now, discharged_by: visit.nurseId }),
    ).rejects.toThrow(/session_discharge/);
    await db()
      .insertInto('session_assessments')
      .values({
        id: randomUUID(),
        session_id: id,
        aldrete_items: '{}',
        aldrete_score: 10,
        aldrete_at_least: 9,
        aldrete_version: 'x',
        escort_name: 'Sam',
        escort_confirmed: 1,
        passed: 1,
        missing: '[]',
        assessed_by: visit.nurseId,
        assessed_at: now,
      })
      .execute();
    await move(id, 5, { state: 'discharged', discharged_at: now, discharged_by: visit.nurseId });
    await expect(move(id, 6, { state: 'recovering' })).rejects.toThrow(/session_final/);
  });

  it('refuses a strict change based on an older version, naming what changed, and writes nothing', async () => {
    const visit = await orderedVisit(rt());
    const id = await checkedInSession(rt(), visit);
    const staff = {
      userId: visit.nurseId,
      name: 'Nurse',
      email: 'nurse@relief.example',
      role: 'nurse' as const,
      locationIds: ['loc-chicago'],
      sessionIdHash: 'x',
      csrfToken: 'x',
      stage: 'active' as const,
      breakGlassUntil: null,
      idleTimeoutMs: 3_600_000,
    };
    const actor: Actor = { staff, ip: '127.0.0.1', now: rt().clock.now() };
    const where = { locationId: 'loc-chicago', patientRef: visit.patientId };
    const database = rt().database;
    const first = await database.transact((trx) =>
      changeSession(trx, database, actor, {
        sessionId: id,
        basedOn: 1,
        strict: true,
        action: 'checks_done',
        audit: 'session.checks',
        where,
      }),
    );
    expect(isRefusal(first)).toBe(false);
    // A second nurse's page still shows version 1.
    const second = await database.transact((trx) =>
      changeSession(trx, database, actor, {
        sessionId: id,
        basedOn: 1,
        strict: true,
        action: 'not_given',
        audit: 'session.not_given',
        where,
        patch: { not_given_reason: 'x' },
      }),
    );
    expect(isRefusal(second) && second.fields?.version).toBeTruthy();
    expect(isRefusal(second) && second.message).toMatch(/ready to start/);
    // An observation appended on an older version is kept, and moves the version on.
    const third = await database.transact((trx) =>
      changeSession(trx, database, actor, { sessionId: id, basedOn: 1, strict: false, audit: 'session.vitals', where }),
    );
    expect(!isRefusal(third) && third.version).toBe(3);
    // A move the state machine does not allow now.
    const fourth = await database.transact((trx) =>
      changeSession(trx, database, actor, {
        sessionId: id,
        basedOn: 3,
        strict: true,
        action: 'discharge',
        audit: 'session.discharge',
        where,
      }),
    );
    expect(isRefusal(fourth) && fourth.statusCode).toBe(409);
    const row = await db().selectFrom('infusion_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.state, Number(row.version)]).toEqual(['ready', 3]);
  });
});
