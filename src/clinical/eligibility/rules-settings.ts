/**
 * The contraindication rules as an administrator reads and edits them: the version in force with its history, and a
 * save from the page's JSON text, refused with a message per field (the JSON itself, a rule's field, the source, or
 * a stale version). Saving goes through the definitions store: audited and versioned there.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { currentDefinition, definitionVersions, saveDefinition } from '../definitions/store.ts';
import { CONTRAINDICATION_RULES } from './screening-kinds.ts';

export async function rulesSettings(db: Kysely<DB>) {
  const [current, versions] = await Promise.all([
    currentDefinition(db, CONTRAINDICATION_RULES),
    definitionVersions(db, CONTRAINDICATION_RULES),
  ]);
  return { current, versions };
}

const MAX_JSON = 200_000;

export async function saveRules(
  database: Database,
  actor: Actor,
  body: Record<string, unknown>,
): Promise<{ ok: true; version: number } | Refusal> {
  const raw = typeof body.rules === 'string' ? body.rules : '';
  const source = typeof body.source === 'string' ? body.source : '';
  const basedOn = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : null;
  if (basedOn === null) {
    const message = 'The form is incomplete: reload the page.';
    return refuse('invalid_request', message, { version: message });
  }
  let parsed: unknown;
  try {
    if (raw.length > MAX_JSON) throw new Error('too long');
    parsed = JSON.parse(raw);
  } catch {
    const message =
      raw.length > MAX_JSON
        ? `Rules: at most ${MAX_JSON.toLocaleString('en-US')} characters`
        : 'Rules: not valid JSON. Check the commas, quotes and brackets near where you last edited.';
    return refuse('invalid_request', message, { rules: message });
  }
  const saved = await saveDefinition(database, actor, CONTRAINDICATION_RULES, { body: parsed, source, basedOn });
  return saved.ok ? { ok: true, version: saved.version } : saved;
}
