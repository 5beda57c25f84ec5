/**
 * The shape of an intake's answers (intakes.answers, JSON): what the patient reports before the first visit, as the
 * intake pages save it (partially, section by section) and as the screening page reads it. Pure: a schema and two
 * readers. Each instrument's version is stored with its answers, so a later edit of a questionnaire never changes
 * what an old answer set meant.
 */
import { z } from 'zod';
import { CATEGORIES, type Category } from '../eligibility/budapest.ts';
import { FACTS, factsSchema, type Facts } from '../eligibility/facts.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PAIN_NRS, painRatingsSchema, type PainRatings } from '../instruments/pain.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import { answersSchema, type QuestionnaireAnswers } from '../instruments/questionnaire.ts';

/** The facts the patient is asked about at intake (the rest come from the record, the examination and tests). */
export const INTAKE_FACTS = FACTS.filter((f) => f.from === 'intake');

export interface IntakeAnswers {
  /** Answers to the history questions: only facts whose source is 'intake'. */
  facts?: Facts;
  /** Medications and allergies in the patient's own words; staff transcribe them into the record. */
  medications?: string;
  allergies?: string;
  /** At least one symptom reported in each Budapest category (patient-reported; signs are the examiner's). */
  symptoms?: Partial<Record<Category, boolean | null>>;
  pain?: PainRatings;
  phq9?: QuestionnaireAnswers;
  gad7?: QuestionnaireAnswers;
  /** The version of each instrument the answers were given to, set when that section is saved. */
  versions?: { pain?: string; phq9?: string; gad7?: string };
}

const words = (field: string) => z.string().trim().max(2000, `${field}: at most 2,000 characters`).optional();

export const intakeAnswersSchema: z.ZodType<IntakeAnswers> = z.strictObject({
  facts: factsSchema
    .refine(
      (f) => Object.keys(f).every((k) => INTAKE_FACTS.some((d) => d.key === k)),
      'facts: only the intake questions are answered here',
    )
    .optional(),
  medications: words('medications'),
  allergies: words('allergies'),
  symptoms: z
    .strictObject(Object.fromEntries(CATEGORIES.map((c) => [c, z.boolean().nullable().optional()])))
    .optional(),
  pain: painRatingsSchema(PAIN_NRS).optional(),
  phq9: answersSchema(PHQ9).optional(),
  gad7: answersSchema(GAD7).optional(),
  versions: z
    .strictObject({ pain: z.string().optional(), phq9: z.string().optional(), gad7: z.string().optional() })
    .optional(),
});

/** The stored answers, read back; a row that no longer parses is a fault worth stopping on. */
export function readIntakeAnswers(json: string): IntakeAnswers {
  return intakeAnswersSchema.parse(JSON.parse(json));
}

/** The versions of the instruments in use now, stored beside each section's answers when saved. */
export const CURRENT_VERSIONS = { pain: PAIN_NRS.version, phq9: PHQ9.version, gad7: GAD7.version };
