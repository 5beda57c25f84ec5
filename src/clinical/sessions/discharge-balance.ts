/**
 * The one place the discharge part asks whether the session's controlled-substance record balances (dispensed =
 * given + wasted, for every bag): the controlled-substance part's own reckoning, so the two never disagree.
 */
import { sessionDrugBalanced } from './controlled-balance.ts';
import type { DrugBalance } from './discharge-gate.ts';

export const drugBalanceOf: DrugBalance = async (db, sessionId) => (await sessionDrugBalanced(db, sessionId)).balanced;
