import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { up } from '../../src/db/migrations/008_patient_claims.ts';
import { engine, startTestRuntime, stopTestRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { book, offeredSlots, requestAndGetLink } from '../helpers/journey.ts';

/** Migration 008 gives visits booked before patient claims existed their patient claims, and changes no booking. */
let rt: TestRuntime;
beforeEach(async () => {
  rt = await startTestRuntime({ seed: 'clinic' });
});
afterEach(async () => {
  await stopTestRuntime(rt);
});
const db = () => rt.database.db;

describe(`patient claims backfill (${engine})`, () => {
  it('claims every unit of each future visit for its patient, and keeps going past an existing clash', async () => {
    const link = await requestAndGetLink(rt, { email: 'old@example.com' });
    const slots = offeredSlots((await rt.app.inject({ url: link })).body);
    expect((await book(rt, link, slots[0]!)).statusCode).toBe(303);
    const appt = await db().selectFrom('appointments').selectAll().executeTakeFirstOrThrow();
    const patient = appt.patient_id!;
    const mine = () => db().selectFrom('resource_claims').select('unit_start').where('resource_id', '=', patient).orderBy('unit_start').execute();
    const expected = (await mine()).map((c) => Number(c.unit_start));
    expect(expected).toHaveLength(45 / 5);
    // As before patient claims: the resources are claimed, the person is not.
    await db().deleteFrom('resource_claims').where('resource_id', '=', patient).execute();
    // And one unit already held (as by an overlapping visit booked back then): the backfill goes on around it.
    await db().insertInto('resource_claims').values({ resource_id: patient, unit_start: expected[2]!, appointment_id: appt.id }).execute();
    await rt.database.transact((trx) => up(trx as Kysely<any>));
    expect((await mine()).map((c) => Number(c.unit_start))).toEqual(expected);
    expect(await db().selectFrom('appointments').select(['status', 'starts_at']).execute()).toEqual([{ status: 'booked', starts_at: appt.starts_at }]);
  });
});
