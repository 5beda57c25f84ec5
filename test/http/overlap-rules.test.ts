/**
 * Migration 009: the appointments table itself refuses an overlapping booked appointment (provider, nurse lane,
 * room or chair over busy time; patient over visit time), on both engines, whatever code writes the row; and the
 * upgrade from claim rows changes no booking.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { engine, useTestRuntime } from '../helpers/runtime.ts';
import {
  appointmentRow as appt,
  atReleaseBefore,
  insertAsOlderRelease,
  MIN,
  openEmptyDatabase,
  refusedAsOverlap as refused,
  T0,
  type AppointmentRow as Row,
} from '../helpers/appointments.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { availability } from '../../src/scheduling/booking-service.ts';
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
    const infusion = (seat: number | null, chair: string) =>
      appt({
        type_id: 'type-infusion',
        nurse_id: 'nurse-nia',
        nurse_seat: seat,
        room_id: chair,
        minutes: 240,
        before: 15,
        after: 30,
      });
    await insert(infusion(1, 'chair-chi-1'));
    await insert(infusion(2, 'chair-chi-2'));
    expect(await refused(insert(infusion(1, 'chair-chi-3')))).toBe(true);
    // A nurse row without a seat (before migration 007) is lane 1.
    expect(await refused(insert(infusion(null, 'chair-chi-3')))).toBe(true);
    expect(await refused(insert(infusion(3, 'chair-chi-1')))).toBe(true); // the chair
    await insert(infusion(3, 'chair-chi-3'));
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

describe(`upgrading from claim rows (migration 009, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
  });
  afterEach(async () => {
    await remove();
  });

  it('keeps every booking, marks only the later of a person’s clashing visits, and enforces the rules from then on', async () => {
    await atReleaseBefore(database, '009_overlap_constraints');
    const db = database.db;
    await db
      .insertInto('patients')
      .values({
        id: 'pat-a',
        first_name: 'Ana',
        last_name: 'Old',
        email: 'a@example.com',
        phone: '+13125550100',
        contact_method: 'email',
        location_id: 'loc-chicago',
        created_at: T0,
        updated_at: T0,
      })
      .execute();
    // As booked back then: two visits of one person that overlap (before patient claims), and one apart.
    const earlier = appt({
      provider_id: 'prov-okafor',
      room_id: 'room-chi-1',
      patient_id: 'pat-a',
      created_at: T0 - 2 * MIN,
    });
    const later = appt({
      provider_id: 'prov-lindqvist',
      room_id: 'room-chi-2',
      patient_id: 'pat-a',
      at: 15,
      created_at: T0 - MIN,
    });
    const apart = appt({ provider_id: 'prov-okafor', room_id: 'room-chi-1', patient_id: 'pat-a', at: 120 });
    await insertAsOlderRelease(db, [earlier, later, apart]);
    const snapshot = () =>
      db
        .selectFrom('appointments')
        .select(['id', 'status', 'starts_at', 'ends_at', 'provider_id', 'room_id', 'patient_id'])
        .orderBy('id')
        .execute();
    const bookings = await snapshot();

    expect(await applyMigrations(database, MIGRATIONS)).toEqual(['009_overlap_constraints', '010_search_fold']);
    expect(await snapshot()).toEqual(bookings);
    const flags = Object.fromEntries(
      (await db.selectFrom('appointments').select(['id', 'legacy_patient_clash']).execute()).map((r) => [
        r.id,
        r.legacy_patient_clash,
      ]),
    );
    expect(flags).toEqual({ [earlier.id]: 0, [later.id]: 1, [apart.id]: 0 });
    const claimsTable =
      database.engine === 'sqlite'
        ? await sql`select name from sqlite_master where name = 'resource_claims'`.execute(db)
        : await sql`select table_name from information_schema.tables where table_name = 'resource_claims' and table_schema = current_schema()`.execute(
            db,
          );
    expect(claimsTable.rows).toEqual([]);

    // The marked visit can still be edited; new visits of the person are checked against the unmarked ones.
    await db.updateTable('appointments').set({ attendance: 'arrived' }).where('id', '=', later.id).execute();
    expect(
      await refused(
        db
          .insertInto('appointments')
          .values(appt({ provider_id: 'prov-reyes', patient_id: 'pat-a', at: 130 }))
          .execute(),
      ),
    ).toBe(true);
    expect(
      await refused(
        db
          .insertInto('appointments')
          .values(appt({ provider_id: 'prov-okafor', at: 30 }))
          .execute(),
      ),
    ).toBe(true);
  });
});
