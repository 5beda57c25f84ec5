/**
 * The patients in care at a clinician's own locations, each a link to their summary: the second click of the way
 * from the Patients page to a patient's pain chart. Being in ketamine treatment is clinical, so the list is for
 * clinicians only and its look is audited with the ids of the patients listed (no names).
 */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { listedPatients } from '../listed-patients.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';

const NOBODY = { locationId: null, patientRef: null };
import { patientsInTreatment } from './summary-repository.ts';

/** Enough for a clinic's working list; the search finds anyone beyond it. */
const LIMIT = 200;

export interface InTreatment {
  id: string;
  firstName: string;
  lastName: string;
  location: string;
  status: 'active' | 'paused';
}

/** Undefined for a role that sees no clinical data (the page then shows no list at all). */
export async function inTreatment(database: Database, actor: Actor): Promise<InTreatment[] | undefined> {
  if (!CLINICAL_RECORD_ROLES.includes(actor.staff.role)) return undefined;
  return database.transact(async (trx) => {
    const rows = await patientsInTreatment(trx, actor.staff.locationIds, LIMIT);
    for (const detail of listedPatients(
      rows.map((r) => r.id),
      { listed: rows.length },
    ))
      await auditStaff(trx, database, actor, 'clinical.treatment.list', 'success', NOBODY, detail);
    return rows.map((r) => ({
      id: r.id,
      firstName: r.first_name,
      lastName: r.last_name,
      location: r.location_name,
      status: r.status as InTreatment['status'],
    }));
  });
}
