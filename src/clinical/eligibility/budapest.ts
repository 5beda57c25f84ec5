/**
 * The Budapest criteria for CRPS (Harden RN et al., Pain 2010;150:268), evaluated from the intake's symptoms and the
 * provider's examination. Pure.
 *
 * Every finding may be null, "not yet assessed": the screening page fills in over two visits. A result is
 * 'incomplete' only when the unassessed findings could still change it; four conditions must all hold, so one that
 * already fails decides the result whatever is missing, and a count already reached does not wait for the rest.
 */
import { z } from 'zod';
import { type Provenance, provenanceShape, text } from '../provenance.ts';

export const CATEGORIES = ['sensory', 'vasomotor', 'sudomotor_oedema', 'motor_trophic'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface BudapestFindings {
  /** Continuing pain, disproportionate to any inciting event. */
  disproportionatePain: boolean | null;
  /** Reported by the patient: at least one symptom in the category. */
  symptoms: Readonly<Record<Category, boolean | null>>;
  /** Seen at the examination: at least one sign in the category. */
  signs: Readonly<Record<Category, boolean | null>>;
  /** Whether another diagnosis better explains the signs and symptoms. */
  betterExplanation: boolean | null;
}

export type CriteriaSet = 'clinical' | 'research';

export interface BudapestCriteria {
  /** Categories with a symptom needed. */
  symptomCategories: number;
  /** Categories with a sign needed. */
  signCategories: number;
}

export interface BudapestDefinition extends Provenance {
  criteria: Readonly<Record<CriteriaSet, BudapestCriteria>>;
  /** How each category is named, and what counts as a symptom and as a sign in it. */
  categories: Readonly<Record<Category, { label: string; symptom: string; sign: string }>>;
}

export const BUDAPEST: BudapestDefinition = {
  version: 'budapest-2010.1',
  source:
    'Harden RN et al., Validation of proposed diagnostic criteria (the "Budapest Criteria") for Complex Regional Pain Syndrome, Pain 2010;150:268–274 (as tabulated in PMC5511749, Table 1). Clinical: symptoms in at least 3 of 4 categories; research: all 4; both: signs in at least 2 categories.',
  criteria: {
    clinical: { symptomCategories: 3, signCategories: 2 },
    research: { symptomCategories: 4, signCategories: 2 },
  },
  categories: {
    sensory: {
      label: 'sensory',
      symptom: 'Hyperesthesia or allodynia',
      sign: 'Hyperalgesia to pinprick, or allodynia to light touch, temperature, deep pressure or joint movement',
    },
    vasomotor: {
      label: 'vasomotor',
      symptom: 'Temperature asymmetry, skin colour changes or colour asymmetry',
      sign: 'Temperature asymmetry (more than 1 °C), skin colour changes or asymmetry',
    },
    sudomotor_oedema: {
      label: 'sudomotor/oedema',
      symptom: 'Oedema, sweating changes or sweating asymmetry',
      sign: 'Oedema, sweating changes or sweating asymmetry',
    },
    motor_trophic: {
      label: 'motor/trophic',
      symptom:
        'Decreased range of motion, motor dysfunction (weakness, tremor, dystonia) or trophic changes (hair, nails, skin)',
      sign: 'Decreased range of motion, motor dysfunction (weakness, tremor, dystonia) or trophic changes (hair, nails, skin)',
    },
  },
};

export type PartMet = boolean | 'incomplete';
export type BudapestPartName = 'pain' | 'symptoms' | 'signs' | 'no_better_explanation';

export interface BudapestPart {
  part: BudapestPartName;
  met: PartMet;
  /** One sentence in plain words, with the counts. */
  reason: string;
  /** For symptoms and signs: the categories found, those not yet assessed, and how many are needed. */
  categories?: { present: Category[]; notAssessed: Category[]; needed: number };
}

export interface BudapestResult {
  met: PartMet;
  parts: BudapestPart[];
}

export interface BudapestEvaluation {
  version: string;
  clinical: BudapestResult;
  research: BudapestResult;
}

function yesNo(v: unknown): boolean | null {
  return v === true ? true : v === false ? false : null;
}

function list(def: BudapestDefinition, cats: readonly Category[]): string {
  return cats.map((c) => def.categories[c].label).join(', ');
}

function countPart(
  def: BudapestDefinition,
  part: 'symptoms' | 'signs',
  findings: Readonly<Record<Category, boolean | null>> | undefined,
  needed: number,
  set: CriteriaSet,
): BudapestPart {
  const present = CATEGORIES.filter((c) => yesNo(findings?.[c]) === true);
  const notAssessed = CATEGORIES.filter((c) => yesNo(findings?.[c]) === null);
  const met: PartMet =
    present.length >= needed ? true : present.length + notAssessed.length < needed ? false : 'incomplete';
  const found = present.length > 0 ? ` (${list(def, present)})` : '';
  const open = notAssessed.length > 0 ? `, ${notAssessed.length} not yet assessed (${list(def, notAssessed)})` : '';
  const need = needed === CATEGORIES.length ? `all ${needed}` : `${needed}`;
  return {
    part,
    met,
    reason: `${part} in ${present.length} of ${CATEGORIES.length} categories${found}${open}; the ${set} criteria need ${need}`,
    categories: { present, notAssessed, needed },
  };
}

function evaluateSet(def: BudapestDefinition, f: BudapestFindings, set: CriteriaSet): BudapestResult {
  const criteria = def.criteria[set];
  const pain = yesNo(f.disproportionatePain);
  const other = yesNo(f.betterExplanation);
  const parts: BudapestPart[] = [
    {
      part: 'pain',
      met: pain ?? 'incomplete',
      reason:
        pain === true
          ? 'continuing pain out of proportion to any inciting event'
          : pain === false
            ? 'the pain is not out of proportion to an inciting event'
            : 'not yet assessed whether the pain is out of proportion to any inciting event',
    },
    countPart(def, 'symptoms', f.symptoms, criteria.symptomCategories, set),
    countPart(def, 'signs', f.signs, criteria.signCategories, set),
    {
      part: 'no_better_explanation',
      met: other === null ? 'incomplete' : !other,
      reason:
        other === false
          ? 'no other diagnosis better explains the signs and symptoms'
          : other === true
            ? 'another diagnosis better explains the signs and symptoms'
            : 'not yet assessed whether another diagnosis better explains the signs and symptoms',
    },
  ];
  const met: PartMet = parts.some((p) => p.met === false)
    ? false
    : parts.every((p) => p.met === true)
      ? true
      : 'incomplete';
  return { met, parts };
}

/** Both criteria sets from one set of findings. Missing categories or malformed values count as not yet assessed. */
export function evaluateBudapest(def: BudapestDefinition, findings: BudapestFindings): BudapestEvaluation {
  return {
    version: def.version,
    clinical: evaluateSet(def, findings, 'clinical'),
    research: evaluateSet(def, findings, 'research'),
  };
}

const finding = (field: string) => z.boolean({ error: `${field}: yes, no, or not yet assessed (null)` }).nullable();
const byCategory = (field: string) =>
  z.strictObject(
    Object.fromEntries(CATEGORIES.map((c) => [c, finding(`${field}.${c}`)])) as Record<
      Category,
      ReturnType<typeof finding>
    >,
    { error: `${field}: one finding per category (${CATEGORIES.join(', ')})` },
  );

/** Findings as the screening page sends them. */
export const budapestFindingsSchema = z.strictObject({
  disproportionatePain: finding('disproportionatePain'),
  symptoms: byCategory('symptoms'),
  signs: byCategory('signs'),
  betterExplanation: finding('betterExplanation'),
});

const count = (field: string) =>
  z
    .number({ error: `${field}: a whole number of categories` })
    .int(`${field}: a whole number of categories`)
    .min(1, `${field}: at least 1 category`)
    .max(CATEGORIES.length, `${field}: at most ${CATEGORIES.length}, the number of categories`);

const criteriaSchema = (set: CriteriaSet) =>
  z.object({
    symptomCategories: count(`criteria.${set}.symptomCategories`),
    signCategories: count(`criteria.${set}.signCategories`),
  });

const categoryText = (c: Category) =>
  z.object({
    label: text(`categories.${c}.label`, 40),
    symptom: text(`categories.${c}.symptom`),
    sign: text(`categories.${c}.sign`),
  });

/**
 * An edited definition. The research criteria are the stricter set by design (Harden 2010): never fewer categories
 * than the clinical ones, so that meeting the research criteria always means meeting the clinical criteria.
 */
export const budapestDefinitionSchema = z
  .object({
    ...provenanceShape,
    criteria: z.object({ clinical: criteriaSchema('clinical'), research: criteriaSchema('research') }),
    categories: z.object(
      Object.fromEntries(CATEGORIES.map((c) => [c, categoryText(c)])) as Record<
        Category,
        ReturnType<typeof categoryText>
      >,
    ),
  })
  .superRefine((def, ctx) => {
    for (const field of ['symptomCategories', 'signCategories'] as const) {
      const clinical = def.criteria.clinical[field];
      const research = def.criteria.research[field];
      const inRange = (n: number) => Number.isInteger(n) && n >= 1 && n <= CATEGORIES.length;
      // A count already refused above would only add noise here.
      if (inRange(clinical) && inRange(research) && research < clinical)
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', 'research', field],
          message: `criteria.research.${field}: ${research} is fewer than the clinical criteria's ${clinical}; the research criteria must be at least as strict`,
        });
    }
  });
