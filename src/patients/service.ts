// The patients feature: search and the patient's record, both limited to the person's locations and audited.
import type { Database } from '../kernel/db/database.ts';
import { auditAlone, locationScope, patientFor, type Actor } from './access.ts';
import {
  namesForRefs,
  PATIENT_SEARCH_LIMIT,
  patientAppointments,
  patientRequests,
  requestNotes,
  searchPatients,
  type Patient,
  type PatientAppointment,
  type PatientListRow,
  type PatientNote,
  type PatientRequest,
  type RefName,
} from './repository.ts';

/**
 * Patients of this person's locations whose name, email or phone contains `text`: at most PATIENT_SEARCH_LIMIT,
 * `more` when there are others.
 */
export async function findPatients(
  database: Database,
  actor: Actor,
  text: string,
): Promise<{ results: PatientListRow[]; more: boolean }> {
  const found = await searchPatients(database.db, await locationScope(database.db, actor), text);
  const results = found.slice(0, PATIENT_SEARCH_LIMIT);
  const more = found.length > results.length;
  // The count only: what was searched for can itself identify someone, so it stays out of the trail.
  await auditAlone(
    database,
    actor,
    'patient.search',
    'success',
    { locationId: null, patientRef: null },
    { results: results.length, more },
  );
  return { results, more };
}

export interface PatientRecord {
  patient: Patient;
  appointments: PatientAppointment[];
  requests: PatientRequest[];
  notes: PatientNote[];
  /** Some of the patient's records are at locations this person does not work at (not shown). */
  partial: boolean;
}

/** The patient behind `rawId` with what this person may see of their record; a view event, or the plain 404. */
export async function patientRecord(database: Database, actor: Actor, rawId: unknown): Promise<PatientRecord> {
  const { patient, linked, where } = await patientFor(database, actor, rawId, 'patient.view');
  const scope = await locationScope(database.db, actor);
  const [appointments, requests] = await Promise.all([
    patientAppointments(database.db, patient.id, scope),
    patientRequests(database.db, patient.id, scope),
  ]);
  const notes = await requestNotes(
    database.db,
    requests.map((r) => r.id),
  );
  await auditAlone(database, actor, 'patient.view', 'success', where, {
    appointments: appointments.length,
    requests: requests.length,
    notes: notes.length,
  });
  const partial = scope !== 'all' && linked.some((l) => !scope.includes(l));
  return { patient, appointments, requests, notes, partial };
}

/**
 * The names behind patient or request references (as the audit trail files its events) that this person may see;
 * the others are left out, to be shown by id. Showing names is a look at patients: recorded like a list of them, by
 * count (and by reference when it is one person).
 */
export async function patientNames(
  database: Database,
  actor: Actor,
  refs: ReadonlyArray<string>,
): Promise<Map<string, RefName>> {
  const wanted = [...new Set(refs)];
  const found = await namesForRefs(database.db, wanted, await locationScope(database.db, actor));
  const names = new Map(found.map((n) => [n.ref, n]));
  if (names.size > 0) {
    const only = names.size === 1 ? [...names.keys()][0]! : null;
    await auditAlone(
      database,
      actor,
      'patient.list',
      'success',
      { locationId: null, patientRef: only },
      {
        names: names.size,
      },
    );
  }
  return names;
}

// The public face of this feature for the others (see .dependency-cruiser.cjs): what they may use, and no more.
export { auditAlone, auditStaff, notFound, PATIENT_ROLES, patientFor, visibleLocations } from './access.ts';
export type { Actor, StaffLocation } from './access.ts';
export { findPatient, matchOrCreatePatient, patientOfRequest } from './repository.ts';
export type { Patient, PatientListRow, RefName } from './repository.ts';
