/**
 * A Likert questionnaire (PHQ-9, GAD-7 and their like) as data, and its scoring. Pure: no I/O, no clock.
 *
 * The definition is what a medical director reviews and may edit (a copy stored in the database, checked with
 * `questionnaireDefinitionSchema`); every answer set is stored with the definition's `version`, so a score can always
 * be recomputed with the bands it was given under. Scoring accepts partial answers, since the intake keeps them
 * between visits: the total (and so the band) exists only once every item is answered, and is never NaN.
 */
import { z } from 'zod';
import { key, type Provenance, provenanceShape, text } from '../provenance.ts';

/** Ordered from least to most severe; a band's colour and wording on staff pages follow it. */
export const SEVERITIES = ['minimal', 'mild', 'moderate', 'moderately_severe', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface QuestionnaireItem {
  /** Stored with each answer; never reused for a different question. */
  key: string;
  /** The question as the person reads it. */
  text: string;
}

export interface LikertOption {
  value: number;
  label: string;
}

/** A closed range of totals [from, to]; the bands of a definition tile every possible total exactly once. */
export interface Band {
  from: number;
  to: number;
  label: string;
  severity: Severity;
}

export interface QuestionnaireDefinition extends Provenance {
  id: string;
  title: string;
  /** The lead-in read before the items, e.g. the recall period. */
  instructions: string;
  items: readonly QuestionnaireItem[];
  /** The same answer choices for every item, from the lowest value to the highest. */
  options: readonly LikertOption[];
  bands: readonly Band[];
}

/** Item key → chosen value; an absent, null or undefined entry is an unanswered item. */
export type QuestionnaireAnswers = Readonly<Record<string, number | null | undefined>>;

export interface QuestionnaireScore {
  /** The sum of the answers, or null until every item is answered. */
  total: number | null;
  /** The band of the total, or null while incomplete. */
  band: Band | null;
  answered: number;
  /** Keys of the unanswered items, in the definition's order. */
  missing: string[];
  complete: boolean;
}

/** The lowest and highest possible totals. */
export function scoreRange(def: Pick<QuestionnaireDefinition, 'items' | 'options'>): { min: number; max: number } {
  const values = def.options.map((o) => o.value);
  return { min: def.items.length * Math.min(...values), max: def.items.length * Math.max(...values) };
}

/** The answer to one item when it is one of the definition's values, else undefined (unanswered). */
export function answerOf(def: QuestionnaireDefinition, answers: QuestionnaireAnswers, itemKey: string) {
  const v = Object.hasOwn(answers, itemKey) ? answers[itemKey] : undefined;
  return typeof v === 'number' && def.options.some((o) => o.value === v) ? v : undefined;
}

/**
 * Scores the answers given so far. A value that is not one of the options counts as unanswered, so a caller that
 * skipped `answersSchema` still gets a missing item rather than a wrong total; unknown keys are ignored.
 */
export function scoreQuestionnaire(def: QuestionnaireDefinition, answers: QuestionnaireAnswers): QuestionnaireScore {
  let sum = 0;
  const missing: string[] = [];
  for (const item of def.items) {
    const v = answerOf(def, answers, item.key);
    if (v === undefined) missing.push(item.key);
    else sum += v;
  }
  const complete = missing.length === 0;
  const total = complete ? sum : null;
  const band = total === null ? null : (def.bands.find((b) => b.from <= total && total <= b.to) ?? null);
  return { total, band, answered: def.items.length - missing.length, missing, complete };
}

/**
 * The answers a form may send for this definition: each item optional (partial answers are kept), as a number or
 * as the text of one (what a form posts; '' means unanswered), and only one of the option values. Unknown keys are
 * refused, each message naming the item.
 */
export function answersSchema(def: QuestionnaireDefinition) {
  const allowed = def.options.map((o) => o.value);
  const listed = allowed.join(', ');
  const shape: Record<string, z.ZodType<number | null | undefined>> = {};
  def.items.forEach((item, i) => {
    const where = `${item.key} (item ${i + 1} of ${def.title})`;
    shape[item.key] = z.preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? null : /^-?\d+$/.test(v.trim()) ? Number(v) : v) : v),
      z
        .number({ error: `${where}: choose one of the answers (${listed})` })
        .refine((v) => allowed.includes(v), `${where}: the answer must be one of ${listed}`)
        .nullable()
        .optional(),
    );
  });
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')}: not an item of ${def.title}`
        : `${def.title}: send the answers as a set of item keys and values`,
  });
}

const bandSchema = z.object({
  from: z.number({ error: 'from: a whole number' }).int('from: a whole number'),
  to: z.number({ error: 'to: a whole number' }).int('to: a whole number'),
  label: text('label', 60),
  severity: z.enum(SEVERITIES, { error: `severity: one of ${SEVERITIES.join(', ')}` }),
});

/** An edited definition: items and options well formed, and bands that cover every possible total exactly once. */
export const questionnaireDefinitionSchema = z
  .object({
    ...provenanceShape,
    id: key('id'),
    title: text('title', 80),
    instructions: text('instructions', 500),
    items: z
      .array(z.object({ key: key('key'), text: text('text', 500) }), { error: 'items: a list of questions' })
      .min(1, 'items: at least one question')
      .max(60, 'items: at most 60 questions'),
    options: z
      .array(
        z.object({
          value: z
            .number({ error: 'value: a whole number' })
            .int('value: a whole number')
            .min(-10, 'value: at least -10')
            .max(10, 'value: at most 10'),
          label: text('label', 80),
        }),
        { error: 'options: a list of answer choices' },
      )
      .min(2, 'options: at least two answer choices')
      .max(11, 'options: at most 11 answer choices'),
    bands: z.array(bandSchema, { error: 'bands: a list of score ranges' }).min(1, 'bands: at least one band'),
  })
  .superRefine((def, ctx) => {
    const seen = new Map<string, number>();
    def.items.forEach((item, i) => {
      const first = seen.get(item.key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'key'],
          message: `items[${i}].key: "${item.key}" is already the key of item ${first + 1}`,
        });
      else seen.set(item.key, i);
    });
    def.options.forEach((o, i) => {
      const prev = def.options[i - 1];
      if (prev && o.value <= prev.value)
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'value'],
          message: `options[${i}].value: ${o.value} must be greater than the choice before it (${prev.value}); list the choices from lowest to highest, each once`,
        });
    });
    if (def.items.length === 0 || def.options.length < 2) return;
    const { min, max } = scoreRange(def);
    const first = def.bands[0];
    if (first && first.from !== min)
      ctx.addIssue({
        code: 'custom',
        path: ['bands', 0, 'from'],
        message: `bands[0].from: the first band must start at ${min}, the lowest possible total`,
      });
    def.bands.forEach((b, i) => {
      if (b.from > b.to)
        ctx.addIssue({
          code: 'custom',
          path: ['bands', i, 'to'],
          message: `bands[${i}].to: band "${b.label}" ends at ${b.to}, before it starts (${b.from})`,
        });
      const prev = def.bands[i - 1];
      if (prev && b.from !== prev.to + 1)
        ctx.addIssue({
          code: 'custom',
          path: ['bands', i, 'from'],
          message:
            b.from <= prev.to
              ? `bands[${i}].from: band "${b.label}" starts at ${b.from}, overlapping band "${prev.label}" (which ends at ${prev.to}); it must start at ${prev.to + 1}`
              : `bands[${i}].from: band "${b.label}" starts at ${b.from}, leaving a gap after band "${prev.label}" (which ends at ${prev.to}); it must start at ${prev.to + 1}`,
        });
    });
    const last = def.bands[def.bands.length - 1];
    if (last && last.to !== max)
      ctx.addIssue({
        code: 'custom',
        path: ['bands', def.bands.length - 1, 'to'],
        message: `bands[${def.bands.length - 1}].to: the last band must end at ${max}, the highest possible total`,
      });
  });
