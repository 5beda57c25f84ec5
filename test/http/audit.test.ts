import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  appendAudit,
  AuditEntryError,
  canonicalAuditRow,
  GENESIS_HASH,
  verifyAuditChain,
  type AuditEntry,
  type AuditEventRow,
} from '../../src/kernel/audit/audit.ts';
import { auditKeyId, hmacKeyOf } from '../../src/kernel/audit/chain.ts';
import { checkpointLine, readCheckpoints } from '../../src/kernel/audit/checkpoints.ts';
import { auditKey } from '../../src/kernel/config.ts';
import { auditVerifyCommand } from '../../src/kernel/audit/verify-command.ts';
import { engine, removeTestDatabase, startTestRuntime, stopTestRuntime, useTestRuntime } from '../helpers/runtime.ts';
import { lastSeq } from '../helpers/audit.ts';

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
  return rt().database.transact((trx) => appendAudit(trx, rt().database, e, rt().clock.now()));
}

/** `count` events in a few transactions (a page of the verifier is 1,000 rows). */
async function appendMany(count: number, make: (i: number) => AuditEntry = (i) => entry({ detail: { i } })) {
  for (let done = 0; done < count;) {
    const batch = Math.min(400, count - done);
    await rt().database.transact(async (trx) => {
      for (let i = 0; i < batch; i++) await appendAudit(trx, rt().database, make(done + i), rt().clock.now());
    });
    done += batch;
  }
}

/** The chain as `relief audit verify` checks it: with the configured checkpoint file. */
async function verifyChain(pageSize?: number) {
  const file = await readCheckpoints(rt().config.audit.checkpointFile, rt().config.audit.key);
  return verifyAuditChain(rt().database, { checkpoints: [file], ...(pageSize ? { pageSize } : {}) });
}

/** `relief audit verify`'s exit code and lines, for the configured key and checkpoint file (and any copies). */
async function verifyCommand(copies: string[] = [], database = rt().database) {
  const lines: string[] = [];
  const code = await auditVerifyCommand(
    database,
    { checkpointFiles: [rt().config.audit.checkpointFile, ...copies], keyFrom: 'SECRET' },
    (l) => lines.push(l),
  );
  return { code, lines };
}

/** A signed checkpoint of the head, as the server's timer writes one. */
const checkpoint = () => rt().checkpoints.checkpoint();
const keyed = (row: Omit<AuditEventRow, 'hash'>, key = rt().config.audit.key) =>
  createHmac('sha256', hmacKeyOf(key)).update(canonicalAuditRow(row)).digest('hex');
const plainSha256 = (row: Omit<AuditEventRow, 'hash'>) =>
  createHash('sha256').update(canonicalAuditRow(row)).digest('hex');

async function rows() {
  return (await rt().database.db.selectFrom('audit_events').selectAll().orderBy('seq', 'asc').execute()).map((r) => ({
    ...r,
    seq: Number(r.seq),
    at: Number(r.at),
  }));
}

/**
 * What an attacker with write access does after an edit: rewrites every event from `from.seq` on (as given, in
 * order), chaining each to the one before with `hash` (the app's old plain SHA-256, a guessed key, or the real key).
 */
async function rewriteFrom(from: AuditEventRow[], hash: (row: Omit<AuditEventRow, 'hash'>) => string) {
  const db = rt().database.db;
  const start = from[0]!.seq;
  const before = await db
    .selectFrom('audit_events')
    .select('hash')
    .where('seq', '=', start - 1)
    .executeTakeFirst();
  await db.deleteFrom('audit_events').where('seq', '>=', start).execute();
  let prev = before?.hash ?? GENESIS_HASH;
  for (const [i, row] of from.entries()) {
    const { hash: _old, ...rest } = row;
    const unhashed = { ...rest, seq: start + i, prev_hash: prev };
    prev = hash(unhashed);
    await db
      .insertInto('audit_events')
      .values({ ...unhashed, hash: prev })
      .execute();
  }
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
  it('chains appended events with HMAC-SHA-256 under the audit key, from a boundary event, and verifies them', async () => {
    await append(entry({ action: 'sign_in', patientRef: null, detail: {} }));
    rt().clock.advance(1000);
    await append();
    rt().clock.advance(1000);
    await append(entry({ action: 'access_denied', outcome: 'denied', detail: { route: '/staff/audit' } }));

    expect(await verifyChain()).toMatchObject({ ok: true, count: base + 3, keyedFrom: 1 });

    const all = await rows();
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: base + 3 }, (_, i) => i + 1));
    // A new database starts with the boundary: the first keyed event names the key (by its id) and no legacy events.
    expect(all[0]).toMatchObject({ action: 'audit.chain_keyed', actor_role: 'system', prev_hash: GENESIS_HASH });
    expect(JSON.parse(all[0]!.detail)).toEqual({ key: auditKeyId(rt().config.audit.key), legacyEvents: 0 });
    const [a, b, c] = all.slice(base);
    expect(b!.prev_hash).toBe(a!.hash);
    expect(c!.prev_hash).toBe(b!.hash);
    expect(c!.outcome).toBe('denied');
    expect(c!.at).toBe(rt().clock.now());
    // Detail is stored as JSON with sorted keys.
    expect(b!.detail).toBe('{"count":3,"filter":"new","flagged":false,"none":null}');

    // The hash is HMAC-SHA-256, keyed with the hex of a key derived from SECRET, of prev_hash, a newline and the canonical JSON.
    const { hash, ...rest } = b!;
    const canonical = canonicalAuditRow(rest);
    expect(canonical).toBe(
      `${a!.hash}\n{"seq":${b!.seq},"at":${b!.at},"actor_id":"u_admin","actor_role":"admin","location_id":null,` +
        `"patient_ref":"req_123","action":"lead.view","outcome":"success","ip":"203.0.113.7",` +
        `"detail":"{\\"count\\":3,\\"filter\\":\\"new\\",\\"flagged\\":false,\\"none\\":null}"}`,
    );
    expect(rt().config.audit.key).toEqual(auditKey(rt().config.secret));
    expect(hash).toBe(createHmac('sha256', hmacKeyOf(rt().config.audit.key)).update(canonical).digest('hex'));
    expect(hash).not.toBe(plainSha256(rest));

    const { code, lines } = await verifyCommand();
    expect(code).toBe(0);
    expect(lines[0]).toBe(`Audit trail intact: ${base + 3} events.`);
    expect(lines[1]).toBe('Keyed with HMAC-SHA-256 (the key from SECRET) from event #1.');
    expect(lines.at(-1)).toMatch(/^No checkpoint covers any event yet: had the newest events been removed/);
  });

  it('writes nothing when the surrounding transaction fails', async () => {
    await expect(
      rt().database.transact(async (trx) => {
        await appendAudit(trx, rt().database, entry(), rt().clock.now());
        throw new Error('the caller failed after auditing');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await countEvents()).toBe(base);
    expect(await verifyChain()).toMatchObject({ ok: true, count: base });
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
          await appendAudit(trx, rt().database, e, rt().clock.now());
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
    expect(await verifyChain()).toMatchObject({ ok: true, count: base + 2 });
  });

  it('detects an event changed behind the application’s back', async () => {
    for (let i = 0; i < 3; i++) await append();
    await disableAppendOnly();
    const target = base + 2;
    await rt().database.db.updateTable('audit_events').set({ action: 'lead.list' }).where('seq', '=', target).execute();

    expect(await verifyChain()).toMatchObject({ ok: false, seq: target, kind: 'edit', count: target - 1 });
    const { code, lines } = await verifyCommand();
    expect(code).toBe(1);
    expect(lines).toEqual([
      `Audit trail BROKEN at event #${target} (edit): its contents do not match its HMAC: altered, or re-hashed with another key.`,
    ]);
  });

  it('detects a single event re-hashed without the key, and a removed event', async () => {
    for (let i = 0; i < 4; i++) await append();
    await disableAppendOnly();
    // The forged event's own hash recomputed the way the app used to (plain SHA-256) no longer passes.
    const forged = base + 2;
    const row = (await rows()).find((r) => r.seq === forged)!;
    const { hash: _old, ...rest } = row;
    await rt()
      .database.db.updateTable('audit_events')
      .set({ outcome: 'denied', hash: plainSha256({ ...rest, outcome: 'denied' }) })
      .where('seq', '=', forged)
      .execute();
    expect(await verifyChain()).toMatchObject({ ok: false, seq: forged, kind: 'rehashing' });

    // Removing an event leaves a gap in seq: reported at the first missing event.
    await rt()
      .database.db.updateTable('audit_events')
      .set({ outcome: row.outcome, hash: row.hash })
      .where('seq', '=', forged)
      .execute();
    expect(await verifyChain()).toMatchObject({ ok: true, count: base + 4 });
    await rt()
      .database.db.deleteFrom('audit_events')
      .where('seq', '=', base + 3)
      .execute();
    const gap = await verifyChain();
    expect(gap).toMatchObject({ ok: false, seq: base + 3, kind: 'deletion', count: base + 2 });
    expect(gap.ok ? '' : gap.reason).toMatch(/missing/);
  });

  it('serialises concurrent appenders into one unbroken chain', async () => {
    const n = 20;
    await Promise.all(Array.from({ length: n }, (_, i) => append(entry({ patientRef: `req_${i}`, detail: { i } }))));
    const all = await rows();
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: base + n }, (_, i) => i + 1));
    expect(new Set(all.slice(base).map((r) => r.patient_ref)).size).toBe(n);
    expect(await verifyChain()).toMatchObject({ ok: true, count: base + n });
  });

  it('verifies across page boundaries', async () => {
    // More than one verification page (1000 rows), appended in a few big transactions.
    const total = 1203;
    await appendMany(total);
    expect(await verifyChain(1000)).toMatchObject({ ok: true, count: base + total });
    await disableAppendOnly();
    await rt()
      .database.db.updateTable('audit_events')
      .set({ ip: '198.51.100.1' })
      .where('seq', '=', base + 1100)
      .execute();
    expect(await verifyChain(1000)).toMatchObject({ ok: false, seq: base + 1100, count: base + 1099 });
  }, 60_000);
});

describe(`audit trail tampering, with checkpoints (${engine})`, () => {
  it('a clean chain verifies against its checkpoints, and says which events no checkpoint covers yet', async () => {
    await appendMany(30);
    await checkpoint();
    await appendMany(5);
    const total = base + 35;
    expect(await verifyChain()).toMatchObject({ ok: true, count: total, checkpoints: 1 });
    const { code, lines } = await verifyCommand();
    expect(code).toBe(0);
    expect(lines).toEqual([
      `Audit trail intact: ${total} events.`,
      'Keyed with HMAC-SHA-256 (the key from SECRET) from event #1.',
      `Checkpoints: 1 signed and matching; the newest covers event #${total - 5} (${new Date(rt().clock.now()).toISOString()}). ` +
        'The 5 event(s) after it are not covered yet: had they been removed, this check could not tell.',
    ]);
  });

  it('finds the last event deleted once a checkpoint covered it; after the newest checkpoint is a blind spot', async () => {
    await appendMany(10);
    const last = base + 10;
    await checkpoint();
    await append();
    await disableAppendOnly();
    // The event after the newest checkpoint: its removal cannot be seen (the README states this window).
    await rt()
      .database.db.deleteFrom('audit_events')
      .where('seq', '=', last + 1)
      .execute();
    expect(await verifyChain()).toMatchObject({ ok: true, count: last });
    // The last event a checkpoint covered: truncation, from the first event gone.
    await rt().database.db.deleteFrom('audit_events').where('seq', '=', last).execute();
    const { code, lines } = await verifyCommand();
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^Audit trail BROKEN at event #${last} \\(truncation\\): the checkpoint of \\S+ \\(${rt().config.audit.checkpointFile}, line 1\\) covers event #${last}, but the trail ends at #${last - 1}: the newest events were removed\\.$`,
      ),
    );
  });

  it('finds the last 907 events deleted', async () => {
    await appendMany(1000);
    const last = base + 1000;
    await checkpoint();
    await disableAppendOnly();
    await rt()
      .database.db.deleteFrom('audit_events')
      .where('seq', '>', last - 907)
      .execute();
    const check = await verifyChain();
    expect(check).toMatchObject({ ok: false, seq: last - 906, kind: 'truncation', count: last - 907 });
    const { code, lines } = await verifyCommand();
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`covers event #${last}, but the trail ends at #${last - 907}`);
  }, 60_000);

  describe('an admin’s patient.view re-attributed to a nurse, the later events re-hashed', () => {
    /** Events, a checkpoint, the admin's view and more events, a second checkpoint; returns the view's seq. */
    async function scene(): Promise<number> {
      await appendMany(20);
      await checkpoint();
      await append(entry({ action: 'patient.view', patientRef: 'pat_7', actorId: 'u_admin', actorRole: 'admin' }));
      const view = base + 21;
      await appendMany(20);
      rt().clock.advance(60_000);
      await checkpoint();
      await appendMany(5);
      await disableAppendOnly();
      return view;
    }
    const reattributed = async (view: number) =>
      (await rows())
        .filter((r) => r.seq >= view)
        .map((r) => (r.seq === view ? { ...r, actor_id: 'u_nurse', actor_role: 'nurse' } : r));

    it('with the app’s old hash function (plain SHA-256): found at the edited event', async () => {
      const view = await scene();
      await rewriteFrom(await reattributed(view), plainSha256);
      const check = await verifyChain();
      expect(check).toMatchObject({ ok: false, seq: view, kind: 'rehashing', count: view - 1 });
      const { code, lines } = await verifyCommand();
      expect(code).toBe(1);
      expect(lines[0]).toBe(
        `Audit trail BROKEN at event #${view} (re-hashing): it was re-hashed without the key (plain SHA-256): changed, or renumbered after a deletion, by someone with the database but not the key.`,
      );
      // The second checkpoint also recorded another hash for a later event.
      expect(lines.slice(1).join('\n')).toMatch(/recorded another hash for event #\d+/);
    });

    it('with a guessed key: found at the edited event', async () => {
      const view = await scene();
      const guessed = auditKey('a guess at the secret, a guess at the secret');
      await rewriteFrom(await reattributed(view), (row) => keyed(row, guessed));
      expect(await verifyChain()).toMatchObject({ ok: false, seq: view, kind: 'edit' });
    });

    it('with the real key (someone holding the database and the key): found by the checkpoint after it', async () => {
      const view = await scene();
      await rewriteFrom(await reattributed(view), (row) => keyed(row));
      const check = await verifyChain();
      // The chain itself is consistent again; the checkpoint taken after the view remembers the old head.
      expect(check).toMatchObject({ ok: false, seq: base + 21, kind: 'rehashing' });
      expect(check.ok ? '' : check.reason).toMatch(
        new RegExp(`events after #${base + 20} up to #${base + 41} were rewritten by someone holding the key`),
      );
    });
  });

  it('finds an event deleted and the later ones renumbered, with or without re-hashing', async () => {
    await appendMany(30);
    await checkpoint();
    await disableAppendOnly();
    const gone = base + 12;
    const later = (await rows()).filter((r) => r.seq > gone);
    // Renumbered only: each later event keeps its links and its HMAC, which covers its old number.
    await rt().database.db.deleteFrom('audit_events').where('seq', '>=', gone).execute();
    for (const r of later)
      await rt()
        .database.db.insertInto('audit_events')
        .values({ ...r, seq: r.seq - 1 })
        .execute();
    let check = await verifyChain();
    expect(check).toMatchObject({ ok: false, seq: gone, kind: 'renumbering' });
    expect(check.ok ? '' : check.reason).toBe(
      `event #${gone} was event #${gone + 1}: an event before it deleted and the later ones renumbered`,
    );
    // Renumbered and re-hashed with plain SHA-256: found at the same event, and the checkpoint shows the cut end.
    await rewriteFrom(
      later.map((r, i) => ({ ...r, seq: gone + i })),
      plainSha256,
    );
    check = await verifyChain();
    expect(check).toMatchObject({ ok: false, seq: gone, kind: 'rehashing' });
    expect(check.ok ? [] : check.problems.map((p) => p.kind)).toEqual(['rehashing', 'truncation']);
  });

  it('finds a forged or edited checkpoint line, and one signed with another key', async () => {
    await appendMany(10);
    await checkpoint();
    const file = rt().config.audit.checkpointFile;
    const [line] = readFileSync(file, 'utf8').trim().split('\n').slice(-1);
    // Pretending the trail was longer, to make the clinic look tampered with, or shorter, to hide a truncation.
    appendFileSync(file, line!.replace(/ seq=\d+ /, ' seq=999999 ') + '\n');
    let { code, lines } = await verifyCommand();
    expect(code).toBe(1);
    const lineNo = readFileSync(file, 'utf8').trim().split('\n').length;
    expect(lines).toEqual([
      `Audit trail BROKEN (bad checkpoint): line ${lineNo} of ${file} has a signature that does not hold (forged or edited).`,
    ]);

    const other = checkpointLine(auditKey('someone else’s key, someone else’s key'), {
      seq: 3,
      head: GENESIS_HASH,
      keyedFrom: 1,
      at: rt().clock.now(),
    });
    const copy = `${rt().config.dataDir}/copied-checkpoints.log`;
    writeFileSync(copy, other);
    ({ code, lines } = await verifyCommand([copy]));
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe(
      `Also (bad checkpoint): 1 line(s) of ${copy} name another key: not written by this clinic with this key.`,
    );
  });

  it('says the key does not match this chain (not “edited at event 1”) with the wrong key', async () => {
    await appendMany(5);
    await checkpoint();
    const wrong = { ...rt().database, auditKey: auditKey('another clinic’s secret, another clinic’s') };
    const { code, lines } = await verifyCommand([], wrong);
    expect(code).toBe(2);
    expect(lines[0]).toMatch(
      /^Audit trail NOT VERIFIED: the key does not match this chain: it was keyed \(at event #1\)/,
    );
    expect(lines[1]).toBe(
      "Set SECRET to the one this clinic's trail was written with (or AUDIT_KEY, if it was set then).",
    );
  });
});

describe(`audit checkpoints while the server runs (${engine})`, () => {
  it('writes one every N events and every M minutes, off the request path, and one at a clean shutdown', async () => {
    const server = await startTestRuntime({ env: { AUDIT_CHECKPOINT_EVERY: '10', AUDIT_CHECKPOINT_MINUTES: '5' } });
    const file = server.config.audit.checkpointFile;
    const lines = () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
        : [];
    const seqs = () => lines().map((l) => Number(/ seq=(\d+) /.exec(l)![1]));
    const add = (n: number) =>
      server.database.transact(async (trx) => {
        for (let i = 0; i < n; i++)
          await appendAudit(trx, server.database, entry({ detail: { i } }), server.clock.now());
      });
    // What the timer does each second.
    const tick = () => server.checkpoints.checkpoint(false);
    let closed = false;
    try {
      const first = await lastSeq(server);
      await server.checkpoints.checkpoint();
      await add(9);
      await tick();
      expect(seqs()).toEqual([first]); // 9 events and no time passed: not due yet
      await add(1);
      await tick();
      expect(seqs()).toEqual([first, first + 10]);
      await add(3);
      server.clock.advance(4 * 60_000);
      await tick();
      expect(seqs()).toEqual([first, first + 10]);
      server.clock.advance(60_000);
      await tick();
      expect(seqs()).toEqual([first, first + 10, first + 13]);
      await tick(); // nothing new: no line
      expect(seqs()).toHaveLength(3);
      expect(lines()[2]).toMatch(
        new RegExp(
          `^v1 seq=${first + 13} head=[0-9a-f]{64} keyed=1 key=${auditKeyId(server.config.audit.key)} at=\\S+Z sig=[0-9a-f]{64}$`,
        ),
      );

      await add(2);
      closed = true;
      await server.close();
      expect(seqs()).toEqual([first, first + 10, first + 13, first + 15]);
    } finally {
      if (!closed) await server.close();
      await removeTestDatabase(server);
      rmSync(server.config.dataDir, { recursive: true, force: true });
    }
  });
});

describe(`the audit key at start-up (${engine})`, () => {
  it('refuses to start on a trail keyed with another key, naming what to set, and writes nothing', async () => {
    const first = await startTestRuntime({ seed: 'clinic' });
    const reuse = {
      dataDir: first.config.dataDir,
      schema: first.config.databaseSchema,
      databaseUrl: first.config.databaseUrl,
    };
    const before = await first.database.db.selectFrom('audit_events').select('seq').execute();
    await stopTestRuntime(first, true);
    await expect(
      startTestRuntime({ reuse, seed: 'none', env: { SECRET: 'another-secret-another-secret-another-0' } }),
    ).rejects.toThrow(/audit trail was keyed with another key; set SECRET \(or AUDIT_KEY\)/);
    await expect(
      startTestRuntime({ reuse, seed: 'none', env: { AUDIT_KEY: 'a-separate-audit-key-a-separate-audit-key' } }),
    ).rejects.toThrow(/set AUDIT_KEY to the one it was written with/);
    // The right key still opens it, and nothing was appended by the refused starts.
    const again = await startTestRuntime({ reuse, seed: 'none' });
    try {
      const after = await again.database.db.selectFrom('audit_events').select('seq').execute();
      expect(after).toHaveLength(before.length);
      expect(await verifyAuditChain(again.database)).toMatchObject({ ok: true });
    } finally {
      await stopTestRuntime(again);
    }
  });
});
