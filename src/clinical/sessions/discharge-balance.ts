/**
 * The one place the discharge part asks whether the session's controlled-substance record balances. The
 * controlled-substance part (branch g-controlled) exports `sessionDrugBalanced(db, sessionId)`; it was not merged when
 * discharge was written, so this answers true and the services take the check as a parameter (their tests pass both
 * answers). MERGE NOTE: replace the body with `return sessionDrugBalanced(db, sessionId)`.
 */
import type { DrugBalance } from './discharge-gate.ts';

export const drugBalanceOf: DrugBalance = async () => true;
