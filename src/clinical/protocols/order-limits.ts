/**
 * An administrator (the medical director) sets the numeric limits of a protocol's other orders: the largest single
 * dose, the most in a session and the routes a nurse may record it by. Saved as the protocol's next version (a plan
 * keeps the version it was made from), audited, refused when the page showed an older version.
 */
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Database } from '../../kernel/db/database.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { saveNextVersion, staleProtocol } from './next-version.ts';
import { protocolSchema, type ProtocolDefinition } from './protocol.ts';

export interface OrderLimitsInput {
  doseMg: number;
  maxMgPerSession: number;
  routes: string[];
}

export async function saveOrderLimits(
  database: Database,
  actor: Actor,
  code: string,
  basedOn: number,
  limits: OrderLimitsInput[],
): Promise<{ ok: true; version: number } | Refusal> {
  return saveNextVersion(database, actor, {
    code,
    basedOn,
    action: 'protocol.order_limits',
    detail: { orders: limits.length },
    build: (definition) => {
      if (limits.length !== definition.extraOrders.length) return staleProtocol();
      const next: ProtocolDefinition = {
        ...definition,
        extraOrders: definition.extraOrders.map((o, i) => ({ ...o, ...limits[i]! })),
      };
      const checked = protocolSchema.safeParse(next);
      if (checked.success) return checked.data;
      const fields: Record<string, string> = {};
      for (const issue of checked.error.issues) {
        const [part, index, key] = issue.path;
        const name = key === 'maxMgPerSession' ? 'max' : key === 'routes' ? 'routes' : 'dose';
        if (part === 'extraOrders') fields[`${name}_${String(index)}`] ??= issue.message;
        else fields.form ??= issue.message;
      }
      return refuse('invalid_request', 'The limits were not saved.', fields);
    },
  });
}
