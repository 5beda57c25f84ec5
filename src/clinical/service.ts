/**
 * The clinical core's public service: what other features, the seed and the routes may call. It grows with the
 * clinical core (record, intake, screening, plans, dose orders).
 */
export {
  addSuggestedProtocols,
  previewDose,
  protocolLibrary,
  protocolVersion,
  protocolVersions,
  type DosePreview,
  type LibraryProtocol,
  writeSuggestedProtocols,
} from './protocols/library.ts';

// Versioned clinical definitions (rules, lists and numbers an administrator edits).
export {
  currentDefinition,
  definitionVersions,
  saveDefinition,
  type Definition,
  type DefinitionKind,
} from './definitions/store.ts';
export { DOSING_SETTINGS } from './dosing/settings.ts';

// The clinical record: its latest weight, its limits and lists, and a summary of what is current (pure reads; the
// caller audits).
export { latestWeight, type WeightRow } from './record/repository.ts';
export {
  DIAGNOSIS_CODES,
  LAB_TESTS,
  MEDICATION_CLASS_LIST,
  RECORD_LIMITS,
  recordLimits,
  type CodedItem,
  type DiagnosisCode,
  type LabTest,
  type RecordLimits,
} from './record/definitions.ts';
export { recordSummary, type RecordSummary } from './record/summary.ts';
// The definitions administrators edit at /staff/clinical-settings: another area lists its kind in registry.ts.
export { CLINICAL_SETTINGS, type SettingsColumn, type SettingsEntry } from './settings/registry.ts';

// Who sees clinical pages, and their frame.
export { CLINICAL_RECORD_ROLES, clinicalPatient, PRESCRIBER_ROLES } from './patient-access.ts';

// Intake and consent by secure link; safety alerts and the worklist (check-in and outcomes raise alerts too).
export {
  consentCurrent,
  latestIntake,
  startIntake,
  type ConsentStatus,
  type LatestIntake,
} from './intake/intake-service.ts';
export { openAlerts, raiseAlert, type NewAlert } from './intake/alerts-service.ts';
// Dose orders and their independent double check. `voidOrdersAfterChange` is for the services that record a weight
// or change a plan: called in their transaction, it voids the patient's orders of sessions still to come.
export { doseOrderDetail, doseOrdersOverview, type OrderDetail } from './dosing/orders.ts';
export { FORM_FIELD, orderDose, orderSession, type OrderInput, type OrderSession } from './dosing/order-dose.ts';
export { ORDERER_MAY_NOT_VERIFY, verifyDose } from './dosing/verify-dose.ts';
export { VOID_CAUSES, voidDose, voidOrdersAfterChange, type VoidCause } from './dosing/void-dose.ts';
// Eligibility screening, signed by a provider; its rules and validity as versioned definitions.
export { CONTRAINDICATION_RULES, SCREENING_VALIDITY, type ScreeningValidity } from './eligibility/screening-kinds.ts';
export {
  addAddendum,
  currentScreening,
  isEligibleNow,
  saveScreening,
  screeningPage,
  type CurrentScreening,
  type ScreeningPageData,
} from './eligibility/screening-service.ts';
export { rulesSettings, saveRules } from './eligibility/rules-settings.ts';
// The infusion gate: whether an infusion or booster may be booked for a patient (the database keeps the same rule).
export { GATED_KINDS, infusionReady, openHold } from './gate/repository.ts';
// Treatment plans and their series.
export { activePlan, planById, planForAppointment, type Plan } from './protocols/plans.ts';

// The infusion day's pure cores (issue 12): a reading's ranges, the alert engine, the infusion total, the drug's
// reconciliation, the discharge gate and the Modified Aldrete score.
export { VITALS_LIMITS, vitalsSchema, withinPercent, type Vitals } from './sessions/vitals.ts';
export {
  DEFAULT_VITALS_THRESHOLDS,
  evaluateAlerts,
  nextVitalsDue,
  START_THRESHOLDS,
  startBlockers,
  type Alert,
  type StartThresholds,
  type VitalsThresholds,
} from './sessions/alerts.ts';
export { applyTimelineChange, infusedMg, timelineState, type TimelineEvent } from './sessions/total.ts';
export { lotBalances, reconcileBag } from './sessions/reconcile.ts';
export { dischargeReadiness, DISCHARGE_VITALS_RULE, type DischargeMissing } from './sessions/discharge-rules.ts';
export { ALDRETE_ITEMS, ALDRETE_VERSION, circulationFromPressure, scoreAldrete } from './instruments/aldrete.ts';
// The controlled-substance record: whether a session's drug balances (dispensed = given + wasted, for the discharge
// gate: call it in the discharge's transaction and refuse while it does not), with each bag's figures.
export {
  sessionDrugBalanced,
  sessionDrug,
  type BagFigures,
  type DrugStatus,
  type SessionDrug,
} from './sessions/controlled-balance.ts';
// Session alerts (issue 12 §3): `refreshSessionAlerts` runs in a vitals entry's transaction after the row is written
// (and on every read of the session page or the board, for overdue readings); `escalateWaitingAlerts` with the
// session's id escalates what waited past N minutes; the board shows `openAlertCounts`.
export { acknowledgeAlert, escalateWaitingAlerts, refreshSessionAlerts } from './sessions/alerts-service.ts';
export { openAlertCounts } from './sessions/alerts-repository.ts';
export { ALERT_LIMITS, currentAlertRules, type AlertRules } from './sessions/alerts-settings.ts';
export { SessionChart, type ChartData } from './sessions/alerts-chart.tsx';

// Recovery, discharge and the signed session record (issue 12 §4, §6): the one discharge gate every path asks, its
// settings, and the commands. The drug-balance check is a parameter (the controlled-substance part answers it).
export { dischargeGate, type DischargeGate, type DrugBalance } from './sessions/discharge-gate.ts';
export { DISCHARGE_SETTINGS, type DischargeSettings } from './sessions/discharge-settings.ts';
export {
  assessDischarge,
  dischargeSession,
  overrideDischarge,
  recheckDischarge,
} from './sessions/discharge-service.ts';
export { addRecordAddendum, cosignSessionRecord } from './sessions/record-service.ts';
// Infusion day, check-in: the session begins, the pre-infusion checks, every vitals reading (the alerts part joins
// its evaluation at `afterVitals`), and the check-in's definitions.
export { checkIn } from './sessions/checkin-service.ts';
export { afterVitals, recordVitals, type RecordedVitals } from './sessions/checkin-vitals-service.ts';
export { CHECKIN_CHECKLIST, START_LIMITS, startThresholds } from './sessions/checkin-settings.ts';
// The infusion (issue 12 §3): its start from the verified order with a witnessed bag, the pump's timeline and its
// total, side effects and medications from the protocol's orders; the reads a board or a session record sums up.
export { infusionContext, type InfusionContext } from './sessions/infusion-context.ts';
export { infusionPart, type InfusionView } from './sessions/infusion-read.ts';
export { SIDE_EFFECTS, SIDE_EFFECT_GRADES, type SideEffectItem } from './sessions/infusion-settings.ts';
export { orderLimits, type ExtraOrder } from './protocols/protocol.ts';

// Outcomes, questionnaires (issue 13 §1): the periodic run (schedule, send, remind, miss), the instruments a
// follow-up asks (PGIC, PEG beside PHQ-9, GAD-7, pain NRS), the schedule as data, and a patient's questionnaires and
// diary for reports and summaries.
export { QuestionnaireRun, runQuestionnaires, type RunCounts } from './outcomes/questionnaire-run.ts';
export { PGIC, pgicAnswer, type PgicDefinition } from './instruments/pgic.ts';
export { PEG, scorePeg, type PegDefinition } from './instruments/peg.ts';
export { QUESTIONNAIRE_INSTRUMENTS, type AskedInstrument } from './outcomes/questionnaire-instruments.ts';
export { QUESTIONNAIRE_SCHEDULE, type ScheduleRow } from './outcomes/questionnaire-settings.ts';
export { patientQuestionnaires } from './outcomes/questionnaire-staff-service.ts';
export { diaryOf, type DiaryDay } from './outcomes/diary-repository.ts';
export type { QuestionnaireRow } from './outcomes/questionnaire-repository.ts';
// Outcomes, the patient's clinical summary (issue 13 §4): the patients in treatment at a clinician's locations (the
// Patients page links each to their summary).
export { inTreatment, type InTreatment } from './outcomes/summary-in-treatment.ts';
// Outcomes (issue 13 §2): the responder analysis of one patient and its chart, for the clinical summary (a plain
// read: the caller checks access and audits in its transaction), and the pure responder and Wilson cores.
export { patientOutcomes, type PatientOutcomes } from './outcomes/patient-outcomes-read.ts';
export { PatientOutcomesChart } from './outcomes/patient-outcomes-chart.tsx';
export { PatientOutcomesSummary, ResponderNote } from './outcomes/patient-outcomes-views.tsx';
export { immpactClass, patientResponse, type ImmpactClass, type PatientResponse } from './outcomes/responder.ts';
export { RESPONDER_SETTINGS, type ResponderSettings } from './outcomes/responder-settings.ts';
export { wilson, type Interval } from './outcomes/wilson.ts';
// Safety (issue 13 §3): flag rules as data, raising in the transaction of their cause and by the sweep, the liver hold
// that the infusion gate and the start refuse, the providers' worklist, and the rates per 100 sessions.
export { evaluateFlags, type Flag, type PatientFacts } from './safety/flags.ts';
export { FLAG_RULES, FLAG_RULE_SETTINGS, flagRules, type FlagKind, type FlagRules } from './safety/flags-settings.ts';
export { raiseFlags } from './safety/flags-raise.ts';
export { SafetySweep, sweepMissedFollowUps } from './safety/flags-sweep.ts';
export { SAFETY_RATES } from './safety/rates-settings.ts';
export { closeFlag, safetyWorklist, takeFlag } from './safety/worklist-service.ts';
