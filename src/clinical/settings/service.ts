import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { currentDefinition, definitionVersions, saveDefinition, type Definition } from '../definitions/store.ts';
import { CLINICAL_SETTINGS, settingsEntry, type SettingsEntry } from './registry.ts';
import { bodyOf, fieldOfPath, inFormWords, type Values } from './rows.ts';

/** Most rows a list's form holds (the longest default list, with room to grow). */
export const MAX_ROWS = 300;

export async function clinicalSettings(database: Database) {
  return Promise.all(
    CLINICAL_SETTINGS.map(async (entry) => ({
      entry,
      current: await currentDefinition(database.db, entry.definition),
    })),
  );
}

export interface SettingsDetail {
  entry: SettingsEntry;
  current: Definition<unknown>;
  versions: Array<{ version: number; source: string; savedBy: string | null; savedAt: number }>;
}

export async function clinicalSetting(database: Database, kind: string): Promise<SettingsDetail | undefined> {
  const entry = settingsEntry(kind);
  if (!entry) return undefined;
  const [current, versions] = await Promise.all([
    currentDefinition(database.db, entry.definition),
    definitionVersions(database.db, entry.definition),
  ]);
  const names = await staffNames(
    database.db,
    versions.flatMap((v) => (v.savedBy ? [v.savedBy] : [])),
  );
  return {
    entry,
    current,
    versions: versions.map((v) => ({
      version: v.version,
      source: v.source,
      savedBy: v.savedBy ? (names.get(v.savedBy) ?? null) : null,
      savedAt: v.savedAt,
    })),
  };
}

async function staffNames(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Saves the form's rows as a new version of the kind, if the form was loaded at the version in force (audited by
 * the definitions store). Refusals name the cells: r{row}_{column}, `source`, `version` or `rows`.
 */
export async function saveClinicalSetting(
  database: Database,
  actor: Actor,
  entry: SettingsEntry,
  values: Values,
): Promise<{ ok: true; version: number } | Refusal> {
  const basedOn = /^\d{1,9}$/.test(values.version ?? '') ? Number(values.version) : -1;
  const rowCount = /^\d{1,4}$/.test(values.rows ?? '') ? Math.min(Number(values.rows), MAX_ROWS) : 0;
  const { body, rows } = bodyOf(entry, values, rowCount);
  const saved = await saveDefinition(database, actor, entry.definition, {
    body,
    source: values.source ?? '',
    basedOn,
  });
  if (saved.ok) return { ok: true, version: saved.version };
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(saved.fields ?? {})) {
    const field = path === 'source' || path === 'version' ? path : fieldOfPath(entry, path, rows);
    fields[field] ??= inFormWords(entry, field, message);
  }
  return refuse(saved.code, saved.message, fields);
}
