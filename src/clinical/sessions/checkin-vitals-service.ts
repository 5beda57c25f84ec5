/**
 * One vitals reading, at any phase of an open session: checked against the possible ranges (vitalsSchema),
 * timestamped by the server, or, for a late entry, at the time the nurse names (today, in the location's zone)
 * with a reason. Appended without the strict version check (a reading overwrites nothing). Each form carries its own
 * `entry_key`, so a form sent again after its answer was lost is stored once and answered as saved.
 *
 * Bounds of a late entry: not in the future, not before the check-in (the session's first moment). Within
 * LATE_GRACE_MINUTES of now a typed time is simply the time of the reading and needs no reason.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { exactWallInstant, today } from '../../kernel/time/wall-clock.ts';
import { sessionFor, type SessionAccess } from './access.ts';
import { refreshSessionAlerts } from './alerts-service.ts';
import { changeSession } from './change.ts';
import { drugBalanceOf } from './discharge-balance.ts';
import { recheckDischarge } from './discharge-service.ts';
import { checkinPart, phaseAt } from './checkin-read.ts';
import { insertVitals, vitalsByKey, type VitalsPhase } from './checkin-repository.ts';
import type { SessionRow } from './repository.ts';
import { sessionVisit } from './visit.ts';
import { vitalsSchema, VITALS_LIMITS, type Vitals, type VitalsMeasure } from './vitals.ts';

const MINUTE = 60_000;
export const LATE_GRACE_MINUTES = 5;

/** The vitals form's field for each measure. */
export const VITALS_FIELDS: Record<VitalsMeasure, string> = {
  systolic: 'systolic',
  diastolic: 'diastolic',
  heartRate: 'heart_rate',
  spo2: 'spo2',
  respiratoryRate: 'respiratory_rate',
  temperatureC: 'temperature',
  sedation: 'sedation',
  dissociation: 'dissociation',
};

const ENTRY_KEY = /^[A-Za-z0-9-]{16,64}$/;

export interface RecordedVitals {
  id: string;
  sessionId: string;
  phase: VitalsPhase;
  takenAt: number;
  vitals: Vitals;
}

/**
 * Called in the recording transaction after each reading is stored: the alert engine evaluates the readings so far
 * (an alert is on the board the moment the reading that raised it is saved), and a patient who was ready for
 * discharge goes back to recovery when the new reading breaks a discharge condition. The discharge itself checks
 * every condition again, so a recheck that cannot be made now (someone moved the session meanwhile) is left to it.
 */
export async function afterVitals(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  session: SessionRow,
  _reading: RecordedVitals,
): Promise<void> {
  await refreshSessionAlerts(trx, database, actor, session, actor.now);
  if (session.state === 'ready_for_discharge')
    await recheckDischarge(trx, database, { drugBalanced: drugBalanceOf }, actor, session.id, {
      locationId: session.location_id,
      patientRef: session.patient_id,
    });
}

export type VitalsResult =
  { ok: true; patientId: string; sessionId: string; saved: 'vitals' | 'vitals_again' | 'vitals_blocks' } | Refusal;

type Form = Record<string, string>;

/** The reading as typed, or the refusal naming each field in the form's words with its range. */
export function readVitals(form: Form): Vitals | Refusal {
  const input = Object.fromEntries(
    (Object.entries(VITALS_FIELDS) as Array<[VitalsMeasure, string]>).map(([m, f]) => [m, form[f] ?? '']),
  );
  const parsed = vitalsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const measure = issue.path[0] as VitalsMeasure;
    const field = VITALS_FIELDS[measure] ?? 'vitals';
    fields[field] ??= `${VITALS_LIMITS[measure]?.label ?? 'Reading'}: ${issue.message.replace(/^\w+: /, '')}`;
  }
  return refuse('invalid_request', 'The reading was not saved: please check it.', fields);
}

/** When the reading was taken: now, or a late entry's named time with its reason. */
function takenAt(
  form: Form,
  session: SessionRow,
  zone: string,
  now: number,
): { at: number; lateReason: string | null } | Refusal {
  const time = (form.taken_time ?? '').trim();
  if (time === '') return { at: now, lateReason: null };
  const bad = (message: string) => refuse('invalid_request', message, { taken_time: message });
  if (!/^\d{2}:\d{2}$/.test(time)) return bad('Time taken: a time today as HH:MM, for example 10:45');
  const at = exactWallInstant(zone, today(now, zone), time);
  if (at === undefined) return bad('Time taken: that time does not exist today (the clocks changed)');
  if (at > now) return bad(`Time taken: ${time} is in the future; it is ${formatTime(now, zone)} now`);
  // The check-in's own minute counts as after it: a time is typed to the minute.
  if (at < Math.floor(session.checked_in_at / MINUTE) * MINUTE)
    return bad(`Time taken: before the check-in at ${formatTime(session.checked_in_at, zone)}`);
  if (now - at <= LATE_GRACE_MINUTES * MINUTE) return { at, lateReason: null };
  const reason = (form.late_reason ?? '').replace(/\s+/g, ' ').trim();
  if (reason.length < 3 || reason.length > 300) {
    const message = 'Reason for the late entry: say why it is recorded late (3 to 300 characters)';
    return refuse('invalid_request', message, { late_reason: message });
  }
  return { at, lateReason: reason };
}

async function store(
  trx: Kysely<DB>,
  database: Database,
  actor: Actor,
  access: SessionAccess,
  form: Form,
  vitals: Vitals,
  zone: string,
): Promise<VitalsResult> {
  const { session, where } = access;
  const key = form.entry_key!;
  const done = (saved: 'vitals' | 'vitals_again' | 'vitals_blocks') => ({
    ok: true as const,
    patientId: access.patient.id,
    sessionId: session.id,
    saved,
  });
  if (await vitalsByKey(trx, session.id, key)) return done('vitals_again');
  const when = takenAt(form, session, zone, actor.now);
  if (isRefusal(when)) return when;
  const basedOn = Number(form.version);
  const changed = await changeSession(trx, database, actor, {
    sessionId: session.id,
    basedOn: Number.isInteger(basedOn) ? basedOn : 0,
    strict: false,
    audit: 'session.vitals',
    where,
    detail: { phase: phaseAt(session, when.at), late: when.lateReason === null ? 0 : 1 },
  });
  if (isRefusal(changed)) return changed;
  const phase = phaseAt(changed, when.at);
  const id = timeOrderedId(actor.now);
  await insertVitals(trx, {
    id,
    session_id: session.id,
    phase,
    taken_at: when.at,
    recorded_at: actor.now,
    recorded_by: actor.staff.userId,
    late_reason: when.lateReason,
    entry_key: key,
    systolic: vitals.systolic,
    diastolic: vitals.diastolic,
    heart_rate: vitals.heartRate,
    spo2: vitals.spo2,
    respiratory_rate: vitals.respiratoryRate,
    temperature_c: vitals.temperatureC,
    sedation: vitals.sedation,
    dissociation: vitals.dissociation,
  });
  await afterVitals(trx, database, actor, changed, { id, sessionId: session.id, phase, takenAt: when.at, vitals });
  // A new pre-infusion reading past a start limit takes a session that was ready back to its checks.
  if (phase === 'pre' && changed.state === 'ready') {
    const part = await checkinPart(trx, changed, actor.now);
    if (part.readiness.blockers.some((b) => b.code === 'start_vitals')) {
      const back = await changeSession(trx, database, actor, {
        sessionId: session.id,
        basedOn: changed.version,
        strict: true,
        action: 'recheck',
        audit: 'session.recheck',
        where,
        detail: { cause: 'start_vitals' },
      });
      if (isRefusal(back)) return back;
      return done('vitals_blocks');
    }
  }
  return done('vitals');
}

/** Records one reading on a session (nurses and providers, at any open phase). */
export async function recordVitals(
  database: Database,
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Form,
): Promise<VitalsResult> {
  const access = await sessionFor(database, actor, raw.patientId, raw.sessionId, 'session.vitals');
  if (!ENTRY_KEY.test(form.entry_key ?? ''))
    return refuse(
      'invalid_request',
      'This form is missing its entry key: reload the page and enter the reading again.',
      {
        entry_key: 'Reload the page and enter the reading again.',
      },
    );
  const vitals = readVitals(form);
  if (isRefusal(vitals)) return vitals;
  const visit = await sessionVisit(database.db, access.session.appointment_id);
  const tz = visit?.timeZone ?? 'UTC';
  try {
    return await database.transact((trx) => store(trx, database, actor, access, form, vitals, tz));
  } catch (err) {
    // The same form sent twice at once: the first one stored it.
    if (isUniqueViolation(err) && (await vitalsByKey(database.db, access.session.id, form.entry_key!)))
      return { ok: true, patientId: access.patient.id, sessionId: access.session.id, saved: 'vitals_again' };
    throw err;
  }
}
