import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDays, today } from '../../src/kernel/time/wall-clock.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { eventsAfter, lastSeq } from '../helpers/audit.ts';
import { formFields } from '../helpers/forms.ts';
import { count, post, readySession, sessionUrl, stateOf } from '../helpers/infusion.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, demoAccount, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const providerCode = () => totpCode(demoAccount('provider@relief.example').totp, rt().clock.now());

/** A visit on its day (the clock at 10:05 Chicago), its session ready to start, and the nurse signed in. */
async function onTheDay() {
  const visit = await orderedVisit(rt());
  rt().clock.current = visit.startsAt + 5 * 60_000;
  const session = await readySession(rt(), visit);
  const nurse = await signIn(rt(), 'nurse@relief.example');
  return { visit, session, nurse };
}

/** The start form as a nurse fills it for the ordered bag, witnessed by the demo provider. */
const goodStart = (visit: OrderedVisit) => ({
  drug: 'Ketamine',
  lot: 'KX-2291',
  expires_on: '2099-06-30',
  bag_mg: '100',
  bag_ml: '100',
  witness: visit.providerId,
  witness_code: providerCode(),
  pump_rate: String(visit.mlPerHour),
});

async function nothingWritten(session: string, state = 'ready') {
  expect(await stateOf(rt(), session)).toBe(state);
  expect(await count(rt(), 'session_bags', session)).toBe(0);
  expect(await count(rt(), 'session_events', session)).toBe(0);
}

describe('starting an infusion', () => {
  it('starts with the bag, the witness and the order’s pump rate: bag, move and first event in one go, audited', async () => {
    const { visit, session, nurse } = await onTheDay();
    const page = await nurse.get(sessionUrl(visit, session));
    expect(page.body).toContain('Prepare and start');
    expect(page.body).toContain('The order’s rate: 24.5 mL/h = 24.5 mg/h');
    const seq = await lastSeq(rt());
    const res = await post(nurse, visit, session, 'start', goodStart(visit));
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
    expect(res.headers.location).toBe(`${sessionUrl(visit, session)}?saved=started`);
    const row = await db()
      .selectFrom('infusion_sessions')
      .selectAll()
      .where('id', '=', session)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('infusing');
    expect(row.dose_order_id).toBe(visit.orderId);
    expect(Number(row.started_at)).toBe(rt().clock.now());
    const bag = await db()
      .selectFrom('session_bags')
      .selectAll()
      .where('session_id', '=', session)
      .executeTakeFirstOrThrow();
    expect(bag).toMatchObject({ drug: 'ketamine', lot: 'KX-2291', expires_on: '2099-06-30' });
    expect(bag.drawn_by).toBe(visit.nurseId);
    expect(bag.witnessed_by).toBe(visit.providerId);
    const events = await db().selectFrom('session_events').selectAll().where('session_id', '=', session).execute();
    expect(events.map((e) => [e.kind, Number(e.mg_per_hour), Number(e.ml_per_hour)])).toEqual([['start', 24.5, 24.5]]);
    const audit = (await eventsAfter(rt(), seq)).filter((e) => e.action === 'session.start');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'success', location_id: 'loc-chicago', patient_ref: visit.patientId });
    expect(audit[0]!.detail).toMatchObject({ session, from: 'ready', to: 'infusing', order: visit.orderId });

    const shown = await nurse.get(res.headers.location as string);
    expect(shown.body).toContain('The infusion has started.');
    expect(shown.body).toContain('Lot KX-2291');
  });

  it('refuses a second start with 409 and writes nothing more', async () => {
    const { visit, session, nurse } = await onTheDay();
    const page = await nurse.get(sessionUrl(visit, session));
    const action = `${sessionUrl(visit, session)}/start`;
    const fields = { ...formFields(page.body, action), ...goodStart(visit) };
    expect((await nurse.post(action, fields)).statusCode).toBe(303);
    rt().clock.advance(30_000);
    // The same page posted again (its version is now stale), then from the fresh page's version.
    const again = await nurse.post(action, { ...fields, witness_code: providerCode() });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Someone else changed this session while you were on it: it is now infusing');
    const fresh = await nurse.post(action, { ...fields, version: '3', witness_code: providerCode() });
    expect(fresh.statusCode).toBe(409);
    expect(fresh.body).toContain('This infusion has already started.');
    expect(await count(rt(), 'session_bags', session)).toBe(1);
    expect(await count(rt(), 'session_events', session)).toBe(1);
  });

  it('refuses a bag whose concentration does not match the order, naming the field', async () => {
    const { visit, session, nurse } = await onTheDay();
    const res = await post(nurse, visit, session, 'start', { ...goodStart(visit), bag_mg: '200' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Ketamine in the bag: the order is for 100 mg in 100 mL (1 mg/mL)');
    expect(res.body).toMatch(/id="bag_mg"[^>]*aria-invalid="true"/);
    const ml = await post(nurse, visit, session, 'start', { ...goodStart(visit), bag_ml: '50' });
    expect(ml.statusCode).toBe(400);
    expect(ml.body).toContain('Bag volume: the order is for 100 mg in 100 mL');
    const drug = await post(nurse, visit, session, 'start', { ...goodStart(visit), drug: 'Midazolam' });
    expect(drug.body).toContain('Drug: the order is for ketamine.');
    await nothingWritten(session);
  });

  it('refuses a lot past its expiry (yesterday in Chicago) and takes one expiring today', async () => {
    const { visit, session, nurse } = await onTheDay();
    const day = today(rt().clock.now(), 'America/Chicago');
    const yesterday = addDays(day, -1);
    const expired = await post(nurse, visit, session, 'start', { ...goodStart(visit), expires_on: yesterday });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain(`Expiry: this lot expired on ${yesterday}.`);
    await nothingWritten(session);
    const lastDay = await post(nurse, visit, session, 'start', { ...goodStart(visit), expires_on: day });
    expect(lastDay.statusCode, lastDay.body.slice(0, 1500)).toBe(303);
  });

  it('refuses a pump rate other than the order’s', async () => {
    const { visit, session, nurse } = await onTheDay();
    const res = await post(nurse, visit, session, 'start', { ...goodStart(visit), pump_rate: '25' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Pump rate: the order’s rate is 24.5 mL/h.');
    await nothingWritten(session);
  });

  it('refuses the nurse as their own witness, and a wrong witness code (which counts against the witness)', async () => {
    const { visit, session, nurse } = await onTheDay();
    const self = await post(nurse, visit, session, 'start', { ...goodStart(visit), witness: visit.nurseId });
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('you cannot witness your own entry');
    await nothingWritten(session);
    const seq = await lastSeq(rt());
    const good = providerCode();
    const wrong = await post(nurse, visit, session, 'start', {
      ...goodStart(visit),
      witness_code: good === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Witness code:');
    await nothingWritten(session);
    // The failed code is on the trail (the witness's own failure), and no start.
    const events = await eventsAfter(rt(), seq);
    expect(events.some((e) => e.action === 'session.start' && e.outcome === 'success')).toBe(false);
    expect(events.some((e) => e.outcome === 'failure')).toBe(true);
  });

  it('refuses without a verified order: void, then a new order not yet checked, with words and nothing written', async () => {
    const { visit, session, nurse } = await onTheDay();
    const order = await db()
      .selectFrom('dose_orders')
      .selectAll()
      .where('id', '=', visit.orderId)
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('dose_orders')
      .set({ status: 'void', voided_at: rt().clock.now(), void_reason: 'Weight changed.' })
      .where('id', '=', visit.orderId)
      .execute();
    const page = await nurse.get(sessionUrl(visit, session));
    expect(page.body).toContain('The dose order for this visit was voided');
    expect(page.body).not.toContain('Prepare and start');
    const action = `${sessionUrl(visit, session)}/start`;
    const res = await nurse.post(action, { _csrf: csrfFrom(page.body), version: '2', ...goodStart(visit) });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('The dose order for this visit was voided');
    await nothingWritten(session);

    await db()
      .insertInto('dose_orders')
      .values({ ...order, id: randomUUID(), status: 'ordered', verified_by: null, verified_at: null })
      .execute();
    const unchecked = await nurse.get(sessionUrl(visit, session));
    expect(unchecked.body).toContain('has not been double-checked yet');
    expect(unchecked.body).not.toContain('Prepare and start');
    rt().clock.advance(30_000);
    const again = await nurse.post(action, { _csrf: csrfFrom(page.body), version: '2', ...goodStart(visit) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('has not been double-checked yet');
    await nothingWritten(session);
  });

  it('lets only nurses and providers start: front desk and admin are refused', async () => {
    const { visit, session } = await onTheDay();
    for (const email of ['frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      const page = await b.get(sessionUrl(visit, session));
      expect(page.statusCode).toBe(403);
      const home = await b.get('/staff');
      const res = await b.post(`${sessionUrl(visit, session)}/start`, {
        _csrf: csrfFrom(home.body),
        version: '2',
        ...goodStart(visit),
      });
      expect(res.statusCode).toBe(403);
    }
    await nothingWritten(session);
  });
});
