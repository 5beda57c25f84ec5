/**
 * Recovery fixtures written straight to the database: a session whose infusion ran and stopped, with a pre-infusion
 * reading and a recovery reading, so the discharge part can be tested without walking the infusion through HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { TestRuntime } from './runtime.ts';
import { infusingSession, stopInfusion, type OrderedVisit } from './sessions.ts';
import { csrfFrom, type Browser } from './staff.ts';

export const MINUTE = 60_000;

export interface Reading {
  systolic?: number;
  diastolic?: number;
  heart_rate?: number;
  spo2?: number;
}

export async function reading(
  rt: TestRuntime,
  sessionId: string,
  by: string,
  phase: 'pre' | 'infusion' | 'recovery',
  at: number,
  over: Reading = {},
): Promise<void> {
  await rt.database.db
    .insertInto('session_vitals')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      phase,
      taken_at: at,
      recorded_at: at,
      recorded_by: by,
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

/**
 * A session that infused from the visit's start for `minutes` and then stopped (version 4, recovering), with a
 * pre-infusion reading 120/80, 70/min and a recovery reading 30 minutes after the stop (`recovery` changes it). The
 * clock is left at the stop + `clockAfter` minutes (60 by default: the protocol's whole recovery time).
 */
export async function recoveringSession(
  rt: TestRuntime,
  visit: OrderedVisit,
  opts: { minutes?: number; recovery?: Reading; clockAfter?: number; wasteRest?: boolean } = {},
): Promise<{ id: string; stoppedAt: number }> {
  const db = rt.database.db;
  const start = visit.startsAt;
  rt.clock.current = start;
  const id = await infusingSession(rt, visit, start);
  await reading(rt, id, visit.nurseId, 'pre', start - 10 * MINUTE);
  const stoppedAt = start + (opts.minutes ?? 240) * MINUTE;
  await stopInfusion(rt, visit, id, stoppedAt);
  await reading(rt, id, visit.nurseId, 'recovery', stoppedAt + 30 * MINUTE, opts.recovery ?? { systolic: 124 });
  // What was left in the bag is wasted, witnessed, so the controlled-substance record balances (unless a test asks
  // for a session whose drug is not yet accounted for).
  if (opts.wasteRest ?? true) {
    const bag = await db
      .selectFrom('session_bags')
      .select(['id', 'drug_mg'])
      .where('session_id', '=', id)
      .executeTakeFirstOrThrow();
    const given = Math.min((visit.mgPerHour * (opts.minutes ?? 240)) / 60, visit.sessionTotalMg, Number(bag.drug_mg));
    await db
      .insertInto('session_waste')
      .values({
        id: randomUUID(),
        session_id: id,
        bag_id: bag.id,
        mg: Math.round((Number(bag.drug_mg) - given) * 100) / 100,
        wasted_by: visit.nurseId,
        witnessed_by: visit.providerId,
        at: stoppedAt + 5 * MINUTE,
      })
      .execute();
  }
  rt.clock.current = stoppedAt + (opts.clockAfter ?? 60) * MINUTE;
  return { id, stoppedAt };
}

export const sessionUrl = (visit: OrderedVisit, id: string) => `/staff/patients/${visit.patientId}/sessions/${id}`;

export const FULL_ALDRETE = {
  activity: '2',
  respiration: '2',
  circulation: '2',
  consciousness: '2',
  oxygenSaturation: '2',
};

/** Opens the session page and posts `verb` with the page's CSRF token and version, plus `fields`. */
export async function postSession(
  b: Browser,
  visit: OrderedVisit,
  id: string,
  verb: string,
  fields: Record<string, string> = {},
) {
  const page = await b.get(sessionUrl(visit, id));
  if (page.statusCode !== 200) throw new Error(`session page ${page.statusCode}: ${page.body.slice(0, 300)}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
  return b.post(`${sessionUrl(visit, id)}/${verb}`, { _csrf: csrfFrom(page.body), version, ...fields });
}

/** A passing assessment: every item 2 and the escort at the door. */
export const passingAssessment = { ...FULL_ALDRETE, escort_name: 'Sam Carter', escort_confirmed: 'yes' };
