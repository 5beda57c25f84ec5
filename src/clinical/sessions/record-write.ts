/** Writes the session record at discharge, in the discharge's transaction (so a discharged session always has one). */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { insertRecord } from './record-repository.ts';
import { buildRecordSummary } from './record-summary.ts';
import type { SessionRow } from './repository.ts';

export async function writeSessionRecord(trx: Kysely<DB>, session: SessionRow, actor: Actor): Promise<string> {
  const summary = await buildRecordSummary(trx, session);
  const id = timeOrderedId(actor.now);
  await insertRecord(trx, {
    id,
    session_id: session.id,
    summary: JSON.stringify(summary),
    written_at: actor.now,
    written_by: actor.staff.userId,
    cosigned_by: null,
    cosigned_at: null,
  });
  return id;
}
