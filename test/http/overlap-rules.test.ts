/**
 * The appointments table itself refuses an overlapping booked appointment (provider, nurse lane, room or chair over
 * busy time; patient over visit time), on both engines, whatever code writes the row (migration 009). Writers that
 * clash at the same moment end as "taken", never as an error: on PostgreSQL two transactions inserting clashing rows
 * could each find the other's uncommitted row in the exclusion index and wait for it until the deadlock detector
 * aborted one (40P01, a 500); the overlap trigger queues writers of one resource on an advisory lock first. The race
 * window is narrow (widest on fresh server connections): the test fires bursts of simultaneous bookings and fails at
 * the first error. SQLite has one writer at a time.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import { readyPatient } from '../helpers/clinical.ts';
import {
  appointmentRow as appt,
  MIN,
  refusedAsOverlap as refused,
  T0,
  type AppointmentRow as Row,
} from '../helpers/appointments.ts';
import { openDatabase, type Database } from '../../src/kernel/db/database.ts';
import { availability, bookAppointment } from '../../src/scheduling/booking-service.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { findLocation, getClinic } from '../../src/kernel/clinic.ts';

describe(`the database refuses overlapping appointments (${engine})`, () => {
  const rt = useTestRuntime({ seed: 'clinic' });
  beforeEach(async () => {
    await rt()
      .database.db.insertInto('patients')
      .values(
        ['pat-a', 'pat-b'].map((id) => ({
          id,
          first_name: 'Test',
          last_name: id,
          email: `${id}@example.com`,
          phone: '+13125550100',
          contact_method: 'email',
          location_id: 'loc-chicago',
          created_at: T0,
          updated_at: T0,
        })),
      )
      .execute();
  });
  const insert = (row: Row) => rt().database.db.insertInto('appointments').values(row).execute();

  it('per provider, room or chair, over busy time (buffers included), half-open', async () => {
    await insert(appt({ provider_id: 'prov-okafor', room_id: 'room-chi-1', after: 15 }));
    // The buffer after the visit is the provider's and the room's too.
    expect(await refused(insert(appt({ provider_id: 'prov-okafor', at: 50 })))).toBe(true);
    expect(await refused(insert(appt({ room_id: 'room-chi-1', at: 59 })))).toBe(true);
    expect(await refused(insert(appt({ room_id: 'room-chi-1', at: -30 })))).toBe(true);
    // Back to back is fine, and so are other resources at the same time.
    await insert(appt({ provider_id: 'prov-okafor', room_id: 'room-chi-1', at: 60 }));
    await insert(appt({ provider_id: 'prov-lindqvist', room_id: 'room-chi-2' }));
    await insert(appt({ provider_id: 'prov-okafor', at: -45 }));
    expect(await rt().database.db.selectFrom('appointments').select('id').execute()).toHaveLength(4);
  });

  it('per nurse lane: another lane of the same nurse is free, the same lane is not', async () => {
    // Each infusion is a different person's, screened and planned (the infusion gate), so only the lane can clash.
    const patients: string[] = [];
    for (let i = 1; i <= 6; i++) patients.push(await readyPatient(rt(), `pat-lane-${i}`));
    // Each with its own supervision lane (migration 027 requires one), so that lane never clashes either.
    let supervision = 0;
    const infusion = (seat: number | null, chair: string) =>
      appt({
        patient_id: patients.pop()!,
        type_id: 'type-infusion',
        nurse_id: 'nurse-nia',
        nurse_lane: seat,
        room_id: chair,
        minutes: 240,
        before: 15,
        after: 30,
        supervisor_id: 'prov-okafor',
        supervisor_lane: ++supervision,
      });
    await insert(infusion(1, 'chair-chi-1'));
    await insert(infusion(2, 'chair-chi-2'));
    expect(await refused(insert(infusion(1, 'chair-chi-3')))).toBe(true);
    // A nurse row without a seat (before migration 007) is lane 1.
    expect(await refused(insert(infusion(null, 'chair-chi-3')))).toBe(true);
    expect(await refused(insert(infusion(3, 'chair-chi-1')))).toBe(true); // the chair
    await insert(infusion(3, 'chair-chi-3'));
  });

  it('per supervision lane (migration 025): one provider lane supervises one infusion at a time, over visit time only', async () => {
    const patients: string[] = [];
    for (let i = 1; i <= 6; i++) patients.push(await readyPatient(rt(), `pat-sup-${i}`));
    let chair = 0;
    const supervised = (lane: number | null, at: number, supervisor = 'prov-okafor') =>
      appt({
        patient_id: patients.pop()!,
        type_id: 'type-infusion',
        room_id: `chair-chi-${++chair}`,
        supervisor_id: supervisor,
        supervisor_lane: lane,
        at,
        minutes: 240,
        before: 15,
        after: 30,
      });
    await insert(supervised(1, 0));
    await insert(supervised(2, 0));
    expect(await refused(insert(supervised(1, 60)))).toBe(true);
    // Back to back in a lane is fine although the nurse's buffers overlap: supervision covers the visit itself.
    await insert(supervised(1, 240));
    // Another provider's lane 1 is theirs.
    await insert(supervised(1, 60, 'prov-lindqvist'));
    // A move onto the lane's busy time is refused too.
    const later = supervised(2, 480);
    await insert(later);
    expect(
      await refused(
        rt()
          .database.db.updateTable('appointments')
          .set({ supervisor_lane: 1 })
          .where('id', '=', later.id)
          .execute()
          .then(() =>
            rt()
              .database.db.updateTable('appointments')
              .set({
                starts_at: T0 + 200 * MIN,
                ends_at: T0 + 440 * MIN,
                busy_from: T0 + 185 * MIN,
                busy_to: T0 + 470 * MIN,
              })
              .where('id', '=', later.id)
              .execute(),
          ),
      ),
    ).toBe(true);
  });

  it('per patient, over visit time only: the staff buffers are not the person’s', async () => {
    await insert(appt({ provider_id: 'prov-okafor', patient_id: 'pat-a', after: 15 }));
    expect(await refused(insert(appt({ provider_id: 'prov-lindqvist', patient_id: 'pat-a', at: 30 })))).toBe(true);
    await insert(appt({ provider_id: 'prov-lindqvist', patient_id: 'pat-a', at: 45 }));
    await insert(appt({ provider_id: 'prov-reyes', patient_id: 'pat-b', at: 10 }));
  });

  it('checks updates too: a move onto taken time, or re-booking a cancelled row, is refused; cancelled rows hold nothing', async () => {
    const first = appt({ provider_id: 'prov-okafor' });
    const second = appt({ provider_id: 'prov-okafor', at: 60 });
    await insert(first);
    await insert(second);
    const db = rt().database.db;
    expect(
      await refused(
        db
          .updateTable('appointments')
          .set({ starts_at: T0 + 30 * MIN, ends_at: T0 + 75 * MIN, busy_from: T0 + 30 * MIN, busy_to: T0 + 75 * MIN })
          .where('id', '=', second.id)
          .execute(),
      ),
    ).toBe(true);
    await db.updateTable('appointments').set({ status: 'cancelled' }).where('id', '=', first.id).execute();
    const third = appt({ provider_id: 'prov-okafor', at: 10 });
    await insert(third);
    expect(
      await refused(db.updateTable('appointments').set({ status: 'booked' }).where('id', '=', first.id).execute()),
    ).toBe(true);
    // Edits that do not touch time or resources pass, and a row never clashes with itself.
    await db.updateTable('appointments').set({ attendance: 'arrived' }).where('id', '=', third.id).execute();
    await db
      .updateTable('appointments')
      .set({ starts_at: T0 + 15 * MIN, ends_at: T0 + 55 * MIN, busy_from: T0 + 15 * MIN, busy_to: T0 + 55 * MIN })
      .where('id', '=', third.id)
      .execute();
  });

  it('availability reads what a start can touch, its buffer before included, so it offers what the database accepts', async () => {
    // Tuesday 3 March 2026, 10:00 in Chicago; an infusion has 15 minutes before it. Chair 1 is busy until 09:55.
    const start = Date.parse('2026-03-03T16:00:00.000Z');
    await insert(
      appt({
        room_id: 'chair-chi-1',
        type_id: 'type-follow-up',
        starts_at: start - 60 * MIN,
        ends_at: start - 5 * MIN,
        busy_from: start - 60 * MIN,
        busy_to: start - 5 * MIN,
      }),
    );
    const db = rt().database.db;
    const ctx = {
      database: rt().database,
      clinic: (await getClinic(db))!,
      location: (await findLocation(db, 'chicago'))!,
      type: (await findAppointmentType(db, 'infusion'))!,
      now: rt().clock.now(),
    };
    const [slot] = await availability(ctx, start, start + 1);
    expect(slot?.start).toBe(start);
    expect(slot!.options[0]!.roomId).toBe('chair-chi-2');
  });

  it('accepts exactly the inserts a naive overlap check accepts (property)', async () => {
    const resources = ['prov-okafor', 'prov-lindqvist'] as const;
    const wish = fc.record({
      who: fc.constantFrom(...resources),
      at: fc.integer({ min: 0, max: 48 }),
      minutes: fc.integer({ min: 1, max: 12 }),
      cancel: fc.boolean(),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(wish, { minLength: 1, maxLength: 12 }), async (wishes) => {
        const base = T0 + ++round * 7 * 24 * 60 * MIN; // each run on its own week
        const held: Array<{ who: string; from: number; to: number }> = [];
        for (const w of wishes) {
          const from = base + w.at * 5 * MIN,
            to = from + w.minutes * 5 * MIN;
          const free = !held.some((h) => h.who === w.who && h.from < to && from < h.to);
          const row = appt({ provider_id: w.who, starts_at: from, ends_at: to, busy_from: from, busy_to: to });
          expect(await refused(insert(row))).toBe(!free);
          if (!free) continue;
          if (w.cancel)
            await rt()
              .database.db.updateTable('appointments')
              .set({ status: 'cancelled' })
              .where('id', '=', row.id)
              .execute();
          else held.push({ who: w.who, from, to });
        }
      }),
      { numRuns: 30 },
    );
  });
});

/** Monday 2 March 2026, 09:00 in Chicago: "now" for the service calls (well before every visit's cutoff). */
const NOW = Date.parse('2026-03-02T15:00:00.000Z');
/** Without the advisory locks, 40P01 came within a few dozen bursts in 9 runs of 10. */
const BURSTS = 50;

describe(`concurrent bookings on PostgreSQL end as "taken", never as an error (${engine})`, () => {
  const rt = useTestRuntime({ seed: 'clinic' });

  it('twelve people booking the same provider at the same moment: one is booked, the others hear "taken" (no deadlock error)', async () => {
    const db = rt().database.db;
    const people = 12;
    const ids = Array.from({ length: people }, (_, i) => `pat-race-${i}`);
    await db
      .insertInto('patients')
      .values(
        ids.map((id) => ({
          id,
          first_name: 'Race',
          last_name: id,
          email: `${id}@example.com`,
          phone: '+13125550100',
          contact_method: 'email',
          location_id: 'loc-chicago',
          created_at: NOW,
          updated_at: NOW,
        })),
      )
      .execute();
    // Requests arriving at the same moment: on PostgreSQL each booking's first transaction is held at a gate until
    // all have begun, so their inserts run together (SQLite has one writer at a time: no gate, nothing to race).
    let arrived: Array<() => void> = [];
    let gated = 0;
    const gate = () =>
      new Promise<void>((resolve) => {
        if (rt().database.engine === 'sqlite' || gated >= people) return resolve();
        gated++;
        arrived.push(resolve);
        if (arrived.length === people) for (const go of arrived.splice(0)) go();
      });
    const base = {
      clinic: (await getClinic(db))!,
      location: (await findLocation(db, 'chicago'))!,
      type: (await findAppointmentType(db, 'follow-up'))!,
      now: NOW,
    };
    const errors: string[] = [];
    for (let week = 0; week < BURSTS && errors.length === 0; week++) {
      // A burst after a quiet spell: the pool's idle connections have closed (pg.Pool closes them after 10 s), so the
      // burst runs on fresh server connections. A new connection per booking stands for that.
      const fresh = () =>
        rt().database.engine === 'sqlite'
          ? rt().database
          : openDatabase({
              dataDir: rt().config.dataDir,
              databaseUrl: rt().config.databaseUrl,
              databaseSchema: rt().config.databaseSchema,
            });
      const databases = ids.map(fresh);
      // Tuesdays at 10:00 Chicago, Dr. Okafor.
      const start = T0 + week * 7 * 24 * 60 * MIN;
      gated = 0;
      arrived = [];
      const outcomes = await Promise.allSettled(
        ids.map((id, i) => {
          const database = databases[i]!;
          const simultaneous: Database = {
            ...database,
            transact: (work) => database.transact(async (trx) => (await gate(), work(trx))),
          };
          return bookAppointment({ ...base, database: simultaneous }, { patientId: id }, start, {
            providerId: 'prov-okafor',
          });
        }),
      );
      for (const database of databases) if (database !== rt().database) await database.close();
      for (const o of outcomes)
        if (o.status === 'rejected') errors.push(String((o.reason as { code?: string }).code ?? o.reason));
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.ok)).toHaveLength(1);
    }
    // A thrown error is a 500 for the person booking (the routes only answer "taken" for a refusal they recognise).
    expect(errors).toEqual([]);
  }, 120_000);
});
