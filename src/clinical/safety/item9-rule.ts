/**
 * The one reader of the PHQ-9 item-9 rule that raises a clinician's alert: the thresholds the medical director set in
 * the safety flag rules, read in the transaction of the answer, so intake, check-in, questionnaires (patient's or
 * staff-entered) and the pages that show an answer all judge it the same way. The rule cannot be switched off.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { PHQ9_ITEM9_RULE, type Phq9SafetyRule } from '../instruments/phq9.ts';
import { FLAG_RULE_SETTINGS, flagRules, type FlagRules } from './flags-settings.ts';

/** The rule as a `Phq9SafetyRule`; its version names the flag rules' version it was built from (kept in the audit). */
export function item9RuleOf(body: Pick<FlagRules, 'item9AlertAt' | 'item9UrgentAt'>, version: number): Phq9SafetyRule {
  return {
    ...PHQ9_ITEM9_RULE,
    alertAt: body.item9AlertAt,
    escalateAt: body.item9UrgentAt,
    version: `${FLAG_RULE_SETTINGS.kind}@${version}`,
  };
}

export async function item9Rule(db: Kysely<DB>): Promise<Phq9SafetyRule> {
  const rules = await flagRules(db);
  return item9RuleOf(rules.body, rules.version);
}
