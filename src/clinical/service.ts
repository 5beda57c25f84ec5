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

// Treatment plans and their series.
export { activePlan, planById, planForAppointment, type Plan } from './protocols/plans.ts';
