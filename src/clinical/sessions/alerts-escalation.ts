/**
 * The server's periodic alert run: every 30 s, overdue vitals are raised on every running or recovering session
 * (whether or not anyone has its page open), then alerts left unacknowledged past their protocol's N minutes go to
 * the supervising provider. Safe with two servers on one database (the once-only UPDATE decides who sends) and
 * after a restart (it re-reads everything each run). Page and board reads escalate too, so a late tick costs nothing.
 */
import type { Database } from '../../kernel/db/database.ts';
import { escalateWaitingAlerts, refreshSessionAlerts } from './alerts-service.ts';
import { sessionOf } from './repository.ts';

export interface EscalationLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const ESCALATION_EVERY_MS = 30_000;

export class AlertEscalations {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(
    private readonly options: { database: Database; now: () => number; log: EscalationLog; everyMs?: number },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.options.everyMs ?? ESCALATION_EVERY_MS);
    // A pending tick never keeps the process alive at shut-down.
    this.#timer.unref();
  }

  /** One run (a run already under way is joined, not doubled): how many alerts it escalated. */
  runOnce(): Promise<number> {
    this.#running ??= raiseDueAlerts(this.options.database, this.options.now())
      .then(() => escalateWaitingAlerts(this.options.database, this.options.now()))
      .then((n) => {
        if (n > 0) this.options.log.info({ escalated: n }, 'session alerts escalated');
        return n;
      })
      .catch((err: unknown) => {
        this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'alert escalation failed');
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

/** Raises what is due on every session with a running or stopped infusion (overdue vitals need no new reading). */
export async function raiseDueAlerts(database: Database, now: number): Promise<void> {
  const open = await database.db
    .selectFrom('infusion_sessions')
    .selectAll()
    .where('state', 'in', ['infusing', 'paused', 'recovering', 'ready_for_discharge'])
    .execute();
  for (const row of open)
    await database.transact((trx) => refreshSessionAlerts(trx, database, null, sessionOf(row), now));
}
