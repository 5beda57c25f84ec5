import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export interface WeightRow {
  id: string;
  patient_id: string;
  kg: number;
  entered_value: number;
  entered_unit: 'kg' | 'lb';
  measured_at: number;
  measured_by: string;
  created_at: number;
}

/** The patient's most recent weight by when it was measured (not when it was typed in), or undefined. */
export async function latestWeight(db: Kysely<DB>, patientId: string): Promise<WeightRow | undefined> {
  const row = await db
    .selectFrom('weights')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('measured_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      kg: Number(row.kg),
      entered_value: Number(row.entered_value),
      entered_unit: row.entered_unit,
      measured_at: Number(row.measured_at),
      created_at: Number(row.created_at),
    }
  );
}

// ---- Profile

export interface ProfileRow {
  date_of_birth: string | null;
  sex: 'female' | 'male' | 'intersex' | 'not_said' | null;
  pregnancy_possible: 0 | 1 | null;
  height_cm: number | null;
  version: number;
  updated_by: string;
  updated_by_name: string;
  updated_at: number;
}

export async function profileOf(db: Kysely<DB>, patientId: string): Promise<ProfileRow | undefined> {
  const row = await db
    .selectFrom('clinical_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.updated_by')
    .select([
      'p.date_of_birth',
      'p.sex',
      'p.pregnancy_possible',
      'p.height_cm',
      'p.version',
      'p.updated_by',
      'u.name as updated_by_name',
      'p.updated_at',
    ])
    .where('p.patient_id', '=', patientId)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      height_cm: row.height_cm === null ? null : Number(row.height_cm),
      version: Number(row.version),
      updated_at: Number(row.updated_at),
    }
  );
}

export interface ProfileValues {
  date_of_birth: string | null;
  sex: 'female' | 'male' | 'intersex' | 'not_said' | null;
  pregnancy_possible: 0 | 1 | null;
  height_cm: number | null;
}

/** Writes the profile if it is still at `basedOn` (0: none yet); false when someone saved in between. */
export async function writeProfile(
  db: Kysely<DB>,
  patientId: string,
  basedOn: number,
  values: ProfileValues,
  by: string,
  at: number,
): Promise<boolean> {
  if (basedOn === 0) {
    const result = await db
      .insertInto('clinical_profiles')
      .values({ patient_id: patientId, ...values, version: 1, updated_by: by, updated_at: at })
      .onConflict((oc) => oc.column('patient_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const result = await db
    .updateTable('clinical_profiles')
    .set({ ...values, version: basedOn + 1, updated_by: by, updated_at: at })
    .where('patient_id', '=', patientId)
    .where('version', '=', basedOn)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- Weights

export type WeightEntry = WeightRow & { measured_by_name: string };

export async function weightsOf(db: Kysely<DB>, patientId: string): Promise<WeightEntry[]> {
  const rows = await db
    .selectFrom('weights as w')
    .innerJoin('users as u', 'u.id', 'w.measured_by')
    .selectAll('w')
    .select('u.name as measured_by_name')
    .where('w.patient_id', '=', patientId)
    .orderBy('w.measured_at', 'desc')
    .orderBy('w.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    kg: Number(r.kg),
    entered_value: Number(r.entered_value),
    measured_at: Number(r.measured_at),
    created_at: Number(r.created_at),
  }));
}

export async function insertWeight(db: Kysely<DB>, row: WeightRow): Promise<void> {
  await db.insertInto('weights').values(row).execute();
}

// ---- Allergies, medications, diagnoses: added, then removed (or stopped) with who and when, never deleted.

export interface AllergyEntry {
  id: string;
  substance: string;
  ketamine: boolean;
  reaction: string | null;
  recorded_by_name: string;
  recorded_at: number;
  removed_by_name: string | null;
  removed_at: number | null;
}

export async function allergiesOf(db: Kysely<DB>, patientId: string): Promise<AllergyEntry[]> {
  const rows = await db
    .selectFrom('allergies as a')
    .innerJoin('users as r', 'r.id', 'a.recorded_by')
    .leftJoin('users as x', 'x.id', 'a.removed_by')
    .select([
      'a.id',
      'a.substance',
      'a.ketamine',
      'a.reaction',
      'r.name as recorded_by_name',
      'a.recorded_at',
      'x.name as removed_by_name',
      'a.removed_at',
    ])
    .where('a.patient_id', '=', patientId)
    .orderBy('a.recorded_at', 'desc')
    .orderBy('a.id', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    ketamine: Number(r.ketamine) === 1,
    recorded_at: Number(r.recorded_at),
    removed_at: r.removed_at === null ? null : Number(r.removed_at),
  }));
}

export async function insertAllergy(
  db: Kysely<DB>,
  row: {
    id: string;
    patient_id: string;
    substance: string;
    ketamine: 0 | 1;
    reaction: string | null;
    recorded_by: string;
    recorded_at: number;
  },
): Promise<void> {
  await db.insertInto('allergies').values(row).execute();
}

export interface MedicationEntry {
  id: string;
  name: string;
  dose: string | null;
  classes: string[];
  recorded_by_name: string;
  recorded_at: number;
  stopped_by_name: string | null;
  stopped_at: number | null;
}

export async function medicationsOf(db: Kysely<DB>, patientId: string): Promise<MedicationEntry[]> {
  const rows = await db
    .selectFrom('medications as m')
    .innerJoin('users as r', 'r.id', 'm.recorded_by')
    .leftJoin('users as x', 'x.id', 'm.stopped_by')
    .select([
      'm.id',
      'm.name',
      'm.dose',
      'm.classes',
      'r.name as recorded_by_name',
      'm.recorded_at',
      'x.name as stopped_by_name',
      'm.stopped_at',
    ])
    .where('m.patient_id', '=', patientId)
    .orderBy('m.recorded_at', 'desc')
    .orderBy('m.id', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    classes: parseClasses(r.classes),
    recorded_at: Number(r.recorded_at),
    stopped_at: r.stopped_at === null ? null : Number(r.stopped_at),
  }));
}

function parseClasses(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export async function insertMedication(
  db: Kysely<DB>,
  row: {
    id: string;
    patient_id: string;
    name: string;
    dose: string | null;
    classes: string[];
    recorded_by: string;
    recorded_at: number;
  },
): Promise<void> {
  await db
    .insertInto('medications')
    .values({ ...row, classes: JSON.stringify(row.classes) })
    .execute();
}

export interface DiagnosisEntry {
  id: string;
  code: string;
  label: string;
  recorded_by_name: string;
  recorded_at: number;
  removed_by_name: string | null;
  removed_at: number | null;
}

export async function diagnosesOf(db: Kysely<DB>, patientId: string): Promise<DiagnosisEntry[]> {
  const rows = await db
    .selectFrom('diagnoses as d')
    .innerJoin('users as r', 'r.id', 'd.recorded_by')
    .leftJoin('users as x', 'x.id', 'd.removed_by')
    .select([
      'd.id',
      'd.code',
      'd.label',
      'r.name as recorded_by_name',
      'd.recorded_at',
      'x.name as removed_by_name',
      'd.removed_at',
    ])
    .where('d.patient_id', '=', patientId)
    .orderBy('d.recorded_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    recorded_at: Number(r.recorded_at),
    removed_at: r.removed_at === null ? null : Number(r.removed_at),
  }));
}

export async function insertDiagnosis(
  db: Kysely<DB>,
  row: { id: string; patient_id: string; code: string; label: string; recorded_by: string; recorded_at: number },
): Promise<void> {
  await db.insertInto('diagnoses').values(row).execute();
}

/** The three kept lists, and the column pair that marks an entry as ended. */
const ENDED = {
  allergies: { by: 'removed_by', at: 'removed_at' },
  medications: { by: 'stopped_by', at: 'stopped_at' },
  diagnoses: { by: 'removed_by', at: 'removed_at' },
} as const;
export type KeptList = keyof typeof ENDED;

/** Marks one current entry of this patient as ended; false when there is none (unknown, elsewhere, or already). */
export async function endEntry(
  db: Kysely<DB>,
  list: KeptList,
  patientId: string,
  id: string,
  by: string,
  at: number,
): Promise<boolean> {
  const { by: byColumn, at: atColumn } = ENDED[list];
  const result = await db
    .updateTable(list)
    .set({ [byColumn]: by, [atColumn]: at })
    .where('id', '=', id)
    .where('patient_id', '=', patientId)
    .where(atColumn, 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- Results and prescription-monitoring checks

export interface ResultEntry {
  id: string;
  test: string;
  value: number | null;
  unit: string | null;
  upper_limit: number | null;
  finding: string | null;
  taken_at: number;
  recorded_by_name: string;
  recorded_at: number;
}

export async function resultsOf(db: Kysely<DB>, patientId: string): Promise<ResultEntry[]> {
  const rows = await db
    .selectFrom('lab_results as l')
    .innerJoin('users as r', 'r.id', 'l.recorded_by')
    .select([
      'l.id',
      'l.test',
      'l.value',
      'l.unit',
      'l.upper_limit',
      'l.finding',
      'l.taken_at',
      'r.name as recorded_by_name',
      'l.recorded_at',
    ])
    .where('l.patient_id', '=', patientId)
    .orderBy('l.taken_at', 'desc')
    .orderBy('l.recorded_at', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    value: r.value === null ? null : Number(r.value),
    upper_limit: r.upper_limit === null ? null : Number(r.upper_limit),
    taken_at: Number(r.taken_at),
    recorded_at: Number(r.recorded_at),
  }));
}

export async function insertResult(
  db: Kysely<DB>,
  row: {
    id: string;
    patient_id: string;
    test: string;
    value: number | null;
    unit: string | null;
    upper_limit: number | null;
    finding: string | null;
    taken_at: number;
    recorded_by: string;
    recorded_at: number;
  },
): Promise<void> {
  await db.insertInto('lab_results').values(row).execute();
}

export interface PdmpEntry {
  id: string;
  checked_at: number;
  checked_by_name: string;
  result: 'no_concerns' | 'concerns';
  note: string | null;
}

export async function pdmpChecksOf(db: Kysely<DB>, patientId: string): Promise<PdmpEntry[]> {
  const rows = await db
    .selectFrom('pdmp_checks as c')
    .innerJoin('users as u', 'u.id', 'c.checked_by')
    .select(['c.id', 'c.checked_at', 'u.name as checked_by_name', 'c.result', 'c.note'])
    .where('c.patient_id', '=', patientId)
    .orderBy('c.checked_at', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, checked_at: Number(r.checked_at) }));
}

export async function insertPdmpCheck(
  db: Kysely<DB>,
  row: {
    id: string;
    patient_id: string;
    checked_at: number;
    checked_by: string;
    result: 'no_concerns' | 'concerns';
    note: string | null;
  },
): Promise<void> {
  await db.insertInto('pdmp_checks').values(row).execute();
}
