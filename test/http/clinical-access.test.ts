import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { requestAndGetLink, book, offeredSlots } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

/**
 * The clinical core's access matrix, walked from the route table itself so that a clinical page added later is
 * covered without editing this file: every route under a patient's clinical tabs, the worklist and the clinical
 * settings. The front desk sees no clinical data (403 on every method); administrators manage clinical definitions
 * but see no patient's clinical data; a clinician at another location gets the plain 404 and a 'denied' event.
 */
const rt = useTestRuntime({ seed: 'clinic-and-staff' });

/**
 * The front desk books a plan's series (scheduling is theirs, as for every visit): the plan page shows them its state
 * and sessions, never its protocol, figures or reasons (clinical-plans.test.ts proves what the page leaves out).
 */
const DESK_SCHEDULES = /^\/staff\/patients\/:id\/plan($|\/(series|boosters|sessions)(\/|$))/;
const PATIENT_CLINICAL = /^\/staff\/patients\/:id\/(clinical|intake|screening|plan|series|dose-orders)(\/|$)/;
const CLINICAL = /^\/staff\/(worklist|clinical-settings|protocols)(\/|$)/;

const fill = (url: string, patientId: string) =>
  url.replace(':id', patientId).replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');

async function patientAt(where: 'chicago' | 'denver'): Promise<string> {
  const email = `access.${where}@example.com`;
  const link = await requestAndGetLink(rt(), {
    first_name: 'Ada',
    last_name: `Matrix-${where}`,
    email,
    location: where,
  });
  const slot = offeredSlots((await rt().app.inject({ url: link })).body)[0]!;
  expect((await book(rt(), link, slot, where)).statusCode).toBe(303);
  const row = await rt()
    .database.db.selectFrom('consultation_requests')
    .select('patient_id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.patient_id!;
}

describe(`clinical access matrix (${engine})`, () => {
  it('every clinical route refuses the front desk, and every patient clinical route refuses administrators', async () => {
    const routes = rt().app.routePolicies.filter((r) => PATIENT_CLINICAL.test(r.url) || CLINICAL.test(r.url));
    // The clinical core's pages: record, intake, screening, plan, series, dose orders, worklist, settings, protocols.
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes) {
      const roles = typeof r.policy === 'object' ? r.policy.roles : [];
      if (!DESK_SCHEDULES.test(r.url)) expect(roles, `${r.method} ${r.url}`).not.toContain('front_desk');
      if (PATIENT_CLINICAL.test(r.url)) expect(roles, `${r.method} ${r.url}`).not.toContain('admin');
      expect(roles.length, `${r.method} ${r.url}`).toBeGreaterThan(0);
    }

    const chicago = await patientAt('chicago');
    const desk = await signIn(rt(), 'frontdesk@relief.example');
    const csrf = csrfFrom((await desk.get('/staff/patients')).body);
    for (const r of routes.filter((x) => (x.method === 'GET' || x.method === 'POST') && !DESK_SCHEDULES.test(x.url))) {
      const url = fill(r.url, chicago);
      const res = r.method === 'GET' ? await desk.get(url) : await desk.post(url, { _csrf: csrf });
      expect(res.statusCode, `front desk ${r.method} ${url}`).toBe(403);
      expect(res.body).not.toContain('Matrix-chicago');
    }
  });

  it('a clinician elsewhere gets the plain 404 on every clinical page of a patient, each a denied event', async () => {
    const denver = await patientAt('denver');
    const provider = await signIn(rt(), 'provider@relief.example');
    const gets = rt().app.routePolicies.filter(
      (r) => r.method === 'GET' && PATIENT_CLINICAL.test(r.url) && !/:[a-zA-Z]+.*:[a-zA-Z]+/.test(r.url),
    );
    expect(gets.length).toBeGreaterThanOrEqual(5);
    for (const r of gets) {
      const url = fill(r.url, denver);
      const res = await provider.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('Matrix-denver');
    }
    const denied = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'patient_ref'])
      .where('outcome', '=', 'denied')
      .where('patient_ref', '=', denver)
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(gets.length);
  });
});
