/**
 * The Modified Aldrete score: five items, each 0–2, total 0–10, taken in recovery before a patient may leave. Pure.
 * The discharge threshold is not here: it is the protocol's (`discharge.aldreteAtLeast`, 9 by default), passed in.
 *
 * The option wording is this product's own short paraphrase of the published levels.
 */
import { z } from 'zod';

export const ALDRETE_VERSION = 'aldrete-1995.1';
export const ALDRETE_SOURCE =
  'Aldrete JA, The post-anesthesia recovery score revisited, J Clin Anesth 1995;7:89 (Modified Aldrete score; SpO₂ replaces colour); items as summarised by StatPearls';

export type AldreteKey = 'activity' | 'respiration' | 'circulation' | 'consciousness' | 'oxygenSaturation';
export type AldretePoints = 0 | 1 | 2;

export interface AldreteItem {
  key: AldreteKey;
  label: string;
  /** Highest score first. */
  options: readonly { score: AldretePoints; label: string }[];
}

export const ALDRETE_ITEMS: readonly AldreteItem[] = [
  {
    key: 'activity',
    label: 'Activity',
    options: [
      { score: 2, label: 'Moves all four limbs, asked or unprompted' },
      { score: 1, label: 'Moves two limbs' },
      { score: 0, label: 'Moves no limbs' },
    ],
  },
  {
    key: 'respiration',
    label: 'Breathing',
    options: [
      { score: 2, label: 'Breathes deeply and coughs freely' },
      { score: 1, label: 'Short of breath, or shallow breathing' },
      { score: 0, label: 'Not breathing' },
    ],
  },
  {
    key: 'circulation',
    label: 'Circulation',
    options: [
      { score: 2, label: 'Blood pressure within 20 % of the pre-infusion reading' },
      { score: 1, label: 'Blood pressure more than 20 % and less than 50 % away from it' },
      { score: 0, label: 'Blood pressure 50 % or more away from it' },
    ],
  },
  {
    key: 'consciousness',
    label: 'Consciousness',
    options: [
      { score: 2, label: 'Fully awake' },
      { score: 1, label: 'Wakes when spoken to' },
      { score: 0, label: 'Does not respond' },
    ],
  },
  {
    key: 'oxygenSaturation',
    label: 'Oxygen saturation',
    options: [
      { score: 2, label: 'Above 92 % breathing room air' },
      { score: 1, label: 'Needs oxygen to stay above 90 %' },
      { score: 0, label: 'Below 90 % even with oxygen' },
    ],
  },
];

export type AldreteAnswers = Readonly<Partial<Record<AldreteKey, number | null>>>;

export interface AldreteScore {
  /** The sum, or null until every item is answered. */
  total: number | null;
  complete: boolean;
  /** Items not answered with 0, 1 or 2, in the items' order. */
  missing: AldreteKey[];
  version: string;
}

/** The total of five answers; anything but 0, 1 or 2 counts as not answered, never as a number. */
export function scoreAldrete(answers: AldreteAnswers): AldreteScore {
  let sum = 0;
  const missing: AldreteKey[] = [];
  for (const { key } of ALDRETE_ITEMS) {
    const v = answers[key];
    if (v === 0 || v === 1 || v === 2) sum += v;
    else missing.push(key);
  }
  const complete = missing.length === 0;
  return { total: complete ? sum : null, complete, missing, version: ALDRETE_VERSION };
}

/** Whether a complete score meets the protocol's threshold (at or above it). */
export function aldreteMet(score: AldreteScore, atLeast: number): boolean {
  return score.total !== null && score.total >= atLeast;
}

/**
 * The circulation item from the pre-infusion and the current systolic pressure. Boundaries, either way from the
 * baseline: up to and including 20 % → 2; above 20 % and below 50 % → 1; 50 % or more → 0. Worked in whole
 * products (no division), so the edges are exact for whole mmHg: from 100, 120 and 80 score 2, 121 and 79 score 1,
 * 150 and 50 score 0.
 */
export function circulationFromPressure(baselineSystolic: number, systolic: number): AldretePoints {
  const away = Math.abs(systolic - baselineSystolic) * 100;
  const base = Math.abs(baselineSystolic);
  if (away <= base * 20) return 2;
  if (away < base * 50) return 1;
  return 0;
}

const points = (key: AldreteKey) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z.union([z.literal(0), z.literal(1), z.literal(2)], { error: `${key}: choose one of the three levels` }),
  );

/** A form's five answers, each refused by name when not 0, 1 or 2. */
export const aldreteAnswersSchema = z.object({
  activity: points('activity'),
  respiration: points('respiration'),
  circulation: points('circulation'),
  consciousness: points('consciousness'),
  oxygenSaturation: points('oxygenSaturation'),
});
