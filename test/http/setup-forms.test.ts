import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { book, requestAndGetLink } from '../helpers/journey.ts';
import { useTestRuntime } from '../helpers/runtime.ts';
import { submit } from '../helpers/forms.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';

const H = (hour: number, minute = 0) => hour * 60 + minute;
const CHICAGO = 'America/Chicago';
const at = (iso: string, zone = CHICAGO) => DateTime.fromISO(iso, { zone }).toMillis();
const WED_0900 = at('2026-03-04T09:00');

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;
const setupEvents = async () =>
  (
    await db().selectFrom('audit_events').select('action').where('action', 'like', 'setup.%').orderBy('seq').execute()
  ).map((e) => e.action);

describe('clinic set-up forms', () => {
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

    const schedule = '/staff/setup/clinicians/prov-reyes/hours';
    const saved = await submit(admin, schedule, schedule, {
      [`${austin.id}-d1-off`]: undefined,
      [`${austin.id}-d1-from`]: '09:00',
      [`${austin.id}-d1-to`]: '12:00',
    });
    expect(saved.statusCode).toBe(200);
    const reyes = await db()
      .selectFrom('clinician_hours')
      .selectAll()
      .where('clinician_id', '=', 'prov-reyes')
      .execute();
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
      'setup.clinician_hours',
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
      timeOff: await db().selectFrom('clinician_time_off').selectAll().execute(),
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

    const off = '/staff/setup/clinicians/prov-okafor/time-off';
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

    const schedule = '/staff/setup/clinicians/prov-okafor/hours';
    expect400(
      await submit(admin, schedule, schedule, { 'loc-chicago-d1-to': '08:00' }),
      'The end time must be after the start time.',
    );

    // Ids that are not ours: a plain 404 page, the id never echoed as markup.
    const csrf = csrfFrom(backwards.body);
    for (const url of [
      '/staff/setup/locations/%3Cscript%3E',
      '/staff/setup/clinicians/nobody/hours',
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
      (await admin.post('/staff/setup/clinicians/prov-okafor/time-off/nope/remove', { _csrf: csrf })).statusCode,
    ).toBe(404);
    // Without the form's CSRF token nothing happens either.
    expect((await admin.post(hours, { 'd2-from': '13:00' })).statusCode).toBe(403);

    expect(await snapshot()).toEqual(before);
    expect(await setupEvents()).toEqual([]);
  });
});
