/**
 * Staff-side time handling edge cases found by an adversarial review (stop 7); each failed before its fix.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Settings } from 'luxon';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';
import { appointmentRow } from '../helpers/appointments.ts';

const ADMIN = 'admin@relief.example';
const MIN = 60_000;

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

const db = () => rt().database.db;

/** A booked visit at Chicago in Consult room 1, written directly (no provider or nurse, so only the clock rules apply). */
async function visitAt(iso: string, minutes = 45): Promise<string> {
  const start = Date.parse(iso);
  const row = appointmentRow({
    id: randomUUID(),
    room_id: 'room-chi-1',
    starts_at: start,
    ends_at: start + minutes * MIN,
    busy_from: start,
    busy_to: start + minutes * MIN,
  });
  await db().insertInto('appointments').values(row).execute();
  return row.id;
}

/** Chicago opens on Sundays 1:00–4:00 AM, across the clock change (as the existing DST grid test does). */
const openSundayNights = () =>
  db()
    .insertInto('opening_hours')
    .values({ location_id: 'loc-chicago', weekday: 7, opens_min: 60, closes_min: 240 })
    .execute();

describe(`staff time handling edge cases (${engine})`, () => {
  it("leads: the default 30-day period for a chosen location ends on that location's today, not the first location's", async () => {
    // A Denver request received at noon on Monday 9 February 2026 (Denver time, MST).
    await db()
      .insertInto('consultation_requests')
      .values({
        id: '00000000-0000-4000-8000-00000000d001',
        idempotency_key: 'review-denver-1',
        body_hash: 'x',
        location_id: 'loc-denver',
        first_name: 'Dora',
        last_name: 'Periodtest',
        email: 'dora@example.com',
        phone: '+13035550147',
        contact_method: 'email',
        reason: 'crps',
        heard_from: '',
        message: '',
        consent_at: Date.parse('2026-02-09T19:00:00Z'),
        status: 'new',
        created_at: Date.parse('2026-02-09T19:00:00Z'),
      })
      .execute();
    // Tuesday 10 March, 11:30 PM in Denver (already 00:30 on Wednesday 11 March in Chicago).
    rt().clock.set('2026-03-11T05:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const res = await admin.get('/staff/leads?location=loc-denver');
    expect(res.statusCode).toBe(200);
    // Denver's last 30 days ending today (10 March): 9 February – 10 March, and Dora's request is in it.
    const caption = /<caption id="conversion-caption">([^<]*)</.exec(res.body)?.[1];
    const denverReceived = /<th scope="row">Denver[^<]*<\/th><td>(\d+)<\/td>/.exec(res.body)?.[1];
    expect({ caption, denverReceived }).toEqual({
      caption: 'Conversion of requests received February 9, 2026 – March 10, 2026 (each location&#39;s own time zone)',
      denverReceived: '1',
    });
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

  it('calendar: submitting the move form of a visit in the repeated hour, unchanged, does not move it an hour earlier', async () => {
    await openSundayNights();
    // 1:30 AM CST, the second 1:30 of Sunday 1 November 2026 (07:30Z).
    const id = await visitAt('2026-11-01T07:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get(`/staff/calendar/appointments/${id}`);
    expect(page.statusCode).toBe(200);
    const shown = {
      date: /id="date" name="date"[^>]*value="([^"]+)"/.exec(page.body)?.[1],
      time: /id="time" name="time"[^>]*value="([^"]+)"/.exec(page.body)?.[1],
    };
    expect(shown).toEqual({ date: '2026-11-01', time: '01:30' });
    await admin.post(`/staff/calendar/appointments/${id}/reschedule`, {
      _csrf: csrfFrom(page.body),
      date: shown.date!,
      time: shown.time!,
    });
    const after = await db()
      .selectFrom('appointments')
      .select('starts_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // It stays at 1:30 AM CST (or the form is refused as ambiguous); it is not silently moved to 1:30 AM CDT, an hour earlier.
    expect(new Date(Number(after.starts_at)).toISOString()).toBe('2026-11-01T07:30:00.000Z');
  });

  it("calendar: a visit starting in the repeated hour shows its start's own offset, not the end's", async () => {
    // 1:30 AM CDT (06:30Z) for 45 minutes: it ends at 1:15 AM CST, after the clocks went back.
    const id = await visitAt('2026-11-01T06:30:00.000Z');
    const admin = await signIn(rt(), ADMIN);
    const page = (await admin.get(`/staff/calendar/appointments/${id}`)).body;
    const timeRow = /<dt>Time<\/dt><dd>([^<]*)<\/dd>/.exec(page)?.[1];
    // Shown as "1:30 AM – 1:15 AM CST", it reads as starting at 1:30 CST (an hour later) and ending before it starts.
    expect(timeRow).toBe('1:30 AM CDT – 1:15 AM CST');
  });
});
