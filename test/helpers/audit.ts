import { expect } from 'vitest';
import { sql } from 'kysely';
import { formBody } from './journey.ts';
import type { TestRuntime } from './runtime.ts';

/** A person whose every identifying value is distinctive, so a test can prove none of it reached the trail. */
export const MARKED = {
  first_name: 'Zelphine',
  last_name: 'Quarrington',
  email: 'zelphine.q@example.com',
  phone: '(312) 555-0199',
  message: 'Marker-message-Xylophone',
};
const PHI = [MARKED.first_name, MARKED.last_name, MARKED.email, '555-0199', '5550199', 'Xylophone'];

export const lastSeq = async (rt: TestRuntime) =>
  Number(
    (await rt.database.db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst())
      ?.seq ?? 0,
  );

/** The events written since `seq`, in order, with the fields a test compares. */
export async function eventsAfter(rt: TestRuntime, seq: number) {
  const rows = await rt.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    const text = JSON.stringify(row);
    for (const value of PHI) expect(text, `event #${row.seq} (${row.action}) holds PHI`).not.toContain(value);
  }
  return rows.map((r) => ({
    action: r.action,
    outcome: r.outcome,
    actor_id: r.actor_id,
    actor_role: r.actor_role,
    location_id: r.location_id,
    patient_ref: r.patient_ref,
    ip: r.ip,
    at: Number(r.at),
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}

/** Runs `act` and returns the one event it wrote (failing the test if it wrote none or several). */
export async function oneEvent(rt: TestRuntime, act: () => Promise<unknown>) {
  const seq = await lastSeq(rt);
  await act();
  const events = await eventsAfter(rt, seq);
  expect(events.map((e) => `${e.action}:${e.outcome}`)).toHaveLength(1);
  return events[0]!;
}

/** What every patient event shares: no user, the patient role, the caller's address and the clock's time. */
export const byPatient = (rt: TestRuntime, ip: string) => ({
  actor_id: null,
  actor_role: 'patient',
  ip,
  at: rt.clock.now(),
});

export function send(
  rt: TestRuntime,
  method: 'GET' | 'POST',
  url: string,
  ip: string,
  fields?: Record<string, string>,
) {
  return rt.app.inject({
    method,
    url,
    remoteAddress: ip,
    ...(fields ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(fields) } : {}),
  });
}

/** Makes the database refuse every new audit event, as a full disk or a broken audit store would. */
export async function breakAuditInserts(rt: TestRuntime): Promise<() => Promise<void>> {
  const run = (text: string) => sql.raw(text).execute(rt.database.db);
  if (rt.database.engine === 'postgres') {
    await run(
      `create function audit_down() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`,
    );
    await run('create trigger audit_down before insert on audit_events for each row execute function audit_down()');
    return async () => {
      await run('drop trigger audit_down on audit_events');
    };
  }
  await run(
    `create trigger audit_down before insert on audit_events begin select raise(abort, 'audit store unavailable'); end`,
  );
  return async () => {
    await run('drop trigger audit_down');
  };
}
