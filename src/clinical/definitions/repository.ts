import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';

export interface DefinitionRow {
  id: string;
  kind: string;
  version: number;
  body: string;
  source: string;
  created_by: string | null;
  created_at: number;
}

/** The version in force of one kind: the newest. */
export function latestDefinition(db: Kysely<DB>, kind: string): Promise<DefinitionRow | undefined> {
  return db
    .selectFrom('clinical_definitions')
    .selectAll()
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every version of one kind, newest first (the history an administrator reads). */
export function definitionHistory(db: Kysely<DB>, kind: string): Promise<DefinitionRow[]> {
  return db
    .selectFrom('clinical_definitions')
    .selectAll()
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .execute();
}

export async function insertDefinition(db: Kysely<DB>, row: DefinitionRow): Promise<void> {
  await db.insertInto('clinical_definitions').values(row).execute();
}
