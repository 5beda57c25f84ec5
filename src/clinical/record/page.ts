import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { currentDefinition } from '../definitions/store.ts';
import { clinicalPatient } from '../patient-access.ts';
import { DIAGNOSIS_CODES, LAB_TESTS, MEDICATION_CLASS_LIST, recordLimits } from './definitions.ts';
import {
  allergiesOf,
  diagnosesOf,
  medicationsOf,
  pdmpChecksOf,
  profileOf,
  resultsOf,
  weightsOf,
} from './repository.ts';
import { recordContext } from './write.ts';

export type RecordView = Awaited<ReturnType<typeof recordPage>>;

/** Everything the record page shows, read with its 'clinical.record.view' event in one transaction. */
export async function recordPage(database: Database, actor: Actor, rawId: unknown) {
  const action = 'clinical.record.view';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const context = await recordContext(database, actor, where.locationId, patient.id);
  return database.transact(async (trx) => {
    const id = patient.id;
    const [profile, weights, allergies, medications, diagnoses, results, pdmp] = await Promise.all([
      profileOf(trx, id),
      weightsOf(trx, id),
      allergiesOf(trx, id),
      medicationsOf(trx, id),
      diagnosesOf(trx, id),
      resultsOf(trx, id),
      pdmpChecksOf(trx, id),
    ]);
    const [limits, classes, codes, tests] = await Promise.all([
      recordLimits(trx),
      currentDefinition(trx, MEDICATION_CLASS_LIST),
      currentDefinition(trx, DIAGNOSIS_CODES),
      currentDefinition(trx, LAB_TESTS),
    ]);
    await auditStaff(trx, database, actor, action, 'success', where, {
      weights: weights.length,
      allergies: allergies.length,
      medications: medications.length,
      diagnoses: diagnoses.length,
      results: results.length,
      pdmpChecks: pdmp.length,
    });
    return {
      patient,
      zone: context.zone,
      today: context.today,
      now: actor.now,
      profile,
      weights,
      allergies,
      medications,
      diagnoses,
      results,
      pdmp,
      limits,
      classes: classes.body,
      classesUnverified: classes.unverified,
      codes: codes.body,
      codesUnverified: codes.unverified || codes.body.some((c) => c.unverified),
      tests: tests.body,
    };
  });
}
