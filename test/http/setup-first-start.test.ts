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
import { initCommand } from '../../src/init-command.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { openDatabase } from '../../src/kernel/db/database.ts';
import { adminQuery } from '../helpers/runtime.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

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

describe(`relief init on a terminal (${engine})`, () => {
  it('asks for what the options leave out, asks again with the reason for a refused answer, and lets the types be declined', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-init-'));
    const config = loadConfig({
      DATA_DIR: dir,
      SECRET,
      PUBLIC_URL: 'https://relief.lakeside.example',
      ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    });
    if (config.databaseUrl) {
      config.databaseSchema = `t_${randomBytes(6).toString('hex')}`;
      await adminQuery(config.databaseUrl, `create schema ${config.databaseSchema}`);
    }
    // What a person types, by the question's first words; each list is used in turn.
    const typed: Array<[RegExp, string[]]> = [
      [/^Tagline/, ['']],
      [/^First location name/, ['Evanston – Davis Street']],
      [/^Short name/, ['']],
      [/^Time zone/, ['Central Time']],
      [/Not a time zone/, ['America/Chicago']],
      [/^Street address/, ['1000 Davis St']],
      [/^City/, ['Evanston']],
      [/^State/, ['IL']],
      [/^ZIP/, ['60201']],
      [/^Phone/, ['555']],
      [/^First administrator's full name/, ['Rosa Reyes']],
      [/^First administrator's work email/, ['rosa@lakeside.example']],
      [/^Clinic email/, ['']],
      [/\nPhone number of the location/, ['(847) 555-0100']],
      [/^Create these four types/, ['n']],
    ];
    const asked: string[] = [];
    const out: string[] = [];
    try {
      await initCommand(
        config,
        { 'clinic-name': 'Lakeside Pain Clinic' },
        {
          out: (line) => out.push(line),
          fail: (message) => {
            throw new Error(message);
          },
          ask: (question) => {
            asked.push(question);
            const answers = typed.find(([q]) => q.test(question.trim()))?.[1];
            if (!answers?.length) throw new Error(`unexpected question: ${question}`);
            return Promise.resolve(answers.shift()!);
          },
        },
      );
      // The clinic's name came as an option, so it is not asked; the defaults are offered in brackets.
      expect(asked.some((q) => q.startsWith('Clinic name'))).toBe(false);
      expect(asked).toContain('Short name in web addresses [evanston-davis-street]: ');
      expect(asked).toContain('Clinic email shown to patients [rosa@lakeside.example]: ');
      // A refused answer is asked again with the set-up pages' own reason.
      expect(asked.filter((q) => q.includes('Phone number of the location'))).toHaveLength(2);
      expect(asked.at(-2)).toMatch(/^ {2}.+\nPhone number of the location: $/s);
      expect(out.join('\n')).toContain('Consultation');
      expect(out.join('\n')).toMatch(/https:\/\/relief\.lakeside\.example\/staff\/welcome\/[A-Za-z0-9_-]{20,}/);
      expect(out.join('\n')).toContain('no appointment types');

      const database = openDatabase(config);
      try {
        const location = await database.db.selectFrom('locations').selectAll().executeTakeFirstOrThrow();
        expect(location).toMatchObject({ time_zone: 'America/Chicago', slug: 'evanston-davis-street' });
        expect(location.phone).toContain('555-0100');
        expect(await database.db.selectFrom('appointment_types').select('id').execute()).toHaveLength(0);
        expect(await database.db.selectFrom('clinic').select('email').executeTakeFirstOrThrow()).toEqual({
          email: 'rosa@lakeside.example',
        });
      } finally {
        await database.close();
      }
      // Run again, it says plainly that the database already has a clinic, before asking anything.
      asked.length = 0;
      await expect(
        initCommand(
          config,
          {},
          {
            out: () => {},
            fail: (m) => {
              throw new Error(m);
            },
            ask: (q) => Promise.resolve(String(asked.push(q))),
          },
        ),
      ).rejects.toThrow(/already has a clinic/);
      expect(asked).toHaveLength(0);
    } finally {
      if (config.databaseUrl)
        await adminQuery(config.databaseUrl, `drop schema if exists ${config.databaseSchema} cascade`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
