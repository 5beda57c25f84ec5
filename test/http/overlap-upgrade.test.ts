/**
 * The upgrade from claim rows to the overlap rules of migration 009 changes no booking: it marks only the later of a
 * person's clashing visits (legacy_patient_clash), and enforces the rules from then on. A marked visit keeps only its
 * own time: it cannot be moved onto another visit of the same person, and a new visit of the person may not overlap
 * it. On both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engine } from '../helpers/runtime.ts';
import {
  appointmentRow as appt,
  atReleaseBefore,
  migrationsFrom,
  insertAsOlderRelease,
  MIN,
  openEmptyDatabase,
  refusedAsOverlap as refused,
  T0,
  type AppointmentRow as Row,
} from '../helpers/appointments.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { bookAppointment, rescheduleAppointment, type BookingContext } from '../../src/scheduling/booking-service.ts';
import { findAppointmentType } from '../../src/scheduling/availability.ts';
import { findLocation, getClinic } from '../../src/kernel/clinic.ts';

/** Monday 2 March 2026, 09:00 in Chicago: "now" for the service calls (well before every visit's cutoff). */
const NOW = Date.parse('2026-03-02T15:00:00.000Z');

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

    expect(await applyMigrations(database, MIGRATIONS)).toEqual(migrationsFrom('009_overlap_constraints'));
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

describe(`after the upgrade, a person's legacy-marked visit (migration 009, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
  });
  afterEach(async () => {
    await remove();
  });

  /** A release-8 database with Ana's two overlapping visits (10:00–10:45 Okafor, 10:15–11:00 Lindqvist), upgraded. */
  async function upgradedWithClash(extra: Row[] = []) {
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
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    const earlier = appt({
      provider_id: 'prov-okafor',
      room_id: 'room-chi-1',
      patient_id: 'pat-a',
      created_at: T0 - 9 * 24 * 60 * MIN,
    });
    const later = appt({
      provider_id: 'prov-lindqvist',
      room_id: 'room-chi-2',
      patient_id: 'pat-a',
      at: 15,
      created_at: T0 - 8 * 24 * 60 * MIN,
    });
    await insertAsOlderRelease(db, [earlier, later, ...extra]);
    expect(await applyMigrations(database, MIGRATIONS)).toEqual(migrationsFrom('009_overlap_constraints'));
    const flag = await db
      .selectFrom('appointments')
      .select('legacy_patient_clash')
      .where('id', '=', later.id)
      .executeTakeFirstOrThrow();
    expect(flag.legacy_patient_clash).toBe(1);
    const ctx: BookingContext = {
      database,
      clinic: (await getClinic(db))!,
      location: (await findLocation(db, 'chicago'))!,
      type: (await findAppointmentType(db, 'consultation'))!,
      now: NOW,
    };
    return { db, earlier, later, ctx };
  }

  it('keeps both visits editable where they stand, and a move to a free time unmarks the visit', async () => {
    const { db, earlier, later, ctx } = await upgradedWithClash();
    // Staff note attendance at either visit of the clash: neither changes time, so neither is refused.
    for (const id of [earlier.id, later.id])
      await db.updateTable('appointments').set({ attendance: 'arrived' }).where('id', '=', id).execute();
    // Thursday 12 March, 11:00 Chicago: Dr. Lindqvist, room 2 and Ana are all free.
    const thursday = Date.parse('2026-03-12T16:00:00.000Z');
    expect((await rescheduleAppointment(ctx, later.id, thursday)).ok).toBe(true);
    expect(
      await db
        .selectFrom('appointments')
        .select(['starts_at', 'legacy_patient_clash'])
        .where('id', '=', later.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ starts_at: thursday, legacy_patient_clash: 0 });
  });

  it('cannot be moved onto another visit of the same person (the mark is not a licence for new clashes)', async () => {
    // Ana also has a follow-up on Thursday 12 March, 11:00–11:30 Chicago, with Dr. Okafor in room 1.
    const thursday = Date.parse('2026-03-12T16:00:00.000Z');
    const followUp = appt({
      type_id: 'type-follow-up',
      provider_id: 'prov-okafor',
      room_id: 'room-chi-1',
      patient_id: 'pat-a',
      starts_at: thursday,
      ends_at: thursday + 30 * MIN,
      busy_from: thursday,
      busy_to: thursday + 30 * MIN,
    });
    const { db, later, ctx } = await upgradedWithClash([followUp]);
    // Her link's reschedule (the same call the POST /book/:token/reschedule route makes) to Thursday 11:00: Dr.
    // Lindqvist and room 2 are free then, but Ana is at her follow-up.
    const outcome = await rescheduleAppointment(ctx, later.id, thursday);
    const moved = await db
      .selectFrom('appointments')
      .select(['starts_at', 'legacy_patient_clash'])
      .where('id', '=', later.id)
      .executeTakeFirstOrThrow();
    expect(outcome.ok).toBe(false);
    expect(moved.starts_at).toBe(later.starts_at);
  });

  it('does not let a new visit of the same person overlap it (release 8 refused it through the visit’s own claims)', async () => {
    const { db, earlier, later, ctx } = await upgradedWithClash();
    // 10:45–11:30 with Dr. Okafor in room 1 (both free from 10:45): after the earlier visit, during the later one.
    const start = T0 + 45 * MIN;
    const outcome = await bookAppointment(
      { ...ctx, type: { ...ctx.type, step_min: 5 } },
      { patientId: 'pat-a' },
      start,
    );
    const visits = await db
      .selectFrom('appointments')
      .select('id')
      .where('patient_id', '=', 'pat-a')
      .where('status', '=', 'booked')
      .execute();
    expect(outcome.ok).toBe(false);
    expect(visits.map((v) => v.id).sort()).toEqual([earlier.id, later.id].sort());
  });
});
