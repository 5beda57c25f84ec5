/**
 * Everything the check-in part of a session reads, gathered once: the protocol's checklist and fasting rule, the
 * consent status, whether pregnancy is possible, whether this is a serial infusion, the latest answers, the readings,
 * a provider's override and the self-harm alert of this check-in. The session page and the `checks_done` command both
 * judge readiness from it (inside their own transaction), so the page lists exactly what the command refuses.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition } from '../definitions/store.ts';
import { consentCurrent } from '../intake/intake-service.ts';
import { openHold } from '../gate/repository.ts';
import { alertsOfPatient } from '../intake/repository.ts';
import { planForAppointment } from '../protocols/plans.ts';
import { profileOf } from '../record/repository.ts';
import type { StartThresholds } from './alerts.ts';
import { readAnswers, type CheckinAnswers } from './checkin-answers.ts';
import { readiness, type Readiness } from './checkin-readiness.ts';
import {
  latestCheckin,
  latestOverride,
  sessionVitals,
  type OverrideRow,
  type VitalsRow,
  type VitalsPhase,
} from './checkin-repository.ts';
import { CHECKIN_CHECKLIST, checklistFor, startThresholds, type ChecklistRow } from './checkin-settings.ts';
import type { SessionRow } from './repository.ts';

/** The override rule a provider records to start past a start limit. */
export const START_VITALS_RULE = 'start_vitals';
/** Where a self-harm answer at check-in raises its alert (the intake's is 'intake'). */
export const CHECK_IN_SOURCE = 'check_in';

export interface CheckinPart {
  checklist: ChecklistRow;
  checklistVersion: number;
  checklistUnverified: boolean;
  thresholds: StartThresholds;
  thresholdsVersion: number;
  consent: Awaited<ReturnType<typeof consentCurrent>>;
  pregnancyPossible: boolean;
  serial: boolean;
  answers: CheckinAnswers | null;
  answeredAt: number | null;
  vitals: VitalsRow[];
  override: OverrideRow | null;
  item9Alert: { id: string; open: boolean } | null;
  readiness: Readiness;
  /** The phase a reading taken now is filed under. */
  phaseNow: VitalsPhase;
  /** A fresh key for the vitals form: a resent form is stored once. */
  entryKey: string;
}

/** The phase of a reading taken at `at`: before the start, while infusing, after the stop. */
export function phaseAt(session: Pick<SessionRow, 'started_at' | 'stopped_at'>, at: number): VitalsPhase {
  if (session.started_at === null || at < session.started_at) return 'pre';
  if (session.stopped_at === null || at < session.stopped_at) return 'infusion';
  return 'recovery';
}

export const checklistVersionText = (version: number) => `${CHECKIN_CHECKLIST.kind}@${version}`;

/** The check-in part of a session as it is in `db` (a transaction, to judge a command on what it writes beside). */
export async function checkinPart(db: Kysely<DB>, session: SessionRow, now: number): Promise<CheckinPart> {
  const [checklistDef, thresholds, consent, profile, plan, saved, vitals, override, alerts, hold] = await Promise.all([
    currentDefinition(db, CHECKIN_CHECKLIST),
    startThresholds(db),
    consentCurrent(db, session.patient_id),
    profileOf(db, session.patient_id),
    planForAppointment(db, session.appointment_id),
    latestCheckin(db, session.id),
    sessionVitals(db, session.id),
    latestOverride(db, session.id, START_VITALS_RULE),
    alertsOfPatient(db, session.patient_id),
    openHold(db, session.patient_id),
  ]);
  const checklist = checklistFor(checklistDef.body, plan?.definition.code ?? null);
  // Not known counts as possible: the test is asked rather than skipped.
  const pregnancyPossible = profile?.pregnancy_possible !== 0;
  const serial = plan ? plan.session.kind === 'booster' || plan.session.number > 1 : false;
  const answers = saved ? readAnswers(saved.answers) : null;
  const mine = alerts.find((a) => a.source === CHECK_IN_SOURCE && a.source_id === session.id);
  const item9Alert = mine ? { id: mine.id, open: mine.resolved_at === null } : null;
  const pre = vitals.filter((v) => v.phase === 'pre').at(-1);
  return {
    checklist,
    checklistVersion: checklistDef.version,
    checklistUnverified: checklistDef.unverified,
    thresholds: thresholds.body,
    thresholdsVersion: thresholds.version,
    consent,
    pregnancyPossible,
    serial,
    answers,
    answeredAt: saved?.recordedAt ?? null,
    vitals,
    override: override ?? null,
    item9Alert,
    readiness: readiness({
      checklist,
      answers,
      answeredAt: saved?.recordedAt ?? null,
      consentCurrent: consent.allSigned,
      pregnancyPossible,
      serial,
      preVitals: pre ? { vitals: pre.vitals, recordedAt: pre.recordedAt } : null,
      thresholds: thresholds.body,
      overrideAt: override?.at ?? null,
      item9AlertOpen: item9Alert?.open ?? false,
      safetyHold: hold,
      now,
    }),
    phaseNow: phaseAt(session, now),
    entryKey: randomUUID(),
  };
}
