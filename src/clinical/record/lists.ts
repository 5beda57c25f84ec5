/**
 * Allergies, medications and diagnoses: each entry is added, then removed (a medication stopped) with who and when.
 * Nothing is deleted: the record shows what was believed when, and by whom.
 */
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse } from '../../kernel/refusal.ts';
import { currentDefinition } from '../definitions/store.ts';
import { DIAGNOSIS_CODES, MEDICATION_CLASS_LIST } from './definitions.ts';
import { parseAllergy, parseDiagnosis, parseMedication, type Values } from './forms.ts';
import { endEntry, insertAllergy, insertDiagnosis, insertMedication, type KeptList } from './repository.ts';
import { recordWrite } from './write.ts';

export function addAllergy(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.allergy.add', async (trx, context) => {
    const parsed = parseAllergy(values);
    if (!parsed.ok) return parsed;
    const id = timeOrderedId(actor.now);
    await insertAllergy(trx, {
      id,
      patient_id: context.patientId,
      ...parsed.data,
      recorded_by: actor.staff.userId,
      recorded_at: actor.now,
    });
    return { ketamine: parsed.data.ketamine === 1, detail: { allergyId: id, ketamine: parsed.data.ketamine === 1 } };
  });
}

export function addMedication(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.medication.add', async (trx, context) => {
    const classes = await currentDefinition(trx, MEDICATION_CLASS_LIST);
    const parsed = parseMedication(values, classes.body);
    if (!parsed.ok) return parsed;
    const id = timeOrderedId(actor.now);
    await insertMedication(trx, {
      id,
      patient_id: context.patientId,
      ...parsed.data,
      recorded_by: actor.staff.userId,
      recorded_at: actor.now,
    });
    return { detail: { medicationId: id, classes: parsed.data.classes.join(' ') || null } };
  });
}

export function addDiagnosis(database: Database, actor: Actor, rawId: unknown, values: Values) {
  return recordWrite(database, actor, rawId, 'clinical.diagnosis.add', async (trx, context) => {
    const codes = await currentDefinition(trx, DIAGNOSIS_CODES);
    const parsed = parseDiagnosis(values, codes.body);
    if (!parsed.ok) return parsed;
    const id = timeOrderedId(actor.now);
    await insertDiagnosis(trx, {
      id,
      patient_id: context.patientId,
      code: parsed.data.code,
      label: parsed.data.label,
      recorded_by: actor.staff.userId,
      recorded_at: actor.now,
    });
    return { detail: { diagnosisId: id, code: parsed.data.code } };
  });
}

const ENDING = {
  allergies: { action: 'clinical.allergy.remove', what: 'allergy', key: 'allergyId' },
  medications: { action: 'clinical.medication.stop', what: 'medication', key: 'medicationId' },
  diagnoses: { action: 'clinical.diagnosis.remove', what: 'diagnosis', key: 'diagnosisId' },
} as const;

/** Removes (stops) one current entry of this patient; an unknown, another patient's or an ended one is a 409. */
export function endListEntry(database: Database, actor: Actor, rawId: unknown, list: KeptList, rawEntry: unknown) {
  const { action, what, key } = ENDING[list];
  return recordWrite(database, actor, rawId, action, async (trx, context) => {
    const entry = z.uuid().safeParse(rawEntry);
    const ended =
      entry.success && (await endEntry(trx, list, context.patientId, entry.data, actor.staff.userId, actor.now));
    if (!ended) return refuse('conflict', `That ${what} is not current on this record any more; nothing was changed.`);
    return { detail: { [key]: entry.data } };
  });
}
