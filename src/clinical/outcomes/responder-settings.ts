/**
 * The responder analysis's thresholds as a versioned definition. The IMMPACT cut-offs are the published ones
 * (clinical-facts §4, verified); how the gap IMMPACT leaves between 20 % and 30 % is classed, and what counts as a
 * PHQ-9 improvement, are this product's choices, so the definition ships UNVERIFIED until the medical director saves
 * a version.
 */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';
import { DEFAULT_RESPONDER_SETTINGS, type ResponderSettings } from './responder.ts';

export type { ResponderSettings };

const pct = (field: string) =>
  z
    .number({ error: `${field}: a number` })
    .gt(0, `${field}: above 0`)
    .max(100, `${field}: at most 100`);

export const responderSettingsSchema: z.ZodType<ResponderSettings> = z
  .strictObject({
    minimalPct: pct('minimalPct'),
    moderatePct: pct('moderatePct'),
    substantialPct: pct('substantialPct'),
    phq9ImprovementPoints: z
      .number({ error: 'phq9ImprovementPoints: a whole number' })
      .int('phq9ImprovementPoints: a whole number')
      .min(1, 'phq9ImprovementPoints: at least 1')
      .max(27, 'phq9ImprovementPoints: at most 27'),
  })
  .refine((s) => s.minimalPct < s.moderatePct, {
    path: ['moderatePct'],
    message: 'moderatePct: must be above minimalPct',
  })
  .refine((s) => s.moderatePct < s.substantialPct, {
    path: ['substantialPct'],
    message: 'substantialPct: must be above moderatePct',
  });

export const RESPONDER_SETTINGS: DefinitionKind<ResponderSettings> = {
  kind: 'responder-settings',
  label: 'Responder analysis thresholds',
  schema: responderSettingsSchema,
  defaults: DEFAULT_RESPONDER_SETTINGS,
  source:
    "minimalPct, moderatePct, substantialPct: IMMPACT (Dworkin RH et al., J Pain 2008;9:105–121): 10–20 % minimally, ≥30 % moderately, ≥50 % substantially important; 20–<30 % is classed minimal here (below the moderate cut-off). phq9ImprovementPoints: this product's choice (a 5-point drop, the width of one PHQ-9 band, Kroenke 2001).",
  unverified: true,
};
