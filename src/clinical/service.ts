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

// The clinical record.
export { latestWeight, type WeightRow } from './record/repository.ts';

// Who sees clinical pages, and their frame.
export { CLINICAL_RECORD_ROLES, clinicalPatient, PRESCRIBER_ROLES } from './patient-access.ts';

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
