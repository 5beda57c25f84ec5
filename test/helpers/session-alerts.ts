/**
 * Readings for the alert tests, written straight to session_vitals as a vitals command would (the check-in part
 * owns that command), and a session infusing since a given time with its pre-infusion reading.
 */
import { randomUUID } from 'node:crypto';
import type { TestRuntime } from './runtime.ts';
import { infusingSession, orderedVisit, type OrderedVisit } from './sessions.ts';

const MIN = 60_000;

export function vitalsFixture(
  rt: TestRuntime,
  sessionId: string,
  visit: OrderedVisit,
  over: Record<string, unknown> = {},
) {
  const now = rt.clock.now();
  return rt.database.db
    .insertInto('session_vitals')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      phase: 'infusion',
      taken_at: now,
      recorded_at: now,
      recorded_by: visit.nurseId,
      late_reason: null,
      entry_key: randomUUID(),
      systolic: 120,
      diastolic: 80,
      heart_rate: 70,
      spo2: 98,
      respiratory_rate: 14,
      temperature_c: null,
      sedation: 0,
      dissociation: 0,
      ...over,
    })
    .execute();
}

/** A visit on its day at 10:30 Chicago, infusing since `startedMinutesAgo`, with a 120/80 pre-infusion reading. */
export async function infusingWithBaseline(rt: TestRuntime, startedMinutesAgo = 10, first = 'Rosa') {
  const visit = await orderedVisit(rt, first);
  rt.clock.current = visit.startsAt + 30 * MIN;
  const session = await infusingSession(rt, visit, rt.clock.now() - startedMinutesAgo * MIN);
  await vitalsFixture(rt, session, visit, {
    phase: 'pre',
    taken_at: rt.clock.now() - (startedMinutesAgo + 5) * MIN,
  });
  return { visit, session };
}
