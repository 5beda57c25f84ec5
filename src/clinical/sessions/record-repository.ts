/** Session records and their addenda (migration 030): written at discharge, co-signed once, amended by addenda. */
import type { Kysely, Selectable } from 'kysely';
import type { DB, SessionRecordAddendumTable, SessionRecordTable } from '../../kernel/db/schema.ts';

export type RecordRow = Selectable<SessionRecordTable>;
export type AddendumRow = Selectable<SessionRecordAddendumTable>;

export async function insertRecord(trx: Kysely<DB>, row: RecordRow): Promise<void> {
  await trx.insertInto('session_records').values(row).execute();
}

export async function recordOfSession(db: Kysely<DB>, sessionId: string): Promise<RecordRow | undefined> {
  const row = await db.selectFrom('session_records').selectAll().where('session_id', '=', sessionId).executeTakeFirst();
  return (
    row && {
      ...row,
      written_at: Number(row.written_at),
      cosigned_at: row.cosigned_at === null ? null : Number(row.cosigned_at),
    }
  );
}

/** Signs an unsigned record; false when someone signed it first. */
export async function cosignRecord(trx: Kysely<DB>, id: string, by: string, at: number): Promise<boolean> {
  const r = await trx
    .updateTable('session_records')
    .set({ cosigned_by: by, cosigned_at: at })
    .where('id', '=', id)
    .where('cosigned_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertRecordAddendum(trx: Kysely<DB>, row: AddendumRow): Promise<void> {
  await trx.insertInto('session_record_addenda').values(row).execute();
}

export async function recordAddenda(
  db: Kysely<DB>,
  recordId: string,
): Promise<Array<{ id: string; text: string; author: string; signedAt: number }>> {
  const rows = await db
    .selectFrom('session_record_addenda as a')
    .innerJoin('users as u', 'u.id', 'a.author_id')
    .select(['a.id', 'a.text', 'u.name', 'a.signed_at'])
    .where('a.record_id', '=', recordId)
    .orderBy('a.signed_at')
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ id: r.id, text: r.text, author: r.name, signedAt: Number(r.signed_at) }));
}

/**
 * Who co-signs the session's record: the visit's supervising provider (their staff account, null when they have none),
 * or anyone (supervised: false) when the visit had no supervisor assigned.
 */
export async function recordCosigner(
  db: Kysely<DB>,
  appointmentId: string,
): Promise<{ supervised: boolean; userId: string | null }> {
  const row = await db
    .selectFrom('appointments as a')
    .leftJoin('users as u', (j) => j.onRef('u.clinician_id', '=', 'a.supervisor_id').on('u.disabled_at', 'is', null))
    .select(['a.supervisor_id', 'u.id'])
    .where('a.id', '=', appointmentId)
    .executeTakeFirst();
  return { supervised: (row?.supervisor_id ?? null) !== null, userId: row?.id ?? null };
}
