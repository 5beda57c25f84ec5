/** The session page's controlled-substance part: the bags' figures, and who may witness a waste. */
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { DB } from '../../kernel/db/schema.ts';
import { sessionDrug, type SessionDrug } from './controlled-balance.ts';
import { userNames } from './controlled-repository.ts';
import { wasteClosedReason } from './controlled-waste.ts';
import type { SessionRow } from './repository.ts';
import { witnessChoices, type WitnessChoice } from './witness.ts';

export interface ControlledPart {
  drug: SessionDrug;
  /** Why no waste may be recorded now; null when it may. */
  closedReason: string | null;
  witnesses: WitnessChoice[];
  names: Map<string, string>;
}

export async function controlledPart(trx: Kysely<DB>, actor: Actor, session: SessionRow): Promise<ControlledPart> {
  const drug = (await sessionDrug(trx, session.id, actor.now))!;
  const names = await userNames(
    trx,
    drug.bags.flatMap((f) => [
      f.bag.drawnBy,
      f.bag.witnessedBy,
      ...f.waste.flatMap((w) => [w.wastedBy, w.witnessedBy]),
    ]),
  );
  return {
    drug,
    closedReason: wasteClosedReason(session.state, drug),
    witnesses: await witnessChoices(trx, session.location_id, actor.staff.userId),
    names,
  };
}
