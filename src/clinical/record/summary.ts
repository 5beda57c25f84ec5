/**
 * The clinical record as other clinical areas read it (screening's facts, dose orders): what is current, in plain
 * figures. A pure read: the caller audits it with its own event, in its own transaction.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import {
  allergiesOf,
  diagnosesOf,
  latestWeight,
  medicationsOf,
  pdmpChecksOf,
  profileOf,
  resultsOf,
  type WeightRow,
} from './repository.ts';

export interface RecordSummary {
  profile: {
    dateOfBirth: string | null;
    sex: 'female' | 'male' | 'intersex' | 'not_said' | null;
    /** Null when not recorded. */
    pregnancyPossible: boolean | null;
    heightCm: number | null;
  } | null;
  weight: WeightRow | undefined;
  /** Current allergies (removed ones left out). */
  allergies: Array<{ substance: string; reaction: string | null; ketamine: boolean }>;
  /** A current allergy flagged as ketamine: a hard stop. */
  ketamineAllergy: boolean;
  /** Medications not stopped, with their class codes. */
  medications: Array<{ name: string; dose: string | null; classes: string[] }>;
  /** Every class code of the current medications, once each. */
  medicationClasses: string[];
  diagnoses: Array<{ code: string; label: string }>;
  /** The latest measured result of each test, by test code. */
  labs: Record<string, { value: number; unit: string; upperLimit: number | null; takenAt: number }>;
  /** The latest findings of each reviewed test (an ECG), by test code. */
  findings: Record<string, { finding: string; takenAt: number }>;
  pdmp: { result: 'no_concerns' | 'concerns'; note: string | null; checkedAt: number; checkedBy: string } | null;
}

export async function recordSummary(db: Kysely<DB>, patientId: string): Promise<RecordSummary> {
  const [profile, weight, allergies, medications, diagnoses, results, pdmp] = await Promise.all([
    profileOf(db, patientId),
    latestWeight(db, patientId),
    allergiesOf(db, patientId),
    medicationsOf(db, patientId),
    diagnosesOf(db, patientId),
    resultsOf(db, patientId),
    pdmpChecksOf(db, patientId),
  ]);
  const currentAllergies = allergies.filter((a) => a.removed_at === null);
  const currentMedications = medications.filter((m) => m.stopped_at === null);
  const labs: RecordSummary['labs'] = {};
  const findings: RecordSummary['findings'] = {};
  // Newest first: the first of each test is its latest.
  for (const r of results) {
    if (r.value !== null && r.unit !== null)
      labs[r.test] ??= { value: r.value, unit: r.unit, upperLimit: r.upper_limit, takenAt: r.taken_at };
    else if (r.finding !== null) findings[r.test] ??= { finding: r.finding, takenAt: r.taken_at };
  }
  const latestCheck = pdmp[0];
  return {
    profile: profile
      ? {
          dateOfBirth: profile.date_of_birth,
          sex: profile.sex,
          pregnancyPossible: profile.pregnancy_possible === null ? null : profile.pregnancy_possible === 1,
          heightCm: profile.height_cm,
        }
      : null,
    weight,
    allergies: currentAllergies.map((a) => ({ substance: a.substance, reaction: a.reaction, ketamine: a.ketamine })),
    ketamineAllergy: currentAllergies.some((a) => a.ketamine),
    medications: currentMedications.map((m) => ({ name: m.name, dose: m.dose, classes: m.classes })),
    medicationClasses: [...new Set(currentMedications.flatMap((m) => m.classes))],
    diagnoses: diagnoses.filter((d) => d.removed_at === null).map((d) => ({ code: d.code, label: d.label })),
    labs,
    findings,
    pdmp: latestCheck
      ? {
          result: latestCheck.result,
          note: latestCheck.note,
          checkedAt: latestCheck.checked_at,
          checkedBy: latestCheck.checked_by_name,
        }
      : null,
  };
}
