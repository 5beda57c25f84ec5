/** The screenings and their addenda: the only writer of both tables. */
import type { Kysely } from 'kysely';
import type { DB, ScreeningOutcome } from '../../kernel/db/schema.ts';

export interface ScreeningRow {
  id: string;
  patient_id: string;
  location_id: string;
  intake_id: string | null;
  facts: string;
  fact_sources: string;
  budapest: string;
  css: string;
  vitals: string;
  overrides: string;
  rules_definition_id: string | null;
  outcome: ScreeningOutcome | null;
  reasons: string;
  status: 'draft' | 'signed';
  version: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  signed_by: string | null;
  signed_at: number | null;
  expires_at: number | null;
  /** Who last saved it (the creator until signed), and who signed it. */
  created_by_name: string;
  signed_by_name: string | null;
}

export interface AddendumRow {
  id: string;
  screening_id: string;
  text: string;
  author_name: string;
  created_at: number;
}

const toNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The patient's screenings, newest first, with the names of who wrote and signed each (one query). */
export async function screeningsOf(db: Kysely<DB>, patientId: string): Promise<ScreeningRow[]> {
  const rows = await db
    .selectFrom('screenings as s')
    .innerJoin('users as c', 'c.id', 's.created_by')
    .leftJoin('users as g', 'g.id', 's.signed_by')
    .selectAll('s')
    .select(['c.name as created_by_name', 'g.name as signed_by_name'])
    .where('s.patient_id', '=', patientId)
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id', 'desc')
    .execute();
  return rows.map((r) => ({
    ...r,
    version: Number(r.version),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    signed_at: toNumber(r.signed_at),
    expires_at: toNumber(r.expires_at),
  }));
}

/** The newest signed screening of a patient, or undefined. */
export async function newestSigned(
  db: Kysely<DB>,
  patientId: string,
): Promise<
  { id: string; outcome: ScreeningOutcome; signed_at: number; expires_at: number; signed_by: string } | undefined
> {
  const row = await db
    .selectFrom('screenings')
    .select(['id', 'outcome', 'signed_at', 'expires_at', 'signed_by'])
    .where('patient_id', '=', patientId)
    .where('status', '=', 'signed')
    .orderBy('signed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.outcome === null || row.signed_at === null || row.expires_at === null || row.signed_by === null)
    return undefined;
  return {
    id: row.id,
    outcome: row.outcome,
    signed_at: Number(row.signed_at),
    expires_at: Number(row.expires_at),
    signed_by: row.signed_by,
  };
}

export async function addendaOf(db: Kysely<DB>, screeningIds: string[]): Promise<AddendumRow[]> {
  if (screeningIds.length === 0) return [];
  const rows = await db
    .selectFrom('screening_addenda as a')
    .innerJoin('users as u', 'u.id', 'a.author_id')
    .select(['a.id', 'a.screening_id', 'a.text', 'a.created_at', 'u.name as author_name'])
    .where('a.screening_id', 'in', screeningIds)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

export interface ScreeningContent {
  intake_id: string | null;
  facts: string;
  fact_sources: string;
  budapest: string;
  css: string;
  vitals: string;
  overrides: string;
  outcome: ScreeningOutcome;
  reasons: string;
}

export interface Signature {
  rules_definition_id: string;
  signed_by: string;
  signed_at: number;
  expires_at: number;
}

export async function insertScreening(
  db: Kysely<DB>,
  row: ScreeningContent & {
    id: string;
    patient_id: string;
    location_id: string;
    created_by: string;
    now: number;
    signature?: Signature;
  },
): Promise<void> {
  const { now, signature, ...content } = row;
  await db
    .insertInto('screenings')
    .values({
      ...content,
      status: signature ? 'signed' : 'draft',
      version: 1,
      created_at: now,
      updated_at: now,
      ...(signature ?? {}),
    })
    .execute();
}

/** Saves over a draft if it is still at `version`; false when someone saved or signed it since. */
export async function updateDraft(
  db: Kysely<DB>,
  id: string,
  version: number,
  content: ScreeningContent,
  now: number,
  signature?: Signature,
): Promise<boolean> {
  const result = await db
    .updateTable('screenings')
    .set({
      ...content,
      version: version + 1,
      updated_at: now,
      ...(signature ? { status: 'signed', ...signature } : {}),
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertAddendum(
  db: Kysely<DB>,
  row: { id: string; screening_id: string; text: string; author_id: string; created_at: number },
): Promise<void> {
  await db.insertInto('screening_addenda').values(row).execute();
}

export async function locationZone(db: Kysely<DB>, locationId: string): Promise<string> {
  const row = await db
    .selectFrom('locations')
    .select('time_zone')
    .where('id', '=', locationId)
    .executeTakeFirstOrThrow();
  return row.time_zone;
}
