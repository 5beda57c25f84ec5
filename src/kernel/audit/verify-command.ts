import type { Database } from '../db/database.ts';
import { readCheckpoints } from './checkpoints.ts';
import { verifyAuditChain, type ChainProblem, type ProblemKind } from './verify.ts';

/** Where progress goes: process.stderr, or anything shaped like it (tests, the benchmark). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface VerifyCommandOptions {
  /** The configured checkpoint file first, then any copies named with --checkpoints. */
  checkpointFiles: string[];
  /** The setting the key came from, to say what to set when it does not match. */
  keyFrom: 'AUDIT_KEY' | 'SECRET';
}

const PROGRESS_EVERY_MS = 100;
const LABEL: Record<ProblemKind, string> = {
  key: 'wrong key',
  truncation: 'truncation',
  deletion: 'deletion',
  renumbering: 'renumbering',
  rehashing: 're-hashing',
  edit: 'edit',
  checkpoint: 'bad checkpoint',
};
const n = (value: number) => value.toLocaleString('en-US');
const at = (problem: ChainProblem) =>
  problem.seq === undefined ? `(${LABEL[problem.kind]})` : `at event #${problem.seq} (${LABEL[problem.kind]})`;

/**
 * `relief audit verify`: checks the chain, the key and every checkpoint. Returns the process exit code: 0 intact,
 * 1 broken (each kind of problem on a line, with the first event it affects), 2 when the key does not match.
 * The verdict goes to `out`. On a terminal (`progress` is a TTY) a progress line (percent and events a second) is
 * rewritten in place on `progress` and ends as a one-line summary; elsewhere (cron, pipes) `progress` gets nothing.
 */
export async function auditVerifyCommand(
  database: Database,
  options: VerifyCommandOptions,
  out: (line: string) => void,
  progress: ProgressStream = process.stderr,
): Promise<number> {
  const key = database.auditKey!;
  const tty = progress.isTTY === true;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const rate = (count: number) => n(Math.round(count / Math.max(elapsed(), 0.001)));
  // The newest seq is the total for an intact chain (one indexed read); events appended meanwhile cap at 100 %.
  const total = tty
    ? Number(
        (
          await database.db
            .selectFrom('audit_events')
            .select((eb) => eb.fn.max('seq').as('top'))
            .executeTakeFirst()
        )?.top ?? 0,
      )
    : 0;
  let shownAt = -Infinity;
  let read = 0;
  const onProgress = (seen: number) => {
    read = seen;
    if (performance.now() - shownAt < PROGRESS_EVERY_MS) return;
    shownAt = performance.now();
    const percent = total > 0 ? Math.min(100, Math.floor((seen / total) * 100)) : 100;
    progress.write(`\rVerifying the audit trail: ${percent}% (${rate(seen)} events/s)\x1b[K`);
  };
  const files = await Promise.all(options.checkpointFiles.map((file) => readCheckpoints(file, key)));
  const check = await verifyAuditChain(database, { checkpoints: files, onProgress: tty ? onProgress : undefined });
  if (tty) progress.write(`\rChecked ${n(read)} events in ${elapsed().toFixed(1)} s (${rate(read)} events/s).\x1b[K\n`);

  if (!check.ok) {
    const [first, ...rest] = check.problems;
    if (first!.kind === 'key' && rest.length === 0) {
      out(`Audit trail NOT VERIFIED: ${first!.reason}.`);
      out(
        `Set ${options.keyFrom} to the one this clinic's trail was written with${options.keyFrom === 'SECRET' ? ' (or AUDIT_KEY, if it was set then)' : ''}.`,
      );
      return 2;
    }
    out(`Audit trail BROKEN ${at(first!)}: ${first!.reason}.`);
    for (const problem of rest) out(`Also ${at(problem)}: ${problem.reason}.`);
    return 1;
  }

  out(`Audit trail intact: ${check.count} events.`);
  if (check.keyedFrom !== undefined) {
    const legacy = check.keyedFrom - 1;
    out(
      `Keyed with HMAC-SHA-256 (the key from ${options.keyFrom}) from event #${check.keyedFrom}` +
        (legacy > 0
          ? `; the ${n(legacy)} event(s) before it are from an older release (plain SHA-256, held by the keyed event after them).`
          : '.'),
    );
  } else if (check.count > 0) {
    out(
      `NOT keyed: all ${n(check.count)} events are plain SHA-256 from an older release; start Relief once to key the chain.`,
    );
  }
  const newest = check.newestCheckpoint;
  const missing = files.filter((f) => !f.exists).map((f) => f.file);
  if (missing.length) out(`No checkpoint file at ${missing.join(', ')}.`);
  if (newest) {
    const uncovered = Math.max(0, check.count - newest.seq);
    out(
      `Checkpoints: ${n(check.checkpoints)} signed and matching; the newest covers event #${newest.seq} (${newest.at}).` +
        (uncovered > 0
          ? ` The ${n(uncovered)} event(s) after it are not covered yet: had they been removed, this check could not tell.`
          : ''),
    );
  } else if (check.count > 0) {
    out('No checkpoint covers any event yet: had the newest events been removed, this check could not tell.');
  }
  return 0;
}
