/**
 * Migration 015: appointment types become data. The four fixed types keep their ids, codes and settings and get
 * their code as their kind; every appointment and waitlist entry is kept; a type with visits or waitlist entries
 * can no longer be deleted, by the database itself (ON DELETE RESTRICT), and the overlap rules still hold.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engine } from '../helpers/runtime.ts';
import { readyPatient } from '../helpers/clinical.ts';
import {
  appointmentRow as appt,
  atReleaseBefore,
  migrationsFrom,
  openEmptyDatabase,
  refusedAsOverlap as refused,
  T0,
} from '../helpers/appointments.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import { isForeignKeyViolation, type Database } from '../../src/kernel/db/database.ts';

describe(`upgrading to appointment types as data (migration 015, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
  });
  afterEach(async () => {
    await remove();
  });

  const rows = async (query: string) => (await sql.raw<Record<string, unknown>>(query).execute(database.db)).rows;
  const refusedAsKey = async (write: Promise<unknown>) => {
    try {
      await write;
      return false;
    } catch (err) {
      if (isForeignKeyViolation(err)) return true;
      throw err;
    }
  };

  it('gives the four types their code as kind, keeps every row, and refuses deleting a type that was booked', async () => {
    await atReleaseBefore(database, '015_types_as_data');
    const consult = appt({ provider_id: 'prov-okafor', room_id: 'room-chi-1' });
    const infusion = appt({ type_id: 'type-infusion', nurse_id: 'nurse-nia', nurse_lane: 1, room_id: 'chair-chi-1' });
    // Migration 015 leaves the appointments' columns as they were, so today's row shape fits.
    await database.db.insertInto('appointments').values([consult, infusion]).execute();
    await sql`insert into consultation_requests (id, idempotency_key, body_hash, location_id, first_name, last_name,
      email, phone, contact_method, reason, heard_from, message, consent_at, status, created_at)
      values ('r-1', 'k-1', 'h', 'loc-chicago', 'Ana', 'Diaz', 'ana@example.com', '(312) 555-0100', 'email', 'crps',
      '', '', ${T0}, 'new', ${T0})`.execute(database.db);
    await sql`insert into waitlist_entries (id, request_id, location_id, type_id, status, created_at, updated_at)
      values ('w-1', 'r-1', 'loc-chicago', 'type-booster', 'waiting', ${T0}, ${T0})`.execute(database.db);
    const columns =
      'id, code, name, duration_min, buffer_before_min, buffer_after_min, min_notice_min, step_min, online_bookable, needs_provider, needs_nurse, place';
    const before = {
      types: await rows(`select ${columns} from appointment_types order by id`),
      visits: await rows('select * from appointments order by id'),
      waiting: await rows('select * from waitlist_entries order by id'),
    };

    expect(await applyMigrations(database, MIGRATIONS)).toEqual(migrationsFrom('015_types_as_data'));

    expect(await rows(`select ${columns} from appointment_types order by id`)).toEqual(before.types);
    expect(await rows('select code, kind, retired_at from appointment_types order by code')).toEqual(
      ['booster', 'consultation', 'follow-up', 'infusion'].map((code) => ({ code, kind: code, retired_at: null })),
    );
    // Every visit as it was; later migrations' columns (025's supervisor) start empty.
    const visits = await rows('select * from appointments order by id');
    expect(visits.map((v) => [v.supervisor_id, v.supervisor_lane])).toEqual(visits.map(() => [null, null]));
    for (const v of visits) for (const later of ['supervisor_id', 'supervisor_lane']) delete v[later];
    expect(visits).toEqual(before.visits);
    expect(await rows('select * from waitlist_entries order by id')).toEqual(before.waiting);

    const db = database.db;
    // Booked (a visit, or a waitlist entry): the database refuses the delete, whatever code asks.
    for (const id of ['type-consultation', 'type-infusion', 'type-booster'])
      expect(await refusedAsKey(db.deleteFrom('appointment_types').where('id', '=', id).execute()), id).toBe(true);
    // A cancelled visit is a booking too: its record keeps its type.
    await db.updateTable('appointments').set({ status: 'cancelled' }).where('id', '=', consult.id).execute();
    expect(await refusedAsKey(db.deleteFrom('appointment_types').where('id', '=', 'type-consultation').execute())).toBe(
      true,
    );
    // Never booked: it may go.
    await db.deleteFrom('appointment_types').where('id', '=', 'type-follow-up').execute();
    // Only the four kinds.
    await expect(
      db
        .updateTable('appointment_types')
        .set({ kind: 'massage' as 'booster' })
        .where('id', '=', 'type-booster')
        .execute(),
    ).rejects.toThrow();

    // The rebuilt tables keep their overlap rules (SQLite's triggers were recreated with them).
    // (For a patient the infusion gate of migration 024 lets through, with the supervisor 027 requires, so only the
    // chair can refuse.)
    const patient = await readyPatient({ database, clock: { now: () => T0 } }, 'pat-chair');
    const sameChair = appt({
      patient_id: patient,
      type_id: 'type-infusion',
      nurse_id: 'nurse-marcus',
      room_id: 'chair-chi-1',
      at: 30,
      supervisor_id: 'prov-okafor',
      supervisor_lane: 1,
    });
    expect(await refused(db.insertInto('appointments').values(sameChair).execute())).toBe(true);
    expect(await rows('select count(*) as n from appointments')).toEqual([{ n: 2 }]);
    if (database.engine === 'sqlite') {
      const triggers = await rows(
        "select name from sqlite_master where type = 'trigger' and tbl_name = 'appointments'",
      );
      // The overlap rules' three (migration 009), whatever later migrations add beside them.
      expect(triggers.map((t) => t.name)).toEqual(
        expect.arrayContaining([
          'appointments_no_overlap_insert',
          'appointments_no_overlap_update',
          'appointments_move_clears_legacy_mark',
        ]),
      );
      expect(await rows('pragma foreign_key_check')).toEqual([]);
    }
  });
});

describe(`upgrading to preparation text per type (migration 026, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
  });
  afterEach(async () => {
    await remove();
  });

  it('gives the infusion kinds the clinic-practice preparation text and every other type none', async () => {
    await atReleaseBefore(database, '026_type_preparation');
    expect(await applyMigrations(database, MIGRATIONS)).toEqual(migrationsFrom('026_type_preparation'));
    const types = await database.db.selectFrom('appointment_types').select(['kind', 'preparation']).execute();
    expect(types).toHaveLength(4);
    for (const t of types) {
      if (t.kind === 'infusion' || t.kind === 'booster') expect(t.preparation).toContain('no solid food for 6 hours');
      else expect(t.preparation).toBe('');
    }
  });
});
