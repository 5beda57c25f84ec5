/**
 * What the safety rules read for one patient, and the flag rows of clinical_alerts (migration 033). Reads only,
 * except the owner and closing updates of a flag, which the database lets happen once (a closed alert never changes).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { readAnswers } from '../sessions/checkin-answers.ts';
import { CHECK_IN_SOURCE } from '../sessions/checkin-read.ts';
import type { PatientFacts, SubstanceUse } from './flags.ts';

const num = (v: unknown) => Number(v);

/** The substance use a signed screening recorded (its facts JSON), or null when it recorded none. */
function substanceUseOf(json: string): SubstanceUse | null {
  const v = (JSON.parse(json) as Record<string, unknown>).substance_use;
  return v === 'none' || v === 'history' || v === 'active' ? v : null;
}

/** The latest check-in answers of each of the patient's sessions. */
async function checkinAnswers(db: Kysely<DB>, patientId: string) {
  const rows = await db
    .selectFrom('session_checkins as c')
    .innerJoin('infusion_sessions as s', 's.id', 'c.session_id')
    .select(['c.session_id', 'c.answers', 'c.recorded_at', 's.appointment_id'])
    .where('s.patient_id', '=', patientId)
    .orderBy('c.recorded_at', 'asc')
    .orderBy('c.id', 'asc')
    .execute();
  const latest = new Map<string, { appointmentId: string; answers: ReturnType<typeof readAnswers> }>();
  for (const r of rows) latest.set(r.session_id, { appointmentId: r.appointment_id, answers: readAnswers(r.answers) });
  return latest;
}

export async function patientFacts(db: Kysely<DB>, patientId: string): Promise<PatientFacts> {
  const [checkins, questionnaires, orders, labs, sessions, sessionAlerts, checkinAlerts, noShows, pdmp] =
    await Promise.all([
      checkinAnswers(db, patientId),
      db
        .selectFrom('questionnaires')
        .select(['id', 'status', 'timepoint', 'appointment_id', 'opens_at', 'phq9_item9', 'pain_now'])
        .where('patient_id', '=', patientId)
        .execute(),
      db
        .selectFrom('dose_orders as o')
        .innerJoin('appointments as a', 'a.id', 'o.appointment_id')
        .select(['o.id', 'o.appointment_id', 'o.session_total_mg', 'o.weight_kg', 'a.starts_at'])
        .where('o.patient_id', '=', patientId)
        .where('o.status', '=', 'verified')
        .orderBy('a.starts_at', 'asc')
        .execute(),
      db
        .selectFrom('lab_results')
        .select(['id', 'test', 'value', 'upper_limit'])
        .where('patient_id', '=', patientId)
        .execute(),
      db
        .selectFrom('infusion_sessions')
        .select(['id', 'checked_in_at', 'started_at'])
        .where('patient_id', '=', patientId)
        .execute(),
      db
        .selectFrom('session_alerts as sa')
        .innerJoin('infusion_sessions as s', 's.id', 'sa.session_id')
        .select('sa.session_id')
        .where('s.patient_id', '=', patientId)
        .execute(),
      db
        .selectFrom('clinical_alerts')
        .select('source_id')
        .where('patient_id', '=', patientId)
        .where('source', '=', CHECK_IN_SOURCE)
        .execute(),
      db
        .selectFrom('appointments')
        .select(['id', 'starts_at'])
        .where('patient_id', '=', patientId)
        .where('attendance', '=', 'no_show')
        .execute(),
      db.selectFrom('pdmp_checks').select(['id', 'result']).where('patient_id', '=', patientId).execute(),
    ]);
  const screenings = await db
    .selectFrom('screenings')
    .select(['id', 'facts'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'signed')
    .orderBy('signed_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  const painByAppointment = new Map<string, number>();
  for (const q of questionnaires)
    if (q.timepoint === 'pre_session' && q.appointment_id && q.pain_now !== null)
      painByAppointment.set(q.appointment_id, num(q.pain_now));
  // What the nurse asked at check-in is the nearer to the infusion: it wins over the questionnaire.
  for (const c of checkins.values())
    if (c.answers.pain !== undefined) painByAppointment.set(c.appointmentId, c.answers.pain);
  const alerted = new Set([
    ...sessionAlerts.map((a) => a.session_id),
    ...checkinAlerts.map((a) => a.source_id).filter((id): id is string => id !== null),
  ]);
  return {
    item9: [
      ...questionnaires
        .filter((q) => q.phq9_item9 !== null)
        .map((q) => ({ source: 'questionnaire', sourceId: q.id, value: num(q.phq9_item9) })),
      ...[...checkins.entries()]
        .filter(([, c]) => c.answers.item9 !== undefined)
        .map(([sessionId, c]) => ({ source: CHECK_IN_SOURCE, sourceId: sessionId, value: c.answers.item9! })),
    ],
    doses: orders
      .filter((o) => num(o.weight_kg) > 0)
      .map((o) => ({
        orderId: o.id,
        at: num(o.starts_at),
        mgPerKg: num(o.session_total_mg) / num(o.weight_kg),
        prePain: painByAppointment.get(o.appointment_id) ?? null,
      })),
    urinary: [...checkins.entries()]
      .filter(([, c]) => c.answers.urinary !== undefined)
      .map(([sessionId, c]) => ({ sessionId, yes: Object.values(c.answers.urinary!).filter(Boolean).length })),
    labs: labs.map((l) => ({
      id: l.id,
      test: l.test,
      value: l.value === null ? null : num(l.value),
      upperLimit: l.upper_limit === null ? null : num(l.upper_limit),
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      at: num(s.started_at ?? s.checked_in_at),
      hadAlert: alerted.has(s.id),
    })),
    misses: [
      ...questionnaires
        .filter((q) => q.status === 'missed')
        .map((q) => ({ id: q.id, kind: 'questionnaire' as const, at: num(q.opens_at) })),
      ...noShows.map((a) => ({ id: a.id, kind: 'no_show' as const, at: num(a.starts_at) })),
    ],
    pdmp: pdmp.map((c) => ({ id: c.id, result: c.result })),
    screenings: screenings.map((r) => ({ id: r.id, substanceUse: substanceUseOf(r.facts) })),
  };
}

/** The alerts already raised for these records, open or closed (a closed flag is not raised again by its record). */
export async function raisedFor(db: Kysely<DB>, patientId: string) {
  const rows = await db
    .selectFrom('clinical_alerts')
    .select(['id', 'kind', 'source_id', 'resolved_at'])
    .where('patient_id', '=', patientId)
    .execute();
  return rows;
}

/** Patients with a missed questionnaire or a visit not attended: whom the sweep looks at. */
export async function patientsWithMisses(db: Kysely<DB>): Promise<Array<{ patient_id: string; location_id: string }>> {
  const [questionnaires, appointments] = await Promise.all([
    db
      .selectFrom('questionnaires')
      .select(['patient_id', 'location_id'])
      .where('status', '=', 'missed')
      .distinct()
      .execute(),
    db
      .selectFrom('appointments')
      .select(['patient_id', 'location_id'])
      .where('attendance', '=', 'no_show')
      .where('patient_id', 'is not', null)
      .distinct()
      .execute(),
  ]);
  const seen = new Map<string, string>();
  for (const r of [...questionnaires, ...appointments]) if (r.patient_id) seen.set(r.patient_id, r.location_id);
  return [...seen].map(([patient_id, location_id]) => ({ patient_id, location_id }));
}

/** The patient's own location: where a flag from their record is filed. */
export async function patientLocation(db: Kysely<DB>, patientId: string): Promise<string | undefined> {
  const row = await db.selectFrom('patients').select('location_id').where('id', '=', patientId).executeTakeFirst();
  return row?.location_id;
}
