/**
 * The PEG: pain intensity and interference in three items, each 0–10; the score is their mean. Pure.
 *
 * Chosen for pain interference because it is free to use; the Brief Pain Inventory it is drawn from is licensed.
 */
import type { Provenance } from '../provenance.ts';

export interface PegDefinition extends Provenance {
  id: 'peg';
  title: string;
  instructions: string;
  min: number;
  max: number;
  items: readonly { key: string; text: string; minLabel: string; maxLabel: string }[];
}

export const PEG: PegDefinition = {
  id: 'peg',
  version: 'peg-2009.1',
  title: 'Pain and daily life',
  source:
    'Krebs EE, Lorenz KA, Bair MJ et al. Development and initial validation of the PEG, a three-item scale assessing pain intensity and interference. J Gen Intern Med 2009;24:733–738. Three items 0–10; score = mean of the three (0–10).',
  instructions: 'Choose the one number that best describes the past week.',
  min: 0,
  max: 10,
  items: [
    {
      key: 'p',
      text: 'What number best describes your pain on average?',
      minLabel: 'No pain',
      maxLabel: 'Pain as bad as you can imagine',
    },
    {
      key: 'e',
      text: 'What number best describes how your pain has interfered with your enjoyment of life?',
      minLabel: 'Does not interfere',
      maxLabel: 'Completely interferes',
    },
    {
      key: 'g',
      text: 'What number best describes how your pain has interfered with your general activity?',
      minLabel: 'Does not interfere',
      maxLabel: 'Completely interferes',
    },
  ],
};

export interface PegScore {
  /** The mean of the three items, rounded to two decimals; null until all three are answered. */
  score: number | null;
  missing: string[];
  complete: boolean;
}

/** Scores the answers given so far; a value outside 0–10 or not whole counts as unanswered, never as a number. */
export function scorePeg(def: PegDefinition, answers: Readonly<Record<string, unknown>>): PegScore {
  const values: number[] = [];
  const missing: string[] = [];
  for (const item of def.items) {
    const v = Object.hasOwn(answers, item.key) ? answers[item.key] : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= def.min && v <= def.max) values.push(v);
    else missing.push(item.key);
  }
  const complete = missing.length === 0;
  const score = complete ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : null;
  return { score, missing, complete };
}
