/** Changes read an appointment before their transaction; one that raced in between must not strand claims. */
import { describe, expect, it } from 'vitest';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';
import { getClinic, findLocation } from '../../src/kernel/clinic.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { availability, cancelAppointment, rescheduleAppointment } from '../../src/scheduling/booking-service.ts';
import type { Database } from '../../src/kernel/db/database.ts';

const rt = useTestRuntime({ seed: 'clinic' });
const db = () => rt().database.db;

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
