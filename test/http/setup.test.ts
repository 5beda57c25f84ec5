import { describe, expect, it } from 'vitest';
import { DateTime, Settings } from 'luxon';
import { book, offeredTimes, requestAndGetLink } from '../helpers/journey.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { submit } from '../helpers/forms.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const H = (hour: number, minute = 0) => hour * 60 + minute;
const CHICAGO = 'America/Chicago';
const ADMIN = 'admin@relief.example';
const at = (iso: string, zone = CHICAGO) => DateTime.fromISO(iso, { zone }).toMillis();
const TUE_0900 = at('2026-03-03T09:00');
const THU_0900 = at('2026-03-05T09:00');
const THU_1000 = at('2026-03-05T10:00');

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const setupEvents = async () =>
  (
    await db().selectFrom('audit_events').select('action').where('action', 'like', 'setup.%').orderBy('seq').execute()
  ).map((e) => e.action);

const dayOf = (instant: number) => DateTime.fromMillis(instant, { zone: CHICAGO }).toISODate();
async function slotsFor(email: string, first = 'Ben') {
  const link = await requestAndGetLink(rt(), { email, first_name: first });
  return { link, slots: await offeredTimes(rt(), link) };
}

describe('clinic set-up', () => {
  it('is for administrators only: every set-up route answers 403 to the other roles', async () => {
    const routes = rt().app.routePolicies.filter(
      (r) => r.url.startsWith('/staff/setup') && (r.method === 'GET' || r.method === 'POST'),
    );
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const r of routes) expect(r.policy, r.url).toEqual({ roles: ['admin'] });
    const fill = (url: string) =>
      url
        .replace('/clinicians/:id', '/clinicians/prov-okafor')
        .replace(':id', 'loc-chicago')
        .replace(':roomId', 'room-chi-1')
        .replace(':action', 'deactivate')
        .replace(':code', 'consultation')
        .replace(':offId', 'no-such-time-off');

    const anonymous = await rt().app.inject({ url: '/staff/setup' });
    expect(anonymous.statusCode).toBe(303);

    for (const email of ['frontdesk@relief.example', 'nurse@relief.example', 'provider@relief.example']) {
      const b = await signIn(rt(), email);
      let home = await b.get('/staff');
      if (home.statusCode === 303) home = await b.get(home.headers.location as string);
      const csrf = csrfFrom(home.body);
      expect(csrf).not.toBe('');
      for (const r of routes) {
        const url = fill(r.url);
        const res =
          r.method === 'GET'
            ? await b.get(url)
            : await b.post(url, { _csrf: csrf, name: 'x', date: '2026-12-01', reason: 'x' });
        expect(res.statusCode, `${email} ${r.method} ${url}`).toBe(403);
        expect(res.body).toContain('Your role does not give access to this page.');
        // A staff member is sent back to the workspace, not offered a consultation.
        expect(res.body).toContain('<a href="/staff">Back to your workspace</a>');
        expect(res.body).not.toContain('request a consultation');
      }
    }
    expect(await setupEvents()).toEqual([]);
    const room = await db()
      .selectFrom('rooms')
      .select('active')
      .where('id', '=', 'room-chi-1')
      .executeTakeFirstOrThrow();
    expect(room.active).toBe(1);

    // An administrator sees every page, and the staff navigation links to set-up.
    const admin = await signIn(rt(), 'admin@relief.example');
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const res = await admin.get(fill(r.url));
      // The addresses from before providers and nurses became clinicians lead to the new ones.
      expect(res.statusCode, r.url).toBe(r.url.startsWith('/staff/setup/providers') ? 308 : 200);
    }
    expect((await admin.get('/staff/users')).body).toContain('href="/staff/setup"');
  });

  it('old /staff/setup/providers addresses lead to the clinicians pages, a form post staying a post', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const list = await admin.get('/staff/setup/providers');
    expect(list.statusCode).toBe(308);
    expect(list.headers.location).toBe('/staff/setup/clinicians');
    const hours = await admin.get('/staff/setup/providers/prov-okafor/hours?saved=1');
    expect(hours.headers.location).toBe('/staff/setup/clinicians/prov-okafor/hours?saved=1');
    expect((await admin.get(hours.headers.location as string)).statusCode).toBe(200);
    const page = await admin.get('/staff/setup/clinicians/prov-okafor/time-off');
    const posted = await admin.post('/staff/setup/providers/prov-okafor/time-off', { _csrf: csrfFrom(page.body) });
    expect(posted.statusCode).toBe(308);
    expect(posted.headers.location).toBe('/staff/setup/clinicians/prov-okafor/time-off');
    // Other roles are turned away at the old address as at the new one.
    const nurse = await signIn(rt(), 'nurse@relief.example');
    expect((await nurse.get('/staff/setup/providers')).statusCode).toBe(403);
  });

  it('new Tuesday hours apply to booking at once, and a booking made before is listed as a conflict, still booked', async () => {
    const ana = await requestAndGetLink(rt());
    expect((await book(rt(), ana, TUE_0900)).statusCode).toBe(303);
    const before = await slotsFor('ben@example.com');
    expect(before.slots.filter((s) => dayOf(s) === '2026-03-03' && s < at('2026-03-03T13:00')).length).toBeGreaterThan(
      0,
    );

    const admin = await signIn(rt(), 'admin@relief.example');
    const page = '/staff/setup/locations/loc-chicago/hours';
    const res = await submit(admin, page, page, { 'd2-from': '13:00', 'd2-to': '17:00' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Opening hours saved');
    expect(res.body).toContain('These bookings now conflict — please contact these people');
    const appt = await db()
      .selectFrom('appointments')
      .selectAll()
      .where('starts_at', '=', TUE_0900)
      .executeTakeFirstOrThrow();
    expect(res.body).toContain('Tuesday, March 3, 2026 at 9:00 AM CST');
    expect(res.body).toContain(`<a href="/staff/leads/${appt.request_id}">Ana</a>`);
    expect(res.body).toContain('outside the opening hours');
    expect(res.body).not.toContain('Moreno');
    expect(appt.status).toBe('booked');

    const rows = await db()
      .selectFrom('opening_hours')
      .selectAll()
      .where('location_id', '=', 'loc-chicago')
      .orderBy('weekday')
      .execute();
    expect(rows.find((r) => r.weekday === 2)).toMatchObject({ opens_min: H(13), closes_min: H(17) });
    expect(rows.map((r) => r.weekday)).toEqual([1, 2, 3, 4, 5, 6]); // other days untouched, Sunday still closed

    const after = await slotsFor('cara@example.com', 'Cara');
    const tuesday = after.slots.filter((s) => dayOf(s) === '2026-03-03');
    expect(tuesday.length).toBeGreaterThan(0);
    for (const s of tuesday) expect(s).toBeGreaterThanOrEqual(at('2026-03-03T13:00'));
    expect(after.slots.some((s) => dayOf(s) === '2026-03-04' && s < at('2026-03-04T13:00'))).toBe(true);

    const events = await db()
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'setup.opening_hours')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ location_id: 'loc-chicago', outcome: 'success', actor_role: 'admin' });
    // The conflict list shows a person: the event names whom it listed (by id, never by name).
    expect(JSON.parse(events[0]!.detail)).toMatchObject({
      conflicts: 1,
      openDays: 6,
      patients: appt.patient_id ?? appt.request_id,
    });
    expect(events[0]!.detail).not.toContain('Ana');
  });

  it('a closure removes that day from booking; removing it brings the day back', async () => {
    const { link, slots } = await slotsFor('ben@example.com');
    expect(slots.some((s) => dayOf(s) === '2026-03-04')).toBe(true);
    const admin = await signIn(rt(), 'admin@relief.example');
    const page = '/staff/setup/locations/loc-chicago/closures';
    const res = await submit(admin, page, page, { date: '2026-03-04', reason: 'Staff training' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Closure on 2026-03-04 added');
    expect(res.body).toContain('No booked visits are affected');
    const closed = await offeredTimes(rt(), link);
    expect(closed.some((s) => dayOf(s) === '2026-03-04')).toBe(false);
    expect(closed.some((s) => dayOf(s) === '2026-03-05')).toBe(true);

    const again = await admin.post(page, { _csrf: csrfFrom(res.body), date: '2026-03-04', reason: 'Twice' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already closed on that day');

    // The first press asks; nothing changes until the second.
    const asked = await admin.post(`${page}/remove`, { _csrf: csrfFrom(res.body), date: '2026-03-04' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Remove the closure on Wednesday, March 4, 2026?');
    expect((await offeredTimes(rt(), link)).some((s) => dayOf(s) === '2026-03-04')).toBe(false);
    expect(await setupEvents()).toEqual(['setup.closure_add']);
    const removed = await admin.post(`${page}/remove`, {
      _csrf: csrfFrom(asked.body),
      date: '2026-03-04',
      confirm: 'yes',
    });
    expect(removed.statusCode).toBe(200);
    expect((await offeredTimes(rt(), link)).some((s) => dayOf(s) === '2026-03-04')).toBe(true);
    expect(await setupEvents()).toEqual(['setup.closure_add', 'setup.closure_remove']);
  });

  it("provider time off removes that provider's times and lists their bookings in it", async () => {
    // Thursday in Chicago: Dr. Okafor works 09:00–16:00, Dr. Lindqvist 10:00–17:00.
    const ana = await requestAndGetLink(rt());
    expect((await book(rt(), ana, THU_1000)).statusCode).toBe(303);
    const before = await slotsFor('ben@example.com');
    expect(before.slots).toContain(THU_0900);

    const admin = await signIn(rt(), 'admin@relief.example');
    const page = '/staff/setup/clinicians/prov-okafor/time-off';
    const res = await submit(admin, page, page, {
      location: 'loc-chicago',
      start_date: '2026-03-05',
      start_time: '00:00',
      end_date: '2026-03-06',
      end_time: '00:00',
      reason: 'Conference',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('These bookings now conflict');
    expect(res.body).toContain('Thursday, March 5, 2026 at 10:00 AM CST');
    expect(res.body).toContain('during the provider&#39;s time off');
    const off = await db()
      .selectFrom('clinician_time_off')
      .selectAll()
      .where('clinician_id', '=', 'prov-okafor')
      .executeTakeFirstOrThrow();
    expect(new Date(Number(off.starts_at)).toISOString()).toBe('2026-03-05T06:00:00.000Z');
    expect(new Date(Number(off.ends_at)).toISOString()).toBe('2026-03-06T06:00:00.000Z');

    const after = await offeredTimes(rt(), before.link);
    const thursday = after.filter((s) => dayOf(s) === '2026-03-05');
    expect(thursday).not.toContain(THU_0900); // only Dr. Okafor worked then
    expect(thursday[0]).toBe(THU_1000); // Dr. Lindqvist is still there
    expect(
      await db()
        .selectFrom('appointments')
        .select(['status', 'provider_id'])
        .where('starts_at', '=', THU_1000)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'booked', provider_id: 'prov-okafor' });
    expect(await setupEvents()).toEqual(['setup.time_off_add']);

    const removed = await admin.post(`${page}/${off.id}/remove`, { _csrf: csrfFrom(res.body) });
    expect(removed.statusCode).toBe(200);
    expect(await offeredTimes(rt(), before.link)).toContain(THU_0900);
  });

  it("setup: time off entered at 01:30 on the fall-back day is stored at one instant, whatever the server machine's own date is", async () => {
    const stored: string[] = [];
    const realNow = Settings.now;
    try {
      // The app's clock is the test clock (March 2026) both times; only the machine's real date differs.
      for (const machineDate of ['2026-07-01T12:00:00Z', '2026-01-15T12:00:00Z']) {
        Settings.now = () => Date.parse(machineDate);
        await db().deleteFrom('clinician_time_off').execute();
        const admin = await signIn(rt(), ADMIN);
        const page = '/staff/setup/clinicians/prov-okafor/time-off';
        const csrf = csrfFrom((await admin.get(page)).body);
        const res = await admin.post(page, {
          _csrf: csrf,
          location: 'loc-chicago',
          start_date: '2026-11-01',
          start_time: '01:30',
          end_date: '2026-11-01',
          end_time: '04:00',
          reason: 'Night off',
        });
        expect(res.statusCode).toBe(200);
        const off = await db()
          .selectFrom('clinician_time_off')
          .select('starts_at')
          .where('clinician_id', '=', 'prov-okafor')
          .executeTakeFirstOrThrow();
        stored.push(new Date(Number(off.starts_at)).toISOString());
      }
    } finally {
      Settings.now = realNow;
    }
    // One answer, and the calendar's rule for a repeated time (its first occurrence, 1:30 AM CDT = 06:30Z).
    expect(stored).toEqual(['2026-11-01T06:30:00.000Z', '2026-11-01T06:30:00.000Z']);
  });
});
