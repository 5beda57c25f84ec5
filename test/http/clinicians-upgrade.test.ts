/**
 * Migration 011: providers and nurses become clinicians (tables, columns, constraint names, the PostgreSQL trigger
 * function), with every row kept and the overlap rules still held by the database on both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engine } from '../helpers/runtime.ts';
import { readyPatient } from '../helpers/clinical.ts';
import {
  appointmentRow as appt,
  atReleaseBefore,
  migrationsFrom,
  insertAsOlderRelease,
  openEmptyDatabase,
  refusedAsOverlap as refused,
  T0,
} from '../helpers/appointments.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import type { Database } from '../../src/kernel/db/database.ts';

const OLD_WORDS = /provider_hours|provider_time_off|\bproviders\b|max_patients|nurse_seat|users_provider_id/;

describe(`upgrading to clinicians (migration 011, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
  });
  afterEach(async () => {
    await remove();
  });

  const rows = async (query: string) => (await sql.raw<Record<string, unknown>>(query).execute(database.db)).rows;

  it('keeps every clinician, hour, time off, account link and nurse lane, and the database still refuses overlaps', async () => {
    await atReleaseBefore(database, '011_clinicians');
    await sql`insert into provider_time_off (id, provider_id, starts_at, ends_at, reason)
      values ('off-1', 'nurse-nia', ${T0}, ${T0 + 3_600_000}, 'Training')`.execute(database.db);
    await sql`insert into users (id, email, name, role, provider_id, created_at)
      values ('u-nia', 'nia@relief.example', 'Nia Brooks', 'nurse', 'nurse-nia', ${T0})`.execute(database.db);
    const lane1 = appt({ type_id: 'type-infusion', nurse_id: 'nurse-nia', nurse_lane: 1, room_id: 'chair-chi-1' });
    const lane2 = appt({ type_id: 'type-infusion', nurse_id: 'nurse-nia', nurse_lane: 2, room_id: 'chair-chi-2' });
    await insertAsOlderRelease(database.db, [lane1, lane2]);
    const before = {
      clinicians: await rows(
        'select id, name, credentials, active, kind, max_patients as watches_at_once from providers order by id',
      ),
      hours: await rows(
        'select provider_id as clinician_id, location_id, weekday, from_min, to_min from provider_hours order by 1, 2, 3, 4',
      ),
      off: await rows('select id, provider_id as clinician_id, starts_at, ends_at, reason from provider_time_off'),
      lanes: await rows('select id, nurse_seat as nurse_lane from appointments order by id'),
    };
    expect(before.clinicians.length).toBeGreaterThan(3);
    expect(before.hours.length).toBeGreaterThan(10);

    expect(await applyMigrations(database, MIGRATIONS)).toEqual(migrationsFrom('011_clinicians'));

    expect(
      await rows('select id, name, credentials, active, kind, watches_at_once from clinicians order by id'),
    ).toEqual(before.clinicians);
    expect(
      await rows(
        'select clinician_id, location_id, weekday, from_min, to_min from clinician_hours order by 1, 2, 3, 4',
      ),
    ).toEqual(before.hours);
    expect(await rows('select id, clinician_id, starts_at, ends_at, reason from clinician_time_off')).toEqual(
      before.off,
    );
    expect(await rows('select id, nurse_lane from appointments order by id')).toEqual(before.lanes);
    expect(await rows("select clinician_id from users where id = 'u-nia'")).toEqual([{ clinician_id: 'nurse-nia' }]);

    // The lane rule, the room rule and the hours' own checks hold under the new names (for a patient the infusion
    // gate of migration 024 lets through, with the supervisor 027 requires, so only the lane can refuse).
    const db = database.db;
    const patient = await readyPatient({ database, clock: { now: () => T0 } }, 'pat-lane');
    const sameLane = appt({
      patient_id: patient,
      type_id: 'type-infusion',
      nurse_id: 'nurse-nia',
      nurse_lane: 1,
      room_id: 'chair-chi-3',
      at: 30,
      supervisor_id: 'prov-okafor',
      supervisor_lane: 1,
    });
    expect(await refused(db.insertInto('appointments').values(sameLane).execute())).toBe(true);
    const thirdLane = { ...sameLane, id: `${sameLane.id}-3`, nurse_lane: 3 };
    await db.insertInto('appointments').values(thirdLane).execute();
    expect(
      await refused(db.updateTable('appointments').set({ nurse_lane: 1 }).where('id', '=', lane2.id).execute()),
    ).toBe(true);
    await expect(
      db
        .insertInto('clinician_hours')
        .values({ clinician_id: 'nurse-nia', location_id: 'loc-chicago', weekday: 8, from_min: 0, to_min: 60 })
        .execute(),
    ).rejects.toThrow();
    await expect(
      db.updateTable('clinicians').set({ watches_at_once: 7 }).where('id', '=', 'nurse-nia').execute(),
    ).rejects.toThrow();
    // Deleting a clinician still takes their hours and time off with them.
    await db.deleteFrom('appointments').where('nurse_id', '=', 'nurse-nia').execute();
    await db.deleteFrom('users').where('id', '=', 'u-nia').execute();
    await db.deleteFrom('clinicians').where('id', '=', 'nurse-nia').execute();
    expect(await rows("select count(*) as n from clinician_hours where clinician_id = 'nurse-nia'")).toEqual([
      { n: 0 },
    ]);

    // No old word is left in the schema: tables, columns, constraints, indexes, triggers or the trigger function.
    const schemaText =
      database.engine === 'sqlite'
        ? (await rows("select name || ' ' || coalesce(sql, '') as text from sqlite_master")).map((r) => r.text)
        : [
            ...(await rows(
              "select table_name || '.' || column_name as text from information_schema.columns where table_schema = current_schema()",
            )),
            ...(await rows(
              'select conname as text from pg_constraint k join pg_class c on c.oid = k.conrelid where c.relnamespace = current_schema()::regnamespace',
            )),
            ...(await rows('select indexname as text from pg_indexes where schemaname = current_schema()')),
            ...(await rows(
              "select prosrc as text from pg_proc where pronamespace = current_schema()::regnamespace and proname = 'appointments_before_write'",
            )),
          ].map((r) => r.text);
    expect(schemaText.filter((text) => OLD_WORDS.test(String(text)))).toEqual([]);
    expect(schemaText.some((text) => String(text).includes('nurse_lane'))).toBe(true);
  });
});
