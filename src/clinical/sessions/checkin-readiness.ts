/**
 * Whether a checked-in patient is ready to start, and if not, why: what is still to answer and what blocks. One
 * function the page (to list it) and the `checks_done` command (to refuse it) both call, so they never disagree.
 * Pure: every fact is passed in, `now` included.
 */
import type { CheckinAnswers } from './checkin-answers.ts';
import { URINARY_QUESTIONS } from './checkin-answers.ts';
import type { ChecklistItem, ChecklistRow } from './checkin-settings.ts';
import { startBlockers, type StartBlocker, type StartThresholds } from './alerts.ts';
import type { Vitals } from './vitals.ts';

const HOUR = 3_600_000;

export interface ReadinessFacts {
  checklist: ChecklistRow;
  /** The latest saved answers and when they were saved; null before the first save. */
  answers: CheckinAnswers | null;
  answeredAt: number | null;
  consentCurrent: boolean;
  /** The clinical profile says pregnancy is possible (or does not say). */
  pregnancyPossible: boolean;
  /** Not the first session of the plan: the urinary screen is asked. */
  serial: boolean;
  /** The latest pre-infusion reading, by the time it was taken. */
  preVitals: { vitals: Vitals; recordedAt: number } | null;
  thresholds: StartThresholds;
  /** When a provider last overrode the start limits on this session, if ever. */
  overrideAt: number | null;
  /** A self-harm alert from this check-in still waits for a provider's assessment. */
  item9AlertOpen: boolean;
  /** An open safety flag holds this patient's infusions (the liver rule) until a provider closes it. */
  safetyHold?: boolean;
  now: number;
}

export type ProblemCode =
  | `missing_${ChecklistItem}`
  | 'missing_vitals'
  | 'consent_not_current'
  | 'fasting_food'
  | 'fasting_fluids'
  | 'pregnancy_positive'
  | 'item9_alert'
  | 'safety_hold'
  | 'start_vitals';

export interface Problem {
  code: ProblemCode;
  /** For a fasting problem: when the rule is met if nothing is eaten or drunk meanwhile. */
  metAt?: number;
}

export interface Readiness {
  /** The items this patient is asked, in the page's order. */
  asked: ChecklistItem[];
  missing: Problem[];
  blockers: Problem[];
  /** The pre-infusion reading's values past a start limit (blocking unless overridden). */
  startBlockers: StartBlocker[];
  /** A provider's override covers the latest pre-infusion reading. */
  overridden: boolean;
  ready: boolean;
}

/** The items asked of this patient: the protocol's, less pregnancy where not possible and urinary at a first session. */
export function askedItems(row: ChecklistRow, pregnancyPossible: boolean, serial: boolean): ChecklistItem[] {
  return row.items.filter((i) => (i !== 'pregnancy' || pregnancyPossible) && (i !== 'urinary' || serial));
}

function answered(item: ChecklistItem, a: CheckinAnswers): boolean {
  switch (item) {
    case 'identity':
      return a.identity === true;
    case 'consent':
      return true; // read from the consent record, not asked
    case 'fasting':
      return a.foodHours !== undefined && a.fluidHours !== undefined;
    case 'escort':
      return a.escort !== undefined;
    case 'pregnancy':
      return a.pregnancy !== undefined;
    case 'medication_changes':
      return a.medicationChanges !== undefined;
    case 'pain':
      return a.pain !== undefined;
    case 'phq9_item9':
      return a.item9 !== undefined;
    case 'urinary':
      return URINARY_QUESTIONS.every((q) => a.urinary?.[q.key] !== undefined);
  }
}

export function readiness(f: ReadinessFacts): Readiness {
  const asked = askedItems(f.checklist, f.pregnancyPossible, f.serial);
  const a = f.answers ?? {};
  const missing: Problem[] = asked.filter((i) => !answered(i, a)).map((i) => ({ code: `missing_${i}` as const }));
  if (!f.preVitals) missing.push({ code: 'missing_vitals' });

  const blockers: Problem[] = [];
  if (!f.consentCurrent) blockers.push({ code: 'consent_not_current' });
  if (asked.includes('fasting') && f.answeredAt !== null) {
    // The hours were told at the save; they grow as the patient waits.
    const since = (f.now - f.answeredAt) / HOUR;
    if (a.foodHours !== undefined && a.foodHours + since < f.checklist.foodHours)
      blockers.push({ code: 'fasting_food', metAt: f.answeredAt + (f.checklist.foodHours - a.foodHours) * HOUR });
    if (a.fluidHours !== undefined && a.fluidHours + since < f.checklist.clearFluidHours)
      blockers.push({
        code: 'fasting_fluids',
        metAt: f.answeredAt + (f.checklist.clearFluidHours - a.fluidHours) * HOUR,
      });
  }
  if (asked.includes('pregnancy') && a.pregnancy === 'positive') blockers.push({ code: 'pregnancy_positive' });
  if (f.item9AlertOpen) blockers.push({ code: 'item9_alert' });
  if (f.safetyHold) blockers.push({ code: 'safety_hold' });
  const past = f.preVitals ? startBlockers(f.thresholds, f.preVitals.vitals) : [];
  const overridden = past.length > 0 && f.overrideAt !== null && f.overrideAt >= f.preVitals!.recordedAt;
  if (past.length > 0 && !overridden) blockers.push({ code: 'start_vitals' });
  return {
    asked,
    missing,
    blockers,
    startBlockers: past,
    overridden,
    ready: missing.length === 0 && blockers.length === 0,
  };
}
