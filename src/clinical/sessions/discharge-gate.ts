/**
 * The discharge gate: the ONE function every path to 'discharged' asks (the discharge command, an assessment moving
 * the session to ready for discharge or back to recovery, the page listing what is missing, the override recording
 * what it passed over). It gathers the conditions from the session's own entries and the plan's protocol and hands
 * them to the pure `dischargeReadiness`. Migration 030's trigger is the backstop when a path forgets to ask.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition } from '../definitions/store.ts';
import { circulationFromPressure, type AldretePoints } from '../instruments/aldrete.ts';
import type { Discharge } from '../protocols/protocol.ts';
import { planForAppointment } from '../protocols/plans.ts';
import { DISCHARGE_SETTINGS, type DischargeSettings } from './discharge-settings.ts';
import { dischargeReadiness, type DischargeReadiness } from './discharge-rules.ts';
import { latestAssessment, openAlertCount, sessionReadings } from './discharge-repository.ts';
import type { SessionRow } from './repository.ts';

/**
 * Whether the session's controlled-substance record balances (dispensed = infused + wasted for every bag). The
 * controlled-substance part owns it (`sessionDrugBalanced`); the gate takes it as a parameter so it asks that part.
 */
export type DrugBalance = (db: Kysely<DB>, sessionId: string) => Promise<boolean>;

/** An assessment being taken now: judged as if it were already the newest. */
export interface CandidateAssessment {
  aldreteScore: number;
  escortConfirmed: boolean;
}

export interface DischargeGate {
  readiness: DischargeReadiness;
  rule: Discharge;
  settings: DischargeSettings;
  /** The rule's version (0 = shipped default) and whether it is still unverified, for the page to say. */
  settingsVersion: number;
  settingsUnverified: boolean;
  /** The Aldrete circulation item the readings suggest (latest systolic against the pre-infusion one), to prefill. */
  circulation: { points: AldretePoints; baselineSystolic: number; systolic: number } | null;
}

export async function dischargeGate(
  db: Kysely<DB>,
  session: SessionRow,
  now: number,
  drugBalanced: DrugBalance,
  candidate?: CandidateAssessment,
): Promise<DischargeGate> {
  const plan = await planForAppointment(db, session.appointment_id);
  // Every infusion is booked from a plan (the infusion gate); without one nothing says when this patient may leave.
  if (!plan) throw new Error(`session ${session.id} has no plan`);
  const rule = plan.definition.discharge;
  const [settings, readings, assessment, openAlerts, balanced] = await Promise.all([
    currentDefinition(db, DISCHARGE_SETTINGS),
    sessionReadings(db, session.id),
    candidate ? Promise.resolve(undefined) : latestAssessment(db, session.id),
    openAlertCount(db, session.id),
    drugBalanced(db, session.id),
  ]);
  const started = session.started_at ?? Number.POSITIVE_INFINITY;
  const baseline = readings.filter((r) => r.phase === 'pre' && r.takenAt <= started).at(-1) ?? null;
  const latest = readings.at(-1) ?? null;
  const taken =
    candidate ??
    (assessment && { aldreteScore: assessment.aldrete_score, escortConfirmed: assessment.escort_confirmed === 1 });
  const readiness = dischargeReadiness({
    now,
    stoppedAt: session.stopped_at,
    minRecoveryMinutes: rule.minObservationMinutes,
    aldrete: taken ? { score: taken.aldreteScore, atLeast: rule.aldreteAtLeast } : null,
    baseline: baseline?.vitals ?? null,
    latest: latest?.vitals ?? null,
    latestTakenAt: latest?.takenAt ?? null,
    withinPct: settings.body.withinPct,
    escortRequired: rule.escortRequired,
    escortConfirmed: taken?.escortConfirmed ?? false,
    drugBalanced: balanced,
    openAlerts,
  });
  const circulation =
    baseline && latest && latest !== baseline
      ? {
          points: circulationFromPressure(baseline.vitals.systolic, latest.vitals.systolic),
          baselineSystolic: baseline.vitals.systolic,
          systolic: latest.vitals.systolic,
        }
      : null;
  return {
    readiness,
    circulation,
    rule,
    settings: settings.body,
    settingsVersion: settings.version,
    settingsUnverified: settings.unverified,
  };
}
