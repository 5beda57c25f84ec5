/**
 * The PHQ-9 (depression), shipped as a default definition, and the safety rule on its item 9. Pure.
 *
 * The PHQ-9 was developed by Drs Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer;
 * no permission is required to reproduce, translate, display or distribute it. The wording below is the standard one.
 */
import { z } from 'zod';
import { key, type Provenance, provenanceShape } from '../provenance.ts';
import { answerOf, type QuestionnaireAnswers, type QuestionnaireDefinition } from './questionnaire.ts';

/** The standard frequency choices shared by the PHQ-9 and the GAD-7. */
export const FREQUENCY_OPTIONS = [
  { value: 0, label: 'Not at all' },
  { value: 1, label: 'Several days' },
  { value: 2, label: 'More than half the days' },
  { value: 3, label: 'Nearly every day' },
] as const;

export const PHQ9: QuestionnaireDefinition = {
  id: 'phq9',
  version: 'phq9-2001.1',
  title: 'PHQ-9',
  source:
    'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med 2001;16:606–613. Nine items scored 0–3 (total 0–27); bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe.',
  instructions: 'Over the last 2 weeks, how often have you been bothered by any of the following problems?',
  items: [
    { key: 'q1', text: 'Little interest or pleasure in doing things' },
    { key: 'q2', text: 'Feeling down, depressed, or hopeless' },
    { key: 'q3', text: 'Trouble falling or staying asleep, or sleeping too much' },
    { key: 'q4', text: 'Feeling tired or having little energy' },
    { key: 'q5', text: 'Poor appetite or overeating' },
    {
      key: 'q6',
      text: 'Feeling bad about yourself — or that you are a failure or have let yourself or your family down',
    },
    { key: 'q7', text: 'Trouble concentrating on things, such as reading the newspaper or watching television' },
    {
      key: 'q8',
      text: 'Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual',
    },
    { key: 'q9', text: 'Thoughts that you would be better off dead or of hurting yourself in some way' },
  ],
  options: FREQUENCY_OPTIONS,
  bands: [
    { from: 0, to: 4, label: 'Minimal', severity: 'minimal' },
    { from: 5, to: 9, label: 'Mild', severity: 'mild' },
    { from: 10, to: 14, label: 'Moderate', severity: 'moderate' },
    { from: 15, to: 19, label: 'Moderately severe', severity: 'moderately_severe' },
    { from: 20, to: 27, label: 'Severe', severity: 'severe' },
  ],
};

/** The rule on the self-harm item: an alert from `alertAt`, an urgent one from `escalateAt` (alertAt ≤ escalateAt). */
export interface Phq9SafetyRule extends Provenance {
  itemKey: string;
  alertAt: number;
  escalateAt: number;
}

export const PHQ9_ITEM9_RULE: Phq9SafetyRule = {
  itemKey: 'q9',
  alertAt: 1,
  escalateAt: 2,
  version: 'phq9-item9-2020.1',
  source:
    'Any answer above "not at all" calls for a structured suicide-risk assessment before the visit ends (Crit Care Nurse 2020, AACN); risk of a suicide attempt within a year rose from 0.4% ("not at all") to 4% ("nearly every day") (Simon GE et al., Psychiatr Serv 2013). Escalating from 2 is clinic practice.',
};

export type SafetyLevel = 'none' | 'alert' | 'urgent';

/**
 * The safety level of one answer set. An unanswered item is 'none' here; `scoreQuestionnaire` reports it as
 * missing, and the intake keeps asking. Any number at or above a threshold counts, even one outside the options:
 * when data is wrong, the safe error is an alert too many.
 */
export function phq9SafetyLevel(
  def: QuestionnaireDefinition,
  rule: Pick<Phq9SafetyRule, 'itemKey' | 'alertAt' | 'escalateAt'>,
  answers: QuestionnaireAnswers,
): SafetyLevel {
  const raw = Object.hasOwn(answers, rule.itemKey) ? answers[rule.itemKey] : undefined;
  const v = answerOf(def, answers, rule.itemKey) ?? (typeof raw === 'number' && Number.isFinite(raw) ? raw : null);
  if (v === null) return 'none';
  if (v >= rule.escalateAt) return 'urgent';
  if (v >= rule.alertAt) return 'alert';
  return 'none';
}

/** An edited safety rule, checked against the definition it applies to: a known item, thresholds among its values. */
export function phq9SafetyRuleSchema(def: QuestionnaireDefinition) {
  const values = def.options.map((o) => o.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const threshold = (field: string) =>
    z
      .number({ error: `${field}: a whole number` })
      .int(`${field}: a whole number`)
      .min(min + 1, `${field}: at least ${min + 1}; at ${min} every answer would raise it`)
      .max(max, `${field}: at most ${max}, the highest answer`);
  return z
    .object({
      ...provenanceShape,
      itemKey: key('itemKey').refine(
        (k) => def.items.some((i) => i.key === k),
        `itemKey: not an item of ${def.title} (${def.items.map((i) => i.key).join(', ')})`,
      ),
      alertAt: threshold('alertAt'),
      escalateAt: threshold('escalateAt'),
    })
    .refine((r) => r.alertAt <= r.escalateAt, {
      path: ['escalateAt'],
      message: 'escalateAt: must be at least alertAt; an urgent alert is never raised below an ordinary one',
    });
}
