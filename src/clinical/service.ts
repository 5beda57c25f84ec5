/**
 * The clinical core's public service: what other features, the seed and the routes may call. It grows with the
 * clinical core (record, intake, screening, plans, dose orders); today it holds the protocol library.
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
