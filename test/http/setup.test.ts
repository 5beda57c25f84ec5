import { describe, expect, it } from 'vitest';
import { DateTime, Settings } from 'luxon';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';

const H = (hour: number, minute = 0) => hour * 60 + minute;
const CHICAGO = 'America/Chicago';
const ADMIN = 'admin@relief.example';
const at = (iso: string, zone = CHICAGO) => DateTime.fromISO(iso, { zone }).toMillis();
const TUE_0900 = at('2026-03-03T09:00');
const WED_0900 = at('2026-03-04T09:00');
const THU_0900 = at('2026-03-05T09:00');
const THU_1000 = at('2026-03-05T10:00');

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What a browser would submit from the form with this action: its inputs (checked boxes only) and selects. */
function formFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const out: Record<string, string> = {};
  for (const [, attrs] of form.matchAll(/<input([^>]*)>/g)) {
    const name = /\sname="([^"]*)"/.exec(attrs!)?.[1];
    if (!name) continue;
    const type = /\stype="([^"]*)"/.exec(attrs!)?.[1] ?? 'text';
    if ((type === 'checkbox' || type === 'radio') && !/\schecked(\s|$)/.test(attrs!)) continue;
    out[name] = decode(/\svalue="([^"]*)"/.exec(attrs!)?.[1] ?? '');
  }
  for (const [, name, options] of form.matchAll(/<select[^>]*\sname="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected/.exec(options!) ?? /<option value="([^"]*)"/.exec(options!);
    if (chosen) out[name!] = decode(chosen[1]!);
  }
  return out;
}

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const setupEvents = async () =>
  (
    await db().selectFrom('audit_events').select('action').where('action', 'like', 'setup.%').orderBy('seq').execute()
  ).map((e) => e.action);

/** Opens a set-up page and submits its form with some fields changed. */
async function submit(b: Browser, page: string, action: string, changes: Record<string, string | undefined>) {
  const res = await b.get(page);
  expect(res.statusCode, `${page}: ${res.body.slice(0, 300)}`).toBe(200);
  const fields = { ...formFields(res.body, action), ...changes };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete fields[k];
  return b.post(action, fields as Record<string, string>);
}

const dayOf = (instant: number) => DateTime.fromMillis(instant, { zone: CHICAGO }).toISODate();
async function slotsFor(email: string, first = 'Ben') {
  const link = await requestAndGetLink(rt(), { email, first_name: first });
  return { link, slots: offeredSlots((await rt().app.inject({ url: link })).body) };
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
        .replace('/providers/:id', '/providers/prov-okafor')
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
      expect(res.statusCode, r.url).toBe(200);
    }
    expect((await admin.get('/staff/users')).body).toContain('href="/staff/setup"');
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
    expect(JSON.parse(events[0]!.detail)).toMatchObject({ conflicts: 1, openDays: 6 });
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
    const closed = offeredSlots((await rt().app.inject({ url: link })).body);
    expect(closed.some((s) => dayOf(s) === '2026-03-04')).toBe(false);
    expect(closed.some((s) => dayOf(s) === '2026-03-05')).toBe(true);

    const again = await admin.post(page, { _csrf: csrfFrom(res.body), date: '2026-03-04', reason: 'Twice' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already closed on that day');

    const removed = await admin.post(`${page}/remove`, { _csrf: csrfFrom(res.body), date: '2026-03-04' });
    expect(removed.statusCode).toBe(200);
    expect(offeredSlots((await rt().app.inject({ url: link })).body).some((s) => dayOf(s) === '2026-03-04')).toBe(true);
    expect(await setupEvents()).toEqual(['setup.closure_add', 'setup.closure_remove']);
  });

  it("provider time off removes that provider's times and lists their bookings in it", async () => {
    // Thursday in Chicago: Dr. Okafor works 09:00–16:00, Dr. Lindqvist 10:00–17:00.
    const ana = await requestAndGetLink(rt());
    expect((await book(rt(), ana, THU_1000)).statusCode).toBe(303);
    const before = await slotsFor('ben@example.com');
    expect(before.slots).toContain(THU_0900);

    const admin = await signIn(rt(), 'admin@relief.example');
    const page = '/staff/setup/providers/prov-okafor/time-off';
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
      .selectFrom('provider_time_off')
      .selectAll()
      .where('provider_id', '=', 'prov-okafor')
      .executeTakeFirstOrThrow();
    expect(new Date(Number(off.starts_at)).toISOString()).toBe('2026-03-05T06:00:00.000Z');
    expect(new Date(Number(off.ends_at)).toISOString()).toBe('2026-03-06T06:00:00.000Z');

    const after = offeredSlots((await rt().app.inject({ url: before.link })).body);
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
    expect(offeredSlots((await rt().app.inject({ url: before.link })).body)).toContain(THU_0900);
  });

  it('saves every other form, audits each change, and lists bookings in a room taken out of use', async () => {
    const ana = await requestAndGetLink(rt());
    await book(rt(), ana, WED_0900);
    const appt = await db()
      .selectFrom('appointments')
      .selectAll()
      .where('starts_at', '=', WED_0900)
      .executeTakeFirstOrThrow();
    const admin = await signIn(rt(), 'admin@relief.example');

    const clinic = await submit(admin, '/staff/setup/clinic', '/staff/setup/clinic', {
      reminders: '72, 24, 2',
      cancel_cutoff: '48',
      horizon: '28',
      tagline: 'Calm, careful pain care',
    });
    expect(clinic.statusCode).toBe(200);
    expect(
      await db()
        .selectFrom('clinic')
        .select(['reminder_offsets_min', 'cancel_cutoff_min', 'booking_horizon_days', 'tagline'])
        .executeTakeFirstOrThrow(),
    ).toEqual({
      reminder_offsets_min: '[4320,1440,120]',
      cancel_cutoff_min: 2880,
      booking_horizon_days: 28,
      tagline: 'Calm, careful pain care',
    });
    // Branding shows on the public site (after its short page cache).
    rt().clock.advance(10_000);
    expect((await rt().app.inject({ url: '/' })).body).toContain(
      '<span class="tagline">Calm, careful pain care</span>',
    );
    const hostile = await submit(admin, '/staff/setup/clinic', '/staff/setup/clinic', {
      tagline: '<script>alert(1)</script>',
    });
    expect(hostile.statusCode).toBe(400);

    const type = await submit(admin, '/staff/setup/types/consultation', '/staff/setup/types/consultation', {
      duration: '60',
      step: '15',
      place: 'none',
    });
    expect(type.statusCode).toBe(200);
    const needs = ['duration_min', 'step_min', 'needs_provider', 'needs_nurse', 'place'] as const;
    expect(
      await db()
        .selectFrom('appointment_types')
        .select(needs)
        .where('code', '=', 'consultation')
        .executeTakeFirstOrThrow(),
    ).toEqual({ duration_min: 60, step_min: 15, needs_provider: 1, needs_nurse: 0, place: 'none' });
    // Nothing to claim would mean nothing to stop a double booking; a made-up place is refused too.
    const empty = await submit(admin, '/staff/setup/types/consultation', '/staff/setup/types/consultation', {
      needs_provider: undefined,
      place: 'none',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('at least one resource');
    expect(
      (await submit(admin, '/staff/setup/types/consultation', '/staff/setup/types/consultation', { place: 'sofa' }))
        .statusCode,
    ).toBe(400);
    expect(
      await db()
        .selectFrom('appointment_types')
        .select(needs)
        .where('code', '=', 'consultation')
        .executeTakeFirstOrThrow(),
    ).toMatchObject({ needs_provider: 1, place: 'none' });

    const created = await submit(admin, '/staff/setup/locations/new', '/staff/setup/locations', {
      name: 'Austin – Mueller',
      slug: 'austin',
      address_line: '1801 E 51st St',
      city: 'Austin',
      region: 'TX',
      postal_code: '78723',
      phone: '(512) 555-0143',
      time_zone: 'other',
      time_zone_other: 'america/chicago',
      directions_url: 'https://www.openstreetmap.org/search?query=Austin',
    });
    expect(created.statusCode).toBe(303);
    const austin = await db()
      .selectFrom('locations')
      .selectAll()
      .where('slug', '=', 'austin')
      .executeTakeFirstOrThrow();
    expect(austin).toMatchObject({ time_zone: 'America/Chicago', sort_order: 3 });
    expect(created.headers.location).toBe(`/staff/setup/locations/${austin.id}/hours?created=1`);

    const rooms = `/staff/setup/locations/${austin.id}/rooms`;
    expect((await submit(admin, rooms, rooms, { name: 'Consult room A', kind: 'room' })).statusCode).toBe(200);
    const roomA = await db()
      .selectFrom('rooms')
      .selectAll()
      .where('location_id', '=', austin.id)
      .executeTakeFirstOrThrow();
    expect((await submit(admin, rooms, `${rooms}/${roomA.id}/rename`, { name: 'Consult room B' })).statusCode).toBe(
      200,
    );
    expect(
      (await db().selectFrom('rooms').select('name').where('id', '=', roomA.id).executeTakeFirstOrThrow()).name,
    ).toBe('Consult room B');

    const schedule = '/staff/setup/providers/prov-reyes/hours';
    const saved = await submit(admin, schedule, schedule, {
      [`${austin.id}-d1-off`]: undefined,
      [`${austin.id}-d1-from`]: '09:00',
      [`${austin.id}-d1-to`]: '12:00',
    });
    expect(saved.statusCode).toBe(200);
    const reyes = await db().selectFrom('provider_hours').selectAll().where('provider_id', '=', 'prov-reyes').execute();
    expect(reyes).toHaveLength(6); // five Denver days kept, one Austin day added
    expect(reyes.find((r) => r.location_id === austin.id)).toMatchObject({ weekday: 1, from_min: H(9), to_min: H(12) });

    // Taking the booked room out of use keeps the booking and lists it.
    const chiRooms = '/staff/setup/locations/loc-chicago/rooms';
    const out = await submit(admin, chiRooms, `${chiRooms}/${appt.room_id}/deactivate`, {});
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('These bookings now conflict');
    expect(out.body).toContain('the room is no longer in use');
    expect(out.body).toContain(`/staff/leads/${appt.request_id}`);
    expect(
      (await db().selectFrom('appointments').select('status').where('id', '=', appt.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('booked');
    expect((await submit(admin, chiRooms, `${chiRooms}/${appt.room_id}/reactivate`, {})).statusCode).toBe(200);

    expect(await setupEvents()).toEqual([
      'setup.clinic',
      'setup.appointment_type',
      'setup.location_create',
      'setup.room_add',
      'setup.room_rename',
      'setup.provider_hours',
      'setup.room_deactivate',
      'setup.room_reactivate',
    ]);
  });

  it('refuses invalid and hostile input with 400 and messages beside the fields, keeping values and writing nothing', async () => {
    const admin = await signIn(rt(), 'admin@relief.example');
    const snapshot = async () => ({
      hours: await db().selectFrom('opening_hours').selectAll().orderBy('location_id').orderBy('weekday').execute(),
      locations: await db().selectFrom('locations').selectAll().orderBy('id').execute(),
      types: await db().selectFrom('appointment_types').selectAll().orderBy('id').execute(),
      clinic: await db().selectFrom('clinic').selectAll().execute(),
      closures: await db().selectFrom('closures').selectAll().orderBy('date').orderBy('location_id').execute(),
      timeOff: await db().selectFrom('provider_time_off').selectAll().execute(),
    });
    const before = await snapshot();
    const expect400 = (res: { statusCode: number; body: string }, ...messages: string[]) => {
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('aria-invalid="true"');
      expect(res.body).toContain('Nothing was saved.');
      for (const m of messages) expect(res.body).toContain(m);
    };

    const hours = '/staff/setup/locations/loc-chicago/hours';
    const backwards = await submit(admin, hours, hours, { 'd2-from': '17:00', 'd2-to': '13:00' });
    expect400(
      backwards,
      'The closing time must be after the opening time.',
      'aria-describedby="d2-error"',
      'value="17:00"',
    );
    expect400(await submit(admin, hours, hours, { 'd3-from': '25:00' }), 'Enter the opening time as HH:MM');
    expect400(await submit(admin, hours, hours, { 'd4-from': '<b>' }), 'Enter the opening time as HH:MM');

    const type = '/staff/setup/types/consultation';
    const seven = await submit(admin, type, type, { duration: '7' });
    expect400(
      seven,
      'The duration must be a multiple of 5 minutes',
      'value="7"',
      'aria-describedby="duration-error duration-hint"',
    );
    expect400(
      await submit(admin, type, type, { buffer_after: '-5', step: 'ten' }),
      'Enter the buffer after as a whole number of minutes.',
      'Enter the time step as a whole number of minutes.',
    );

    const loc = '/staff/setup/locations/loc-chicago';
    const zone = await submit(admin, loc, loc, { time_zone: 'other', time_zone_other: 'Mars/Olympus' });
    expect400(zone, 'is not a time zone we know');
    expect400(await submit(admin, loc, loc, { time_zone: 'Not/AZone' }), 'Choose a time zone from the list');
    const slug = await submit(admin, loc, loc, { slug: 'river north' });
    expect400(slug, 'no spaces', 'value="river north"');
    expect400(await submit(admin, loc, loc, { slug: 'denver' }), 'Another location already uses this short name.');
    expect400(await submit(admin, loc, loc, { directions_url: 'javascript:alert(1)' }), 'starting with https://');
    const script = await submit(admin, loc, loc, { name: '<script>alert(1)</script>' });
    expect400(script, 'Use plain text only: no &lt; or &gt; signs.', 'value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(script.body).not.toContain('<script>alert(1)');

    const clinic = '/staff/setup/clinic';
    expect400(await submit(admin, clinic, clinic, { reminders: '48, 0' }), 'Each reminder must be from 1 to 336 hours');
    expect400(
      await submit(admin, clinic, clinic, { horizon: '365', email: 'nope' }),
      'from 7 to 180 days',
      'Enter an email address like',
    );

    const closures = '/staff/setup/locations/loc-chicago/closures';
    expect400(await submit(admin, closures, closures, { date: '2026-02-30', reason: 'Nope' }), 'use a day that exists');
    expect400(
      await submit(admin, closures, closures, { date: '2026-03-01', reason: 'Yesterday' }),
      'Choose today or a later date.',
    );

    const off = '/staff/setup/providers/prov-okafor/time-off';
    const base = {
      location: 'loc-chicago',
      start_date: '2026-03-10',
      start_time: '09:00',
      end_date: '2026-03-10',
      end_time: '12:00',
    };
    expect400(await submit(admin, off, off, { ...base, end_time: '08:00' }), 'The end must be after the start.');
    expect400(await submit(admin, off, off, { ...base, start_date: 'tomorrow' }), 'Write the start date as YYYY-MM-DD');
    expect400(
      await submit(admin, off, off, { ...base, start_date: '2026-03-08', start_time: '02:30' }),
      'the clocks go forward',
    );
    expect400(
      await submit(admin, off, off, { ...base, location: 'loc-nowhere' }),
      'Choose the location whose local time',
    );

    const schedule = '/staff/setup/providers/prov-okafor/hours';
    expect400(
      await submit(admin, schedule, schedule, { 'loc-chicago-d1-to': '08:00' }),
      'The end time must be after the start time.',
    );

    // Ids that are not ours: a plain 404 page, the id never echoed as markup.
    const csrf = csrfFrom(backwards.body);
    for (const url of [
      '/staff/setup/locations/%3Cscript%3E',
      '/staff/setup/providers/nobody/hours',
      '/staff/setup/types/massage',
    ]) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toContain('could not be found');
      expect(res.body).not.toContain('<script>');
    }
    expect(
      (await admin.post('/staff/setup/locations/loc-chicago/rooms/room-den-1/deactivate', { _csrf: csrf })).statusCode,
    ).toBe(404);
    expect(
      (await admin.post('/staff/setup/locations/loc-chicago/rooms/room-chi-1/explode', { _csrf: csrf })).statusCode,
    ).toBe(404);
    expect(
      (await admin.post('/staff/setup/locations/loc-chicago/closures/remove', { _csrf: csrf, date: '<b>' })).statusCode,
    ).toBe(400);
    expect(
      (await admin.post('/staff/setup/locations/loc-chicago/closures/remove', { _csrf: csrf, date: '2030-01-01' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await admin.post('/staff/setup/providers/prov-okafor/time-off/nope/remove', { _csrf: csrf })).statusCode,
    ).toBe(404);
    // Without the form's CSRF token nothing happens either.
    expect((await admin.post(hours, { 'd2-from': '13:00' })).statusCode).toBe(403);

    expect(await snapshot()).toEqual(before);
    expect(await setupEvents()).toEqual([]);
  });

  it("setup: time off entered at 01:30 on the fall-back day is stored at one instant, whatever the server machine's own date is", async () => {
    const stored: string[] = [];
    const realNow = Settings.now;
    try {
      // The app's clock is the test clock (March 2026) both times; only the machine's real date differs.
      for (const machineDate of ['2026-07-01T12:00:00Z', '2026-01-15T12:00:00Z']) {
        Settings.now = () => Date.parse(machineDate);
        await db().deleteFrom('provider_time_off').execute();
        const admin = await signIn(rt(), ADMIN);
        const page = '/staff/setup/providers/prov-okafor/time-off';
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
          .selectFrom('provider_time_off')
          .select('starts_at')
          .where('provider_id', '=', 'prov-okafor')
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
