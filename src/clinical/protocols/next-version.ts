/**
 * Saving a protocol as its next version: the one way the library changes (the order-limits form and the editor both
 * come here). In one transaction it re-reads the newest version, refuses a page opened on an older one, lets the
 * caller build the next definition from the newest, writes it and its audit event. A plan keeps the version it was
 * made from, so nothing already planned changes.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, Refusal } from '../../kernel/refusal.ts';
import type { ProtocolDefinition } from './protocol.ts';
import { insertProtocols, protocolVersions } from './repository.ts';

export const staleProtocol = () =>
  refuse('conflict', 'This protocol has a newer version since the page was opened: look at it again.', {
    version: 'This page was out of date.',
  });

export async function saveNextVersion(
  database: Database,
  actor: Actor,
  change: {
    code: string;
    basedOn: number;
    /** The next definition from the newest stored one, or why not. */
    build: (latest: ProtocolDefinition) => ProtocolDefinition | Refusal;
    action: string;
    detail: Record<string, string | number>;
  },
): Promise<{ ok: true; version: number } | Refusal> {
  try {
    return await database.transact(async (trx) => {
      const latest = (await protocolVersions(trx, change.code))[0];
      if (!latest) return refuse('not_found', 'That protocol could not be found.');
      if (latest.version !== change.basedOn) return staleProtocol();
      const next = change.build(JSON.parse(latest.definition) as ProtocolDefinition);
      if (next instanceof Refusal) return next;
      const version = latest.version + 1;
      await insertProtocols(trx, [
        {
          id: timeOrderedId(actor.now),
          code: change.code,
          version,
          definition: JSON.stringify(next),
          created_by: actor.staff.userId,
          created_at: actor.now,
          retired_at: null,
        },
      ]);
      await auditStaff(
        trx,
        database,
        actor,
        change.action,
        'success',
        { locationId: null, patientRef: null },
        { protocol: change.code, version, ...change.detail },
      );
      return { ok: true as const, version };
    });
  } catch (err) {
    // Two saves from the same version: the unique (code, version) key lets one through.
    if (isUniqueViolation(err)) return staleProtocol();
    throw err;
  }
}
