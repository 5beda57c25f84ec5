/** The infusion commands' test helpers: a session ready to start, and posting a command from the session page. */
import { expect } from 'vitest';
import { formFields } from './forms.ts';
import type { TestRuntime } from './runtime.ts';
import { checkedInSession, type OrderedVisit } from './sessions.ts';
import type { Browser } from './staff.ts';

export const sessionUrl = (visit: OrderedVisit, sessionId: string) =>
  `/staff/patients/${visit.patientId}/sessions/${sessionId}`;

/** A session checked in and moved to ready (the checks done), at version 2. */
export async function readySession(rt: TestRuntime, visit: OrderedVisit): Promise<string> {
  const id = await checkedInSession(rt, visit, rt.clock.now() - 15 * 60_000);
  await rt.database.db
    .updateTable('infusion_sessions')
    .set({ state: 'ready', version: 2, updated_at: rt.clock.now(), updated_by: visit.nurseId })
    .where('id', '=', id)
    .execute();
  return id;
}

/** Opens the session page and posts its `verb` form as a browser would, with `changes`. */
export async function post(
  b: Browser,
  visit: OrderedVisit,
  sessionId: string,
  verb: string,
  changes: Record<string, string>,
) {
  const page = await b.get(sessionUrl(visit, sessionId));
  expect(page.statusCode, page.body.slice(0, 400)).toBe(200);
  const action = `${sessionUrl(visit, sessionId)}/${verb}`;
  return b.post(action, { ...formFields(page.body, action), ...changes });
}

export const stateOf = async (rt: TestRuntime, id: string) =>
  (
    await rt.database.db
      .selectFrom('infusion_sessions')
      .select(['state', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).state;

export const count = async (
  rt: TestRuntime,
  table: 'session_bags' | 'session_events' | 'session_side_effects' | 'session_medications',
  sessionId: string,
) =>
  Number(
    (
      await rt.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('session_id', '=', sessionId)
        .executeTakeFirstOrThrow()
    ).n,
  );
