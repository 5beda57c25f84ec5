/**
 * The dose calculator's clinic-wide settings as a versioned definition: the pump and syringe steps and the
 * verification tolerance, shipped from DEFAULT_DOSING_SETTINGS and unverified until the medical director saves a
 * version. The plausible weight range and how old a weight may be are the clinical record's limits, read from there.
 */
import { z } from 'zod';
import type { DosingSettings } from './dose.ts';
import { DEFAULT_DOSING_SETTINGS } from '../protocols/protocol.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition, type Definition, type DefinitionKind } from '../definitions/store.ts';
import { RECORD_LIMITS } from '../record/definitions.ts';

const positive = (field: string, max: number) =>
  z
    .number({ error: `${field}: a number` })
    .positive(`${field}: above 0`)
    .max(max, `${field}: at most ${max}`);

/** The figures edited here; the weight's range and age are the clinical record's (one place, so they cannot drift). */
export type PumpSettings = Omit<DosingSettings, 'weightRangeKg' | 'maxWeightAgeDays'>;

export const dosingSettingsSchema: z.ZodType<PumpSettings> = z.strictObject({
  pumpRateStepMlPerHour: positive('pumpRateStepMlPerHour', 10),
  bolusStepMl: positive('bolusStepMl', 10),
  verifyWeightToleranceKg: z
    .number({ error: 'verifyWeightToleranceKg: a number' })
    .min(0, 'verifyWeightToleranceKg: 0 or more')
    .max(5, 'verifyWeightToleranceKg: at most 5 kg'),
});

const { sources, weightRangeKg: _range, maxWeightAgeDays: _age, ...defaults } = DEFAULT_DOSING_SETTINGS;
const pumpSources = [sources.pumpRateStepMlPerHour, sources.bolusStepMl, sources.verifyWeightToleranceKg];

export const DOSING_SETTINGS: DefinitionKind<PumpSettings> = {
  kind: 'dosing-settings',
  label: 'Dose calculator settings',
  schema: dosingSettingsSchema,
  defaults,
  source: [
    `pumpRateStepMlPerHour: ${sources.pumpRateStepMlPerHour.source}`,
    `bolusStepMl: ${sources.bolusStepMl.source}`,
    `verifyWeightToleranceKg: ${sources.verifyWeightToleranceKg.source}`,
  ].join('; '),
  unverified: pumpSources.some((s) => s.unverified),
};

/**
 * The calculator's settings in force: the pump and syringe steps and the check's tolerance from this definition,
 * the plausible weight range and how long a weight stays current from the clinical record's limits.
 */
export async function dosingSettings(db: Kysely<DB>): Promise<Definition<DosingSettings>> {
  const [pump, limits] = await Promise.all([
    currentDefinition(db, DOSING_SETTINGS),
    currentDefinition(db, RECORD_LIMITS),
  ]);
  return {
    ...pump,
    body: {
      ...pump.body,
      weightRangeKg: { min: limits.body.weightMinKg, max: limits.body.weightMaxKg },
      maxWeightAgeDays: limits.body.weightCurrentDays,
    },
    source: `${pump.source}; weight range and age: the clinical record's limits (${limits.version === 0 ? 'shipped defaults' : `version ${limits.version}`}): ${limits.source}`,
    unverified: pump.unverified || limits.unverified,
  };
}
