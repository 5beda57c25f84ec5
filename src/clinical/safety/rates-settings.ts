/** What the clinic's safety rates count as an adverse event, and over how many months, as a versioned definition. */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';

export interface RateSettings {
  /** Side effects graded at or above this (1 mild, 2 moderate, 3 severe, 4 life-threatening) count as adverse events. */
  adverseGradeFrom: number;
  months: number;
}

export const SAFETY_RATES: DefinitionKind<RateSettings> = {
  kind: 'safety-rates',
  label: 'Safety rates per 100 sessions',
  schema: z.strictObject({
    adverseGradeFrom: z
      .number({ error: 'adverseGradeFrom: a grade from 1 to 4' })
      .int('adverseGradeFrom: a whole grade')
      .min(1, 'adverseGradeFrom: at least 1')
      .max(4, 'adverseGradeFrom: at most 4'),
    months: z
      .number({ error: 'months: a number of months' })
      .int('months: whole months')
      .min(1, 'months: at least 1')
      .max(36, 'months: at most 36'),
  }),
  defaults: { adverseGradeFrom: 2, months: 12 },
  source:
    'Grades as the infusion record keeps them (1 mild … 4 life-threatening, after CTCAE); counting moderate (grade 2) and worse as adverse events is clinic practice, UNVERIFIED.',
  unverified: true,
};
