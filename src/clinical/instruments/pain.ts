/**
 * Pain intensity on the 0–10 numeric rating scale (NRS): now, on average and at its worst. Pure.
 */
import { z } from 'zod';
import { key, type Provenance, provenanceShape, text } from '../provenance.ts';

export const PAIN_MEASURES = ['now', 'average', 'worst'] as const;
export type PainMeasure = (typeof PAIN_MEASURES)[number];

export interface PainScaleDefinition extends Provenance {
  id: string;
  min: number;
  max: number;
  /** What the two ends of the scale mean, shown beside them. */
  minLabel: string;
  maxLabel: string;
  /** Each rating asked, with its question in plain words (the recall period included). */
  measures: readonly { key: PainMeasure; question: string }[];
}

export const PAIN_NRS: PainScaleDefinition = {
  id: 'pain_nrs',
  version: 'nrs-2008.1',
  source:
    'Numeric rating scale, 0 = no pain to 10 = worst pain imaginable: the core measure of pain intensity recommended by IMMPACT (Dworkin RH et al., J Pain 2008;9:105–121).',
  min: 0,
  max: 10,
  minLabel: 'No pain',
  maxLabel: 'Worst pain imaginable',
  measures: [
    { key: 'now', question: 'How much pain do you have right now?' },
    { key: 'average', question: 'How much pain have you had on average over the last 24 hours?' },
    { key: 'worst', question: 'How bad was your pain at its worst over the last 24 hours?' },
  ],
};

export type PainRatings = Readonly<Partial<Record<PainMeasure, number | null>>>;

/** One rating: a whole number within the scale. A form's text ('7') is read as its number; '' is unanswered. */
export function painRatingSchema(def: PainScaleDefinition, field: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : /^-?\d+$/.test(v.trim()) ? Number(v) : v) : v),
    z
      .number({ error: `${field}: choose a number from ${def.min} to ${def.max}` })
      .int(`${field}: a whole number from ${def.min} to ${def.max}`)
      .min(def.min, `${field}: at least ${def.min}`)
      .max(def.max, `${field}: at most ${def.max}`)
      .nullable()
      .optional(),
  );
}

/** Now, average and worst, each optional (the intake keeps partial answers). */
export function painRatingsSchema(def: PainScaleDefinition) {
  return z.strictObject({
    now: painRatingSchema(def, 'now'),
    average: painRatingSchema(def, 'average'),
    worst: painRatingSchema(def, 'worst'),
  });
}

export const painScaleDefinitionSchema = z
  .object({
    ...provenanceShape,
    id: key('id'),
    min: z.number({ error: 'min: a whole number' }).int('min: a whole number'),
    max: z.number({ error: 'max: a whole number' }).int('max: a whole number'),
    minLabel: text('minLabel', 80),
    maxLabel: text('maxLabel', 80),
    measures: z
      .array(
        z.object({ key: z.enum(PAIN_MEASURES, { error: 'key: now, average or worst' }), question: text('question') }),
      )
      .min(1, 'measures: at least one rating'),
  })
  .superRefine((def, ctx) => {
    if (def.max <= def.min)
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max: must be above min (${def.min})` });
    const seen = new Set<string>();
    def.measures.forEach((m, i) => {
      if (seen.has(m.key))
        ctx.addIssue({
          code: 'custom',
          path: ['measures', i, 'key'],
          message: `measures[${i}].key: "${m.key}" is asked twice`,
        });
      seen.add(m.key);
    });
  });

/**
 * Percent change in pain from a baseline: (baseline − follow-up) / baseline × 100, so relief is positive and worse
 * pain negative. A baseline of 0 has no percent change (clinical-facts §9), nor has a negative baseline or a rating
 * that is not a number: all give null, shown as "not applicable", never a division by zero or NaN.
 */
export function percentChange(baseline: number, followUp: number): number | null {
  if (!Number.isFinite(baseline) || !Number.isFinite(followUp) || baseline <= 0) return null;
  return ((baseline - followUp) / baseline) * 100;
}
