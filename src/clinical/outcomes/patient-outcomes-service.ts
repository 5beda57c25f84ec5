/** The patient's outcomes tab: who may see it (nurses and providers of the patient's location), audited as read. */
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { Patient } from '../../patients/service.ts';
import { clinicalPatient } from '../patient-access.ts';
import { patientOutcomes, type PatientOutcomes } from './patient-outcomes-read.ts';

export async function patientOutcomesPage(
  database: Database,
  actor: Actor,
  rawPatientId: unknown,
): Promise<{ patient: Patient; outcomes: PatientOutcomes }> {
  const { patient, where } = await clinicalPatient(database, actor, rawPatientId, 'outcomes.patient.view');
  return database.transact(async (trx) => {
    const outcomes = await patientOutcomes(trx, patient.id);
    await auditStaff(trx, database, actor, 'outcomes.patient.view', 'success', where, {
      questionnaires: outcomes.observations.length,
    });
    return { patient, outcomes };
  });
}
