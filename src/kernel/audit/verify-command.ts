import type { Database } from '../db/database.ts';
import { verifyAuditChain } from './audit.ts';

/** Where progress goes: process.stderr, or anything shaped like it (tests, the benchmark). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const PROGRESS_EVERY_MS = 100;

/**
 * `relief audit verify`: recomputes the audit hash chain. Returns the process exit code (0 intact, 1 broken).
 * The verdict goes to `out`. On a terminal (`progress` is a TTY) a progress line (percent and events a second) is
 * rewritten in place on `progress` and ends as a one-line summary; elsewhere (cron, pipes) `progress` gets nothing.
 */
export async function auditVerifyCommand(
  database: Database,
  out: (line: string) => void,
  progress: ProgressStream = process.stderr,
): Promise<number> {
  const tty = progress.isTTY === true;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const rate = (n: number) => Math.round(n / Math.max(elapsed(), 0.001)).toLocaleString('en-US');
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
  const onProgress = (checked: number) => {
    if (performance.now() - shownAt < PROGRESS_EVERY_MS) return;
    shownAt = performance.now();
    const percent = total > 0 ? Math.min(100, Math.floor((checked / total) * 100)) : 100;
    progress.write(`\rVerifying the audit trail: ${percent}% (${rate(checked)} events/s)\x1b[K`);
  };
  const check = await verifyAuditChain(database, tty ? onProgress : undefined);
  if (tty) {
    const checked = check.ok ? check.count : check.count + 1;
    progress.write(
      `\rChecked ${checked.toLocaleString('en-US')} events in ${elapsed().toFixed(1)} s (${rate(checked)} events/s).\x1b[K\n`,
    );
  }
  if (check.ok) {
    out(`Audit trail intact: ${check.count} events.`);
    return 0;
  }
  out(`Audit trail BROKEN at event #${check.seq}: ${check.reason}`);
  return 1;
}
