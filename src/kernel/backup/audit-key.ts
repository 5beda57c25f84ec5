import { auditKey, type Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { auditKeyId, CHAIN_KEYED, keyIdOf } from '../audit/chain.ts';

/**
 * The key a restored copy's audit chain is checked and continued with: AUDIT_KEY when set; else the backup's own
 * secret when it carries one (--with-secret), since the chain was keyed from the secret in use when it was made;
 * else this configuration's secret.
 */
export function restoredAuditKey(config: Config, backupSecret: string | undefined): Buffer {
  if (config.audit.keyFrom === 'AUDIT_KEY' || backupSecret === undefined) return config.audit.key;
  return auditKey(backupSecret);
}

/**
 * False when the copy's chain was keyed with another key: an event appended with this one would break the chain
 * for whoever holds the right key. A chain not keyed yet (from an older release) takes this key.
 */
export async function chainTakesKey(database: Database, key: Buffer): Promise<boolean> {
  const boundary = await database.db
    .selectFrom('audit_events')
    .select('detail')
    .where('action', '=', CHAIN_KEYED)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
  return boundary === undefined || keyIdOf(boundary.detail) === auditKeyId(key);
}
