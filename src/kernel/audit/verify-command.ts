import type { Database } from '../db/database.ts';
import { verifyAuditChain } from './audit.ts';

/** `relief audit verify`: recomputes the audit hash chain. Returns the process exit code (0 intact, 1 broken). */
export async function auditVerifyCommand(database: Database, out: (line: string) => void): Promise<number> {
  const check = await verifyAuditChain(database.db);
  if (check.ok) {
    out(`Audit trail intact: ${check.count} events.`);
    return 0;
  }
  out(`Audit trail BROKEN at event #${check.seq}: ${check.reason}`);
  return 1;
}
