import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assessDischarge,
  DISCHARGE_SETTINGS,
  dischargeSession,
  recheckDischarge,
  saveDefinition,
} from '../../src/clinical/service.ts';
import type { Actor } from '../../src/kernel/audit/staff-audit.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import {
  FULL_ALDRETE,
  MINUTE,
  passingAssessment,
  postSession,
  reading,
  recoveringSession,
} from '../helpers/session-recovery.ts';
import { infusingSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

// Recovery and discharge (issue 12 §4): each condition alone keeps the patient, at its boundary; a provider may
// override with a reason; and the gate holds on every path to 'discharged', the database's included.
const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

const stateOf = async (id: string) =>
  (await db().selectFrom('infusion_sessions').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

async function setUp(opts: Parameters<typeof recoveringSession>[2] = {}) {
  const visit = await orderedVisit(rt());
  const { id, stoppedAt } = await recoveringSession(rt(), visit, opts);
  return { visit, id, stoppedAt };
}

async function assessAs(email: string, visit: OrderedVisit, id: string, fields: Record<string, string>) {
  const b = await signIn(rt(), email);
  return { b, res: await postSession(b, visit, id, 'assess', fields) };
}

const adminId = async () =>
  (await db().selectFrom('users').select('id').where('email', '=', 'admin@relief.example').executeTakeFirstOrThrow())
    .id;

function nurseActor(visit: OrderedVisit): Actor {
  return {
    staff: {
      userId: visit.nurseId,
      name: 'Nurse',
      email: 'nurse@relief.example',
      role: 'nurse',
      locationIds: ['loc-chicago'],
      sessionIdHash: 'x',
      csrfToken: 'x',
      stage: 'active',
      breakGlassUntil: null,
      idleTimeoutMs: 3_600_000,
    },
    ip: '127.0.0.1',
    now: rt().clock.now(),
  };
}

describe('discharge conditions, each alone at its boundary', () => {
  it('a passing assessment after the whole recovery time makes the patient ready for discharge', async () => {
    const { visit, id } = await setUp();
    const { res } = await assessAs('nurse@relief.example', visit, id, passingAssessment);
    expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
    expect(res.headers.location).toContain('saved=assessed-ready');
    expect(await stateOf(id)).toBe('ready_for_discharge');
  });

  it('recovery time: one minute short keeps the patient, and the page says how long is left', async () => {
    const { visit, id } = await setUp({ clockAfter: 59 });
    const { b, res } = await assessAs('nurse@relief.example', visit, id, passingAssessment);
    expect(res.headers.location).toContain('saved=assessed');
    expect(res.headers.location).not.toContain('ready');
    expect(await stateOf(id)).toBe('recovering');
    const page = await b.get(res.headers.location as string);
    expect(page.body).toContain('Recovery time: 1 more minute');
  });

  it('Aldrete: 8 keeps the patient, 9 (the protocol’s threshold) lets them go', async () => {
    const low = await setUp();
    await assessAs('nurse@relief.example', low.visit, low.id, { ...passingAssessment, activity: '0' });
    expect(await stateOf(low.id)).toBe('recovering');
    const edge = await setUp();
    await assessAs('nurse@relief.example', edge.visit, edge.id, { ...passingAssessment, activity: '1' });
    expect(await stateOf(edge.id)).toBe('ready_for_discharge');
  });

  it('vitals: systolic 144 is within 20 % of 120, 145 is not; a reading from before the stop does not count', async () => {
    const within = await setUp({ recovery: { systolic: 144 } });
    await assessAs('nurse@relief.example', within.visit, within.id, passingAssessment);
    expect(await stateOf(within.id)).toBe('ready_for_discharge');
    const outside = await setUp({ recovery: { systolic: 145 } });
    const { b, res } = await assessAs('nurse@relief.example', outside.visit, outside.id, passingAssessment);
    expect(await stateOf(outside.id)).toBe('recovering');
    expect((await b.get(res.headers.location as string)).body).toContain(
      'Systolic pressure 145 is more than 20 % from the pre-infusion 120.',
    );
  });

  it('the Aldrete circulation item is offered from the readings: 144 against 120 is 2, 145 is 1, for the nurse to confirm', async () => {
    const checkedOf = (html: string) => /name="circulation" value="(\d)" checked/.exec(html)?.[1];
    const within = await setUp({ recovery: { systolic: 144 } });
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = (await nurse.get(`/staff/patients/${within.visit.patientId}/sessions/${within.id}`)).body;
    expect(checkedOf(page)).toBe('2');
    expect(page).toContain('Suggested from the latest reading: systolic 144 mmHg against 120 before the infusion.');
    const outside = await setUp({ recovery: { systolic: 145 } });
    const again = await signIn(rt(), 'nurse@relief.example');
    const second = (await again.get(`/staff/patients/${outside.visit.patientId}/sessions/${outside.id}`)).body;
    expect(checkedOf(second)).toBe('1');
    // What the nurse chose stands on a refused form: the suggestion never overrides it.
    const refused = await postSession(again, outside.visit, outside.id, 'assess', {
      ...FULL_ALDRETE,
      circulation: '0',
      escort_confirmed: 'yes',
    });
    expect(refused.statusCode).toBe(400);
    expect(checkedOf(refused.body)).toBe('0');
  });

  it('vitals within the rule follow the clinic’s saved setting (25 % lets 145 through) and its page lists it', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const settings = await admin.get('/staff/clinical-settings/discharge-settings');
    expect(settings.statusCode).toBe(200);
    expect(settings.body).toContain('Vitals within (% of the pre-infusion reading)');
    const adminActor = { ...nurseActor(await orderedVisit(rt(), 'Noor')) };
    adminActor.staff = { ...adminActor.staff, userId: await adminId(), role: 'admin', locationIds: [] };
    const saved = await saveDefinition(rt().database, adminActor, DISCHARGE_SETTINGS, {
      body: { ...DISCHARGE_SETTINGS.defaults, withinPct: 25 },
      source: 'Medical director, test',
      basedOn: 0,
    });
    expect(saved.ok).toBe(true);
    const { visit, id } = await setUp({ recovery: { systolic: 145 } });
    await assessAs('nurse@relief.example', visit, id, passingAssessment);
    expect(await stateOf(id)).toBe('ready_for_discharge');
  });

  it('escort: named but not confirmed at the door keeps the patient; confirmed without a name is refused', async () => {
    const { visit, id } = await setUp();
    const b = await signIn(rt(), 'nurse@relief.example');
    await postSession(b, visit, id, 'assess', { ...FULL_ALDRETE, escort_name: 'Sam Carter' });
    expect(await stateOf(id)).toBe('recovering');
    const nameless = await postSession(b, visit, id, 'assess', { ...FULL_ALDRETE, escort_confirmed: 'yes' });
    expect(nameless.statusCode).toBe(400);
    expect(nameless.body).toContain('Escort’s name: write the name');
    const missing = await postSession(b, visit, id, 'assess', {
      ...FULL_ALDRETE,
      activity: '',
      ...{ escort_name: '' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Activity: choose one of the three levels');
  });

  it('an unacknowledged alert keeps the patient; acknowledged, it does not', async () => {
    const { visit, id } = await setUp();
    const alertId = randomUUID();
    await db()
      .insertInto('session_alerts')
      .values({
        id: alertId,
        session_id: id,
        key: 'overdue:1',
        code: 'vitals_overdue',
        kind: 'overdue',
        // What the alert engine writes for an overdue reading (the page words it from this).
        detail: JSON.stringify({ measure: 'systolic', value: 0, limit: 5, at: rt().clock.now() - 10 * MINUTE }),
        raised_at: rt().clock.now() - 5 * MINUTE,
        acknowledged_at: null,
        acknowledged_by: null,
        action: null,
        escalated_at: null,
        escalated_to: null,
      })
      .execute();
    const { b } = await assessAs('nurse@relief.example', visit, id, passingAssessment);
    expect(await stateOf(id)).toBe('recovering');
    await db()
      .updateTable('session_alerts')
      .set({ acknowledged_at: rt().clock.now(), acknowledged_by: visit.nurseId, action: 'Reading taken' })
      .where('id', '=', alertId)
      .execute();
    await postSession(b, visit, id, 'assess', passingAssessment);
    expect(await stateOf(id)).toBe('ready_for_discharge');
  });

  it('the controlled-substance balance: unbalanced keeps the patient, even at the discharge itself', async () => {
    const { visit, id } = await setUp();
    const database = rt().database;
    const unbalanced = { drugBalanced: async () => false };
    const balanced = { drugBalanced: async () => true };
    const body = { version: '4', ...passingAssessment };
    const held = await assessDischarge(database, unbalanced, nurseActor(visit), visit.patientId, id, body);
    expect(held).toMatchObject({ ok: true, saved: 'assessed' });
    expect(await stateOf(id)).toBe('recovering');
    rt().clock.advance(MINUTE);
    await assessDischarge(database, balanced, nurseActor(visit), visit.patientId, id, { ...body, version: '5' });
    expect(await stateOf(id)).toBe('ready_for_discharge');
    const refused = await dischargeSession(database, unbalanced, nurseActor(visit), visit.patientId, id, {
      version: '6',
    });
    expect(refused.ok).toBe(false);
    expect('message' in refused && refused.message).toContain('controlled-substance record does not balance');
    expect(await stateOf(id)).toBe('ready_for_discharge');
  });
});

describe('the discharge', () => {
  it('discharges from ready for discharge and writes the record in the same step', async () => {
    const { visit, id } = await setUp();
    const { b } = await assessAs('nurse@relief.example', visit, id, passingAssessment);
    const res = await postSession(b, visit, id, 'discharge');
    expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
    expect(await stateOf(id)).toBe('discharged');
    const record = await db().selectFrom('session_records').selectAll().where('session_id', '=', id).execute();
    expect(record).toHaveLength(1);
  });

  it('a discharge before recovery is refused with 409 and changes nothing', async () => {
    const visit = await orderedVisit(rt());
    rt().clock.current = visit.startsAt;
    const id = await infusingSession(rt(), visit, visit.startsAt);
    rt().clock.advance(30 * MINUTE);
    const b = await signIn(rt(), 'nurse@relief.example');
    // The page has no discharge form while infusing: the post is made by hand with the session's version.
    const res = await postSession(b, visit, id, 'discharge', { version: '3' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Discharge comes after the infusion, in recovery: the session is infusing.');
    expect(await stateOf(id)).toBe('infusing');
    const assess = await postSession(b, visit, id, 'assess', { ...passingAssessment, version: '3' });
    expect(assess.statusCode).toBe(409);
    expect(await db().selectFrom('session_assessments').selectAll().where('session_id', '=', id).execute()).toEqual([]);
  });

  it('a condition that stops holding after the patient was ready refuses the discharge, listing it', async () => {
    const { visit, id, stoppedAt } = await setUp();
    const { b } = await assessAs('nurse@relief.example', visit, id, passingAssessment);
    expect(await stateOf(id)).toBe('ready_for_discharge');
    await reading(rt(), id, visit.nurseId, 'recovery', stoppedAt + 59 * MINUTE, { heart_rate: 95 });
    const res = await postSession(b, visit, id, 'discharge');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Heart rate 95 is more than 20 % from the pre-infusion 70.');
    expect(await stateOf(id)).toBe('ready_for_discharge');
    // A new failing assessment moves the patient back to recovery.
    await postSession(b, visit, id, 'assess', passingAssessment);
    expect(await stateOf(id)).toBe('recovering');
  });
});

describe('who may', () => {
  it('front desk and administrators neither read the discharge part nor act on it', async () => {
    const { visit, id } = await setUp();
    for (const email of ['frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      const sheet = await b.get(`/staff/patients/${visit.patientId}/sessions/${id}/discharge-sheet`);
      expect(sheet.statusCode, email).toBe(403);
      // With this person's own CSRF token, so the refusal is the role's.
      const assess = await b.post(`/staff/patients/${visit.patientId}/sessions/${id}/assess`, {
        _csrf: csrfFrom((await b.get('/staff/patients')).body),
        version: '4',
        ...passingAssessment,
      });
      expect(assess.statusCode, email).toBe(403);
    }
    expect(await stateOf(id)).toBe('recovering');
    expect(await db().selectFrom('session_assessments').selectAll().where('session_id', '=', id).execute()).toEqual([]);
  });
});

describe('a later failing reading', () => {
  it('moves a session that was ready for discharge back to recovery (the vitals entry calls the recheck)', async () => {
    const { visit, id, stoppedAt } = await setUp();
    await assessAs('nurse@relief.example', visit, id, passingAssessment);
    const database = rt().database;
    const where = { locationId: 'loc-chicago', patientRef: visit.patientId };
    const deps = { drugBalanced: async () => true };
    // A reading within the rule leaves it ready.
    await reading(rt(), id, visit.nurseId, 'recovery', stoppedAt + 58 * MINUTE, { systolic: 130 });
    await database.transact((trx) => recheckDischarge(trx, database, deps, nurseActor(visit), id, where));
    expect(await stateOf(id)).toBe('ready_for_discharge');
    await reading(rt(), id, visit.nurseId, 'recovery', stoppedAt + 59 * MINUTE, { systolic: 150 });
    await database.transact((trx) => recheckDischarge(trx, database, deps, nurseActor(visit), id, where));
    expect(await stateOf(id)).toBe('recovering');
  });
});

describe('the provider override', () => {
  it('is a provider’s, needs a reason, discharges with it recorded and audited', async () => {
    const { visit, id } = await setUp({ clockAfter: 30 });
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const byNurse = await postSession(nurse, visit, id, 'discharge-override', { override_reason: 'Escort waiting' });
    expect(byNurse.statusCode).toBe(403);
    const provider = await signIn(rt(), 'provider@relief.example');
    const page = await provider.get(`/staff/patients/${visit.patientId}/sessions/${id}`);
    expect(page.body).toContain('Discharge with override');
    const reasonless = await postSession(provider, visit, id, 'discharge-override', { override_reason: '  ' });
    expect(reasonless.statusCode).toBe(400);
    expect(reasonless.body).toContain('Reason: say why');
    expect(await stateOf(id)).toBe('recovering');
    const seq = await lastSeq(rt());
    const res = await postSession(provider, visit, id, 'discharge-override', {
      override_reason: 'Stable; assessed in person, leaving with family',
    });
    expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
    expect(await stateOf(id)).toBe('discharged');
    const override = await db()
      .selectFrom('session_overrides')
      .selectAll()
      .where('session_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(override).toMatchObject({ rule: 'discharge', provider_id: visit.providerId });
    const events = await eventsAfter(rt(), seq);
    const event = events.find((e) => e.action === 'session.discharge_override');
    expect(event?.outcome).toBe('success');
    expect(JSON.stringify(event)).not.toContain('Stable');
  });
});

describe('the discharge gate holds on every path', () => {
  const direct = (id: string, version: number, state: string, by: string) =>
    db()
      .updateTable('infusion_sessions')
      .set({
        state: state as 'discharged',
        version: version + 1,
        ...(state === 'discharged' ? { discharged_at: rt().clock.now(), discharged_by: by } : {}),
        updated_at: rt().clock.now(),
        updated_by: by,
      })
      .where('id', '=', id)
      .execute();

  async function assessment(id: string, by: string, passed: boolean, at: number) {
    await db()
      .insertInto('session_assessments')
      .values({
        id: randomUUID(),
        session_id: id,
        aldrete_items: '{}',
        aldrete_score: passed ? 10 : 6,
        aldrete_at_least: 9,
        aldrete_version: 'x',
        escort_name: null,
        escort_confirmed: 0,
        passed: passed ? 1 : 0,
        missing: passed ? '[]' : '["aldrete_low"]',
        assessed_by: by,
        assessed_at: at,
      })
      .execute();
  }

  it('a direct write to discharged needs a passing newest assessment or a provider’s override', async () => {
    const { visit, id } = await setUp();
    await direct(id, 4, 'ready_for_discharge', visit.nurseId);
    // No assessment at all.
    await expect(direct(id, 5, 'discharged', visit.nurseId)).rejects.toThrow(/session_discharge/);
    // A passing one followed by a failing one: the newest decides.
    await assessment(id, visit.nurseId, true, rt().clock.now() - MINUTE);
    await assessment(id, visit.nurseId, false, rt().clock.now());
    await expect(direct(id, 5, 'discharged', visit.nurseId)).rejects.toThrow(/session_discharge/);
    // An "override" written by a nurse is not a provider's.
    const override = (by: string) =>
      db()
        .insertInto('session_overrides')
        .values({ id: randomUUID(), session_id: id, rule: 'discharge', reason: 'x', provider_id: by, at: 1 })
        .execute();
    await override(visit.nurseId);
    await expect(direct(id, 5, 'discharged', visit.nurseId)).rejects.toThrow(/session_discharge/);
    await override(visit.providerId);
    await direct(id, 5, 'discharged', visit.providerId);
    expect(await stateOf(id)).toBe('discharged');
  });

  it('a direct write with a passing newest assessment goes through (the rule is not stricter than the service)', async () => {
    const { visit, id } = await setUp();
    await direct(id, 4, 'ready_for_discharge', visit.nurseId);
    await assessment(id, visit.nurseId, true, rt().clock.now());
    await direct(id, 5, 'discharged', visit.nurseId);
    expect(await stateOf(id)).toBe('discharged');
  });

  it('the route and the override each refuse when a condition fails, then go through when it holds', async () => {
    // The route: ready, then an open alert appears → refused; acknowledged → discharged.
    const a = await setUp();
    const { b } = await assessAs('nurse@relief.example', a.visit, a.id, passingAssessment);
    const alert = randomUUID();
    await db()
      .insertInto('session_alerts')
      .values({
        id: alert,
        session_id: a.id,
        key: 'k',
        code: 'spo2_low',
        kind: 'absolute',
        // What the alert engine writes for an overdue reading (the page words it from this).
        detail: JSON.stringify({ measure: 'systolic', value: 0, limit: 5, at: rt().clock.now() - 10 * MINUTE }),
        raised_at: rt().clock.now(),
        acknowledged_at: null,
        acknowledged_by: null,
        action: null,
        escalated_at: null,
        escalated_to: null,
      })
      .execute();
    const refused = await postSession(b, a.visit, a.id, 'discharge');
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('1 alert is not acknowledged.');
    expect(await stateOf(a.id)).toBe('ready_for_discharge');
    await db()
      .updateTable('session_alerts')
      .set({ acknowledged_at: rt().clock.now(), acknowledged_by: a.visit.nurseId, action: 'Oxygen given' })
      .where('id', '=', alert)
      .execute();
    expect((await postSession(b, a.visit, a.id, 'discharge')).statusCode).toBe(303);
    expect(await stateOf(a.id)).toBe('discharged');
    // The override: refused when nothing is missing (a plain discharge is the way), and before recovery.
    const o = await setUp();
    const provider = await signIn(rt(), 'provider@relief.example');
    await postSession(provider, o.visit, o.id, 'assess', passingAssessment);
    const needless = await postSession(provider, o.visit, o.id, 'discharge-override', { override_reason: 'x' });
    expect(needless.statusCode).toBe(400);
    const early = await orderedVisit(rt(), 'Ines');
    rt().clock.current = early.startsAt;
    const running = await infusingSession(rt(), early, early.startsAt);
    const again = await signIn(rt(), 'provider@relief.example');
    const tooEarly = await postSession(again, early, running, 'discharge-override', {
      override_reason: 'x',
      version: '3',
    });
    expect(tooEarly.statusCode).toBe(409);
    expect(await stateOf(running)).toBe('infusing');
  });
});
