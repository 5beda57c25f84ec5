/**
 * What the screening page reads of the intake and the clinical record, read-only: one query per kind, so the page
 * costs the same whatever the record holds. The record's own pages write these tables; screening only looks.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../kernel/db/schema.ts';
import { readIntakeAnswers, type IntakeAnswers } from '../intake/answers.ts';

export const LAB_TESTS = ['alt', 'ast', 'alp'] as const;
export type LabTest = (typeof LAB_TESTS)[number];

export interface LabReading {
  value: number | null;
  unit: string | null;
  uln: number | null;
  finding: string | null;
  takenAt: number;
}

export interface RecordSummary {
  dateOfBirth: string | null;
  age: number | null;
  pregnancyPossible: boolean | null;
  allergies: Array<{ id: string; substance: string; ketamine: boolean; reaction: string | null }>;
  medications: Array<{ id: string; name: string; dose: string | null; classes: string[] }>;
  diagnoses: Array<{ id: string; code: string; label: string }>;
  labs: Partial<Record<LabTest, LabReading>>;
  ecg: LabReading | null;
  pdmp: { checkedAt: number; result: 'no_concerns' | 'concerns'; checkedBy: string } | null;
}

export interface SubmittedIntake {
  id: string;
  submittedAt: number;
  answers: IntakeAnswers;
}

/** The newest submitted intake of the patient, or null (an open one is still the patient's to finish). */
export async function latestSubmittedIntake(db: Kysely<DB>, patientId: string): Promise<SubmittedIntake | null> {
  const row = await db
    .selectFrom('intakes')
    .select(['id', 'answers', 'submitted_at'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'submitted')
    .orderBy('submitted_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, submittedAt: Number(row.submitted_at), answers: readIntakeAnswers(row.answers) };
}

/** Whole years between a date of birth and today in the location's zone; null when unknown or not a date. */
export function ageOn(dateOfBirth: string | null, now: number, zone: string): number | null {
  if (!dateOfBirth) return null;
  const born = DateTime.fromISO(dateOfBirth, { zone });
  if (!born.isValid) return null;
  const years = Math.floor(DateTime.fromMillis(now, { zone }).diff(born, 'years').years);
  return years >= 0 ? years : null;
}

const classesOf = (json: string): string[] => {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
};

export async function recordSummary(
  db: Kysely<DB>,
  patientId: string,
  now: number,
  zone: string,
): Promise<RecordSummary> {
  const [profile, allergies, medications, diagnoses, labs, pdmp] = await Promise.all([
    db
      .selectFrom('clinical_profiles')
      .select(['date_of_birth', 'pregnancy_possible'])
      .where('patient_id', '=', patientId)
      .executeTakeFirst(),
    db
      .selectFrom('allergies')
      .select(['id', 'substance', 'ketamine', 'reaction'])
      .where('patient_id', '=', patientId)
      .where('removed_at', 'is', null)
      .orderBy('recorded_at')
      .execute(),
    db
      .selectFrom('medications')
      .select(['id', 'name', 'dose', 'classes'])
      .where('patient_id', '=', patientId)
      .where('stopped_at', 'is', null)
      .orderBy('recorded_at')
      .execute(),
    db
      .selectFrom('diagnoses')
      .select(['id', 'code', 'label'])
      .where('patient_id', '=', patientId)
      .where('removed_at', 'is', null)
      .orderBy('recorded_at')
      .execute(),
    db
      .selectFrom('lab_results')
      .select(['test', 'value', 'unit', 'upper_limit', 'finding', 'taken_at'])
      .where('patient_id', '=', patientId)
      .where('test', 'in', [...LAB_TESTS, 'ecg'])
      .orderBy('taken_at', 'desc')
      .orderBy('recorded_at', 'desc')
      .execute(),
    db
      .selectFrom('pdmp_checks as p')
      .innerJoin('users as u', 'u.id', 'p.checked_by')
      .select(['p.checked_at', 'p.result', 'u.name'])
      .where('p.patient_id', '=', patientId)
      .orderBy('p.checked_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  const latest = new Map<string, LabReading>();
  for (const l of labs) {
    if (latest.has(l.test)) continue;
    latest.set(l.test, {
      value: l.value === null ? null : Number(l.value),
      unit: l.unit,
      uln: l.upper_limit === null ? null : Number(l.upper_limit),
      finding: l.finding,
      takenAt: Number(l.taken_at),
    });
  }
  const dateOfBirth = profile?.date_of_birth ?? null;
  return {
    dateOfBirth,
    age: ageOn(dateOfBirth, now, zone),
    pregnancyPossible: profile?.pregnancy_possible == null ? null : Number(profile.pregnancy_possible) === 1,
    allergies: allergies.map((a) => ({ ...a, ketamine: Number(a.ketamine) === 1 })),
    medications: medications.map((m) => ({ id: m.id, name: m.name, dose: m.dose, classes: classesOf(m.classes) })),
    diagnoses,
    labs: Object.fromEntries(LAB_TESTS.filter((t) => latest.has(t)).map((t) => [t, latest.get(t)!])),
    ecg: latest.get('ecg') ?? null,
    pdmp: pdmp ? { checkedAt: Number(pdmp.checked_at), result: pdmp.result, checkedBy: pdmp.name } : null,
  };
}
