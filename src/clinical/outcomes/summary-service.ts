/**
 * A patient's clinical summary: what a provider reads in a minute, or sends to a referring physician. One audited
 * read ('clinical.summary.view', counts only), in one transaction, for nurses and providers of the patient's
 * locations.
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { addDays, today } from '../../kernel/time/wall-clock.ts';
import { visibleLocations } from '../../patients/service.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import type { Band, QuestionnaireDefinition } from '../instruments/questionnaire.ts';
import { clinicalPatient } from '../patient-access.ts';
import { protocolSchema, type Maintenance } from '../protocols/protocol.ts';
import { patientOutcomes } from './patient-outcomes-read.ts';
import {
  currentDiagnoses,
  dateOfBirth,
  latestGivenDose,
  latestSignedPlan,
  nextAppointments,
  openAlertsOf,
  planProgress,
} from './summary-repository.ts';

/** How many upcoming appointments the summary lists. */
const NEXT_APPOINTMENTS = 5;

export interface SummaryScore {
  total: number;
  band: Band | undefined;
  at: number;
  /** A follow-up questionnaire's time point, or 'intake'. */
  from: string;
}

export interface SummaryPlan {
  id: string;
  protocolName: string;
  status: 'active' | 'paused' | 'completed';
  signedAt: number | null;
  induction: { given: number; total: number };
  boostersGiven: number;
  /** The next booked session of the plan, if any. */
  next: { kind: 'induction' | 'booster'; number: number; startsAt: number } | null;
  /** When a booster is next due, where the protocol says so and none is booked. */
  boosterDue: { kind: 'date'; day: string } | { kind: 'on_response'; minDaysBetween: number } | null;
  lastGivenAt: number | null;
}

export type SummaryData = Awaited<ReturnType<typeof patientSummary>>;

export async function patientSummary(database: Database, actor: Actor, rawId: unknown) {
  const action = 'clinical.summary.view';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const locations = await visibleLocations(database.db, actor);
  const zone = (locations.find((l) => l.id === where.locationId) ?? locations[0])?.time_zone ?? 'UTC';
  return database.transact(async (trx) => {
    const id = patient.id;
    const [profile, diagnoses, planRow, dose, outcomes, alerts, appointments] = await Promise.all([
      dateOfBirth(trx, id),
      currentDiagnoses(trx, id),
      latestSignedPlan(trx, id),
      latestGivenDose(trx, id),
      // The outcomes part's read: the pain trend, its baseline and response, and every score (oldest first).
      patientOutcomes(trx, id),
      openAlertsOf(trx, id),
      nextAppointments(
        trx,
        id,
        locations.map((l) => l.id),
        actor.now,
        NEXT_APPOINTMENTS,
      ),
    ]);
    const progress = planRow ? await planProgress(trx, planRow.id) : [];
    const plan = planRow ? summarisePlan(planRow, progress, actor.now, zone) : null;
    /** The latest score of an instrument: from the newest questionnaire that has it, else the intake. */
    const latest = (def: QuestionnaireDefinition, key: 'phq9' | 'gad7'): SummaryScore | null => {
      const o = outcomes.observations.findLast((x) => x[key] !== null);
      const found =
        o && o[key] !== null
          ? { total: o[key], at: o.at, from: o.timepoint }
          : outcomes.intake && outcomes.intake[key] !== null
            ? { total: outcomes.intake[key], at: outcomes.intake.at, from: 'intake' }
            : null;
      return found && { ...found, band: def.bands.find((b) => found.total >= b.from && found.total <= b.to) };
    };
    await auditStaff(trx, database, actor, action, 'success', where, {
      diagnoses: diagnoses.length,
      plan: plan?.id ?? 'none',
      ratings: outcomes.observations.length,
      alerts: alerts.length,
      appointments: appointments.length,
    });
    return {
      patient,
      zone,
      now: actor.now,
      dateOfBirth: profile?.date_of_birth ?? null,
      diagnoses: diagnoses.map((d) => ({ code: d.code, label: d.label })),
      plan,
      dose: dose
        ? {
            mgPerKgH: Number(dose.mg_per_kg_h),
            totalMg: Number(dose.session_total_mg),
            weightKg: Number(dose.weight_kg),
            hours: Number(dose.session_hours),
            at: Number(dose.started_at),
          }
        : null,
      outcomes,
      phq9: latest(PHQ9, 'phq9'),
      gad7: latest(GAD7, 'gad7'),
      alerts: alerts.map((a) => ({
        id: a.id,
        kind: a.kind,
        source: a.source,
        level: a.level,
        at: Number(a.raised_at),
      })),
      appointments: appointments.map((a) => ({
        id: a.id,
        startsAt: Number(a.starts_at),
        endsAt: Number(a.ends_at),
        type: a.type_name,
        location: a.location_name,
        zone: a.time_zone,
      })),
    };
  });
}

type PlanRow = NonNullable<Awaited<ReturnType<typeof latestSignedPlan>>>;
type ProgressRow = Awaited<ReturnType<typeof planProgress>>[number];

/** Where the patient is in the plan: sessions given (an infusion that started), the next one, the next booster. */
function summarisePlan(row: PlanRow, sessions: ProgressRow[], now: number, zone: string): SummaryPlan {
  const definition = protocolSchema.parse(JSON.parse(row.definition));
  const given = sessions.filter((s) => s.started_at !== null);
  const inductionGiven = given.filter((s) => s.kind === 'induction').length;
  const next = sessions.find((s) => s.status === 'booked' && s.started_at === null && Number(s.starts_at) > now);
  const lastGiven = given.at(-1);
  const boostersGiven = given.filter((s) => s.kind === 'booster').length;
  const inductionDone = inductionGiven >= definition.induction.sessions;
  const lastInduction = given.filter((s) => s.kind === 'induction').at(-1);
  return {
    id: row.id,
    protocolName: definition.name,
    status: row.status as SummaryPlan['status'],
    signedAt: row.signed_at === null ? null : Number(row.signed_at),
    induction: { given: inductionGiven, total: definition.induction.sessions },
    boostersGiven,
    next: next ? { kind: next.kind, number: next.number, startsAt: Number(next.starts_at) } : null,
    boosterDue:
      row.status === 'active' && inductionDone && next?.kind !== 'booster' && lastInduction
        ? boosterDue(definition.maintenance, Number(lastInduction.started_at), boostersGiven, zone)
        : null,
    lastGivenAt: lastGiven ? Number(lastGiven.started_at) : null,
  };
}

function boosterDue(m: Maintenance, lastInductionAt: number, boostersGiven: number, zone: string) {
  if (m.kind === 'on_response') return { kind: 'on_response' as const, minDaysBetween: m.minDaysBetween };
  const days = m.intervalsDays[boostersGiven];
  if (days === undefined) return null;
  return { kind: 'date' as const, day: addDays(today(lastInductionAt, zone), days) };
}
