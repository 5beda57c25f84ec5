import { auditKey, type Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { auditKeyId, canonicalAuditRow, CHAIN_KEYED, keyedHash, keyIdOf } from '../audit/chain.ts';

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
 * False when the chain was keyed with another key: an event appended with this one would break the chain for
 * whoever holds the right key. A chain not keyed yet (from an older release) takes this key. The newest event
 * answers at once when it carries this key's HMAC (every start of a healthy server); only otherwise is the boundary
 * event looked up, which on an upgraded database sits after all the legacy events.
 */
export async function chainTakesKey(database: Database, key: Buffer): Promise<boolean> {
  const newest = await database.db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest) return true;
  const { hash, ...unhashed } = newest;
  if (keyedHash(key, canonicalAuditRow({ ...unhashed, seq: Number(unhashed.seq), at: Number(unhashed.at) })) === hash)
    return true;
  const boundary = await database.db
    .selectFrom('audit_events')
    .select('detail')
    .where('action', '=', CHAIN_KEYED)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
  return boundary === undefined || keyIdOf(boundary.detail) === auditKeyId(key);
}
