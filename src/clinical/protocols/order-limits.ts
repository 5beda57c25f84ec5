/**
 * An administrator (the medical director) sets the numeric limits of a protocol's other orders: the largest single
 * dose, the most in a session and the routes a nurse may record it by. Saved as the protocol's next version (a plan
 * keeps the version it was made from), audited, refused when the page showed an older version.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { auditStaff } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { protocolSchema, type ProtocolDefinition } from './protocol.ts';
import { insertProtocols, protocolVersions } from './repository.ts';

export interface OrderLimitsInput {
  doseMg: number;
  maxMgPerSession: number;
  routes: string[];
}

const stale = () =>
  refuse('conflict', 'This protocol has a newer version since the page was opened: look at it again.', {
    version: 'This page was out of date.',
  });

export async function saveOrderLimits(
  database: Database,
  actor: Actor,
  code: string,
  basedOn: number,
  limits: OrderLimitsInput[],
): Promise<{ ok: true; version: number } | Refusal> {
  try {
    return await database.transact(async (trx) => {
      const latest = (await protocolVersions(trx, code))[0];
      if (!latest) return refuse('not_found', 'That protocol could not be found.');
      if (latest.version !== basedOn) return stale();
      const definition = JSON.parse(latest.definition) as ProtocolDefinition;
      if (limits.length !== definition.extraOrders.length) return stale();
      const next: ProtocolDefinition = {
        ...definition,
        extraOrders: definition.extraOrders.map((o, i) => ({ ...o, ...limits[i]! })),
      };
      const checked = protocolSchema.safeParse(next);
      if (!checked.success) {
        const fields: Record<string, string> = {};
        for (const issue of checked.error.issues) {
          const [part, index, key] = issue.path;
          const name = key === 'maxMgPerSession' ? 'max' : key === 'routes' ? 'routes' : 'dose';
          if (part === 'extraOrders') fields[`${name}_${String(index)}`] ??= issue.message;
          else fields.form ??= issue.message;
        }
        return refuse('invalid_request', 'The limits were not saved.', fields);
      }
      const version = latest.version + 1;
      await insertProtocols(trx, [
        {
          id: timeOrderedId(actor.now),
          code,
          version,
          definition: JSON.stringify(checked.data),
          created_by: actor.staff.userId,
          created_at: actor.now,
          retired_at: null,
        },
      ]);
      await auditStaff(
        trx,
        database,
        actor,
        'protocol.order_limits',
        'success',
        { locationId: null, patientRef: null },
        { protocol: code, version, orders: limits.length },
      );
      return { ok: true as const, version };
    });
  } catch (err) {
    // Two saves from the same version: the unique (code, version) key lets one through.
    if (isUniqueViolation(err)) return stale();
    throw err;
  }
}
