/**
 * The periodic run for the time-based flag: a follow-up missed after a session with an alert becomes a fact when a
 * questionnaire's window closes or a visit is marked not attended, with no command of the patient's to raise it in.
 * It re-reads everything each run (safe after a restart), and the worklist runs it before each look.
 */
import type { Database } from '../../kernel/db/database.ts';
import { raiseFlags } from './flags-raise.ts';
import { patientsWithMisses } from './flags-repository.ts';

export const SWEEP_EVERY_MS = 15 * 60_000;

/** One pass: flags raised now. */
export async function sweepMissedFollowUps(database: Database, now: number): Promise<number> {
  let raised = 0;
  for (const p of await patientsWithMisses(database.db)) {
    const flags = await database.transact((trx) =>
      raiseFlags(trx, {
        database,
        actor: null,
        patientId: p.patient_id,
        locationId: p.location_id,
        now,
        kinds: ['missed_follow_up'],
      }),
    );
    raised += flags.length;
  }
  return raised;
}

export class SafetySweep {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(
    private readonly options: {
      database: Database;
      now: () => number;
      log: { error(details: object, message: string): void };
    },
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), SWEEP_EVERY_MS);
    this.#timer.unref();
  }

  runOnce(): Promise<number> {
    this.#running ??= sweepMissedFollowUps(this.options.database, this.options.now())
      .catch((err: unknown) => {
        this.options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'safety sweep failed');
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
