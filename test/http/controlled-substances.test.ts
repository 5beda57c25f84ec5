import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sessionDrugBalanced } from '../../src/clinical/service.ts';
import { totpCode } from '../../src/staff/totp.ts';
import { dischargeFixture, stoppedSession as stoppedSession_ } from '../helpers/controlled.ts';
import { formFields } from '../helpers/forms.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { infusingSession, orderedVisit, type OrderedVisit } from '../helpers/sessions.ts';
import { csrfFrom, demoAccount, signIn, type Browser } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const code = (email: string) => totpCode(demoAccount(email).totp, rt().clock.now());
const HOUR = 3_600_000;
const LOG = '/staff/controlled-substances';

const stoppedSession = (first?: string, hours?: number) => stoppedSession_(rt(), first, hours);

const sessionUrl = (visit: OrderedVisit, id: string) => `/staff/patients/${visit.patientId}/sessions/${id}`;

/** Opens the session page and posts its waste form with `changes`. */
async function waste(b: Browser, visit: OrderedVisit, id: string, changes: Record<string, string>) {
  const page = await b.get(sessionUrl(visit, id));
  expect(page.statusCode, page.body.slice(0, 400)).toBe(200);
  const action = `${sessionUrl(visit, id)}/waste`;
  return b.post(action, { ...formFields(page.body, action), ...changes });
}

const wasteRows = (id: string) => db().selectFrom('session_waste').selectAll().where('session_id', '=', id).execute();

const discharge = (id: string, by: string) => dischargeFixture(rt(), id, by);

describe('controlled substances: waste on the session page', () => {
  it('records the waste with a witness, and the bag then balances', async () => {
    const { visit, id } = await stoppedSession();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const page = await nurse.get(sessionUrl(visit, id));
    expect(page.body).toContain('Not balanced yet');
    // 100 mg drawn, 98 mg given: the form offers the 2 mg left.
    expect(page.body).toMatch(/name="waste_mg"[^>]*value="2"/);
    expect((await sessionDrugBalanced(db(), id)).balanced).toBe(false);

    const res = await waste(nurse, visit, id, {
      waste_mg: '2',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
    expect(res.headers.location).toBe(`${sessionUrl(visit, id)}?saved=waste`);
    const rows = await wasteRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ wasted_by: visit.nurseId, witnessed_by: visit.providerId });
    expect(Number(rows[0]!.mg)).toBe(2);
    const result = await sessionDrugBalanced(db(), id);
    expect(result.balanced).toBe(true);
    expect(result.drug).toMatchObject({ status: 'balanced', dispensedMg: 100, givenMg: 98, wastedMg: 2, leftMg: 0 });

    const after = await nurse.get(res.headers.location as string);
    expect(after.body).toContain('The waste is recorded, with its witness.');
    expect(after.body).toContain('Balanced: every mg dispensed is given or wasted.');
    expect(after.body).not.toContain('action="' + `${sessionUrl(visit, id)}/waste`);
    const version = await db()
      .selectFrom('infusion_sessions')
      .select('version')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(Number(version!.version)).toBe(5);
    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'session.waste')
      .execute();
    expect(events.some((e) => e.detail.includes(rows[0]!.bag_id))).toBe(true);
  });

  it('refuses a waste without a witness, by the nurse herself, or with a wrong code, and writes nothing', async () => {
    const { visit, id } = await stoppedSession();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const none = await waste(nurse, visit, id, { waste_mg: '2', witness: '', witness_code: '' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Witness: choose a nurse or provider of this location.');
    const self = await waste(nurse, visit, id, { waste_mg: '2', witness: visit.nurseId, witness_code: '123456' });
    expect(self.statusCode).toBe(400);
    expect(self.body).toContain('you cannot witness your own entry');
    const good = code('provider@relief.example');
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const bad = await waste(nurse, visit, id, { waste_mg: '2', witness: visit.providerId, witness_code: wrong });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Witness code:');
    expect(await wasteRows(id)).toHaveLength(0);
    // The wrong code counts against the witness and is audited, though nothing else was written.
    const failures = await db()
      .selectFrom('audit_events')
      .select('outcome')
      .where('actor_id', '=', visit.providerId)
      .where('outcome', '=', 'failure')
      .execute();
    expect(failures.length).toBeGreaterThan(0);
    const v = await db().selectFrom('infusion_sessions').select('version').where('id', '=', id).executeTakeFirst();
    expect(Number(v!.version)).toBe(4);
  });

  it('refuses more than what is left, an amount that is not one, and a waste while infusing', async () => {
    const { visit, id } = await stoppedSession();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const over = await waste(nurse, visit, id, {
      waste_mg: '2.01',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('Waste: at most 2 mg, what is left in this bag.');
    for (const amount of ['0', '-1', 'abc', '1.234', '']) {
      const res = await waste(nurse, visit, id, {
        waste_mg: amount,
        witness: visit.providerId,
        witness_code: '000000',
      });
      expect(res.statusCode, amount).toBe(400);
      expect(res.body).toContain('Wasted: the mg wasted');
    }
    // Part now, the rest later (another code step), then nothing is left to waste.
    rt().clock.advance(30_000);
    const part = await waste(nurse, visit, id, {
      waste_mg: '1.5',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(part.statusCode, part.body.slice(0, 500)).toBe(303);
    expect((await sessionDrugBalanced(db(), id)).drug?.leftMg).toBe(0.5);
    rt().clock.advance(30_000);
    const more = await waste(nurse, visit, id, {
      waste_mg: '0.6',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(more.statusCode).toBe(400);
    expect(await wasteRows(id)).toHaveLength(1);

    const running = await orderedVisit(rt(), 'Ines');
    rt().clock.current = running.startsAt;
    const runningId = await infusingSession(rt(), running, running.startsAt);
    rt().clock.advance(HOUR);
    // An hour on, the nurse signs in again (the idle time-out).
    const again = await signIn(rt(), 'nurse@relief.example');
    const page = await again.get(sessionUrl(running, runningId));
    expect(page.body).toContain('Waste is recorded after the infusion stops.');
    const csrf = csrfFrom(page.body);
    const bag = await db()
      .selectFrom('session_bags')
      .select('id')
      .where('session_id', '=', runningId)
      .executeTakeFirstOrThrow();
    const early = await again.post(`${sessionUrl(running, runningId)}/waste`, {
      _csrf: csrf,
      version: '3',
      bag: bag.id,
      waste_mg: '1',
      witness: running.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(early.statusCode).toBe(409);
    expect(await wasteRows(runningId)).toHaveLength(0);
    // Another session's bag, posted to this one: refused, nothing written.
    const foreign = await again.post(`${sessionUrl(visit, id)}/waste`, {
      _csrf: csrf,
      version: '5',
      bag: bag.id,
      waste_mg: '0.5',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('That bag is not one of this session’s');
    expect(await wasteRows(id)).toHaveLength(1);
  });

  it('keeps the front desk and administrators away from the waste', async () => {
    const { visit, id } = await stoppedSession();
    const bag = await db()
      .selectFrom('session_bags')
      .select('id')
      .where('session_id', '=', id)
      .executeTakeFirstOrThrow();
    for (const email of ['frontdesk@relief.example', 'admin@relief.example']) {
      const b = await signIn(rt(), email);
      const home = await b.get('/staff/patients');
      const res = await b.post(`${sessionUrl(visit, id)}/waste`, {
        _csrf: csrfFrom(home.body),
        version: '4',
        bag: bag.id,
        waste_mg: '2',
        witness: visit.providerId,
        witness_code: code('provider@relief.example'),
      });
      expect(res.statusCode, email).toBe(403);
    }
    expect(await wasteRows(id)).toHaveLength(0);
  });
});

describe('controlled substances: the balance and the discharge gate', () => {
  it('balances a session only once stopped and wasted; every discharged session balances to zero', async () => {
    const { visit, id } = await stoppedSession('Rosa', 3);
    // 3 h at 24.5 mg/h = 73.5 mg given, 26.5 mg left.
    expect((await sessionDrugBalanced(db(), id)).drug).toMatchObject({ givenMg: 73.5, leftMg: 26.5, balanced: false });
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const res = await waste(nurse, visit, id, {
      waste_mg: '26.5',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    expect(res.statusCode).toBe(303);
    expect((await sessionDrugBalanced(db(), id)).balanced).toBe(true);
    await discharge(id, visit.nurseId);

    // The acceptance: the ledger of every closed session balances to zero, and the log says so.
    const closed = await db().selectFrom('infusion_sessions').select('id').where('state', '=', 'discharged').execute();
    expect(closed.length).toBeGreaterThan(0);
    for (const s of closed) {
      const { balanced, drug } = await sessionDrugBalanced(db(), s.id);
      expect(balanced).toBe(true);
      expect(drug!.dispensedMg - drug!.givenMg - drug!.wastedMg).toBeCloseTo(0, 9);
    }
    const admin = await signIn(rt(), 'admin@relief.example');
    const log = await admin.get(`${LOG}?location=loc-chicago`);
    expect(log.body).toContain('Every closed session at');
    expect(log.body).not.toContain('Closed sessions that do not balance');
  });

  it('does not balance a running infusion, nor an unknown session; names a closed one that does not', async () => {
    const visit = await orderedVisit(rt());
    rt().clock.current = visit.startsAt;
    const id = await infusingSession(rt(), visit, visit.startsAt);
    expect((await sessionDrugBalanced(db(), id)).balanced).toBe(false);
    expect((await sessionDrugBalanced(db(), randomUUID())).balanced).toBe(false);

    // Past the gate, as only a direct database write could: the log names it.
    const { visit: other, id: stopped } = await stoppedSession('Ines');
    await discharge(stopped, other.nurseId);
    const admin = await signIn(rt(), 'admin@relief.example');
    const log = await admin.get(`${LOG}?location=loc-chicago`);
    expect(log.body).toContain('Closed sessions that do not balance');
    expect(log.body).toContain(`2 mg not accounted for (session ${stopped})`);
    // The administrator reads the log, not the session page; the location's provider is led to it.
    expect(log.body).not.toContain(`/staff/patients/${other.patientId}/sessions/${stopped}`);
    const provider = await signIn(rt(), 'provider@relief.example');
    const theirs = await provider.get(`${LOG}?location=loc-chicago`);
    expect(theirs.body).toContain(`/staff/patients/${other.patientId}/sessions/${stopped}`);
  });
});

describe('controlled substances: the log', () => {
  it('opens to administrators and providers of the location only', async () => {
    await stoppedSession();
    for (const email of ['nurse@relief.example', 'frontdesk@relief.example']) {
      const b = await signIn(rt(), email);
      expect((await b.get(LOG)).statusCode, email).toBe(403);
      expect((await b.get(`${LOG}.csv`)).statusCode, email).toBe(403);
      expect((await b.get('/staff/patients')).body).not.toContain(`href="${LOG}"`);
    }
    const admin = await signIn(rt(), 'admin@relief.example');
    const home = await admin.get('/staff/patients');
    expect(home.body).toContain(`href="${LOG}"`);
    const page = await admin.get(`${LOG}?location=loc-chicago`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Rosa');
    expect(page.body).toContain('LOT-TEST-1');
    const provider = await signIn(rt(), 'provider@relief.example');
    expect((await provider.get(`${LOG}?location=loc-chicago`)).statusCode).toBe(200);
    // The Chicago provider does not read Denver's log.
    expect((await provider.get(`${LOG}?location=loc-denver`)).statusCode).toBe(404);
    const views = await db()
      .selectFrom('audit_events')
      .select(['actor_id', 'outcome', 'location_id'])
      .where('action', '=', 'controlled.view')
      .execute();
    expect(views.filter((v) => v.outcome === 'success')).toHaveLength(2);
    expect(views.filter((v) => v.outcome === 'denied')).toHaveLength(1);
  });

  it('filters by date range and refuses a date that is not one', async () => {
    const { visit } = await stoppedSession();
    const admin = await signIn(rt(), 'admin@relief.example');
    const day = new Date(visit.startsAt).toISOString().slice(0, 10);
    const inRange = await admin.get(`${LOG}?location=loc-chicago&from=${day}&to=${day}`);
    expect(inRange.body).toContain('Rosa');
    const before = await admin.get(`${LOG}?location=loc-chicago&from=2026-01-01&to=2026-01-31`);
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain('LOT-TEST-1</td>');
    const bad = await admin.get(`${LOG}?location=loc-chicago&from=2026-02-30`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('From: a date like');
    const reversed = await admin.get(`${LOG}?location=loc-chicago&from=2026-03-10&to=2026-03-01`);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.body).toContain('To: on or after the From date.');
    expect((await admin.get(`${LOG}.csv?location=loc-chicago&from=nope`)).statusCode).toBe(400);
  });

  it('exports the log as CSV, formulas neutralised, with an audit event', async () => {
    const { visit, id } = await stoppedSession('=HYPERLINK("http://x")');
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await waste(nurse, visit, id, {
      waste_mg: '2',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    const admin = await signIn(rt(), 'admin@relief.example');
    const day = new Date(visit.startsAt).toISOString().slice(0, 10);
    const res = await admin.get(`${LOG}.csv?location=loc-chicago&from=${day}&to=${day}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="controlled-substances-loc-chicago-/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Entry,Date and time,Location,Patient,Lot,Lot expiry,Received (mg),Dispensed (mg),Given (mg),Wasted (mg),' +
        'Left (mg),Status,Given or received by,Draw witness,Wasted by,Waste witness,Lot balance after (mg),Reference',
    );
    expect(lines).toHaveLength(2);
    const row = lines[1]!;
    // The patient's name starts with '=': quoted as text, so a spreadsheet never runs it.
    expect(row).toContain(`"'=HYPERLINK(""http://x"") `);
    expect(row).toContain(',LOT-TEST-1,2099-12-31,,100,98,2,0,Balanced,Nia Brooks,');
    const exports = await db()
      .selectFrom('audit_events')
      .select(['detail', 'location_id'])
      .where('action', '=', 'controlled.export')
      .execute();
    expect(exports).toHaveLength(1);
    expect(exports[0]!.location_id).toBe('loc-chicago');
    expect(exports[0]!.detail).not.toContain('HYPERLINK');
  });

  it('keeps a running balance per lot once stock received is recorded', async () => {
    const { visit } = await stoppedSession();
    const admin = await signIn(rt(), 'admin@relief.example');
    const page = await admin.get(`${LOG}?location=loc-chicago`);
    expect(page.body).toContain('No stock received is recorded for this lot');
    const action = /action="(\/staff\/controlled-substances\?[^"]+)"/.exec(page.body)![1]!.replace(/&amp;/g, '&');
    const receivedDay = new Date(visit.startsAt - 2 * 86_400_000).toISOString().slice(0, 10);
    const fields = formFields(page.body, action.replace(/&/g, '&amp;'));
    const post = (changes: Record<string, string>) => admin.post(action, { ...fields, ...changes });

    const bad = await post({
      lot: '<b>',
      mg: '0',
      expires_on: '2020-01-01',
      received_day: '2099-01-01',
      received_time: '09:00',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Lot: as printed on the stock');
    expect(bad.body).toContain('Amount: the ketamine received in mg');
    expect(bad.body).toContain('Received: not in the future.');
    const expired = await post({
      lot: 'LOT-TEST-1',
      mg: '500',
      expires_on: '2020-01-01',
      received_day: receivedDay,
      received_time: '09:00',
    });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('Expiry: this lot had expired when it was received');
    expect(await db().selectFrom('controlled_substance_receipts').selectAll().execute()).toHaveLength(0);

    const ok = await post({
      lot: 'LOT-TEST-1',
      mg: '500',
      expires_on: '2099-12-31',
      reference: 'Acme Pharma, invoice 1234',
      received_day: receivedDay,
      received_time: '09:00',
    });
    expect(ok.statusCode, ok.body.slice(0, 500)).toBe(303);
    const after = await admin.get(ok.headers.location as string);
    expect(after.body).toContain('The stock received is recorded.');
    expect(after.body).toMatch(/Received 500 mg, dispensed 100 mg, in stock\s*<strong>400 mg<\/strong>/);

    // A second bag of the same lot, the next day.
    const second = await orderedVisit(rt(), 'Ines');
    rt().clock.current = second.startsAt;
    await infusingSession(rt(), second, second.startsAt);
    const adminAgain = await signIn(rt(), 'admin@relief.example');
    const later = await adminAgain.get(
      `${LOG}?location=loc-chicago&from=${receivedDay}&to=${new Date(second.startsAt).toISOString().slice(0, 10)}`,
    );
    expect(later.body).toMatch(/in stock\s*<strong>300 mg<\/strong>/);
    // The lot's entries, each with the balance after it: +500 → 500, −100 → 400, −100 → 300.
    const balances = [...later.body.matchAll(/<td>(\d+) mg<\/td>\s*<\/tr>/g)].map((m) => m[1]);
    expect(balances).toEqual(['500', '400', '300']);
    const audit = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'controlled.receipt')
      .execute();
    expect(audit).toHaveLength(1);

    // A nurse records no stock.
    const nurse = await signIn(rt(), 'nurse@relief.example');
    const home = await nurse.get('/staff/patients');
    const refused = await nurse.post(LOG, { ...fields, _csrf: csrfFrom(home.body), lot: 'X1', mg: '5' });
    expect(refused.statusCode).toBe(403);
  });

  it('keeps every entry append-only at the database', async () => {
    const { visit, id } = await stoppedSession();
    const nurse = await signIn(rt(), 'nurse@relief.example');
    await waste(nurse, visit, id, {
      waste_mg: '2',
      witness: visit.providerId,
      witness_code: code('provider@relief.example'),
    });
    const bag = await db()
      .selectFrom('session_bags')
      .select('id')
      .where('session_id', '=', id)
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('controlled_substance_receipts')
      .values({
        id: 'r1',
        location_id: 'loc-chicago',
        drug: 'ketamine',
        lot: 'L1',
        expires_on: '2099-01-01',
        mg: 1000,
        reference: null,
        received_by: visit.providerId,
        received_at: rt().clock.now(),
        recorded_at: rt().clock.now(),
      })
      .execute();
    await expect(
      db().updateTable('session_waste').set({ mg: 1 }).where('session_id', '=', id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db().deleteFrom('session_waste').where('session_id', '=', id).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(
      db().updateTable('controlled_substance_receipts').set({ mg: 1 }).where('id', '=', 'r1').execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db().deleteFrom('controlled_substance_receipts').where('id', '=', 'r1').execute()).rejects.toThrow(
      /append-only/,
    );
    const row = (over: Record<string, unknown>) => ({
      id: randomUUID(),
      session_id: id,
      bag_id: bag.id,
      mg: 1,
      wasted_by: visit.nurseId,
      witnessed_by: visit.providerId,
      at: rt().clock.now(),
      ...over,
    });
    // The two-person rule and the bag's own session, whatever the application does.
    await expect(
      db()
        .insertInto('session_waste')
        .values(row({ witnessed_by: visit.nurseId }))
        .execute(),
    ).rejects.toThrow();
    const other = await orderedVisit(rt(), 'Ines');
    const otherId = await infusingSession(rt(), other, rt().clock.now());
    await expect(
      db()
        .insertInto('session_waste')
        .values(row({ session_id: otherId }))
        .execute(),
    ).rejects.toThrow(/not this session/);
    await expect(
      db()
        .insertInto('controlled_substance_receipts')
        .values({
          id: 'r2',
          location_id: 'loc-chicago',
          drug: 'ketamine',
          lot: 'L1',
          expires_on: '2099-01-01',
          mg: 0,
          reference: null,
          received_by: visit.providerId,
          received_at: rt().clock.now(),
          recorded_at: rt().clock.now(),
        })
        .execute(),
    ).rejects.toThrow();
  });
});
