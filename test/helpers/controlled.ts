/** Controlled-substance fixtures: an infusion that ran and stopped (drug left to waste), and a session closed. */
import { randomUUID } from 'node:crypto';
import type { TestRuntime } from './runtime.ts';
import { infusingSession, orderedVisit, stopInfusion } from './sessions.ts';

const HOUR = 3_600_000;

/**
 * An infusion that ran from the visit's start for `hours` at the order's 24.5 mg/h and stopped: 100 mg drawn,
 * 24.5 × hours given (capped at the order's 98 mg), the rest to waste. The clock is left ten minutes after the stop
 * (sign in after calling it: the jump passes the idle time-out).
 */
export async function stoppedSession(rt: TestRuntime, first = 'Rosa', hours = 4) {
  const visit = await orderedVisit(rt, first);
  rt.clock.current = visit.startsAt;
  const id = await infusingSession(rt, visit, visit.startsAt);
  const stoppedAt = visit.startsAt + hours * HOUR;
  await stopInfusion(rt, visit, id, stoppedAt);
  rt.clock.current = stoppedAt + 10 * 60_000;
  return { visit, id };
}

/** Closes a session as the discharge would (the discharge itself is another part's). */
export async function dischargeFixture(rt: TestRuntime, id: string, by: string) {
  const db = rt.database.db;
  const s = await db.selectFrom('infusion_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const at = rt.clock.now();
  const step = (version: number, state: 'ready_for_discharge' | 'discharged', extra: Record<string, unknown> = {}) =>
    db
      .updateTable('infusion_sessions')
      .set({ state, version: version + 1, updated_at: at, updated_by: by, ...extra })
      .where('id', '=', id)
      .execute();
  await step(Number(s.version), 'ready_for_discharge');
  // The database lets a session out only after a passing discharge assessment (migration 030).
  await db
    .insertInto('session_assessments')
    .values({
      id: randomUUID(),
      session_id: id,
      aldrete_items: '{}',
      aldrete_score: 10,
      aldrete_at_least: 9,
      aldrete_version: 'test',
      escort_name: 'Sam Carter',
      escort_confirmed: 1,
      passed: 1,
      missing: '[]',
      assessed_by: by,
      assessed_at: at,
    })
    .execute();
  await step(Number(s.version) + 1, 'discharged', { discharged_at: at, discharged_by: by });
}
