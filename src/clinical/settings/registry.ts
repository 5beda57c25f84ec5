/**
 * The clinical definitions an administrator reviews and edits at /staff/clinical-settings. Each entry names a
 * DefinitionKind and how its body reads as rows of columns: a list (one row per item, rows added and removed) or a
 * single set of figures (one row). Another area lists its own kind by adding one entry here.
 */
import type { DefinitionKind } from '../definitions/store.ts';
import { DOSING_SETTINGS } from '../dosing/settings.ts';
import { SCREENING_VALIDITY } from '../eligibility/screening-kinds.ts';
import { DIAGNOSIS_CODES, LAB_TESTS, MEDICATION_CLASS_LIST, RECORD_LIMITS } from '../record/definitions.ts';
import { ALERT_LIMITS, ALERT_LIMITS_COLUMNS } from '../sessions/alerts-settings.ts';
import { DISCHARGE_SETTINGS } from '../sessions/discharge-settings.ts';
import { CHECKIN_CHECKLIST, START_LIMITS } from '../sessions/checkin-settings.ts';
import { SIDE_EFFECTS } from '../sessions/infusion-settings.ts';
import { QUESTIONNAIRE_SCHEDULE } from '../outcomes/questionnaire-settings.ts';
import { RESPONDER_SETTINGS } from '../outcomes/responder-settings.ts';
import { FLAG_RULE_SETTINGS } from '../safety/flags-settings.ts';
import { SAFETY_RATES } from '../safety/rates-settings.ts';

export interface SettingsColumn {
  /** The property of each item (or of the single set of figures). */
  key: string;
  label: string;
  /** text (the default), a number, a yes/no box, or a list of words separated by commas. */
  type?: 'text' | 'number' | 'check' | 'list';
  hint?: string;
  /** Words rather than a figure or a code (after-care text): a text area across the form. */
  long?: boolean;
}

export interface SettingsEntry {
  definition: DefinitionKind<unknown>;
  /** What the definition is for, in a line. */
  purpose: string;
  columns: SettingsColumn[];
  /** One set of figures rather than a list of items. */
  single?: boolean;
}

export const CLINICAL_SETTINGS: SettingsEntry[] = [
  {
    definition: RECORD_LIMITS,
    purpose: 'The weights and heights the clinical record accepts, and how long a weight stays current.',
    single: true,
    columns: [
      { key: 'weightMinKg', label: 'Lowest weight (kg)', type: 'number' },
      { key: 'weightMaxKg', label: 'Highest weight (kg)', type: 'number' },
      { key: 'weightCurrentDays', label: 'A weight is current for (days)', type: 'number' },
      { key: 'heightMinCm', label: 'Lowest height (cm)', type: 'number' },
      { key: 'heightMaxCm', label: 'Highest height (cm)', type: 'number' },
    ],
  },
  {
    definition: MEDICATION_CLASS_LIST,
    purpose: 'The medication classes flagged on the record because they matter with ketamine.',
    columns: [
      { key: 'code', label: 'Code', hint: 'Stored on each medication: lower-case letters, digits and _' },
      { key: 'label', label: 'Name' },
    ],
  },
  {
    definition: DIAGNOSIS_CODES,
    purpose: 'The ICD-10-CM codes offered when a diagnosis is added.',
    columns: [
      { key: 'code', label: 'Code' },
      { key: 'label', label: 'Label' },
      { key: 'unverified', label: 'Unverified', type: 'check' },
    ],
  },
  {
    definition: LAB_TESTS,
    purpose: 'The laboratory and other tests recorded, with the units each accepts (none: recorded as findings).',
    columns: [
      { key: 'code', label: 'Code', hint: 'Stored on each result: lower-case letters, digits and _' },
      { key: 'label', label: 'Name' },
      { key: 'units', label: 'Units', type: 'list', hint: 'Separated by commas; empty for a test read as findings' },
    ],
  },
  {
    definition: SCREENING_VALIDITY,
    purpose: 'How long a signed eligibility screening allows infusions to be booked before it is repeated.',
    single: true,
    columns: [{ key: 'months', label: 'A signed screening is valid for (months)', type: 'number' }],
  },
  {
    definition: DOSING_SETTINGS,
    purpose:
      'The dose calculator’s pump and syringe steps and the double check’s tolerance (the weight range is the record’s).',
    single: true,
    columns: [
      { key: 'pumpRateStepMlPerHour', label: 'Pump rate step (mL/h)', type: 'number' },
      { key: 'bolusStepMl', label: 'Bolus syringe step (mL)', type: 'number' },
      { key: 'verifyWeightToleranceKg', label: 'Double-check weight tolerance (kg)', type: 'number' },
    ],
  },
  {
    definition: ALERT_LIMITS,
    purpose:
      'The vital-sign limits that raise an alert during an infusion, per protocol (* for the rest; a blank limit is off), and when an unacknowledged alert escalates to the supervising provider.',
    columns: ALERT_LIMITS_COLUMNS.map((c) => (c.key === 'protocol' ? { ...c } : { ...c, type: 'number' as const })),
  },
  {
    definition: DISCHARGE_SETTINGS,
    purpose:
      'Discharge: how close the recovery vitals must be to the pre-infusion reading, and the discharge sheet’s after-care text.',
    single: true,
    columns: [
      { key: 'withinPct', label: 'Vitals within (% of the pre-infusion reading)', type: 'number' },
      { key: 'noDriving', label: 'Driving and the rest of the day', long: true },
      { key: 'watchFor', label: 'What to watch for', type: 'list', hint: 'Separated by commas', long: true },
      { key: 'whenToCall', label: 'Whom to call', long: true },
    ],
  },
  {
    definition: CHECKIN_CHECKLIST,
    purpose:
      'What the nurse asks at check-in for each protocol (* for every other), and the fasting rule before a start.',
    columns: [
      { key: 'protocol', label: 'Protocol', hint: 'A protocol’s code, or * for every protocol without a row' },
      {
        key: 'items',
        label: 'Items',
        type: 'list',
        hint: 'From: identity, consent, fasting, escort, pregnancy, medication_changes, pain, phq9_item9, urinary',
      },
      { key: 'foodHours', label: 'Hours without solid food', type: 'number' },
      { key: 'clearFluidHours', label: 'Hours without clear fluids', type: 'number' },
    ],
  },
  {
    definition: START_LIMITS,
    purpose:
      'The pre-infusion reading that blocks a start unless a provider overrides it (high: at or above; low: at or below; blank: no limit).',
    single: true,
    columns: [
      { key: 'systolicHigh', label: 'Systolic high (mmHg)', type: 'number' },
      { key: 'diastolicHigh', label: 'Diastolic high (mmHg)', type: 'number' },
      { key: 'heartRateHigh', label: 'Heart rate high (/min)', type: 'number' },
      { key: 'heartRateLow', label: 'Heart rate low (/min)', type: 'number' },
      { key: 'respiratoryRateHigh', label: 'Respiratory rate high (/min)', type: 'number' },
      { key: 'respiratoryRateLow', label: 'Respiratory rate low (/min)', type: 'number' },
      { key: 'spo2Low', label: 'SpO₂ low (%)', type: 'number' },
    ],
  },
  {
    definition: SIDE_EFFECTS,
    purpose: 'The side effects a nurse records during an infusion, each graded 1 (mild) to 4 (life-threatening).',
    columns: [
      { key: 'code', label: 'Code', hint: 'Stored on each entry: lower-case letters, digits and _' },
      { key: 'label', label: 'Name' },
    ],
  },
  {
    definition: QUESTIONNAIRE_SCHEDULE,
    purpose:
      'When follow-up questionnaires are owed, per protocol (* for every other): the anchor, the days from it to the window’s opening, how long it stays open, and what it asks.',
    columns: [
      { key: 'protocol', label: 'Protocol', hint: 'A protocol’s code, or * for every protocol without rows' },
      { key: 'timepoint', label: 'Time point', hint: 'Such as week_4' },
      { key: 'anchor', label: 'Anchor', hint: 'each_session, end_of_induction or each_booster' },
      { key: 'offsetDays', label: 'Opens (days from the anchor)', type: 'number' },
      { key: 'windowDays', label: 'Open for (days)', type: 'number' },
      { key: 'instruments', label: 'Instruments', type: 'list', hint: 'From: pain_nrs, peg, phq9, gad7, pgic' },
      { key: 'painMeasures', label: 'Pain ratings', type: 'list', hint: 'From: now, average, worst' },
    ],
  },
  {
    definition: RESPONDER_SETTINGS,
    purpose: 'How relief in pain is classed in the outcome reports, and what counts as a PHQ-9 improvement.',
    single: true,
    columns: [
      { key: 'minimalPct', label: 'Minimal relief from (%)', type: 'number' },
      { key: 'moderatePct', label: 'Moderate relief (a response) from (%)', type: 'number' },
      { key: 'substantialPct', label: 'Substantial relief from (%)', type: 'number' },
      { key: 'phq9ImprovementPoints', label: 'PHQ-9 improvement: points below baseline', type: 'number' },
    ],
  },
  {
    definition: FLAG_RULE_SETTINGS,
    purpose:
      'The safety flag rules: each one on or off, and its figures. The item-9 rule cannot be switched off, only its thresholds set. A liver flag holds infusions until a provider closes it.',
    single: true,
    columns: [
      { key: 'item9AlertAt', label: 'Item 9: alert from (1–3; always on)', type: 'number' },
      { key: 'item9UrgentAt', label: 'Item 9: urgent from (1–3)', type: 'number' },
      { key: 'escalationOn', label: 'Dose escalation rule on', type: 'check' },
      { key: 'escalationPercent', label: 'Escalation: mg/kg up more than (%)', type: 'number' },
      { key: 'escalationSessions', label: 'Escalation: over the last (sessions)', type: 'number' },
      { key: 'urinaryOn', label: 'Urinary rule on', type: 'check' },
      { key: 'urinaryMinYes', label: 'Urinary: yes answers that flag', type: 'number' },
      { key: 'liverOn', label: 'Liver rule on (holds infusions)', type: 'check' },
      { key: 'liverMultiple', label: 'Liver: × upper limit of normal', type: 'number' },
      { key: 'liverTests', label: 'Liver: tests read', type: 'list', hint: 'Lab-test codes, separated by commas' },
      { key: 'missedFollowUpOn', label: 'Missed follow-up rule on', type: 'check' },
      { key: 'substanceUseOn', label: 'Substance-use rule on (PDMP check, screening)', type: 'check' },
      {
        key: 'substanceUseKnownHistory',
        label: 'Substance use: also flag a history already known at the first screening',
        type: 'check',
      },
    ],
  },
  {
    definition: SAFETY_RATES,
    purpose: 'What the safety rates count as an adverse event, and over how many months.',
    single: true,
    columns: [
      { key: 'adverseGradeFrom', label: 'Side effects from this grade count (1 mild … 4)', type: 'number' },
      { key: 'months', label: 'Months shown', type: 'number' },
    ],
  },
];

/** The clinical settings that have pages of their own (richer than rows of columns), listed on the same index. */
export const OTHER_SETTINGS_PAGES: ReadonlyArray<{ href: string; label: string; purpose: string }> = [
  {
    href: '/staff/clinical-settings/contraindication-rules',
    label: 'Contraindication rules',
    purpose: 'What screening reads, and whether each finding stops infusions, may be overridden, or needs a test.',
  },
  {
    href: '/staff/clinical-settings/consent',
    label: 'Consent documents',
    purpose: 'The documents patients sign; a new version asks each patient to sign again before their next infusion.',
  },
  {
    href: '/staff/protocols',
    label: 'Protocols',
    purpose: 'Infusion protocols: series, dosing rule, bag, monitoring.',
  },
];

export const settingsEntry = (kind: string): SettingsEntry | undefined =>
  CLINICAL_SETTINGS.find((e) => e.definition.kind === kind);
