import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { makeInfusionReady } from '../helpers/clinical.ts';
import { book, offeredTimes, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn, type Browser } from '../helpers/staff.ts';
import { findAppointmentType, loadAvailability } from '../../src/scheduling/availability.ts';
import { wallInstant } from '../../src/kernel/time/wall-clock.ts';
import { findLocation, getClinic } from '../../src/kernel/clinic.ts';
import { rescheduleAppointment } from '../../src/scheduling/booking-service.ts';

/**
 * A supervising provider on site during every infusion (issue 11 §5), wired through availability, staff booking,
 * the calendar move and clinician set-up. The demo clinic in Chicago on a Thursday: Dr. Amara Okafor works
 * 09:00–16:00 and Dr. Erik Lindqvist 10:00–17:00, each supervising four infusions at once unless set otherwise;
 * nurses Nia Brooks (08:00–16:30) and Marcus Bell (09:30–18:00) watch two each, in six chairs. On Friday only
 * Dr. Okafor works there.
 */
const ADMIN = 'admin@relief.example';
const ZONE = 'America/Chicago';
const THURSDAY = '2026-03-05';
const FRIDAY = '2026-03-06';

const rt = useTestRuntime({ seed: 'clinic-and-staff' });
const db = () => rt().database.db;

let people = 0;
/** A patient (booked a consultation online, on neither test day), screened and planned for infusions. */
async function patient(): Promise<string> {
  people += 1;
  const email = `sup${people}@example.com`;
  const link = await requestAndGetLink(rt(), {
    first_name: 'Robin',
    last_name: `Vale${people}`,
    email,
    phone: `(312) 555-${3000 + people}`,
  });
  const slot = (await offeredTimes(rt(), link)).filter(
    (t) => ![THURSDAY, FRIDAY].includes(new Date(t).toISOString().slice(0, 10)),
  )[people]!;
  expect((await book(rt(), link, slot)).statusCode).toBe(303);
  const id = (await db().selectFrom('patients').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  await makeInfusionReady(rt(), id);
  return id;
}

async function bookInfusion(b: Browser, patientId: string, date: string, time: string, type = 'infusion') {
  const csrf = csrfFrom((await b.get(`/staff/patients/${patientId}/book`)).body);
  return b.post(`/staff/patients/${patientId}/book`, {
    _csrf: csrf,
    type,
    location: 'chicago',
    provider: 'any',
    date,
    time,
  });
}
const idFrom = (location: string | undefined) => location!.split('/').pop()!.split('?')[0]!;
const row = (id: string) => db().selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** The infusion starts offered at Chicago on `date` (staff grid: any 5 minutes, no notice). */
async function offered(date: string): Promise<string[]> {
  const type = (await findAppointmentType(db(), 'infusion'))!;
  const slots = await loadAvailability(db(), {
    locationId: 'loc-chicago',
    zone: ZONE,
    type: { ...type, step_min: 60, min_notice_min: 0 },
    from: wallInstant(ZONE, date, 0),
    to: wallInstant(ZONE, date, 24 * 60),
    now: rt().clock.now(),
  });
  return slots.map((s) =>
    new Date(s.start).toLocaleTimeString('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }),
  );
}

async function setSupervision(admin: Browser, id: string, name: string, value: string) {
  const csrf = csrfFrom((await admin.get(`/staff/setup/clinicians/${id}`)).body);
  return admin.post(`/staff/setup/clinicians/${id}`, {
    _csrf: csrf,
    name,
    credentials: 'MD',
    active: 'yes',
    supervises_at_once: value,
  });
}

describe(`supervision of infusions (${engine})`, () => {
  it('offers an infusion only while a provider there can supervise all of it', async () => {
    // Nurse Nia works from 08:00, but no provider before 09:00; Dr. Lindqvist (to 17:00) holds 13:00 on Thursday.
    // Starts follow the nurses' hours (Nia from 08:00, Marcus from 09:30) as before, now within a provider's too.
    const halfHours = (from: number, to: number) =>
      Array.from(
        { length: (to - from) * 2 + 1 },
        (_, i) => `${String(from + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
      );
    expect(await offered(THURSDAY)).toEqual(halfHours(9, 12).concat('12:30'));
    // Friday: Dr. Okafor alone, to 16:00.
    expect(await offered(FRIDAY)).toEqual(halfHours(9, 12));
    // A provider away takes their supervision with them: Dr. Okafor off all Friday leaves nothing.
    await db()
      .insertInto('clinician_time_off')
      .values({
        id: 'off-okafor',
        clinician_id: 'prov-okafor',
        starts_at: wallInstant(ZONE, FRIDAY, 0),
        ends_at: wallInstant(ZONE, FRIDAY, 24 * 60),
        reason: 'Leave',
      })
      .execute();
    expect(await offered(FRIDAY)).toEqual([]);
  });

  it('the set-up edits how many infusions a provider supervises at once (1 to 12); the N+1th is neither offered nor booked', async () => {
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/setup/clinicians/prov-okafor');
    expect(page.body).toContain('Infusions this provider supervises at once');
    expect(page.body).toContain('value="4"');
    for (const bad of ['13', '0', 'two']) {
      const refused = await setSupervision(admin, 'prov-okafor', 'Dr. Amara Okafor', bad);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('number of infusions supervised at once');
    }
    expect(await setSupervision(admin, 'prov-okafor', 'Dr. Amara Okafor', '1')).toMatchObject({ statusCode: 200 });
    expect(await setSupervision(admin, 'prov-lindqvist', 'Dr. Erik Lindqvist', '1')).toMatchObject({
      statusCode: 200,
    });
    expect(
      await db()
        .selectFrom('clinicians')
        .select(['id', 'supervises_at_once'])
        .where('kind', '=', 'provider')
        .orderBy('id')
        .execute(),
    ).toEqual([
      { id: 'prov-lindqvist', supervises_at_once: 1 },
      { id: 'prov-okafor', supervises_at_once: 1 },
      { id: 'prov-reyes', supervises_at_once: 4 },
    ]);
    // A nurse's page has no such field, and a posted value is ignored.
    expect((await admin.get('/staff/setup/clinicians/nurse-nia')).body).not.toContain('supervises_at_once');

    const [a, b, c] = [await patient(), await patient(), await patient()];
    const first = await bookInfusion(admin, a, THURSDAY, '10:00');
    expect(first.statusCode).toBe(303);
    expect(await row(idFrom(first.headers.location))).toMatchObject({
      supervisor_id: 'prov-okafor',
      supervisor_lane: 1,
    });
    const second = await bookInfusion(admin, b, THURSDAY, '10:00');
    expect(second.statusCode, second.body.replace(/[\s\S]*role="alert">/, '').slice(0, 400)).toBe(303);
    expect(await row(idFrom(second.headers.location))).toMatchObject({
      supervisor_id: 'prov-lindqvist',
      supervisor_lane: 1,
    });
    // Nurses and chairs are free at 10:00, the providers' one place each is not: not offered, and refused if posted.
    expect(await offered(THURSDAY)).not.toContain('10:00');
    const third = await bookInfusion(admin, c, THURSDAY, '10:00');
    expect(third.statusCode).toBe(409);
    expect(
      await db()
        .selectFrom('appointments')
        .select('id')
        .where('patient_id', '=', c)
        .where('type_id', '=', 'type-infusion')
        .execute(),
    ).toEqual([]);
    // Back to back is fine: supervision covers the visit, not the nurse's buffers (a two-hour booster, 14:00–16:00).
    const after = await bookInfusion(admin, c, THURSDAY, '14:00', 'booster');
    expect(after.statusCode).toBe(303);
    expect(await row(idFrom(after.headers.location))).toMatchObject({ supervisor_id: 'prov-okafor' });

    // The appointment page names the supervising provider.
    expect((await admin.get(`/staff/calendar/appointments/${idFrom(first.headers.location)}`)).body).toMatch(
      /Supervising provider<\/dt>\s*<dd[^>]*>Dr\. Amara Okafor/,
    );
  });

  it('lowering what a provider supervises at once, or their hours, lists the infusions they supervise that no longer fit', async () => {
    const admin = await signIn(rt(), ADMIN);
    const [a, b] = [await patient(), await patient()];
    const ids: string[] = [];
    for (const p of [a, b]) {
      // Friday, when Dr. Okafor is the only provider at Chicago: both are hers to supervise.
      const res = await bookInfusion(admin, p, FRIDAY, '10:00');
      expect(res.statusCode).toBe(303);
      ids.push(idFrom(res.headers.location));
    }
    expect((await Promise.all(ids.map(row))).map((r) => [r.supervisor_id, r.supervisor_lane])).toEqual([
      ['prov-okafor', 1],
      ['prov-okafor', 2],
    ]);
    const OVER = 'the supervising provider now supervises fewer infusions at once';
    // Down to one at once: the infusion in the second lane is listed (once), still booked; back to two, none is.
    const lowered = await setSupervision(admin, 'prov-okafor', 'Dr. Amara Okafor', '1');
    expect(lowered.statusCode).toBe(200);
    expect(lowered.body).toContain('These bookings now conflict');
    expect(lowered.body.match(new RegExp(OVER, 'g'))).toHaveLength(1);
    expect(lowered.body).toContain(`/staff/calendar/appointments/${ids[1]}`);
    expect(lowered.body).toContain('supervised by Dr. Amara Okafor');
    expect((await row(ids[1]!)).status).toBe('booked');
    const event = await db()
      .selectFrom('audit_events')
      .select('detail')
      .where('action', 'like', '%clinician_edit%')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.detail)).toMatchObject({ conflicts: 1, patients: b });
    const restored = await setSupervision(admin, 'prov-okafor', 'Dr. Amara Okafor', '2');
    expect(restored.body).toContain('No booked visits are affected by this change.');

    // Her Friday at Chicago now ends at 12:00: neither 10:00-14:00 infusion has a provider on site to its end.
    const hours = await db()
      .selectFrom('clinician_hours')
      .selectAll()
      .where('clinician_id', '=', 'prov-okafor')
      .execute();
    const csrf = csrfFrom((await admin.get('/staff/setup/clinicians/prov-okafor/hours')).body);
    const form: Record<string, string> = { _csrf: csrf };
    const clock = (min: number) =>
      `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
    for (const loc of ['loc-chicago', 'loc-denver'])
      for (let wd = 1; wd <= 7; wd++) {
        const h = hours.find((x) => x.location_id === loc && x.weekday === wd);
        if (!h) form[`${loc}-d${wd}-off`] = 'yes';
        else
          Object.assign(form, {
            [`${loc}-d${wd}-from`]: clock(h.from_min),
            [`${loc}-d${wd}-to`]: loc === 'loc-chicago' && wd === 5 ? '12:00' : clock(h.to_min),
          });
      }
    const shorter = await admin.post('/staff/setup/clinicians/prov-okafor/hours', form);
    expect(shorter.statusCode).toBe(200);
    expect(shorter.body.match(/outside the supervising provider&#39;s working hours/g)).toHaveLength(2);
    for (const id of ids) expect(shorter.body).toContain(`/staff/calendar/appointments/${id}`);
  });

  it('a move is supervised afresh at its new time, and refused where no provider can supervise', async () => {
    const admin = await signIn(rt(), ADMIN);
    const id = idFrom((await bookInfusion(admin, await patient(), THURSDAY, '13:00')).headers.location);
    // 13:00–17:00 on Thursday: only Dr. Lindqvist is there to the end.
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-lindqvist', supervisor_lane: 1 });
    const move = async (date: string, time: string) => {
      const csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${id}`)).body);
      return admin.post(`/staff/calendar/appointments/${id}/reschedule`, { _csrf: csrf, date, time });
    };
    // Friday 13:00 would run past Dr. Okafor's 16:00: nothing changes.
    const late = await move(FRIDAY, '13:00');
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('No provider is on site with a free supervision place');
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-lindqvist' });
    expect((await move(FRIDAY, '10:00')).statusCode).toBe(303);
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-okafor', supervisor_lane: 1 });
  });

  it("the booking service's reschedule (online moves, a series session moved) supervises the new time afresh", async () => {
    const admin = await signIn(rt(), ADMIN);
    const id = idFrom((await bookInfusion(admin, await patient(), THURSDAY, '13:00')).headers.location);
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-lindqvist', supervisor_lane: 1 });
    const ctx = {
      database: rt().database,
      clinic: (await getClinic(db()))!,
      location: (await findLocation(db(), 'chicago'))!,
      type: (await findAppointmentType(db(), 'infusion'))!,
      now: rt().clock.now(),
    };
    // Friday 13:00 has no provider to 17:00: taken, nothing changed; Friday 10:00 is Dr. Okafor's.
    expect(await rescheduleAppointment(ctx, id, wallInstant(ZONE, FRIDAY, 13 * 60))).toMatchObject({
      ok: false,
      reason: 'taken',
    });
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-lindqvist' });
    expect(await rescheduleAppointment(ctx, id, wallInstant(ZONE, FRIDAY, 10 * 60))).toMatchObject({ ok: true });
    expect(await row(id)).toMatchObject({ supervisor_id: 'prov-okafor', supervisor_lane: 1 });
  });
});
