import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  appendAudit,
  AuditEntryError,
  canonicalAuditRow,
  GENESIS_HASH,
  verifyAuditChain,
  type AuditEntry,
} from '../../src/kernel/audit/audit.ts';
import { auditVerifyCommand } from '../../src/kernel/audit/verify-command.ts';
import { engine, useTestRuntime } from '../helpers/runtime.ts';

const rt = useTestRuntime();
/** Events the runtime may already have written (seeding, start-up) before a test begins. */
let base: number;

beforeEach(async () => {
  base = await countEvents();
});

async function countEvents(): Promise<number> {
  const row = await rt()
    .database.db.selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actorId: 'u_admin',
    actorRole: 'admin',
    locationId: null,
    patientRef: 'req_123',
    action: 'lead.view',
    outcome: 'success',
    ip: '203.0.113.7',
    detail: { filter: 'new', count: 3, flagged: false, none: null },
    ...overrides,
  };
}

function append(e: AuditEntry = entry()): Promise<void> {
  return rt().database.transact((trx) => appendAudit(trx, rt().database.engine, e, rt().clock.now()));
}

/**
 * The chain checked both ways verifyAuditChain reads it (through Kysely, and as arrays through the Database, as
 * `relief audit verify` does), in pages of `pageSize` rows: both must give the same verdict.
 */
async function verifyChain(pageSize?: number) {
  const viaKysely = await verifyAuditChain(rt().database.db, undefined, pageSize);
  expect(await verifyAuditChain(rt().database, undefined, pageSize)).toEqual(viaKysely);
  return viaKysely;
}

async function rows() {
  return rt().database.db.selectFrom('audit_events').selectAll().orderBy('seq', 'asc').execute();
}

/** Lets a test change the trail behind the application's back, as someone with database access could. */
async function disableAppendOnly(): Promise<void> {
  if (engine === 'postgres') {
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(rt().database.db);
  } else {
    await sql`drop trigger audit_events_no_update`.execute(rt().database.db);
    await sql`drop trigger audit_events_no_delete`.execute(rt().database.db);
  }
}

describe(`audit trail (${engine})`, () => {
  it('chains appended events and verifies them', async () => {
    await append(entry({ action: 'sign_in', patientRef: null, detail: {} }));
    rt().clock.advance(1000);
    await append();
    rt().clock.advance(1000);
    await append(entry({ action: 'access_denied', outcome: 'denied', detail: { route: '/staff/audit' } }));

    expect(await verifyChain()).toEqual({ ok: true, count: base + 3 });

    const all = await rows();
    expect(all.map((r) => Number(r.seq))).toEqual(Array.from({ length: base + 3 }, (_, i) => i + 1));
    const [a, b, c] = all.slice(base);
    expect(all[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(b!.prev_hash).toBe(a!.hash);
    expect(c!.prev_hash).toBe(b!.hash);
    expect(c!.outcome).toBe('denied');
    expect(Number(c!.at)).toBe(rt().clock.now());
    // Detail is stored as JSON with sorted keys.
    expect(b!.detail).toBe('{"count":3,"filter":"new","flagged":false,"none":null}');

    // The hash is SHA-256 of prev_hash, a newline and the canonical JSON of the other fields.
    const { hash, ...rest } = b!;
    const canonical = canonicalAuditRow({ ...rest, seq: Number(rest.seq), at: Number(rest.at) });
    expect(canonical).toBe(
      `${a!.hash}\n{"seq":${Number(b!.seq)},"at":${Number(b!.at)},"actor_id":"u_admin","actor_role":"admin","location_id":null,` +
        `"patient_ref":"req_123","action":"lead.view","outcome":"success","ip":"203.0.113.7",` +
        `"detail":"{\\"count\\":3,\\"filter\\":\\"new\\",\\"flagged\\":false,\\"none\\":null}"}`,
    );
    expect(hash).toBe(createHash('sha256').update(canonical).digest('hex'));

    const lines: string[] = [];
    expect(await auditVerifyCommand(rt().database, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([`Audit trail intact: ${base + 3} events.`]);
  });

  it('writes nothing when the surrounding transaction fails', async () => {
    await expect(
      rt().database.transact(async (trx) => {
        await appendAudit(trx, rt().database.engine, entry(), rt().clock.now());
        throw new Error('the caller failed after auditing');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await countEvents()).toBe(base);
    expect(await verifyChain()).toEqual({ ok: true, count: base });
  });

  it('refuses free text and odd values in an entry, rolling back the caller’s work', async () => {
    const location = await rt().database.db.selectFrom('locations').select('id').executeTakeFirstOrThrow();
    const bad: AuditEntry[] = [
      entry({ detail: { note: 'x'.repeat(201) } }),
      entry({ detail: { nested: { a: 1 } as unknown as string } }),
      entry({ detail: { list: [1, 2] as unknown as string } }),
      entry({ detail: { n: Number.NaN } }),
      entry({ detail: { 'bad key': 1 } }),
      entry({ action: 'Lead View' }),
      entry({ action: '' }),
      entry({ outcome: 'ok' as unknown as 'success' }),
      entry({ patientRef: 'r'.repeat(201) }),
    ];
    for (const e of bad) {
      await expect(
        rt().database.transact(async (trx) => {
          await trx
            .insertInto('closures')
            .values({ location_id: location.id, date: '2031-07-15', reason: 'Holiday' })
            .execute();
          await appendAudit(trx, rt().database.engine, e, rt().clock.now());
        }),
      ).rejects.toBeInstanceOf(AuditEntryError);
    }
    expect(await countEvents()).toBe(base);
    expect(
      await rt().database.db.selectFrom('closures').selectAll().where('date', '=', '2031-07-15').execute(),
    ).toEqual([]);
    // A 200-character string is fine.
    await append(entry({ detail: { note: 'x'.repeat(200) } }));
    expect(await countEvents()).toBe(base + 1);
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    await append();
    await append();
    const db = rt().database.db;
    await expect(
      db
        .updateTable('audit_events')
        .set({ action: 'lead.update' })
        .where('seq', '=', base + 1)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      db
        .deleteFrom('audit_events')
        .where('seq', '=', base + 2)
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
    await expect(
      rt().database.transact((trx) => trx.updateTable('audit_events').set({ hash: GENESIS_HASH }).execute()),
    ).rejects.toThrow(/append-only/);
    if (engine === 'postgres') await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
    expect(await countEvents()).toBe(base + 2);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: base + 2 });
  });

  it('detects an event changed behind the application’s back', async () => {
    for (let i = 0; i < 3; i++) await append();
    await disableAppendOnly();
    const target = base + 2;
    await rt().database.db.updateTable('audit_events').set({ action: 'lead.list' }).where('seq', '=', target).execute();

    const check = await verifyChain();
    expect(check).toMatchObject({ ok: false, seq: target, count: target - 1 });
    const lines: string[] = [];
    expect(await auditVerifyCommand(rt().database, (l) => lines.push(l))).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Audit trail BROKEN at event #${target}: `));
  });

  it('detects a rewritten hash (the next event no longer links) and a removed event', async () => {
    for (let i = 0; i < 4; i++) await append();
    await disableAppendOnly();
    // Recomputing a forged event's own hash still breaks the link from the event after it.
    const forged = base + 2;
    const row = (await rows()).find((r) => Number(r.seq) === forged)!;
    const changed = { ...row, seq: Number(row.seq), at: Number(row.at), outcome: 'denied' };
    const { hash: _old, ...rest } = changed;
    const newHash = createHash('sha256').update(canonicalAuditRow(rest)).digest('hex');
    await rt()
      .database.db.updateTable('audit_events')
      .set({ outcome: 'denied', hash: newHash })
      .where('seq', '=', forged)
      .execute();
    expect(await verifyChain()).toMatchObject({ ok: false, seq: forged + 1 });

    // Removing an event leaves a gap in seq.
    await rt()
      .database.db.updateTable('audit_events')
      .set({ outcome: row.outcome, hash: row.hash })
      .where('seq', '=', forged)
      .execute();
    expect(await verifyChain()).toEqual({ ok: true, count: base + 4 });
    await rt()
      .database.db.deleteFrom('audit_events')
      .where('seq', '=', base + 3)
      .execute();
    const gap = await verifyChain();
    expect(gap).toMatchObject({ ok: false, seq: base + 4, count: base + 2 });
    expect(gap.ok ? '' : gap.reason).toMatch(/missing/);
  });

  it('serialises concurrent appenders into one unbroken chain', async () => {
    const n = 20;
    await Promise.all(Array.from({ length: n }, (_, i) => append(entry({ patientRef: `req_${i}`, detail: { i } }))));
    const all = await rows();
    expect(all.map((r) => Number(r.seq))).toEqual(Array.from({ length: base + n }, (_, i) => i + 1));
    expect(new Set(all.slice(base).map((r) => r.patient_ref)).size).toBe(n);
    expect(await verifyChain()).toEqual({ ok: true, count: base + n });
  });

  it('verifies across page boundaries', async () => {
    // More than one verification page (1000 rows), appended in a few big transactions.
    const total = 1203;
    for (let done = 0; done < total;) {
      const batch = Math.min(400, total - done);
      await rt().database.transact(async (trx) => {
        for (let i = 0; i < batch; i++)
          await appendAudit(trx, rt().database.engine, entry({ detail: { i: done + i } }), rt().clock.now());
      });
      done += batch;
    }
    expect(await verifyChain(1000)).toEqual({ ok: true, count: base + total });
    await disableAppendOnly();
    await rt()
      .database.db.updateTable('audit_events')
      .set({ ip: '198.51.100.1' })
      .where('seq', '=', base + 1100)
      .execute();
    expect(await verifyChain(1000)).toMatchObject({ ok: false, seq: base + 1100, count: base + 1099 });
  }, 60_000);
});
