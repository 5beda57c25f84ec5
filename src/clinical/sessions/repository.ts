/**
 * Infusion sessions: the only writer of infusion_sessions. Entries recorded during a session (vitals, timeline,
 * bags…) have their own repositories beside this one; every one of them moves the session's version on through
 * `bumpSession`, so the board and a second nurse's page know something changed.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DB, InfusionSessionTable } from '../../kernel/db/schema.ts';

export type SessionRow = Selectable<InfusionSessionTable>;

const INSTANTS = ['checked_in_at', 'started_at', 'stopped_at', 'discharged_at', 'updated_at'] as const;

// PostgreSQL's bigint comes back as a string.
export function sessionOf(row: SessionRow): SessionRow {
  const out = { ...row, version: Number(row.version), stopped_early: Number(row.stopped_early) };
  for (const key of INSTANTS) {
    const v = row[key];
    (out as Record<string, unknown>)[key] = v === null ? null : Number(v);
  }
  return out;
}

export async function findSession(db: Kysely<DB>, id: string): Promise<SessionRow | undefined> {
  const row = await db.selectFrom('infusion_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && sessionOf(row);
}

export async function sessionOfAppointment(db: Kysely<DB>, appointmentId: string): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('infusion_sessions')
    .selectAll()
    .where('appointment_id', '=', appointmentId)
    .executeTakeFirst();
  return row && sessionOf(row);
}

export async function patientSessions(db: Kysely<DB>, patientId: string): Promise<SessionRow[]> {
  const rows = await db
    .selectFrom('infusion_sessions')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('checked_in_at')
    .execute();
  return rows.map(sessionOf);
}

export async function insertSession(
  trx: Kysely<DB>,
  row: Omit<SessionRow, 'stopped_early' | 'version' | 'state'>,
): Promise<void> {
  await trx
    .insertInto('infusion_sessions')
    .values({ ...row, state: 'checked_in', version: 1 })
    .execute();
}

/**
 * Writes `patch` and moves the version on by one, only if the row is still at `version`: false when someone else
 * changed it first (nothing written).
 */
export async function bumpSession(
  trx: Kysely<DB>,
  id: string,
  version: number,
  patch: Updateable<InfusionSessionTable> & { updated_at: number; updated_by: string },
): Promise<boolean> {
  const r = await trx
    .updateTable('infusion_sessions')
    .set({ ...patch, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
