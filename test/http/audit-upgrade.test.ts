/**
 * Upgrading a clinic whose audit trail is plain SHA-256 (every release before the keyed chain): the rows stay as they
 * are (the database refuses UPDATE), the chain switches to HMAC at one `audit.chain_keyed` event whose own HMAC covers
 * the legacy head, and checkpoints remember that boundary, so keyed events cannot later be passed off as legacy ones.
 * On both engines.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engine } from '../helpers/runtime.ts';
import { atReleaseBefore, openEmptyDatabase } from '../helpers/appointments.ts';
import { applyMigrations, MIGRATIONS } from '../../src/kernel/db/migrate.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { appendAudit, canonicalAuditRow, GENESIS_HASH, keyAuditChain } from '../../src/kernel/audit/audit.ts';
import { auditKeyId, type AuditEventRow } from '../../src/kernel/audit/chain.ts';
import { appendCheckpoint, checkpointLine } from '../../src/kernel/audit/checkpoints.ts';
import { auditVerifyCommand } from '../../src/kernel/audit/verify-command.ts';
import { auditKey } from '../../src/kernel/config.ts';

const NOW = Date.parse('2026-03-02T15:00:00.000Z');
const KEY = auditKey('upgrade-test-secret-upgrade-test-secret-01');
const LEGACY = 25;
const sha256 = (row: Omit<AuditEventRow, 'hash'>) => createHash('sha256').update(canonicalAuditRow(row)).digest('hex');

/** What every earlier release wrote: the same rows, hashed with plain SHA-256. */
async function appendAsOlderRelease(database: Database, count: number): Promise<void> {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const row = {
      seq,
      at: NOW - (count - seq) * 60_000,
      actor_id: seq % 2 ? 'u_admin' : 'u_nurse',
      actor_role: seq % 2 ? 'admin' : 'nurse',
      location_id: 'loc-chicago',
      patient_ref: `pat_${seq % 7}`,
      action: 'patient.view',
      outcome: 'success',
      ip: '203.0.113.7',
      detail: '{}',
      prev_hash: prev,
    };
    prev = sha256(row);
    await database.db
      .insertInto('audit_events')
      .values({ ...row, hash: prev })
      .execute();
  }
}

describe(`upgrading a plain SHA-256 audit trail to the keyed chain (${engine})`, () => {
  let database: Database;
  let remove: () => Promise<void>;
  let dir: string;
  beforeEach(async () => {
    ({ database, remove } = await openEmptyDatabase());
    dir = mkdtempSync(join(tmpdir(), 'relief-audit-upgrade-'));
    await atReleaseBefore(database, MIGRATIONS.at(-1)![0]);
    await appendAsOlderRelease(database, LEGACY);
    await applyMigrations(database, MIGRATIONS);
    database = { ...database, auditKey: KEY };
  });
  afterEach(async () => {
    await remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = () => join(dir, 'audit-checkpoints.log');
  const verify = async () => {
    const lines: string[] = [];
    const code = await auditVerifyCommand(database, { checkpointFiles: [file()], keyFrom: 'SECRET' }, (l) =>
      lines.push(l),
    );
    return { code, lines };
  };
  const append = (i: number) =>
    database.transact((trx) =>
      appendAudit(
        trx,
        database,
        {
          actorId: 'u_admin',
          actorRole: 'admin',
          locationId: 'loc-chicago',
          patientRef: `pat_${i}`,
          action: 'patient.view',
          outcome: 'success',
          ip: '203.0.113.7',
        },
        NOW + i * 1000,
      ),
    );
  const rows = async () =>
    (await database.db.selectFrom('audit_events').selectAll().orderBy('seq').execute()).map((r) => ({
      ...r,
      seq: Number(r.seq),
      at: Number(r.at),
    }));

  it('keeps the legacy events and keys the chain from a boundary event that covers their head', async () => {
    const legacyHead = (await rows()).at(-1)!;
    const head = await keyAuditChain(database, NOW);
    expect(head).toMatchObject({ seq: LEGACY + 1, action: 'audit.chain_keyed', prev_hash: legacyHead.hash });
    expect(JSON.parse(head!.detail)).toEqual({ key: auditKeyId(KEY), legacyEvents: LEGACY });
    // Keying twice writes nothing: the chain already ends in a keyed event.
    expect(await keyAuditChain(database, NOW)).toEqual(head);
    for (let i = 0; i < 3; i++) await append(i);

    const { code, lines } = await verify();
    expect(code).toBe(0);
    expect(lines.slice(0, 2)).toEqual([
      `Audit trail intact: ${LEGACY + 4} events.`,
      `Keyed with HMAC-SHA-256 (the key from SECRET) from event #${LEGACY + 1}; the ${LEGACY} event(s) before it are from an older release (plain SHA-256, held by the keyed event after them).`,
    ]);
  });

  it('the first append after the upgrade keys the chain too, when nothing keyed it at start-up', async () => {
    await append(1);
    const all = await rows();
    expect(all.slice(LEGACY).map((r) => r.action)).toEqual(['audit.chain_keyed', 'patient.view']);
    expect((await verify()).code).toBe(0);
  });

  it('finds a legacy event rewritten with plain SHA-256: the boundary’s HMAC holds the legacy head', async () => {
    await keyAuditChain(database, NOW);
    await append(1);
    await disableAppendOnly(database);
    const all = await rows();
    const legacy = all.slice(9, LEGACY).map((r) => (r.seq === 11 ? { ...r, actor_role: 'nurse' } : r));
    await rewrite(database, legacy, sha256);
    // The keyed events stay as they were: without the key they cannot be re-hashed.
    await database.db.insertInto('audit_events').values(all.slice(LEGACY)).execute();
    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      `Audit trail BROKEN at event #${LEGACY} (re-hashing): event #${LEGACY} (or events up to it) was rewritten: event #${LEGACY + 1}, whose HMAC holds, no longer links to it.`,
    );
  });

  it('finds keyed events passed off as legacy ones (boundary dropped, all re-hashed with SHA-256) by the checkpoint', async () => {
    await keyAuditChain(database, NOW);
    for (let i = 0; i < 5; i++) await append(i);
    const all = await rows();
    await appendCheckpoint(
      file(),
      checkpointLine(KEY, { seq: all.at(-1)!.seq, head: all.at(-1)!.hash, keyedFrom: LEGACY + 1, at: NOW }),
    );
    await disableAppendOnly(database);
    // Without the key, the only way to edit a keyed event unseen by the chain is to make every event look legacy.
    const edited = all
      .filter((r) => r.seq > LEGACY + 1)
      .map((r, i) => ({ ...r, seq: LEGACY + 1 + i, actor_role: i === 0 ? 'nurse' : r.actor_role }));
    await database.db.deleteFrom('audit_events').where('seq', '>', LEGACY).execute();
    await rewrite(database, edited, sha256);

    const { code, lines } = await verify();
    expect(code).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^Audit trail BROKEN at event #${LEGACY + 1} \\(re-hashing\\): `));
    expect(lines.join('\n')).toContain(
      `says the chain is keyed from event #${LEGACY + 1}, but no event here is keyed: events were re-hashed as unkeyed ones`,
    );
    expect(lines.join('\n')).toContain(`(truncation)`);
  });
});

async function disableAppendOnly(database: Database): Promise<void> {
  if (engine === 'postgres') {
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(database.db);
  } else {
    await sql`drop trigger audit_events_no_update`.execute(database.db);
    await sql`drop trigger audit_events_no_delete`.execute(database.db);
  }
}

/** Rewrites the events from the first given on, chained with `hash`, as someone with write access would. */
async function rewrite(
  database: Database,
  events: AuditEventRow[],
  hash: (row: Omit<AuditEventRow, 'hash'>) => string,
): Promise<void> {
  const start = events[0]!.seq;
  const before = await database.db
    .selectFrom('audit_events')
    .select('hash')
    .where('seq', '=', start - 1)
    .executeTakeFirst();
  await database.db.deleteFrom('audit_events').where('seq', '>=', start).execute();
  let prev = before?.hash ?? GENESIS_HASH;
  for (const [i, event] of events.entries()) {
    const { hash: _old, ...rest } = event;
    const row = { ...rest, seq: start + i, prev_hash: prev };
    prev = hash(row);
    await database.db
      .insertInto('audit_events')
      .values({ ...row, hash: prev })
      .execute();
  }
}
