import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engine } from '../helpers/runtime.ts';
import { openEmptyDatabase } from '../helpers/appointments.ts';
import { migrateToLatest } from '../../src/kernel/db/migrate.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { verifyAuditChain } from '../../src/kernel/audit/audit.ts';
import { auditKey } from '../../src/kernel/config.ts';
import { firstStart } from '../../src/first-start.ts';
import { parseFirstStart, type FirstStartAnswers } from '../../src/setup/first-start.ts';
import { insertUser } from '../../src/staff/users.ts';

const SECRET = 'first-start-secret-first-start-secret-0123';
const ANSWERS: FirstStartAnswers = {
  'clinic-name': 'Lakeside Pain Clinic',
  'location-name': 'Evanston – Davis Street',
  timezone: 'america/chicago',
  address: '1000 Davis St',
  city: 'Evanston',
  state: 'IL',
  zip: '60201',
  phone: '(847) 555-0100',
  'admin-name': 'Rosa Reyes',
  'admin-email': 'Rosa@Lakeside.example',
};

function valid(answers: FirstStartAnswers) {
  const parsed = parseFirstStart(answers);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

describe(`a real clinic's first start (relief init, ${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
    // As `relief init` opens it: with the configuration's audit key (derived from SECRET here).
    database = { ...database, auditKey: auditKey(SECRET) };
    await migrateToLatest(database);
  });
  afterEach(async () => {
    await remove();
  });

  const counts = async () => ({
    clinic: (await database.db.selectFrom('clinic').select('id').execute()).length,
    locations: (await database.db.selectFrom('locations').select('id').execute()).length,
    types: (await database.db.selectFrom('appointment_types').select('id').execute()).length,
    users: (await database.db.selectFrom('users').select('id').execute()).length,
    links: (await database.db.selectFrom('auth_tokens').select('token_hash').execute()).length,
    // The init's own event (the first keyed event also marks the chain as keyed: audit.chain_keyed).
    audit: (await database.db.selectFrom('audit_events').select('seq').where('action', '=', 'setup.init').execute())
      .length,
  });

  it('checks answers by the set-up pages’ rules, keyed by the option that gave them', () => {
    const input = valid(ANSWERS);
    expect(input.location).toMatchObject({ slug: 'evanston-davis-street', time_zone: 'America/Chicago' });
    expect(input.clinic).toMatchObject({ email: 'rosa@lakeside.example', phone: '(847) 555-0100' });
    const bad = parseFirstStart({
      ...ANSWERS,
      'clinic-name': 'Lakeside\u202Egnp.exe',
      'location-name': 'Evanston\u0007',
      timezone: 'Central Time',
      phone: '555',
      'admin-email': 'rosa',
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(
      ['admin-email', 'clinic-name', 'location-name', 'phone', 'timezone'].sort(),
    );
  });

  it('writes the clinic, location, types, administrator, link and audit event together, once', async () => {
    const done = await firstStart(database, SECRET, valid(ANSWERS), true, Date.now());
    expect(done.ok).toBe(true);
    expect(await counts()).toEqual({ clinic: 1, locations: 1, types: 4, users: 1, links: 1, audit: 1 });
    const admin = await database.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    // No password and no authenticator yet: the enrolment link sets both, as for every account.
    expect(admin).toMatchObject({
      email: 'rosa@lakeside.example',
      role: 'admin',
      password_hash: null,
      totp_secret: null,
    });
    const event = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'setup.init')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_id: 'init', actor_role: 'system', action: 'setup.init', outcome: 'success' });
    expect(JSON.parse(event.detail ?? '{}')).toMatchObject({ types: 'consultation,infusion,booster,follow-up' });
    expect((await verifyAuditChain(database)).ok).toBe(true);

    expect(await firstStart(database, SECRET, valid(ANSWERS), true, Date.now())).toEqual({
      ok: false,
      reason: 'clinic_exists',
    });
    expect((await counts()).clinic).toBe(1);
  });

  it('leaves nothing behind when any part fails', async () => {
    // An account with the administrator's email already exists: the last insert fails after the clinic's.
    await insertUser(database.db, { email: 'rosa@lakeside.example', name: 'Rosa', role: 'nurse', locationIds: [] }, 1);
    await expect(firstStart(database, SECRET, valid(ANSWERS), true, Date.now())).rejects.toThrow();
    expect(await counts()).toEqual({ clinic: 0, locations: 0, types: 0, users: 1, links: 0, audit: 0 });
  });
});
