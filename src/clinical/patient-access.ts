/**
 * The patient behind a clinical page or command, for the clinical roles only. Location scoping, emergency access and
 * the 'denied' event for a patient elsewhere are the patients feature's (`patientFor`); this adds nothing but the one
 * place every clinical sub-area asks, so a new clinical page cannot forget the check.
 */
import type { Actor } from '../kernel/audit/staff-audit.ts';
import type { Database } from '../kernel/db/database.ts';
import type { Role } from '../kernel/db/schema.ts';
import { refuse } from '../kernel/refusal.ts';
import { patientFor, type Patient } from '../patients/service.ts';

/** Who sees and writes the clinical record. Front desk and administrators see none of it. */
export const CLINICAL_RECORD_ROLES: readonly Role[] = ['provider', 'nurse'];
/** Who signs screenings, plans and dose orders: prescribers. */
export const PRESCRIBER_ROLES: readonly Role[] = ['provider'];

export interface ClinicalPatient {
  patient: Patient;
  /** Where the access is filed in the audit trail. */
  where: { locationId: string; patientRef: string };
}

/**
 * The patient if this person may see their clinical record; otherwise the plain 404 (and a 'denied' event when the
 * patient exists elsewhere). `action` names the audit event of the read or write that follows.
 */
export async function clinicalPatient(
  database: Database,
  actor: Actor,
  rawId: unknown,
  action: string,
): Promise<ClinicalPatient> {
  // Routes declare the roles too; this is the second wall, for a service called from somewhere new.
  if (!CLINICAL_ROLES_SET.has(actor.staff.role)) throw refuse('forbidden', 'Only clinicians see clinical records.');
  const { patient, where } = await patientFor(database, actor, rawId, action);
  return { patient, where };
}

const CLINICAL_ROLES_SET = new Set<Role>(CLINICAL_RECORD_ROLES);
