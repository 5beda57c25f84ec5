/**
 * A patient's clinical summary: what a provider reads in a minute, or sends to a referring physician. One audited
 * read ('clinical.summary.view', counts only), in one transaction, for nurses and providers of the patient's
 * locations.
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { addDays, today } from '../../kernel/time/wall-clock.ts';
import { visibleLocations } from '../../patients/service.ts';
import { readIntakeAnswers } from '../intake/answers.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import {
  scoreQuestionnaire,
  type Band,
  type QuestionnaireAnswers,
  type QuestionnaireDefinition,
} from '../instruments/questionnaire.ts';
import { clinicalPatient } from '../patient-access.ts';
import { protocolSchema, type Maintenance } from '../protocols/protocol.ts';
import {
  currentDiagnoses,
  latestGivenDose,
  latestIntakeAnswers,
  latestScore,
  latestSignedPlan,
  nextAppointments,
  openAlertsOf,
  painRatings,
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
    const [diagnoses, planRow, dose, phq9Row, gad7Row, ratings, intake, alerts, appointments] = await Promise.all([
      currentDiagnoses(trx, id),
      latestSignedPlan(trx, id),
      latestGivenDose(trx, id),
      latestScore(trx, id, 'phq9_total'),
      latestScore(trx, id, 'gad7_total'),
      painRatings(trx, id),
      latestIntakeAnswers(trx, id),
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
    const intakeAnswers = intake ? readIntakeAnswers(intake.answers) : undefined;
    const intakeAt = intake?.submitted_at === null || !intake ? 0 : Number(intake.submitted_at);
    const fromIntake = (def: QuestionnaireDefinition, answers: QuestionnaireAnswers | undefined) => {
      const total = answers ? scoreQuestionnaire(def, answers).total : null;
      return total === null ? null : { total, at: intakeAt, from: 'intake' };
    };
    const score = (def: QuestionnaireDefinition, total: number, at: number, from: string): SummaryScore => ({
      total,
      band: def.bands.find((b) => total >= b.from && total <= b.to),
      at,
      from,
    });
    const phq9Raw = phq9Row
      ? { total: Number(phq9Row.phq9_total), at: Number(phq9Row.completed_at), from: phq9Row.timepoint }
      : fromIntake(PHQ9, intakeAnswers?.phq9);
    const gad7Raw = gad7Row
      ? { total: Number(gad7Row.gad7_total), at: Number(gad7Row.completed_at), from: gad7Row.timepoint }
      : fromIntake(GAD7, intakeAnswers?.gad7);
    const intakePain = intakeAnswers?.pain?.now;
    const pain = {
      points: ratings.map((r) => ({
        at: Number(r.completed_at),
        now: Number(r.pain_now),
        average: r.pain_average === null ? null : Number(r.pain_average),
        timepoint: r.timepoint,
      })),
      // The shared rule: the intake's pain is the baseline when there is one, else the first pre-session rating.
      baseline:
        intakePain !== undefined && intakePain !== null
          ? { value: intakePain, at: intakeAt, from: 'intake' }
          : (() => {
              const first = ratings.find((r) => r.timepoint === 'pre_session');
              return first
                ? { value: Number(first.pain_now), at: Number(first.completed_at), from: 'pre_session' }
                : null;
            })(),
      sessions: progress.filter((s) => s.started_at !== null).map((s) => Number(s.started_at)),
    };
    await auditStaff(trx, database, actor, action, 'success', where, {
      diagnoses: diagnoses.length,
      plan: plan?.id ?? 'none',
      ratings: pain.points.length,
      alerts: alerts.length,
      appointments: appointments.length,
    });
    return {
      patient,
      zone,
      now: actor.now,
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
      pain,
      phq9: phq9Raw ? score(PHQ9, phq9Raw.total, phq9Raw.at, phq9Raw.from) : null,
      gad7: gad7Raw ? score(GAD7, gad7Raw.total, gad7Raw.at, gad7Raw.from) : null,
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
