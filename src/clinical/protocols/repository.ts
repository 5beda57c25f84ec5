import type { Kysely, Selectable } from 'kysely';
import type { DB, ProtocolTable } from '../../kernel/db/schema.ts';

export type ProtocolRow = Selectable<ProtocolTable>;

/** The newest version of each protocol still in use, by name of code. */
export async function currentProtocols(db: Kysely<DB>): Promise<ProtocolRow[]> {
  const rows = await db
    .selectFrom('protocols')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('code')
    .orderBy('version', 'desc')
    .execute();
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.code) && seen.add(r.code));
}

/** Every version of one protocol, newest first. */
export function protocolVersions(db: Kysely<DB>, code: string): Promise<ProtocolRow[]> {
  return db.selectFrom('protocols').selectAll().where('code', '=', code).orderBy('version', 'desc').execute();
}

export async function anyProtocol(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('protocols').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function insertProtocols(trx: Kysely<DB>, rows: ProtocolRow[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('protocols').values(rows).execute();
}
