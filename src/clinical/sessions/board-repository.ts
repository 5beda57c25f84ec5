/**
 * The nurse board's reads: one query per kind for every card of a location's day (the visits with their sessions,
 * then the latest reading and the open alerts of all their sessions at once), and the cheap stamp the live board
 * polls. Read-only; each query is bounded by the location's day and uses an index (appointments by location and
 * start, sessions by location and check-in, vitals by session and time, alerts by session).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import type { SessionState } from './state.ts';

export interface BoardVisitRow {
  appointmentId: string;
  startsAt: number;
  endsAt: number;
  attendance: 'arrived' | 'no_show' | null;
  chairId: string;
  chair: string;
  patientId: string | null;
  firstName: string | null;
  lastName: string | null;
  sessionId: string | null;
  state: SessionState | null;
  checkedInAt: number | null;
  startedAt: number | null;
  stoppedAt: number | null;
  /** The plan's definition as signed (JSON), for started sessions only: the monitoring schedule lives in it. */
  planDefinition: string | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The infusions and boosters with a chair at a location whose start falls in [from, to), by chair then time. */
export async function boardVisits(
  db: Kysely<DB>,
  locationId: string,
  from: number,
  to: number,
  withPlans: boolean,
): Promise<BoardVisitRow[]> {
  const rows = await db
    .selectFrom('appointments as a')
    .innerJoin('appointment_types as t', 't.id', 'a.type_id')
    .innerJoin('rooms as r', 'r.id', 'a.room_id')
    .leftJoin('patients as p', 'p.id', 'a.patient_id')
    .leftJoin('infusion_sessions as s', 's.appointment_id', 'a.id')
    .leftJoin('dose_orders as o', 'o.id', 's.dose_order_id')
    .leftJoin('treatment_plans as tp', 'tp.id', 'o.plan_id')
    .select([
      'a.id',
      'a.starts_at',
      'a.ends_at',
      'a.attendance',
      'r.id as chair_id',
      'r.name as chair',
      'p.id as patient_id',
      'p.first_name',
      'p.last_name',
      's.id as session_id',
      's.state',
      's.checked_in_at',
      's.started_at',
      's.stopped_at',
    ])
    .$if(withPlans, (q) => q.select('tp.definition'))
    .where('a.location_id', '=', locationId)
    .where('a.starts_at', '>=', from)
    .where('a.starts_at', '<', to)
    .where('a.status', '=', 'booked')
    .where('t.kind', 'in', ['infusion', 'booster'])
    .orderBy('r.name')
    .orderBy('a.starts_at')
    .execute();
  return rows.map((r) => ({
    appointmentId: r.id,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    attendance: r.attendance,
    chairId: r.chair_id,
    chair: r.chair,
    patientId: r.patient_id,
    firstName: r.first_name,
    lastName: r.last_name,
    sessionId: r.session_id,
    state: r.state,
    checkedInAt: num(r.checked_in_at),
    startedAt: num(r.started_at),
    stoppedAt: num(r.stopped_at),
    planDefinition: 'definition' in r ? ((r as { definition: string | null }).definition ?? null) : null,
  }));
}

export interface BoardReading {
  sessionId: string;
  phase: 'pre' | 'infusion' | 'recovery';
  takenAt: number;
  systolic: number;
  diastolic: number;
  heartRate: number;
  spo2: number;
  respiratoryRate: number;
  sedation: number | null;
}

/** The latest reading of each session (by the time it was taken; the later recorded when two share a time). */
export async function latestReadings(
  db: Kysely<DB>,
  sessionIds: readonly string[],
): Promise<Map<string, BoardReading>> {
  const out = new Map<string, BoardReading>();
  if (sessionIds.length === 0) return out;
  const rows = await db
    .selectFrom('session_vitals as v')
    .select([
      'v.session_id',
      'v.phase',
      'v.taken_at',
      'v.recorded_at',
      'v.systolic',
      'v.diastolic',
      'v.heart_rate',
      'v.spo2',
      'v.respiratory_rate',
      'v.sedation',
    ])
    .where('v.session_id', 'in', sessionIds)
    .where((eb) =>
      eb(
        'v.taken_at',
        '=',
        eb
          .selectFrom('session_vitals as w')
          .select((w) => w.fn.max('w.taken_at').as('latest'))
          .whereRef('w.session_id', '=', 'v.session_id'),
      ),
    )
    .orderBy('v.recorded_at')
    .execute();
  for (const r of rows) {
    out.set(r.session_id, {
      sessionId: r.session_id,
      phase: r.phase,
      takenAt: Number(r.taken_at),
      systolic: r.systolic,
      diastolic: r.diastolic,
      heartRate: r.heart_rate,
      spo2: r.spo2,
      respiratoryRate: r.respiratory_rate,
      sedation: r.sedation,
    });
  }
  return out;
}

export interface BoardAlert {
  sessionId: string;
  code: string;
  kind: string;
  raisedAt: number;
  escalated: boolean;
}

/** Every alert not yet acknowledged on these sessions. */
export async function openAlerts(db: Kysely<DB>, sessionIds: readonly string[]): Promise<BoardAlert[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('session_alerts')
    .select(['session_id', 'code', 'kind', 'raised_at', 'escalated_at'])
    .where('session_id', 'in', sessionIds)
    .where('acknowledged_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    sessionId: r.session_id,
    code: r.code,
    kind: r.kind,
    raisedAt: Number(r.raised_at),
    escalated: r.escalated_at !== null,
  }));
}

/**
 * What changes whenever anything on the board does: the day's sessions (every session write moves its version and
 * updated_at; a check-in adds one), their alerts (an overdue alert is raised, and escalated, by the 30-s run without
 * writing the session) and the day's bookings (a booking, move or cancellation moves updated_at). One round trip on
 * indexed ranges, cheap enough to ask every second per open board.
 */
export async function boardStamp(db: Kysely<DB>, locationId: string, from: number, to: number): Promise<string> {
  // Check-in happens on the day, possibly before the visit's day starts only by minutes: a margin of a day either side
  // keeps every session of the day's visits inside the indexed range.
  const margin = 86_400_000;
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('infusion_sessions')
        .select(
          sql<string>`count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at), 0)`.as('s'),
        )
        .where('location_id', '=', locationId)
        .where('checked_in_at', '>=', from - margin)
        .where('checked_in_at', '<', to + margin)
        .as('sessions'),
      eb
        .selectFrom('session_alerts as a')
        .innerJoin('infusion_sessions as s', 's.id', 'a.session_id')
        .select(sql<string>`count(*) || ':' || count(a.acknowledged_at) || ':' || count(a.escalated_at)`.as('n'))
        .where('s.location_id', '=', locationId)
        .where('s.checked_in_at', '>=', from - margin)
        .where('s.checked_in_at', '<', to + margin)
        .as('alerts'),
      eb
        .selectFrom('appointments')
        .select(sql<string>`count(*) || ':' || coalesce(max(updated_at), 0)`.as('a'))
        .where('location_id', '=', locationId)
        .where('starts_at', '>=', from)
        .where('starts_at', '<', to)
        .as('visits'),
    ])
    .executeTakeFirstOrThrow();
  return `${row.sessions}|${row.alerts}|${row.visits}`;
}
