import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { engine, type TestRuntime, useTestRuntime } from '../helpers/runtime.ts';
import { book, requestAndGetLink } from '../helpers/journey.ts';
import { csrfFrom, signIn, searchPatientsAs } from '../helpers/staff.ts';
import { WRITER_LOCKS } from '../../src/kernel/db/database.ts';

// Behaviour that should be the same on SQLite and PostgreSQL ("one set of migrations and queries for both").
const DESK = 'frontdesk@relief.example';
const ADMIN = 'admin@relief.example';
/** The key every audit append takes (src/kernel/db/database.ts). */
const PG_AUDIT_LOCK_KEY = WRITER_LOCKS.audit;

/**
 * Runs `work` (which starts concurrent requests) while the audit trail has a queue, as it has on a busy server: on
 * PostgreSQL a second connection holds the audit lock until `work`'s transactions are all waiting, then lets go.
 * SQLite serialises writers anyway, so there `work` just runs.
 */
async function withBusyAuditTrail<T>(
  runtime: TestRuntime,
  ready: (waiting: string[]) => boolean,
  work: () => Promise<T>[],
): Promise<T[]> {
  if (!runtime.config.databaseUrl) return Promise.all(work());
  const client = new pg.Client({
    connectionString: runtime.config.databaseUrl,
    options: `-c search_path=${runtime.config.databaseSchema}`,
  });
  await client.connect();
  try {
    await client.query(`select pg_advisory_lock(${PG_AUDIT_LOCK_KEY}::bigint)`);
    const running = work();
    // Until the requests' transactions wait (for the audit lock or for each other's row), or 5 s.
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query<{ query: string }>(
        `select query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
      );
      if (ready(rows.map((r) => r.query))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.query(`select pg_advisory_unlock(${PG_AUDIT_LOCK_KEY}::bigint)`);
    return await Promise.all(running);
  } finally {
    await client.end();
  }
}
const TUE_0900 = Date.parse('2026-03-03T15:00:00.000Z');

const rt = useTestRuntime({ seed: 'clinic-and-staff' });

async function requestAndBook(fields: Record<string, string>, slot: number): Promise<void> {
  const link = await requestAndGetLink(rt(), fields);
  expect((await book(rt(), link, slot, fields.location ?? 'chicago')).statusCode).toBe(303);
}

describe(`engine parity (${engine})`, () => {
  it('patient search finds a name with an accented capital, typed exactly as it is written', async () => {
    await requestAndBook(
      { first_name: 'Élodie', last_name: 'Ørsted', email: 'elodie@example.com', phone: '(312) 555-0161' },
      TUE_0900,
    );
    const desk = await signIn(rt(), DESK);
    // Typed exactly as the record has it, and in lower case: the search says it ignores case.
    for (const q of ['Élodie', 'élodie', 'Ørsted', 'Élodie Ørsted']) {
      const page = await searchPatientsAs(desk, q);
      expect(page.statusCode).toBe(200);
      expect(page.body.includes('elodie@example.com') ? 'found' : 'no match', `search for ${q}`).toBe('found');
    }
  });

  it('ending one staff session twice at once ends it once: one success, and the second is told it is gone', async () => {
    await signIn(rt(), DESK);
    const admin = await signIn(rt(), ADMIN);
    const page = await admin.get('/staff/sessions');
    const deskRow = page.body.split('<tr').find((row) => row.includes('Fran Desk'))!;
    const idHash = /\/staff\/sessions\/([0-9a-f]{64})\/end/.exec(deskRow)![1]!;
    const csrf = csrfFrom(page.body);
    const seqBefore = await rt()
      .database.db.selectFrom('audit_events')
      .select('seq')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    // An administrator double-clicks "End session" (or two administrators end it at once).
    const answers = await withBusyAuditTrail(
      rt(),
      (q) => q.some((x) => x.includes('update "sessions"')) && q.length >= 2,
      () => [
        admin.post(`/staff/sessions/${idHash}/end`, { _csrf: csrf }),
        admin.post(`/staff/sessions/${idHash}/end`, { _csrf: csrf }),
      ],
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 404]);
    const events = await rt()
      .database.db.selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('seq', '>', seqBefore.seq)
      .where('action', '=', 'session.end')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.outcome)).toEqual(['success', 'failure']);
  });

  it('two locations added at the same time each get their own place in the list', async () => {
    const admin = await signIn(rt(), ADMIN);
    const form = await admin.get('/staff/setup/locations/new');
    const csrf = csrfFrom(form.body);
    const fields = (name: string, slug: string) => ({
      _csrf: csrf,
      name,
      slug,
      address_line: '1801 E 51st St',
      city: 'Austin',
      region: 'TX',
      postal_code: '78723',
      phone: '(512) 555-0143',
      time_zone: 'America/Chicago',
      directions_url: 'https://www.openstreetmap.org/search?query=Austin',
    });
    // Two administrators (or one, in two tabs) add a location each.
    const answers = await withBusyAuditTrail(
      rt(),
      (q) => q.filter((x) => x.includes('pg_advisory_xact_lock')).length >= 2,
      () => [
        admin.post('/staff/setup/locations', fields('Zilker', 'zilker')),
        admin.post('/staff/setup/locations', fields('Austin – Mueller', 'mueller')),
      ],
    );
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    const orders = await rt()
      .database.db.selectFrom('locations')
      .select(['slug', 'sort_order'])
      .orderBy('sort_order')
      .execute();
    // Chicago 1, Denver 2, then 3 and 4: the order they were added in, not two locations sharing place 3.
    expect(new Set(orders.map((o) => o.sort_order)).size).toBe(orders.length);
  });
});
