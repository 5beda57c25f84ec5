/**
 * Versioned clinical definitions: the rules, lists and numbers a medical director reviews and edits (contraindication
 * rules, medication classes, diagnosis codes, lab tests, how old a weight may be…). Each kind has a zod schema, the
 * default a release ships and that default's source. Until an administrator saves a version, the shipped default is
 * in force as version 0; each save writes version n + 1 with its source, audited in the same transaction, and a save
 * based on an older version than the newest is refused as stale (nothing is overwritten unseen).
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { definitionHistory, insertDefinition, latestDefinition } from './repository.ts';

export interface DefinitionKind<T> {
  /** Stored in clinical_definitions.kind: lower-case words joined by hyphens. */
  kind: string;
  /** What an administrator calls it. */
  label: string;
  schema: z.ZodType<T>;
  defaults: T;
  /** Where the shipped default comes from. */
  source: string;
  /** True where ../shared/clinical-facts.md marks the shipped default UNVERIFIED (shown so in the interface). */
  unverified: boolean;
}

export interface Definition<T> {
  /** 0 for the shipped default, never saved. */
  version: number;
  body: T;
  source: string;
  /** The stored row's id (null for the shipped default): what a screening or an order records it used. */
  id: string | null;
  /** True for the shipped default of an unverified kind; an administrator's saved version is their decision. */
  unverified: boolean;
  savedBy: string | null;
  savedAt: number | null;
}

/** The version in force. A stored body that no longer parses is a fault worth stopping on, not a silent default. */
export async function currentDefinition<T>(db: Kysely<DB>, kind: DefinitionKind<T>): Promise<Definition<T>> {
  const row = await latestDefinition(db, kind.kind);
  if (!row)
    return {
      version: 0,
      body: kind.defaults,
      source: kind.source,
      id: null,
      unverified: kind.unverified,
      savedBy: null,
      savedAt: null,
    };
  return {
    version: row.version,
    body: kind.schema.parse(JSON.parse(row.body)),
    source: row.source,
    id: row.id,
    unverified: false,
    savedBy: row.created_by,
    savedAt: row.created_at,
  };
}

export async function definitionVersions(db: Kysely<DB>, kind: DefinitionKind<unknown>) {
  return (await definitionHistory(db, kind.kind)).map((r) => ({
    version: r.version,
    source: r.source,
    savedBy: r.created_by,
    savedAt: r.created_at,
  }));
}

/**
 * Saves a new version of `kind`, from a body and source as typed, if `basedOn` is still the version in force.
 * Refusals name the field: `body` paths as the schema reports them, `source`, or `version` for a stale form.
 */
export async function saveDefinition<T>(
  database: Database,
  actor: Actor,
  kind: DefinitionKind<T>,
  input: { body: unknown; source: string; basedOn: number },
): Promise<{ ok: true; version: number; id: string } | Refusal> {
  const parsed = kind.schema.safeParse(input.body);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    return refuse('invalid_request', `The ${kind.label.toLowerCase()} were not saved: please check them.`, fields);
  }
  const source = input.source.trim();
  if (source.length === 0 || source.length > 1000) {
    const message = 'Source: say where these values come from (a publication, a label or a decision of the clinic).';
    return refuse('invalid_request', message, { source: message });
  }
  try {
    return await database.transact(async (trx) => {
      const latest = await latestDefinition(trx, kind.kind);
      const inForce = latest?.version ?? 0;
      if (inForce !== input.basedOn) {
        const message = `Someone saved version ${inForce} of the ${kind.label.toLowerCase()} since this page was loaded. Reload to see it; nothing was saved.`;
        return refuse('conflict', message, { version: message });
      }
      const id = timeOrderedId(actor.now);
      const version = inForce + 1;
      await insertDefinition(trx, {
        id,
        kind: kind.kind,
        version,
        body: JSON.stringify(parsed.data),
        source,
        created_by: actor.staff.userId,
        created_at: actor.now,
      });
      await auditStaff(
        trx,
        database,
        actor,
        'clinical.definition.save',
        'success',
        { locationId: null, patientRef: null },
        { kind: kind.kind, version },
      );
      return { ok: true as const, version, id };
    });
  } catch (error) {
    // Two saves of the same version at once: the unique (kind, version) key lets one through.
    if (isUniqueViolation(error)) {
      const message = `Someone saved the ${kind.label.toLowerCase()} at the same moment. Reload to see theirs; nothing was saved.`;
      return refuse('conflict', message, { version: message });
    }
    throw error;
  }
}
