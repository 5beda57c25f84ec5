import type { Database } from '../kernel/db/database.ts';
import { writeSuggestedProtocols } from '../clinical/service.ts';

/**
 * The suggested protocols for a demo clinic just created, so a newcomer's protocol library is not empty (a real
 * clinic's administrator adds them from the library page). Apart from the clinic's seed, which the upgrade tests
 * also run at older releases that have no protocols table.
 */
export function seedDemoProtocols(database: Database, now: number): Promise<void> {
  return database.transact((trx) => writeSuggestedProtocols(trx, now, null));
}
