// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { auditAlone, auditStaff, notFound, patientFor, visibleLocations } from './access.ts';
export type { Actor, StaffLocation } from './access.ts';
export { findPatient, patientOfRequest } from './repository.ts';
export type { Patient } from './repository.ts';
