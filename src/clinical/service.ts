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
export { GATED_KINDS, infusionReady } from './gate/repository.ts';
// Treatment plans and their series.
export { activePlan, planById, planForAppointment, type Plan } from './protocols/plans.ts';
// The infusion (issue 12 §3): its start from the verified order with a witnessed bag, the pump's timeline and its
// total, side effects and medications from the protocol's orders; the reads a board or a session record sums up.
export { infusionContext, type InfusionContext } from './sessions/infusion-context.ts';
export { infusionPart, type InfusionView } from './sessions/infusion-read.ts';
export { SIDE_EFFECTS, SIDE_EFFECT_GRADES, type SideEffectItem } from './sessions/infusion-settings.ts';
export { orderLimits, type ExtraOrder } from './protocols/protocol.ts';
