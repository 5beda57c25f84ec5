import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { count, post, sessionUrl } from '../helpers/infusion.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

/** An infusion on the crps-10-day plan running since 10:00 Chicago, the clock 20 minutes later, the nurse signed in. */
async function running() {
  const visit = await orderedVisit(rt());
  rt().clock.current = visit.startsAt;
  const session = await infusingSession(rt(), visit);
  rt().clock.advance(20 * 60_000);
  const nurse = await signIn(rt(), 'nurse@relief.example');
  return { visit, session, nurse };
}

describe('side effects during an infusion', () => {
  it('records one from the list with its grade and action, now or at a time typed today, audited without values', async () => {
    const { visit, session, nurse } = await running();
    const seq = await lastSeq(rt());
    const res = await post(nurse, visit, session, 'side-effects', {
      se_effect: 'nausea_vomiting',
      se_grade: '2',
      se_action: 'Ondansetron given',
    });
    expect(res.statusCode, res.body.slice(0, 1500)).toBe(303);
    const late = await post(nurse, visit, session, 'side-effects', {
      se_effect: 'dizziness',
      se_grade: '1',
      se_action: 'Reassured',
      se_at: '10:10',
    });
    expect(late.statusCode).toBe(303);
    const rows = await db()
      .selectFrom('session_side_effects')
      .selectAll()
      .where('session_id', '=', session)
      .orderBy('at')
      .execute();
    expect(rows.map((r) => [r.effect, Number(r.grade), r.action])).toEqual([
      ['dizziness', 1, 'Reassured'],
      ['nausea_vomiting', 2, 'Ondansetron given'],
    ]);
    expect(Number(rows[0]!.at)).toBe(visit.startsAt + 10 * 60_000);
    const audit = (await eventsAfter(rt(), seq)).filter((e) => e.action === 'session.side_effect');
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('Ondansetron given');
    const page = await nurse.get(`${sessionUrl(visit, session)}?saved=side_effect`);
    expect(page.body).toContain('Nausea or vomiting');
    expect(page.body).toContain('The side effect is recorded.');
  });

  it('refuses an effect not on the list, a grade outside 1–4, no action, a time in the future or before check-in', async () => {
    const { visit, session, nurse } = await running();
    const base = { se_effect: 'headache', se_grade: '2', se_action: 'Paracetamol declined' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ se_effect: 'sore_toe' }, 'Side effect: choose one from the list.'],
      [{ se_grade: '5' }, 'Severity: choose a grade from 1 to 4.'],
      [{ se_action: '' }, 'Action taken: required.'],
      [{ se_at: '11:00' }, 'Time: not later than now.'],
      [{ se_at: '09:00' }, 'Time: not before the patient checked in.'],
      [{ se_at: '25:00' }, 'Time: a time today such as 10:45, or leave it empty.'],
    ];
    for (const [change, message] of cases) {
      const res = await post(nurse, visit, session, 'side-effects', { ...base, ...change });
      expect(res.statusCode, message).toBe(400);
      expect(res.body).toContain(message);
    }
    expect(await count(rt(), 'session_side_effects', session)).toBe(0);
  });

  it('is kept even from a page a version behind (an observation overwrites nothing)', async () => {
    const { visit, session, nurse } = await running();
    const old = await nurse.get(sessionUrl(visit, session));
    expect((await post(nurse, visit, session, 'rate', { rate: '20', rate_reason: 'Dizzy' })).statusCode).toBe(303);
    const version = /name="version" value="(\d+)"/.exec(old.body)![1]!;
    const res = await nurse.post(`${sessionUrl(visit, session)}/side-effects`, {
      _csrf: csrfFrom(old.body),
      version,
      se_effect: 'dizziness',
      se_grade: '1',
      se_action: 'Rate lowered',
    });
    expect(res.statusCode).toBe(303);
    expect(await count(rt(), 'session_side_effects', session)).toBe(1);
  });
});

describe('medications from the protocol’s orders', () => {
  it('records a dose with time, route and reason within the order’s limits, and refuses one past the session maximum', async () => {
    const { visit, session, nurse } = await running();
    const dose = (mg: string, at = '') =>
      post(nurse, visit, session, 'medications', {
        med_drug: 'Ondansetron',
        med_dose: mg,
        med_route: 'IV',
        med_reason: 'Nausea',
        med_at: at,
      });
    expect((await dose('4', '10:15')).statusCode).toBe(303);
    expect((await dose('4')).statusCode).toBe(303);
    const third = await dose('1');
    expect(third.statusCode).toBe(400);
    expect(third.body).toContain('Dose: 8 mg given so far this session; at most 8 mg a session, so at most 0 mg more.');
    const rows = await db()
      .selectFrom('session_medications')
      .selectAll()
      .where('session_id', '=', session)
      .orderBy('at')
      .execute();
    expect(rows.map((r) => [r.drug, Number(r.dose_mg), r.route, r.reason])).toEqual([
      ['Ondansetron', 4, 'IV', 'Nausea'],
      ['Ondansetron', 4, 'IV', 'Nausea'],
    ]);
    expect(Number(rows[0]!.at)).toBe(visit.startsAt + 15 * 60_000);
    expect((await nurse.get(sessionUrl(visit, session))).body).toContain('8 mg a session (8 mg given)');
  });

  it('refuses a single dose above the order’s, a route it does not name, and a drug the protocol does not order', async () => {
    const { visit, session, nurse } = await running();
    const base = { med_drug: 'Midazolam', med_dose: '2', med_route: 'IV', med_reason: 'Anxiety' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ med_dose: '2.5' }, 'Dose: at most 2 mg at a time.'],
      [{ med_route: 'oral' }, 'Route: IV.'],
      [{ med_drug: 'Lorazepam' }, 'Medication: choose one of the protocol’s orders.'],
      [{ med_dose: '' }, 'Dose: enter it in mg.'],
      [{ med_reason: '' }, 'Reason: required.'],
    ];
    for (const [change, message] of cases) {
      const res = await post(nurse, visit, session, 'medications', { ...base, ...change });
      expect(res.statusCode, message).toBe(400);
      expect(res.body).toContain(message);
    }
    expect(await count(rt(), 'session_medications', session)).toBe(0);
    expect((await post(nurse, visit, session, 'medications', base)).statusCode).toBe(303);
  });

  it('refuses an order the plan keeps without numeric limits, saying to set them in the protocol library', async () => {
    // A protocol version stored before the limits existed, which the plan is then made from.
    await rt().database.transact((trx) => writeSuggestedProtocols(trx, rt().clock.now(), null));
    const latest = await db()
      .selectFrom('protocols')
      .selectAll()
      .where('code', '=', 'crps-10-day')
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    const definition = JSON.parse(latest.definition) as { extraOrders: Array<Record<string, unknown>> };
    definition.extraOrders = definition.extraOrders.map(({ doseMg: _d, maxMgPerSession: _m, routes: _r, ...o }) => o);
    await db()
      .insertInto('protocols')
      .values({
        ...latest,
        id: randomUUID(),
        version: Number(latest.version) + 1,
        definition: JSON.stringify(definition),
      })
      .execute();
    const { visit, session, nurse } = await running();
    const page = await nurse.get(sessionUrl(visit, session));
    expect(page.body).toContain('Midazolam</strong> 2 mg IV: no dose limits set in the protocol library');
    expect(page.body).not.toContain('action="' + sessionUrl(visit, session) + '/medications"');
    const res = await nurse.post(`${sessionUrl(visit, session)}/medications`, {
      _csrf: csrfFrom(page.body),
      version: /name="version" value="(\d+)"/.exec(page.body)![1]!,
      med_drug: 'Midazolam',
      med_dose: '2',
      med_route: 'IV',
      med_reason: 'Anxiety',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'Midazolam cannot be given until its largest dose and session maximum are set in the protocol library.',
    );
    expect(await count(rt(), 'session_medications', session)).toBe(0);
  });
});
