/**
 * A screening as the provider fills it in, and its outcome. Pure: the page's facts pre-filled from the intake and
 * the record, then evaluated with the Budapest criteria and the contraindication rules in force.
 *
 * The outcome joins the two evaluators in the order the contraindication evaluator already keeps: a hard stop
 * decides at once; otherwise anything still unknown (a fact, a required test's result, a Budapest finding) means
 * more information is needed; otherwise a stop left standing or the clinical Budapest criteria not met make the
 * patient not eligible. The Budapest criteria are the indication this clinic treats, so not meeting them is a
 * reason like a stop, and no override applies to it.
 */
import { evaluateBudapest, type BudapestEvaluation, type BudapestFindings, BUDAPEST, CATEGORIES } from './budapest.ts';
import {
  type ContraindicationRuleSet,
  evaluateEligibility,
  type EligibilityResult,
  type Outcome,
  type Override,
} from './contraindications.ts';
import { FACTS, type FactDefinition, type FactKey, type Facts } from './facts.ts';
import type { IntakeAnswers } from '../intake/answers.ts';
import { CSS, scoreCss, type CssFindings, type CssScore } from '../instruments/css.ts';
import type { RecordSummary } from './gather.ts';

/** Where a fact's value on the page came from. */
export type FactSource = 'intake' | 'record' | 'provider';

export interface Vitals {
  /** Beats a minute. */
  heartRate: number | null;
  /** Oxygen saturation, %. */
  spo2: number | null;
}

export interface ScreeningInput {
  facts: Facts;
  sources: Partial<Record<FactKey, FactSource>>;
  budapest: BudapestFindings;
  css: { version: string; findings: CssFindings };
  vitals: Vitals;
  overrides: Override[];
}

export interface Reason {
  /** Stable for tests and audit: hard_stop:<rule>, stop:<rule>, overridden:<rule>, missing:<fact>, test:<test>, budapest. */
  code: string;
  text: string;
}

export interface ScreeningEvaluation {
  outcome: Outcome;
  reasons: Reason[];
  eligibility: EligibilityResult;
  budapest: BudapestEvaluation;
  css: CssScore;
}

/** Facts the page never takes from the form: test results come from the record only. */
export const TEST_FACTS: readonly FactDefinition[] = FACTS.filter((f) => f.from === 'test');
/** Facts the provider sets or corrects on the page, in the vocabulary's order. */
export const EDITABLE_FACTS: readonly FactDefinition[] = FACTS.filter((f) => f.from !== 'test');

const ECG_CHOICES = ['no_significant_findings', 'significant_findings'];

/** The results of tests in the record, as facts: a liver value needs its ULN; an ECG finding must be one of the choices. */
export function testFacts(record: RecordSummary): Facts {
  const facts: Record<string, unknown> = {};
  for (const test of ['alt', 'ast', 'alp'] as const) {
    const lab = record.labs[test];
    if (lab && lab.value !== null && lab.uln !== null && lab.uln > 0) facts[test] = { value: lab.value, uln: lab.uln };
  }
  const finding = record.ecg?.finding?.trim().toLowerCase().replace(/\s+/g, '_');
  if (finding && ECG_CHOICES.includes(finding)) facts.ecg_findings = finding;
  return facts;
}

/**
 * The facts as the page opens on a new screening: the intake's answers, the record's, and the tests'. Where both
 * the record and the intake speak to a yes-or-no risk (a ketamine allergy, a possible pregnancy), a yes from either
 * wins: the safe error is a question asked again.
 */
export function prefill(
  intake: IntakeAnswers | null,
  record: RecordSummary,
): Pick<ScreeningInput, 'facts' | 'sources' | 'budapest'> {
  const facts: Record<string, unknown> = { ...(intake?.facts ?? {}) };
  const sources: Partial<Record<FactKey, FactSource>> = {};
  for (const key of Object.keys(facts))
    if (facts[key] !== null && facts[key] !== undefined) sources[key as FactKey] = 'intake';
  const fromRecord = (key: FactKey, value: unknown) => {
    facts[key] = value;
    sources[key] = 'record';
  };
  if (record.age !== null) fromRecord('age', record.age);
  fromRecord(
    'medication_classes',
    [...new Set(record.medications.flatMap((m) => m.classes))].filter((c) =>
      ['benzodiazepine', 'lamotrigine', 'mao_inhibitor', 'stimulant', 'opioid'].includes(c),
    ),
  );
  if (record.allergies.some((a) => a.ketamine)) fromRecord('ketamine_allergy', true);
  if (record.pregnancyPossible === true || (facts.pregnant_or_possible == null && record.pregnancyPossible === false))
    fromRecord('pregnant_or_possible', record.pregnancyPossible);
  Object.assign(facts, testFacts(record));
  const symptoms = Object.fromEntries(CATEGORIES.map((c) => [c, intake?.symptoms?.[c] ?? null]));
  return {
    facts: facts,
    sources,
    budapest: {
      disproportionatePain: null,
      symptoms: symptoms as BudapestFindings['symptoms'],
      signs: Object.fromEntries(CATEGORIES.map((c) => [c, null])) as BudapestFindings['signs'],
      betterExplanation: null,
    },
  };
}

/** A new screening's input: prefilled, nothing examined yet. */
export function blankInput(intake: IntakeAnswers | null, record: RecordSummary): ScreeningInput {
  return {
    ...prefill(intake, record),
    css: { version: CSS.version, findings: {} },
    vitals: { heartRate: null, spo2: null },
    overrides: [],
  };
}

export function evaluateScreening(rules: ContraindicationRuleSet, input: ScreeningInput): ScreeningEvaluation {
  const eligibility = evaluateEligibility(rules, input.facts, input.overrides);
  const budapest = evaluateBudapest(BUDAPEST, input.budapest);
  const css = scoreCss(CSS, input.css.findings);
  const reasons: Reason[] = [];
  const hard = eligibility.stops.filter((s) => s.effect === 'hard_stop');
  const standing = eligibility.stops.filter((s) => s.effect === 'overridable');
  for (const s of hard) reasons.push({ code: `hard_stop:${s.ruleId}`, text: `${s.label}: a hard stop` });
  for (const s of standing) reasons.push({ code: `stop:${s.ruleId}`, text: `${s.label}: a stop, not overridden` });
  for (const t of eligibility.requiredTests.filter((t) => !t.done))
    reasons.push({ code: `test:${t.test}`, text: `${t.label} required: no result in the record yet` });
  const testFactKeys = new Set(TEST_FACTS.map((f) => f.key));
  for (const key of eligibility.missing.filter((k) => !testFactKeys.has(k))) {
    const def = FACTS.find((f) => f.key === key);
    reasons.push({ code: `missing:${key}`, text: `${def?.label ?? key}: not yet known` });
  }
  const clinical = budapest.clinical.met;
  if (clinical === false)
    reasons.push({ code: 'budapest', text: 'The Budapest clinical criteria for CRPS are not met' });
  if (clinical === 'incomplete')
    reasons.push({ code: 'budapest', text: 'The Budapest clinical criteria are not yet fully assessed' });
  for (const o of eligibility.overridden)
    reasons.push({ code: `overridden:${o.ruleId}`, text: `${o.label}: overridden by the provider` });

  const unknown = eligibility.outcome === 'needs_information' || clinical === 'incomplete';
  const outcome: Outcome =
    hard.length > 0
      ? 'not_eligible'
      : unknown
        ? 'needs_information'
        : standing.length > 0 || clinical === false
          ? 'not_eligible'
          : 'eligible';
  return { outcome, reasons, eligibility, budapest, css };
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What two versions of a screening answer differently, in words: each fact by its label, the other parts by name. */
export function differences(a: ScreeningInput, b: ScreeningInput): string[] {
  const facts = a.facts as Record<string, unknown>;
  const other = b.facts as Record<string, unknown>;
  const found = EDITABLE_FACTS.filter((f) => !sameValue(facts[f.key], other[f.key])).map((f) => f.label);
  if (!sameValue(a.budapest, b.budapest)) found.push('the Budapest findings');
  if (!sameValue(a.css.findings, b.css.findings)) found.push('the CRPS Severity Score');
  if (!sameValue(a.vitals, b.vitals)) found.push('heart rate or oxygen saturation');
  if (!sameValue(a.overrides, b.overrides)) found.push('the overrides');
  return found;
}
