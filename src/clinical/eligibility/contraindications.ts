/**
 * Contraindication rules as data, and the evaluator that turns a screening's facts into eligible, not eligible or
 * needs more information. Pure.
 *
 * A rule reads one fact and, when its condition holds, has one effect:
 * - `hard_stop`: not eligible, and no override can change that;
 * - `overridable`: not eligible unless the provider overrides it with a reason;
 * - `requires_test`: the test's result must be among the facts before the outcome can be eligible.
 * The outcome, in order: any hard stop → not_eligible (whatever is still unknown, since nothing could undo it);
 * else any fact a rule reads, or any result of a required test, still unknown → needs_information; else any stop
 * without a valid override → not_eligible; else eligible. The shipped rules are in default-rules.ts.
 */
import { z } from 'zod';
import { key, type Provenance, provenanceShape, text } from '../provenance.ts';
import {
  FACT_KEYS,
  factDefinition,
  type FactDefinition,
  type FactKey,
  type Facts,
  type LabValue,
  readFact,
  resultsOf,
  TEST_KEYS,
  type TestKey,
  TESTS,
} from './facts.ts';

export type Condition =
  | { is: boolean | string }
  | { oneOf: readonly string[] }
  | { atLeast: number }
  | { above: number }
  | { below: number }
  | { multipleOfUln: number }
  | { includesClass: string };

export type Effect = 'hard_stop' | 'overridable' | 'requires_test';

export interface ContraindicationRule {
  id: string;
  label: string;
  reads: FactKey;
  when: Condition;
  effect: Effect;
  /** The test required, exactly when effect is requires_test. */
  test?: TestKey;
  source: string;
  unverified?: boolean;
}

export interface ContraindicationRuleSet extends Provenance {
  rules: readonly ContraindicationRule[];
}

export interface Override {
  ruleId: string;
  reason: string;
}

export interface Stop {
  ruleId: string;
  label: string;
  effect: 'hard_stop' | 'overridable';
  reads: FactKey;
  source: string;
  unverified: boolean;
}

export interface OverriddenStop {
  ruleId: string;
  label: string;
  reason: string;
}

export type OverrideRefusal =
  'hard_stop' | 'not_overridable' | 'empty_reason' | 'unknown_rule' | 'not_applicable' | 'duplicate';

export interface RefusedOverride {
  ruleId: string;
  code: OverrideRefusal;
  /** Why, in plain words, for the provider. */
  reason: string;
}

export interface RequiredTest {
  test: TestKey;
  label: string;
  /** The rules that require it, in rule order. */
  because: string[];
  /** Whether every result of the test is among the facts. */
  done: boolean;
}

export type Outcome = 'eligible' | 'not_eligible' | 'needs_information';

export interface EligibilityResult {
  outcome: Outcome;
  rulesVersion: string;
  /** Stops that stand: every hard stop that fired, and every overridable one without a valid override. */
  stops: Stop[];
  overridden: OverriddenStop[];
  refusedOverrides: RefusedOverride[];
  requiredTests: RequiredTest[];
  /** Facts still unknown that a rule reads (results of tests only once the test is required). */
  missing: FactKey[];
}

/**
 * Whether a well-formed value meets the condition. A condition of the wrong kind for its fact (a rule set that
 * skipped `rulesSchema`) counts as met: a stop too many is seen and corrected, a stop missed is not.
 */
function holds(when: Condition, value: unknown): boolean {
  if ('is' in when) return typeof value === typeof when.is ? value === when.is : true;
  if ('oneOf' in when) return typeof value === 'string' ? when.oneOf.includes(value) : true;
  if ('includesClass' in when) return Array.isArray(value) ? value.includes(when.includesClass) : true;
  if ('multipleOfUln' in when) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
    const lab = value as LabValue;
    return lab.value >= when.multipleOfUln * lab.uln;
  }
  if (typeof value !== 'number') return true;
  if ('atLeast' in when) return value >= when.atLeast;
  if ('above' in when) return value > when.above;
  return value < when.below;
}

function known(def: FactDefinition, facts: Facts): unknown {
  const raw: unknown = Object.hasOwn(facts, def.key) ? (facts as Record<string, unknown>)[def.key] : undefined;
  return readFact(def, raw);
}

export function evaluateEligibility(
  rules: ContraindicationRuleSet,
  facts: Facts,
  overrides: readonly Override[] = [],
): EligibilityResult {
  const missing = new Set<FactKey>();
  const fired: ContraindicationRule[] = [];
  for (const r of rules.rules) {
    const def = factDefinition(r.reads);
    if (!def) {
      // A fact no page can supply (a rule set that skipped rulesSchema): shown as a stop, never passed quietly.
      fired.push(r);
      continue;
    }
    const value = known(def, facts);
    if (value === undefined) {
      if (def.from !== 'test') missing.add(r.reads);
    } else if (holds(r.when, value)) fired.push(r);
  }

  const requiredTests: RequiredTest[] = [];
  for (const r of fired) {
    if (r.effect !== 'requires_test' || !r.test) continue;
    const existing = requiredTests.find((t) => t.test === r.test);
    if (existing) {
      existing.because.push(r.id);
      continue;
    }
    const test = r.test;
    const unknown = resultsOf(test).filter((f) => known(f, facts) === undefined);
    for (const f of unknown) missing.add(f.key as FactKey);
    requiredTests.push({
      test,
      label: TESTS.find((t) => t.key === test)?.label ?? test,
      because: [r.id],
      done: unknown.length === 0,
    });
  }

  const overridden: OverriddenStop[] = [];
  const refusedOverrides: RefusedOverride[] = [];
  for (const o of overrides) {
    const ruleId = typeof o?.ruleId === 'string' ? o.ruleId : '';
    const reason = typeof o?.reason === 'string' ? o.reason.trim() : '';
    const r = rules.rules.find((x) => x.id === ruleId);
    const refuse = (code: OverrideRefusal, why: string) => refusedOverrides.push({ ruleId, code, reason: why });
    if (!r) refuse('unknown_rule', 'there is no such rule in this rule set');
    else if (r.effect === 'hard_stop') refuse('hard_stop', `"${r.label}" is a hard stop, which no one can override`);
    else if (r.effect === 'requires_test')
      refuse('not_overridable', `"${r.label}" asks for a test; record its result instead`);
    else if (reason === '') refuse('empty_reason', `an override of "${r.label}" needs a reason`);
    else if (!fired.includes(r)) refuse('not_applicable', `"${r.label}" does not apply to this patient's facts`);
    else if (overridden.some((x) => x.ruleId === r.id)) refuse('duplicate', `"${r.label}" is already overridden`);
    else overridden.push({ ruleId: r.id, label: r.label, reason });
  }

  const stops: Stop[] = fired
    .filter(
      (r) => r.effect === 'hard_stop' || (r.effect === 'overridable' && !overridden.some((o) => o.ruleId === r.id)),
    )
    .map((r) => ({
      ruleId: r.id,
      label: r.label,
      effect: r.effect as Stop['effect'],
      reads: r.reads,
      source: r.source,
      unverified: r.unverified === true,
    }));

  const outcome: Outcome = stops.some((s) => s.effect === 'hard_stop')
    ? 'not_eligible'
    : missing.size > 0 || requiredTests.some((t) => !t.done)
      ? 'needs_information'
      : stops.length > 0
        ? 'not_eligible'
        : 'eligible';

  return {
    outcome,
    rulesVersion: rules.version,
    stops,
    overridden,
    refusedOverrides,
    requiredTests,
    // In the vocabulary's order, the order the screening page asks in.
    missing: FACT_KEYS.filter((k) => missing.has(k)),
  };
}

const num = (field: string) => z.number({ error: `${field}: a number` });

const conditionSchema = z.union(
  [
    z.strictObject({ is: z.union([z.boolean(), z.string()]) }),
    z.strictObject({ oneOf: z.array(z.string()).min(1, 'when.oneOf: at least one value') }),
    z.strictObject({ atLeast: num('when.atLeast') }),
    z.strictObject({ above: num('when.above') }),
    z.strictObject({ below: num('when.below') }),
    z.strictObject({ multipleOfUln: num('when.multipleOfUln') }),
    z.strictObject({ includesClass: z.string() }),
  ],
  { error: 'when: one condition, as is, oneOf, atLeast, above, below, multipleOfUln or includesClass' },
);

const ruleSchema = z.object({
  id: key('id'),
  label: text('label', 200),
  reads: z.enum(FACT_KEYS, { error: (i) => `reads: "${String(i.input)}" is not a known fact` }),
  when: conditionSchema,
  effect: z.enum(['hard_stop', 'overridable', 'requires_test'], {
    error: 'effect: hard_stop, overridable or requires_test',
  }),
  test: z.enum(TEST_KEYS, { error: `test: one of ${TEST_KEYS.join(', ')}` }).optional(),
  source: text('source', 1000),
  unverified: z.boolean({ error: 'unverified: true or false' }).optional(),
});

/** Why a condition cannot apply to a fact of this type, or null when it can. */
function conditionProblem(when: Condition, def: FactDefinition): string | null {
  const name = `"${def.key}"`;
  const options = 'options' in def ? def.options.map((o) => o.value) : [];
  if ('is' in when) {
    if (def.type === 'boolean')
      return typeof when.is === 'boolean' ? null : `${name} is yes or no: use is: true or false`;
    if (def.type === 'choice')
      return typeof when.is === 'string' && options.includes(when.is)
        ? null
        : `${name} is one of ${options.join(', ')}`;
    return `"is" does not apply to ${name}, a ${def.type}`;
  }
  if ('oneOf' in when) {
    if (def.type !== 'choice') return `"oneOf" applies to a choice; ${name} is a ${def.type}`;
    const unknown = when.oneOf.filter((v) => !options.includes(v));
    return unknown.length === 0 ? null : `${unknown.join(', ')}: not among ${name}'s values (${options.join(', ')})`;
  }
  if ('includesClass' in when) {
    if (def.type !== 'classes') return `"includesClass" applies to medication classes; ${name} is a ${def.type}`;
    return options.includes(when.includesClass)
      ? null
      : `"${when.includesClass}" is not a class (${options.join(', ')})`;
  }
  if ('multipleOfUln' in when) {
    if (def.type !== 'lab') return `"multipleOfUln" applies to a laboratory value; ${name} is a ${def.type}`;
    return when.multipleOfUln > 0 && when.multipleOfUln <= 100 ? null : 'the multiple must be above 0 and at most 100';
  }
  if (def.type !== 'number') return `a numeric threshold applies to a number; ${name} is a ${def.type}`;
  const n = 'atLeast' in when ? when.atLeast : 'above' in when ? when.above : when.below;
  return n >= def.min && n <= def.max ? null : `${n} is outside ${name}'s range, ${def.min} to ${def.max} ${def.unit}`;
}

/**
 * An administrator's edited rule set: unique ids, facts that exist, conditions that fit each fact's type and range,
 * and a test named exactly when the effect is requires_test. Each message names the rule and the field.
 */
export const rulesSchema = z
  .object({
    ...provenanceShape,
    rules: z.array(ruleSchema, { error: 'rules: a list of rules' }).min(1, 'rules: at least one rule'),
  })
  .superRefine((set, ctx) => {
    const ids = new Set<string>();
    set.rules.forEach((r, i) => {
      const at = (field: string, message: string) =>
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, field],
          message: `rules[${i}].${field} (${r.id}): ${message}`,
        });
      if (ids.has(r.id)) at('id', 'another rule already has this id');
      ids.add(r.id);
      const def = factDefinition(r.reads);
      if (def) {
        const problem = conditionProblem(r.when, def);
        if (problem) at('when', problem);
      }
      if (r.effect === 'requires_test' && !r.test) at('test', 'a rule that requires a test must name it');
      if (r.effect !== 'requires_test' && r.test)
        at('test', `only a requires_test rule names a test; this one is ${r.effect}`);
    });
  }) satisfies z.ZodType<ContraindicationRuleSet>;
