/**
 * A follow-up questionnaire's answers: the items it asks, reading a form's post (out-of-range answers refused, each
 * naming its item), and scoring once every item is answered. Pure. Partial answers are kept and never scored: a
 * total from some items would read as a better score than the patient has.
 */
import { GAD7 } from '../instruments/gad7.ts';
import { PAIN_NRS } from '../instruments/pain.ts';
import { PEG, scorePeg } from '../instruments/peg.ts';
import { PGIC, pgicAnswer } from '../instruments/pgic.ts';
import { PHQ9, PHQ9_ITEM9_RULE, phq9SafetyLevel, type SafetyLevel } from '../instruments/phq9.ts';
import { scoreQuestionnaire, type QuestionnaireDefinition } from '../instruments/questionnaire.ts';
import type { AskedInstrument } from './questionnaire-instruments.ts';
import type { InstrumentId } from './questionnaire-settings.ts';

/** instrument id → item key → value. */
export type Answers = Partial<Record<InstrumentId, Record<string, number>>>;

export interface AskedItem {
  /** The form field: `<instrument>.<item>`. */
  field: string;
  instrument: InstrumentId;
  key: string;
  /** The question as the patient reads it. */
  text: string;
  /** Shown once above an instrument's first item (its recall period). */
  lead?: string;
  hint?: string;
  options: readonly { value: number; label: string }[];
}

const scale = (min: number, max: number) =>
  Array.from({ length: max - min + 1 }, (_, i) => ({ value: min + i, label: String(min + i) }));

function likert(id: 'phq9' | 'gad7', def: QuestionnaireDefinition): AskedItem[] {
  return def.items.map((item, i) => ({
    field: `${id}.${item.key}`,
    instrument: id,
    key: item.key,
    text: `${i + 1}. ${item.text}`,
    lead: i === 0 ? def.instructions : undefined,
    options: def.options,
  }));
}

export const PGIC_KEY = 'change';

/** Every item a questionnaire asks, in order. */
export function askedItems(asked: readonly AskedInstrument[]): AskedItem[] {
  return asked.flatMap((a): AskedItem[] => {
    switch (a.id) {
      case 'pain_nrs':
        return PAIN_NRS.measures
          .filter((m) => (a.measures ?? PAIN_NRS.measures.map((x) => x.key)).includes(m.key))
          .map((m) => ({
            field: `pain_nrs.${m.key}`,
            instrument: 'pain_nrs',
            key: m.key,
            text: m.question,
            hint: `${PAIN_NRS.min} = ${PAIN_NRS.minLabel}, ${PAIN_NRS.max} = ${PAIN_NRS.maxLabel}`,
            options: scale(PAIN_NRS.min, PAIN_NRS.max),
          }));
      case 'peg':
        return PEG.items.map((item, i) => ({
          field: `peg.${item.key}`,
          instrument: 'peg',
          key: item.key,
          text: item.text,
          lead: i === 0 ? PEG.instructions : undefined,
          hint: `${PEG.min} = ${item.minLabel}, ${PEG.max} = ${item.maxLabel}`,
          options: scale(PEG.min, PEG.max),
        }));
      case 'phq9':
        return likert('phq9', PHQ9);
      case 'gad7':
        return likert('gad7', GAD7);
      case 'pgic':
        return [
          { field: `pgic.${PGIC_KEY}`, instrument: 'pgic', key: PGIC_KEY, text: PGIC.question, options: PGIC.options },
        ];
    }
  });
}

export type ParsedAnswers = { ok: true; answers: Answers } | { ok: false; errors: Record<string, string> };

/**
 * The answers a form posted, merged over those saved: a blank item keeps nothing (it is unanswered), an answer that
 * is not one of the item's choices is refused with the item named. Fields the questionnaire does not ask are ignored.
 */
export function readPostedAnswers(asked: readonly AskedInstrument[], saved: Answers, body: unknown): ParsedAnswers {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const answers: Answers = {};
  for (const [id, items] of Object.entries(saved)) answers[id as InstrumentId] = { ...items };
  for (const item of askedItems(asked)) {
    const raw = form[item.field];
    if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    const value = typeof raw === 'string' && /^-?\d{1,3}$/.test(raw.trim()) ? Number(raw) : NaN;
    const short = item.text.replace(/^\d+\. /, '');
    if (!item.options.some((o) => o.value === value)) {
      const lo = item.options[0]!.value;
      const hi = item.options.at(-1)!.value;
      errors[item.field] = `“${short}”: choose one of the answers (${lo} to ${hi})`;
      continue;
    }
    (answers[item.instrument] ??= {})[item.key] = value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, answers };
}

/** The report columns of a complete questionnaire (null for what it does not ask). */
export interface QuestionnaireReport {
  pain_now: number | null;
  pain_average: number | null;
  pain_worst: number | null;
  phq9_total: number | null;
  phq9_item9: number | null;
  gad7_total: number | null;
  interference: number | null;
  pgic: number | null;
  pgic_label: string | null;
}

export interface ScoredAnswers {
  answered: number;
  asked: number;
  complete: boolean;
  /** Only when complete. */
  report: QuestionnaireReport | null;
  /**
   * The self-harm item, whenever it is answered (complete or not), at the published threshold (any answer above "not
   * at all"): what the patient's page shows the crisis resources for. The clinician's alert is judged by the clinic's
   * item-9 rule in the transaction of the answer (questionnaire-alert.ts).
   */
  item9: SafetyLevel;
}

export function scoreAnswers(asked: readonly AskedInstrument[], answers: Answers): ScoredAnswers {
  const items = askedItems(asked);
  const answered = items.filter((i) => answers[i.instrument]?.[i.key] !== undefined).length;
  const complete = answered === items.length;
  const has = (id: InstrumentId) => asked.some((a) => a.id === id);
  const pain = answers.pain_nrs ?? {};
  const pgic = has('pgic') ? pgicAnswer(PGIC, answers.pgic?.[PGIC_KEY]) : null;
  const report: QuestionnaireReport | null = complete
    ? {
        pain_now: has('pain_nrs') ? (pain.now ?? null) : null,
        pain_average: has('pain_nrs') ? (pain.average ?? null) : null,
        pain_worst: has('pain_nrs') ? (pain.worst ?? null) : null,
        phq9_total: has('phq9') ? scoreQuestionnaire(PHQ9, answers.phq9 ?? {}).total : null,
        phq9_item9: has('phq9') ? (answers.phq9?.[PHQ9_ITEM9_RULE.itemKey] ?? null) : null,
        gad7_total: has('gad7') ? scoreQuestionnaire(GAD7, answers.gad7 ?? {}).total : null,
        interference: has('peg') ? scorePeg(PEG, answers.peg ?? {}).score : null,
        pgic: pgic?.value ?? null,
        pgic_label: pgic?.label ?? null,
      }
    : null;
  const item9 = has('phq9') ? phq9SafetyLevel(PHQ9, PHQ9_ITEM9_RULE, answers.phq9 ?? {}) : 'none';
  return { answered, asked: items.length, complete, report, item9 };
}

/** The saved answers as the form shows them (`<instrument>.<item>` → the value as text). */
export function formValues(answers: Answers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, items] of Object.entries(answers))
    for (const [k, v] of Object.entries(items ?? {})) out[`${id}.${k}`] = String(v);
  return out;
}

/** Stored answers back from the JSON column; anything unreadable counts as unanswered. */
export function readAnswers(json: string): Answers {
  try {
    const raw = JSON.parse(json) as unknown;
    if (typeof raw !== 'object' || raw === null) return {};
    const out: Answers = {};
    for (const [id, items] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof items !== 'object' || items === null) continue;
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(items as Record<string, unknown>)) if (typeof v === 'number') clean[k] = v;
      out[id as InstrumentId] = clean;
    }
    return out;
  } catch {
    return {};
  }
}
