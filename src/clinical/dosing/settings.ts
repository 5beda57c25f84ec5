/**
 * The dose calculator's clinic-wide settings as a versioned definition: the plausible weight range (which the
 * clinical record's weight form also enforces), how old a weight may be for an order, the pump and syringe steps and
 * the verification tolerance. Shipped from DEFAULT_DOSING_SETTINGS, every figure unverified until the medical
 * director saves a version.
 */
import { z } from 'zod';
import type { DosingSettings } from './dose.ts';
import { DEFAULT_DOSING_SETTINGS } from '../protocols/protocol.ts';
import type { DefinitionKind } from '../definitions/store.ts';

const positive = (field: string, max: number) =>
  z
    .number({ error: `${field}: a number` })
    .positive(`${field}: above 0`)
    .max(max, `${field}: at most ${max}`);

export const dosingSettingsSchema: z.ZodType<DosingSettings> = z
  .strictObject({
    weightRangeKg: z.strictObject({
      min: positive('weightRangeKg.min', 700),
      max: positive('weightRangeKg.max', 700),
    }),
    maxWeightAgeDays: z
      .number({ error: 'maxWeightAgeDays: a whole number of days' })
      .int('maxWeightAgeDays: a whole number of days')
      .min(1, 'maxWeightAgeDays: at least 1 day')
      .max(365, 'maxWeightAgeDays: at most 365 days'),
    pumpRateStepMlPerHour: positive('pumpRateStepMlPerHour', 10),
    bolusStepMl: positive('bolusStepMl', 10),
    verifyWeightToleranceKg: z
      .number({ error: 'verifyWeightToleranceKg: a number' })
      .min(0, 'verifyWeightToleranceKg: 0 or more')
      .max(5, 'verifyWeightToleranceKg: at most 5 kg'),
  })
  .refine((s) => s.weightRangeKg.min < s.weightRangeKg.max, {
    path: ['weightRangeKg', 'max'],
    message: 'weightRangeKg.max: above the minimum',
  });

const { sources, ...defaults } = DEFAULT_DOSING_SETTINGS;

export const DOSING_SETTINGS: DefinitionKind<DosingSettings> = {
  kind: 'dosing-settings',
  label: 'Dose calculator settings',
  schema: dosingSettingsSchema,
  defaults,
  source: Object.entries(sources)
    .map(([k, s]) => `${k}: ${s.source}`)
    .join('; '),
  unverified: Object.values(sources).some((s) => s.unverified),
};
