/**
 * Every change to a booking (a move or a cancel, by the patient's link, by staff or by a waitlist accept) moves or
 * cancels its own row and frees the time it leaves. Changes read an appointment before their transaction; one that
 * raced in between must not strand claims.
 */
import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, postForm, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn } from '../helpers/staff.ts';
import { getClinic, findLocation } from '../../src/kernel/clinic.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { availability, cancelAppointment, rescheduleAppointment } from '../../src/scheduling/booking-service.ts';
import type { Database } from '../../src/kernel/db/database.ts';

const rt = useTestRuntime({ seed: 'clinic' });
const db = () => rt().database.db;
const post = (url: string, fields: Record<string, string> = {}) => postForm(rt(), url, fields);

/** The database, except that `meanwhile` runs (and commits) once, just before the first transaction starts. */
function beforeFirstTransaction(meanwhile: () => Promise<void>): Database {
  let fired = false;
  return {
    ...rt().database,
    transact: async (work) => {
      if (!fired) {
        fired = true;
        await meanwhile();
      }
      return rt().database.transact(work);
    },
  };
}

describe(`changes racing each other (${engine})`, () => {
  it('a cancel whose row was moved meanwhile reads it again, cancels the new time and leaves nothing holding either time', async () => {
    const link = await requestAndGetLink(rt(), { email: 'race@example.com' });
    const slots = offeredSlots((await rt().app.inject({ url: link })).body);
    expect((await book(rt(), link, slots[0]!)).statusCode).toBe(303);
    const appt = await db().selectFrom('appointments').selectAll().executeTakeFirstOrThrow();
    const clinic = (await getClinic(db()))!;
    const ctx = {
      database: rt().database,
      clinic,
      location: (await findLocation(db(), 'chicago'))!,
      type: (await findAppointmentType(db(), 'consultation'))!,
      now: rt().clock.now(),
    };
    const target = slots.find((s) => s > appt.starts_at + 3 * 3_600_000)!;

    // The cancel has read the appointment; a reschedule commits before the cancel's transaction starts.
    const racing = beforeFirstTransaction(async () =>
      expect((await rescheduleAppointment(ctx, appt.id, target)).ok).toBe(true),
    );
    expect(await cancelAppointment(racing, clinic, appt.id, rt().clock.now())).toEqual({ ok: true });
    const after = await db()
      .selectFrom('appointments')
      .select(['status', 'starts_at'])
      .where('id', '=', appt.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'cancelled', starts_at: target });
    // Nothing is left holding the time: both the old and the new time are offered again.
    for (const at of [appt.starts_at, target])
      expect((await availability(ctx, at, at + 1)).map((s) => s.start)).toEqual([at]);
  });

  it('a move whose row was moved meanwhile reads it again and moves it from where it is now, holding only the final time', async () => {
    const link = await requestAndGetLink(rt(), { email: 'race2@example.com' });
    const slots = offeredSlots((await rt().app.inject({ url: link })).body);
    expect((await book(rt(), link, slots[0]!)).statusCode).toBe(303);
    const appt = await db().selectFrom('appointments').selectAll().executeTakeFirstOrThrow();
    const clinic = (await getClinic(db()))!;
    const ctx = {
      database: rt().database,
      clinic,
      location: (await findLocation(db(), 'chicago'))!,
      type: (await findAppointmentType(db(), 'consultation'))!,
      now: rt().clock.now(),
    };
    const elsewhere = slots.find((s) => s > appt.starts_at + 3 * 3_600_000)!;
    const wanted = slots.find((s) => s > elsewhere + 3 * 3_600_000)!;
    const racing = beforeFirstTransaction(async () =>
      expect((await rescheduleAppointment(ctx, appt.id, elsewhere)).ok).toBe(true),
    );
    const outcome = await rescheduleAppointment({ ...ctx, database: racing }, appt.id, wanted);
    expect(outcome.ok).toBe(true);
    const after = await db()
      .selectFrom('appointments')
      .select(['status', 'starts_at', 'busy_from', 'busy_to'])
      .where('id', '=', appt.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'booked', starts_at: wanted });
    // Only the final time is held: the first and the second are offered again, the final one is not.
    for (const at of [appt.starts_at, elsewhere])
      expect((await availability(ctx, at, at + 1)).map((s) => s.start)).toEqual([at]);
    expect(await availability(ctx, wanted, wanted + 1)).toEqual([]);
  });
});

/** Start times of the booked visits, in order: a change must move or cancel its row, never leave a second one. */
async function bookedStarts(): Promise<number[]> {
  const rows = await db()
    .selectFrom('appointments')
    .select('starts_at')
    .where('status', '=', 'booked')
    .orderBy('starts_at')
    .execute();
  return rows.map((r) => Number(r.starts_at));
}

describe(`every path moves or cancels its own row and frees what it leaves (${engine})`, () => {
  it('book, link reschedule, staff reschedule, staff cancel, link cancel, waitlist accept', async () => {
    await rt.restart({ seed: 'clinic-and-staff' });
    const admin = await signIn(rt(), 'admin@relief.example');
    const link = await requestAndGetLink(rt(), { email: 'x@example.com', phone: '(312) 555-0101' });
    const slots = offeredSlots((await rt().app.inject({ url: link })).body);
    expect((await book(rt(), link, slots[3]!)).statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([slots[3]]);
    const r1 = await post(`${link}/reschedule`, { slot: String(slots[4]!), location: 'chicago' });
    expect(r1.statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([slots[4]]);
    // overlapping its own old time
    const r2 = await post(`${link}/reschedule`, { slot: String(slots[3]!), location: 'chicago' });
    expect(r2.statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([slots[3]]);
    const appt = await db()
      .selectFrom('appointments')
      .selectAll()
      .where('status', '=', 'booked')
      .executeTakeFirstOrThrow();
    let csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${appt.id}`)).body);
    const t = new Date(Number(appt.starts_at) + 60 * 60_000);
    const hhmm = t.toLocaleTimeString('en-GB', { timeZone: 'America/Chicago', hour: '2-digit', minute: '2-digit' });
    const day = t.toLocaleDateString('en-CA', { timeZone: 'America/Chicago' });
    const s = await admin.post(`/staff/calendar/appointments/${appt.id}/reschedule`, {
      _csrf: csrf,
      date: day,
      time: hhmm,
    });
    expect(s.statusCode, s.body.slice(0, 100)).toBe(303);
    const moved = Number(appt.starts_at) + 60 * 60_000;
    expect(await bookedStarts()).toEqual([moved]);
    // waitlist: ben waits, the appointment is cancelled by staff, ben accepts
    const ben = await requestAndGetLink(rt(), { email: 'ben@example.com', phone: '(312) 555-0102' });
    expect((await post(`${ben}/waitlist`, { location: 'chicago' })).statusCode).toBe(303);
    rt().mail.sent.length = 0;
    csrf = csrfFrom((await admin.get(`/staff/calendar/appointments/${appt.id}`)).body);
    expect((await admin.post(`/staff/calendar/appointments/${appt.id}/cancel`, { _csrf: csrf })).statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([]);
    await rt().worker.runOnce();
    const mail = rt().mail.sent.find(
      (m) => m.to === 'ben@example.com' && m.subject.startsWith('A consultation time opened up'),
    )!;
    const offer = /http:\/\/relief\.test(\/waitlist\/offer\/[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    expect((await post(offer)).statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([moved]);
    expect((await post(`${ben}/cancel`)).statusCode).toBe(303);
    expect(await bookedStarts()).toEqual([]);
    // Nothing left holding time: every time this test booked is offered again.
    const again = offeredSlots(
      (
        await rt().app.inject({
          url: await requestAndGetLink(rt(), { email: 'later@example.com', phone: '(312) 555-0103' }),
        })
      ).body,
    );
    for (const at of [slots[3]!, slots[4]!, moved]) expect(again).toContain(at);
  });
});
