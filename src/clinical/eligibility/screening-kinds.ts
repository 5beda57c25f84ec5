/**
 * The screening's two edited definitions: the contraindication rules in force, and how long a signed screening stays
 * valid. Both start from shipped defaults (version 0) until an administrator saves a version.
 */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';
import { type ContraindicationRuleSet, rulesSchema } from './contraindications.ts';
import { DEFAULT_RULES } from './default-rules.ts';

export const CONTRAINDICATION_RULES: DefinitionKind<ContraindicationRuleSet> = {
  kind: 'contraindication-rules',
  label: 'Contraindication rules',
  schema: rulesSchema,
  defaults: DEFAULT_RULES,
  source: DEFAULT_RULES.source,
  // Several shipped rules are inferred or clinic practice; each is marked on its own as well.
  unverified: DEFAULT_RULES.rules.some((r) => r.unverified === true),
};

export interface ScreeningValidity {
  months: number;
}

export const SCREENING_VALIDITY: DefinitionKind<ScreeningValidity> = {
  kind: 'screening-validity',
  label: 'Screening validity',
  schema: z.strictObject({
    months: z
      .number({ error: 'months: a whole number of months' })
      .int('months: a whole number of months')
      .min(1, 'months: at least 1')
      .max(24, 'months: at most 24'),
  }),
  defaults: { months: 12 },
  source: 'Clinic practice: a signed screening is repeated after a year (issue 11), not a published standard',
  unverified: true,
};
