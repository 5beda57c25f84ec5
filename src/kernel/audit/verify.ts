import type { Database } from '../db/database.ts';
import { auditKeyId, canonicalBody, CHAIN_KEYED, GENESIS_HASH, keyedHash, keyIdOf, legacyHash } from './chain.ts';
import type { Checkpoint, CheckpointFileRead } from './checkpoints.ts';

/**
 * Verifies the audit trail: the chain (each event's HMAC under the key, its link to the one before, seq without gaps)
 * and every signed checkpoint (the head it recorded is still there, the chain still reaches it). Reports each kind of
 * problem found with the first event it affects. What it cannot see: events after the newest checkpoint that were
 * removed, and anything rewritten by someone holding both the database and the key (README, "Audit trail").
 */

export type ProblemKind = 'key' | 'truncation' | 'deletion' | 'renumbering' | 'rehashing' | 'edit' | 'checkpoint';

export interface ChainProblem {
  kind: ProblemKind;
  /** The first event affected; undefined for a checkpoint line that is itself bad. */
  seq: number | undefined;
  reason: string;
}

interface ChainFacts {
  /** Events found sound, in order, before the first break (all of them when the chain is intact). */
  count: number;
  /** The seq of the `audit.chain_keyed` event; undefined when no event is keyed (a legacy chain, or an empty one). */
  keyedFrom: number | undefined;
  /** Signed checkpoints checked, and the newest of them. */
  checkpoints: number;
  newestCheckpoint: Checkpoint | undefined;
}

export type ChainCheck =
  | ({ ok: true } & ChainFacts)
  | ({ ok: false; seq: number | undefined; kind: ProblemKind; reason: string; problems: ChainProblem[] } & ChainFacts);

export interface VerifyOptions {
  /** Default: the key the database was opened with. */
  key?: Buffer | undefined;
  /** Checkpoint files as read (readCheckpoints); their bad lines are reported too. */
  checkpoints?: CheckpointFileRead[];
  /** Hears the number of events read so far, after each page. */
  onProgress?: (read: number) => void;
  pageSize?: number;
}

/**
 * Rows per verification page: few enough that a page read as arrays, and the next one read ahead, stay in the young
 * generation of a small heap (`--max-semi-space-size=4`); 2,000 and 5,000 measured slower on both engines.
 */
const VERIFY_PAGE = 1_000;
/** How far back a renumbered event's original seq is looked for (only once a chain is already broken). */
const RENUMBER_REACH = 64;

/** The columns read, in this order (rows are read as arrays: most of the cost saved at a million events). */
const CHAIN_COLUMNS = [
  'seq',
  'at',
  'actor_id',
  'actor_role',
  'location_id',
  'patient_ref',
  'action',
  'outcome',
  'ip',
  'detail',
  'prev_hash',
  'hash',
] as const;
type ChainRow = unknown[];

const bodyOf = (seq: number, row: ChainRow) =>
  canonicalBody(seq, {
    at: Number(row[1]),
    actor_id: row[2] as string | null,
    actor_role: row[3] as string | null,
    location_id: row[4] as string | null,
    patient_ref: row[5] as string | null,
    action: row[6] as string,
    outcome: row[7] as string,
    ip: row[8] as string | null,
    detail: row[9] as string,
  });

/**
 * Streams the events in seq order, in keyset pages of `pageSize` rows (the next page is read while this one is
 * checked), checking the chain up to its first break and the checkpoints all the way.
 */
export async function verifyAuditChain(database: Database, options: VerifyOptions = {}): Promise<ChainCheck> {
  const key = options.key ?? database.auditKey;
  if (!key) throw new Error('verifying the audit trail needs its key (AUDIT_KEY or SECRET)');
  const pageSize = options.pageSize ?? VERIFY_PAGE;
  const reads = options.checkpoints ?? [];
  const points = reads.flatMap((r) => r.checkpoints).sort((a, b) => a.seq - b.seq);
  const keyId = auditKeyId(key);
  // Keyset paging: the first page starts at the lowest seq whatever it is, so a stray seq 0 is caught too.
  const read = async (after: number | undefined): Promise<ChainRow[]> => {
    let query = database.db.selectFrom('audit_events').select(CHAIN_COLUMNS).orderBy('seq', 'asc').limit(pageSize);
    if (after !== undefined) query = query.where('seq', '>', after);
    return database.readArrays(query.compile());
  };

  const problems: ChainProblem[] = [];
  let brokenAt: number | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let seen = 0;
  let last = 0;
  let keyedFrom: number | undefined;
  let next = 0;
  let lastMatched: Checkpoint | undefined;
  let headMismatch: { point: Checkpoint; after: number } | undefined;
  const stop = (problem: ChainProblem) => {
    problems.push(problem);
    brokenAt = problem.seq ?? expectedSeq;
  };

  let page = read(undefined);
  for (;;) {
    const rows = await page;
    // A full page: ask for the one after its last row now, so the database reads it while this one is hashed.
    if (rows.length === pageSize) {
      page = read(Number(rows[rows.length - 1]![0]));
    }
    for (const row of rows) {
      const seq = Number(row[0]);
      const hash = row[11] as string;
      seen += 1;
      last = seq;
      // Checkpoints are compared all the way, also past a break: they show what a broken chain cannot.
      while (next < points.length && points[next]!.seq <= seq) {
        const point = points[next++]!;
        if (point.seq !== seq) continue; // that event is missing: the seq gap is reported
        if (point.head === hash) lastMatched = point;
        else headMismatch ??= { point, after: lastMatched?.seq ?? 0 };
      }
      if (brokenAt !== undefined) continue;
      if (seq !== expectedSeq) {
        stop(
          seq > expectedSeq
            ? {
                kind: 'deletion',
                seq: expectedSeq,
                reason: `event${seq - expectedSeq > 1 ? `s #${expectedSeq} to #${seq - 1} are` : ` #${expectedSeq} is`} missing (the next one found is #${seq}): deleted`,
              }
            : { kind: 'renumbering', seq, reason: `event #${seq} comes again after #${expectedSeq - 1}: renumbered` },
        );
        continue;
      }
      const stored = row[10] as string;
      const body = bodyOf(seq, row);
      if (keyedFrom !== undefined) {
        if (stored !== prevHash || keyedHash(key, `${stored}\n${body}`) !== hash) {
          stop(diagnose(key, seq, row, prevHash));
          continue;
        }
      } else if (row[6] === CHAIN_KEYED) {
        const named = keyIdOf(row[9]);
        if (named !== keyId) {
          stop({
            kind: 'key',
            seq,
            reason: `the key does not match this chain: it was keyed (at event #${seq}) with key ${named ?? '(none named)'}, and this key is ${keyId}`,
          });
          continue;
        }
        if (stored !== prevHash || keyedHash(key, `${stored}\n${body}`) !== hash) {
          stop(diagnose(key, seq, row, prevHash));
          continue;
        }
        keyedFrom = seq;
      } else if (stored !== prevHash || legacyHash(`${stored}\n${body}`) !== hash) {
        const keyed = keyedHash(key, `${stored}\n${body}`) === hash;
        stop(
          keyed
            ? {
                kind: 'deletion',
                seq,
                reason: `it is keyed but no ${CHAIN_KEYED} event comes before it: the chain's boundary was removed`,
              }
            : stored !== prevHash
              ? {
                  kind: 'edit',
                  seq,
                  reason: `its prev_hash does not match the hash of event #${seq - 1} (a legacy event was altered)`,
                }
              : { kind: 'edit', seq, reason: 'its contents do not match its hash (a legacy event was altered)' },
        );
        continue;
      }
      prevHash = hash;
      expectedSeq += 1;
      count += 1;
    }
    options.onProgress?.(seen);
    if (rows.length < pageSize) break;
  }

  checkpointProblems(problems, { points, reads, last, keyedFrom, brokenAt, headMismatch, chainIntact: !brokenAt });
  const facts: ChainFacts = {
    count,
    keyedFrom,
    checkpoints: points.length,
    newestCheckpoint: points.filter((p) => p.seq <= last).at(-1) ?? points.at(-1),
  };
  if (problems.length === 0) return { ok: true, ...facts };
  problems.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || 0);
  const first = problems[0]!;
  return { ok: false, seq: first.seq, kind: first.kind, reason: first.reason, problems, ...facts };
}

/** Why a keyed event does not verify, as precisely as the row tells: only ever run once, on the first failure. */
function diagnose(key: Buffer, seq: number, row: ChainRow, prevHash: string): ChainProblem {
  const stored = row[10] as string;
  const hash = row[11] as string;
  if (keyedHash(key, `${stored}\n${bodyOf(seq, row)}`) === hash) {
    return {
      kind: 'rehashing',
      seq: seq - 1,
      reason: `event #${seq - 1} (or events up to it) was rewritten: event #${seq}, whose HMAC holds, no longer links to it`,
    };
  }
  for (let back = 1; back <= RENUMBER_REACH; back++) {
    if (keyedHash(key, `${stored}\n${bodyOf(seq + back, row)}`) === hash)
      return {
        kind: 'renumbering',
        seq,
        reason: `event #${seq} was event #${seq + back}: ${back === 1 ? 'an event' : `${back} events`} before it deleted and the later ones renumbered`,
      };
  }
  if (legacyHash(`${stored}\n${bodyOf(seq, row)}`) === hash)
    return {
      kind: 'rehashing',
      seq,
      reason:
        'it was re-hashed without the key (plain SHA-256): changed, or renumbered after a deletion, by someone with the database but not the key',
    };
  if (stored !== prevHash)
    return { kind: 'edit', seq, reason: `its prev_hash does not match the hash of event #${seq - 1}` };
  return { kind: 'edit', seq, reason: 'its contents do not match its HMAC: altered, or re-hashed with another key' };
}

interface CheckpointFacts {
  points: Checkpoint[];
  reads: CheckpointFileRead[];
  last: number;
  keyedFrom: number | undefined;
  brokenAt: number | undefined;
  headMismatch: { point: Checkpoint; after: number } | undefined;
  chainIntact: boolean;
}

const where = (p: Checkpoint) => `the checkpoint of ${p.at} (${p.file}, line ${p.line})`;

function checkpointProblems(problems: ChainProblem[], facts: CheckpointFacts): void {
  const { points, last, keyedFrom, brokenAt, headMismatch } = facts;
  const beyond = points.filter((p) => p.seq > last).at(-1);
  if (beyond)
    problems.push({
      kind: 'truncation',
      seq: last + 1,
      reason: `${where(beyond)} covers event #${beyond.seq}, but the trail ends at #${last}: the newest events were removed`,
    });
  if (headMismatch)
    problems.push({
      kind: 'rehashing',
      seq: headMismatch.after + 1,
      reason: `${where(headMismatch.point)} recorded another hash for event #${headMismatch.point.seq}: events after #${headMismatch.after} up to #${headMismatch.point.seq} were rewritten${facts.chainIntact ? ' by someone holding the key' : ''}`,
    });
  // A checkpoint remembers where the chain became keyed: a chain re-hashed as legacy events cannot hide that.
  const relabelled = points.find(
    (p) => p.keyedFrom !== keyedFrom && p.keyedFrom <= last && (brokenAt === undefined || brokenAt > p.keyedFrom),
  );
  if (relabelled)
    problems.push({
      kind: 'rehashing',
      seq: Math.min(relabelled.keyedFrom, keyedFrom ?? Infinity),
      reason: `${where(relabelled)} says the chain is keyed from event #${relabelled.keyedFrom}, but ${keyedFrom === undefined ? 'no event here is keyed' : `here it is keyed from #${keyedFrom}`}: events were re-hashed as unkeyed ones`,
    });
  const keyProblem = problems.some((p) => p.kind === 'key');
  for (const read of facts.reads) {
    const [bad] = read.bad;
    if (bad)
      problems.push({
        kind: 'checkpoint',
        seq: undefined,
        reason: `line ${bad.line} of ${read.file} ${bad.reason}${read.bad.length > 1 ? ` (and ${read.bad.length - 1} more lines)` : ''}`,
      });
    if (read.otherKey > 0 && !keyProblem)
      problems.push({
        kind: 'checkpoint',
        seq: undefined,
        reason: `${read.otherKey} line(s) of ${read.file} name another key: not written by this clinic with this key`,
      });
  }
}
