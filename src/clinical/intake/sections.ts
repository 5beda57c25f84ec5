/**
 * The intake's sections as the patient meets them, and how each section's posted form becomes part of the answers
 * (intakes.answers, shaped by ./answers.ts). Every question is generated from the clinical cores' own data: the
 * history questions from the facts the contraindication rules read, the symptoms from the Budapest categories, pain
 * and mood from the instruments, so a rule and the question that feeds it cannot drift apart.
 */
import { z } from 'zod';
import { CATEGORIES, type Category } from '../eligibility/budapest.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PAIN_MEASURES, PAIN_NRS, painRatingsSchema } from '../instruments/pain.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import { answersSchema, type QuestionnaireDefinition } from '../instruments/questionnaire.ts';
import { CURRENT_VERSIONS, INTAKE_FACTS, intakeAnswersSchema, type IntakeAnswers } from './answers.ts';

/** The version of the intake as a whole (which sections and questions), stored in intakes.questionnaire_version. */
export const INTAKE_FORM_VERSION = 1;

export const SECTIONS = [
  { key: 'history', title: 'Your health history' },
  { key: 'medicines', title: 'Medicines and allergies' },
  { key: 'symptoms', title: 'Your symptoms' },
  { key: 'pain', title: 'Your pain' },
  { key: 'phq9', title: 'Your mood' },
  { key: 'gad7', title: 'Worry and anxiety' },
  { key: 'consent', title: 'Documents to sign' },
  { key: 'review', title: 'Check and send' },
] as const;
export type SectionKey = (typeof SECTIONS)[number]['key'];
/** The sections that hold answers (consent and review post elsewhere). */
export type AnswerSection = Exclude<SectionKey, 'consent' | 'review'>;
export const ANSWER_SECTIONS: readonly AnswerSection[] = ['history', 'medicines', 'symptoms', 'pain', 'phq9', 'gad7'];

export const isSection = (s: string): s is SectionKey => SECTIONS.some((x) => x.key === s);
export const nextSection = (s: SectionKey): SectionKey => {
  const i = SECTIONS.findIndex((x) => x.key === s);
  return SECTIONS[Math.min(i + 1, SECTIONS.length - 1)]!.key;
};

/** The ketamine allergy is asked beside the other allergies; the rest of the intake facts are the history. */
export const ALLERGY_FACT = 'ketamine_allergy';
export const HISTORY_FACTS = INTAKE_FACTS.filter((f) => f.key !== ALLERGY_FACT);
export const INTAKE_FACTS_BY_KEY: Readonly<Record<string, (typeof INTAKE_FACTS)[number] | undefined>> =
  Object.fromEntries(INTAKE_FACTS.map((f) => [f.key, f]));

/** The four Budapest symptom categories in plain words, as the patient would notice them. */
export const SYMPTOM_QUESTIONS: Record<Category, string> = {
  sensory:
    'Is the painful area more sensitive than it should be? For example, does light touch, clothing or a change in temperature hurt?',
  vasomotor:
    'Have you noticed the skin of the painful area change colour, or feel warmer or colder than the same place on the other side of your body?',
  sudomotor_oedema:
    'Have you noticed swelling, or more or less sweating, in the painful area compared with the other side?',
  motor_trophic:
    'Have you noticed stiffness, weakness, shaking or unusual movements, or changes in the hair, nails or skin of the painful area?',
};

export const QUESTIONNAIRES: Record<'phq9' | 'gad7', QuestionnaireDefinition> = { phq9: PHQ9, gad7: GAD7 };

type Body = Record<string, unknown>;
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? body[key] : undefined);

/** A yes/no radio pair: 'yes', 'no', or nothing chosen (unanswered, kept as such). */
function yesNo(body: Body, key: string, label: string, errors: Record<string, string>): boolean | undefined {
  const v = str(body, key);
  if (v === undefined || v === '') return undefined;
  if (v === 'yes') return true;
  if (v === 'no') return false;
  errors[key] = `${label}: choose yes or no`;
  return undefined;
}

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

const freeText = (label: string) =>
  z
    .string()
    .max(2000, `${label}: at most 2,000 characters`)
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .refine(
      (s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s),
      `${label}: remove the control characters`,
    );

export type SectionParse = { ok: true; answers: IntakeAnswers } | { ok: false; errors: Record<string, string> };

/**
 * The answers after saving one section's form over `current`: that section replaced as a whole (an answer cleared
 * is cleared), the others kept. Refused answers name their field and nothing is saved.
 */
export function applySection(current: IntakeAnswers, section: AnswerSection, body: Body): SectionParse {
  const errors: Record<string, string> = {};
  const next: IntakeAnswers = { ...current };
  const versions = { ...current.versions };
  switch (section) {
    case 'history':
    case 'medicines': {
      const keys = section === 'history' ? HISTORY_FACTS : INTAKE_FACTS.filter((f) => f.key === ALLERGY_FACT);
      const facts: Record<string, boolean> = { ...current.facts } as Record<string, boolean>;
      for (const f of keys) {
        const v = yesNo(body, f.key, f.label, errors);
        if (v === undefined) delete facts[f.key];
        else facts[f.key] = v;
      }
      next.facts = facts;
      if (section === 'medicines') {
        for (const [key, label] of [
          ['medications', 'Medicines'],
          ['allergies', 'Allergies'],
        ] as const) {
          const parsed = freeText(label).safeParse(str(body, key) ?? '');
          if (!parsed.success) errors[key] = parsed.error.issues[0]!.message;
          else if (parsed.data === '') delete next[key];
          else next[key] = parsed.data;
        }
      }
      break;
    }
    case 'symptoms': {
      const symptoms: Partial<Record<Category, boolean>> = {};
      for (const c of CATEGORIES) {
        const v = yesNo(body, c, 'This question', errors);
        if (v !== undefined) symptoms[c] = v;
      }
      next.symptoms = symptoms;
      break;
    }
    case 'pain': {
      const parsed = painRatingsSchema(PAIN_NRS).safeParse(
        Object.fromEntries(PAIN_MEASURES.map((m) => [m, str(body, m) ?? ''])),
      );
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          errors[String(issue.path[0] ?? 'now')] ??= `Choose a number from ${PAIN_NRS.min} to ${PAIN_NRS.max}.`;
      else next.pain = defined(parsed.data);
      versions.pain = CURRENT_VERSIONS.pain;
      break;
    }
    case 'phq9':
    case 'gad7': {
      const def = QUESTIONNAIRES[section];
      const parsed = answersSchema(def).safeParse(
        Object.fromEntries(def.items.map((i) => [i.key, str(body, i.key) ?? ''])),
      );
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          errors[String(issue.path[0] ?? def.items[0]!.key)] ??= 'Choose one of the answers shown.';
      else next[section] = defined(parsed.data);
      versions[section] = CURRENT_VERSIONS[section];
      break;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  next.versions = versions;
  // The shape every reader relies on: checked on the way in, whatever the form sent.
  const checked = intakeAnswersSchema.safeParse(next);
  if (!checked.success)
    return { ok: false, errors: { [section]: 'Some answers could not be read. Please try again.' } };
  return { ok: true, answers: checked.data };
}

/** How many questions of each answer section are still unanswered. */
export function unanswered(answers: IntakeAnswers): Record<AnswerSection, number> {
  const facts = (answers.facts ?? {}) as Record<string, unknown>;
  const has = (v: unknown) => v !== undefined && v !== null;
  return {
    history: HISTORY_FACTS.filter((f) => !has(facts[f.key])).length,
    medicines: has(facts[ALLERGY_FACT]) ? 0 : 1,
    symptoms: CATEGORIES.filter((c) => !has(answers.symptoms?.[c])).length,
    pain: PAIN_MEASURES.filter((m) => !has(answers.pain?.[m])).length,
    phq9: PHQ9.items.filter((i) => !has(answers.phq9?.[i.key])).length,
    gad7: GAD7.items.filter((i) => !has(answers.gad7?.[i.key])).length,
  };
}
