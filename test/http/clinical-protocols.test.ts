import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOLS } from '../../src/clinical/protocols/protocol.ts';
import { writeSuggestedProtocols } from '../../src/clinical/service.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { formFields } from '../helpers/forms.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const ADMIN = 'admin@relief.example';
const PROVIDER = 'provider@relief.example';
const NURSE = 'nurse@relief.example';
const DESK = 'frontdesk@relief.example';

/** The library as the demo has it: the three suggestions (a clinic starts with none). */
const suggested = () => rt().database.transact((trx) => writeSuggestedProtocols(trx, rt().clock.now(), null));

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe(`the protocol library (${engine})`, () => {
  it('shows the three suggested protocols to clinicians and administrators, unverified figures marked', async () => {
    await suggested();
    for (const email of [ADMIN, PROVIDER, NURSE]) {
      const res = await (await signIn(rt(), email)).get('/staff/protocols');
      expect(res.statusCode, email).toBe(200);
      for (const p of DEFAULT_PROTOCOLS) expect(res.body).toContain(`href="/staff/protocols/${p.code}"`);
      expect(text(res.body)).toContain('CRPS outpatient series, 4 h × 10 days (Schwartzman)');
      expect(text(res.body)).toContain('0.35 mg/kg/h, at most 25 mg/h and 100 mg a session');
      expect(text(res.body)).toContain('Unverified figures to review');
      expect(res.body).toContain('href="/staff/protocols" aria-current="page"');
    }
  });

  it('shows the front desk no clinical data: no page, no link', async () => {
    const desk = await signIn(rt(), DESK);
    const refused = await desk.get('/staff/protocols');
    expect(refused.statusCode).toBe(403);
    // In the workspace's own frame: its navigation and who is signed in, not the site's "Request a consultation".
    expect(text(refused.body)).toContain('Not allowed');
    expect(text(refused.body)).toContain('Signed in as Fran Desk');
    expect(refused.body).toContain('href="/staff">Back to your workspace</a>');
    expect(refused.body).not.toContain('href="/consultation"');
    expect((await desk.get('/staff/protocols/crps-10-day')).statusCode).toBe(403);
    expect((await desk.get('/staff/calendar')).body).not.toContain('/staff/protocols');
  });

  it('an administrator starts an empty library from the suggestions, once, audited', async () => {
    const provider = await signIn(rt(), PROVIDER);
    const empty = await provider.get('/staff/protocols');
    expect(text(empty.body)).toContain('No protocols yet');
    expect(text(empty.body)).toContain('An administrator adds the clinic’s protocols.');
    expect(empty.body).not.toContain('action="/staff/protocols/suggested"');
    expect((await provider.post('/staff/protocols/suggested', { _csrf: csrfFrom(empty.body) })).statusCode).toBe(403);

    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/protocols');
    expect(page.body).toContain('action="/staff/protocols/suggested"');
    expect((await admin.post('/staff/protocols/suggested', {})).statusCode).toBe(403);
    const added = await admin.post('/staff/protocols/suggested', { _csrf: csrfFrom(page.body) });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/staff/protocols?added=3');
    const list = await admin.get('/staff/protocols?added=3');
    expect(text(list.body)).toContain('3 suggested protocols added.');
    const rows = await rt()
      .database.db.selectFrom('protocols')
      .select(['code', 'version', 'created_by'])
      .orderBy('code')
      .execute();
    expect(rows.map((r) => [r.code, r.version])).toEqual([
      ['booster-4h', 1],
      ['crps-10-day', 1],
      ['short-series', 1],
    ]);
    expect(rows.every((r) => r.created_by !== null)).toBe(true);
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'protocol.add_suggested')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail)).toEqual({ protocols: 3 });

    const again = await admin.post('/staff/protocols/suggested', { _csrf: csrfFrom(list.body) });
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('The library already has protocols');
  });

  it('shows each figure of a protocol with its source', async () => {
    await suggested();
    const res = await (await signIn(rt(), PROVIDER)).get('/staff/protocols/crps-10-day');
    expect(res.statusCode).toBe(200);
    const page = text(res.body);
    for (const fact of [
      '10 sessions of 4 hours',
      '1 to 3',
      '0.35 mg/kg/h',
      '25 mg/h, whatever the weight',
      '100 mg, any bolus included',
      'Bolus Not allowed',
      '100 mg in 100 mL (1 mg/mL)',
      'Every 15 minutes in the first hour, then every 30 minutes',
      'Midazolam 2 mg IV (IV); at most 4 mg (2 doses) a session. Checked on each dose: up to 2 mg at a time and 4 mg a session, by IV.',
      'Ondansetron 4 mg IV (IV), as needed; at most 8 mg a session. Checked on each dose: up to 4 mg at a time and 8 mg a session, by IV.',
      '9 or more',
    ]) {
      expect(page).toContain(fact);
    }
    expect(page).toContain('Source: Schwartzman RJ et al., Pain 2009');
    // The dosing figures are published (Schwartzman); the other six parts (the as-needed rescue doses among them) are
    // suggestions.
    expect(page).toMatch(/Unverified Source: A common outpatient preparation/);
    expect(res.body.match(/class="badge badge-unverified"/g)).toHaveLength(6);
  });

  it('runs the dose calculator on a weight typed in, line by line, naming the cap that applied', async () => {
    await suggested();
    const nurse = await signIn(rt(), NURSE);
    const res = await nurse.get('/staff/protocols/crps-10-day?weight=160&unit=lb');
    expect(res.statusCode).toBe(200);
    const page = text(res.body);
    expect(page).toContain('Pump rate 25 mL/h (25 mg/h)');
    expect(page).toContain('160 lb × 0.45359237 = 72.57 kg');
    expect(page).toContain('25.4 mg/h is above the cap of 25 mg/h: the cap applies · this sets the rate');
    expect(page).toContain('25 mg/h × 4 h = 100 mg (maximum 100 mg)');
    expect(res.body).toContain('value="160"');

    const short = text((await nurse.get('/staff/protocols/short-series?weight=70&unit=kg&rate=0.5&bolus=0.35')).body);
    expect(short).toContain('Pump rate 35 mL/h (35 mg/h)');
    expect(short).toContain('0.35 mg/kg × 70 kg ÷ 1 mg/mL, rounded down to 0.1 mL: 24.5 mL (24.5 mg)');
    expect(short).toContain('Titration steps');
    // Nothing is written and no patient is involved.
    expect(await rt().database.db.selectFrom('dose_orders').select('id').execute()).toEqual([]);
  });

  it.each([
    ['weight=abc', 'weight', 'Weight: a number such as 72.5'],
    ['weight=20&unit=kg', 'weight', 'The weight must be between 25 and 300 kg (55–661 lb).'],
    ['weight=70&unit=stone', 'unit', 'Unit: kilograms or pounds'],
    ['weight=70&rate=0.5', 'rate', "0.5 mg/kg/h is above the protocol's maximum of 0.35 mg/kg/h."],
    ['weight=70&hours=30', 'hours', 'Hours: from 0.25 to 24 hours'],
    ['weight=70&hours=-1', 'hours', 'Hours: a number such as 72.5'],
    [`weight=${'9'.repeat(30)}`, 'weight', 'Weight: a number such as 72.5'],
    [`weight=70&hours=${'1'.repeat(30)}`, 'hours', 'Hours: a number such as 72.5'],
  ])('refuses %s with a 400 naming the field', async (query, field, message) => {
    await suggested();
    const res = await (await signIn(rt(), PROVIDER)).get(`/staff/protocols/crps-10-day?${query}`);
    expect(res.statusCode).toBe(400);
    expect(text(res.body)).toContain(message);
    if (field !== 'unit') expect(res.body).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    expect(res.body).toContain(`href="#${field}"`);
    expect(res.body).not.toContain('Pump rate');
  });

  it('answers 404 for a protocol that does not exist, and renders a stored name as text', async () => {
    await suggested();
    const provider = await signIn(rt(), PROVIDER);
    expect((await provider.get('/staff/protocols/no-such-protocol')).statusCode).toBe(404);
    expect((await provider.get('/staff/protocols/CRPS')).statusCode).toBe(404);
    const p = { ...DEFAULT_PROTOCOLS[0]!, name: '<script>alert(1)</script>' };
    await rt()
      .database.db.insertInto('protocols')
      .values({
        id: 'p-v2',
        code: p.code,
        version: 2,
        definition: JSON.stringify(p),
        created_by: null,
        created_at: 0,
        retired_at: null,
      })
      .execute();
    const res = await provider.get(`/staff/protocols/${p.code}`);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text(res.body)).toContain('Version 2 of 2.');
  });

  it('lets an administrator set the other orders’ numeric limits as a new version; refuses bad figures and others', async () => {
    await suggested();
    const nurse = await signIn(rt(), NURSE);
    const seen = await nurse.get('/staff/protocols/short-series');
    expect(seen.body).not.toContain('Save the limits');
    const action = '/staff/protocols/short-series/order-limits';
    const fields = (over: Record<string, string>) => ({
      version: '1',
      dose_0: '4',
      max_0: '8',
      routes_0: 'IV, oral',
      dose_1: '1',
      max_1: '3',
      routes_1: 'IV',
      dose_2: '0.1',
      max_2: '0.2',
      routes_2: 'oral',
      ...over,
    });
    expect((await nurse.post(action, { _csrf: csrfFrom(seen.body), ...fields({}) })).statusCode).toBe(403);

    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/protocols/short-series');
    expect(page.body).toContain('Save the limits');
    const bad = await admin.post(action, { _csrf: csrfFrom(page.body), ...fields({ dose_1: '5', max_2: 'lots' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Clonidine: most in a session: a number such as 0.2');
    const above = await admin.post(action, { _csrf: csrfFrom(page.body), ...fields({ dose_1: '5' }) });
    expect(above.statusCode).toBe(400);
    expect(above.body).toContain('The largest single dose cannot be above the most in a session');
    const ok = await admin.post(action, { _csrf: csrfFrom(page.body), ...fields({}) });
    expect(ok.statusCode, ok.body.slice(0, 1000)).toBe(303);
    const after = text((await admin.get('/staff/protocols/short-series')).body);
    expect(after).toContain('Version 2');
    expect(after).toContain('Checked on each dose: up to 4 mg at a time and 8 mg a session, by IV or oral.');
    expect(after).toContain('Checked on each dose: up to 1 mg at a time and 3 mg a session, by IV.');
    // The same page again is a version behind.
    const stale = await admin.post(action, { _csrf: csrfFrom(page.body), ...fields({}) });
    expect(stale.statusCode).toBe(409);
  });

  it('lets an administrator edit a whole protocol as a new version: figures, sources, orders added and taken out', async () => {
    await suggested();
    const edit = '/staff/protocols/short-series/edit';
    const nurse = await signIn(rt(), NURSE);
    expect((await nurse.get('/staff/protocols/short-series')).body).not.toContain(edit);
    expect((await nurse.get(edit)).statusCode).toBe(403);
    const provider = await signIn(rt(), PROVIDER);
    expect((await provider.get(edit)).statusCode).toBe(403);

    const admin = await signIn(rt(), ADMIN);
    expect((await admin.get('/staff/protocols/short-series')).body).toContain(`href="${edit}"`);
    const page = await admin.get(edit);
    expect(page.statusCode).toBe(200);
    const form = formFields(page.body, edit);
    const rows = DEFAULT_PROTOCOLS.find((p) => p.code === 'short-series')!.extraOrders.length;
    expect(form[`order_${rows}_drug`]).toBe('');

    const bad = await admin.post(edit, { ...form, dosing_capMgPerHour: 'lots', induction_maxDaysBetween: '0' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad.body)).toContain('Absolute cap (mg/h): a number, such as 0.35');
    expect(bad.body).toContain('value="lots"');
    const stillOne = text((await admin.get('/staff/protocols/short-series')).body);
    expect(stillOne).toContain('Version 1.');

    const ok = await admin.post(edit, {
      ...form,
      dosing_capMgPerHour: '30',
      dosing_source: 'Medical director, 7 December 2026 <review>',
      discharge_minObservationMinutes: '45',
      order_0_remove: 'yes',
      [`order_${rows}_drug`]: 'Glycopyrrolate',
      [`order_${rows}_dose`]: '0.2 mg IV',
      [`order_${rows}_route`]: 'IV',
      [`order_${rows}_maxPerSession`]: '0.4 mg',
      [`order_${rows}_asNeeded`]: 'yes',
      [`order_${rows}_doseMg`]: '0.2',
      [`order_${rows}_maxMgPerSession`]: '0.4',
      [`order_${rows}_routes`]: 'IV',
    });
    expect(ok.statusCode, ok.body.slice(0, 500)).toBe(303);
    expect(ok.headers.location).toBe('/staff/protocols/short-series?saved=edit');
    const after = await admin.get('/staff/protocols/short-series?saved=edit');
    const shown = text(after.body);
    expect(shown).toContain('The protocol is saved as this new version.');
    expect(shown).toContain('Version 2 of 2.');
    expect(shown).toContain('Absolute cap 30 mg/h, whatever the weight');
    expect(shown).toContain('At least 45 minutes');
    expect(shown).toContain('Glycopyrrolate 0.2 mg IV (IV), as needed');
    expect(shown).not.toContain(DEFAULT_PROTOCOLS.find((p) => p.code === 'short-series')!.extraOrders[0]!.drug + ' ');
    // A source is free text: shown as text.
    expect(after.body).toContain('Medical director, 7 December 2026 &lt;review&gt;');
    const versions = await rt()
      .database.db.selectFrom('protocols')
      .select(['version', 'created_by'])
      .where('code', '=', 'short-series')
      .orderBy('version')
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]!.created_by).not.toBeNull();
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'detail'])
      .where('action', '=', 'protocol.edit')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).not.toContain('Glycopyrrolate');

    // The page opened on version 1 is stale now: refused, and it opens on version 2 again.
    const stale = await admin.post(edit, form);
    expect(stale.statusCode).toBe(409);
    expect(text(stale.body)).toContain('newer version');
    expect(stale.body).toContain('Save as version 3');
    expect((await nurse.post(edit, formFields((await admin.get(edit)).body, edit))).statusCode).toBe(403);
  });
});
