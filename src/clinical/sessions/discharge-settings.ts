/**
 * Discharge's clinic-wide settings as a versioned definition: how far the latest vitals may be from the
 * pre-infusion reading ("vitals within the rule"), and the after-care instructions printed on the discharge sheet.
 * The recovery time, the Aldrete threshold and whether an escort is required are each protocol's (its `discharge`).
 * The shipped text is this product's own wording and UNVERIFIED until the medical director saves a version.
 */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';
import { DISCHARGE_VITALS_RULE } from './discharge-rules.ts';

export interface DischargeSettings {
  /** The latest reading's blood pressure and heart rate within this many per cent of the pre-infusion reading. */
  withinPct: number;
  /** The sheet's driving instruction. */
  noDriving: string;
  /** What to watch for at home, one line each. */
  watchFor: string[];
  /** When to call the clinic (the location's phone is printed beside it) and when to call emergency services. */
  whenToCall: string;
}

const line = (field: string, max: number) =>
  z
    .string({ error: `${field}: text` })
    .trim()
    .min(1, `${field}: write it`)
    .max(max, `${field}: at most ${max} characters`);

export const dischargeSettingsSchema: z.ZodType<DischargeSettings> = z.strictObject({
  withinPct: z
    .number({ error: 'withinPct: a number' })
    .int('withinPct: a whole number')
    .min(1, 'withinPct: at least 1')
    .max(100, 'withinPct: at most 100'),
  noDriving: line('noDriving', 400),
  watchFor: z.array(line('watchFor', 200)).min(1, 'watchFor: at least one thing to watch for').max(12),
  whenToCall: line('whenToCall', 600),
});

export const DISCHARGE_SETTINGS: DefinitionKind<DischargeSettings> = {
  kind: 'discharge-settings',
  label: 'Discharge rule and after-care instructions',
  schema: dischargeSettingsSchema,
  defaults: {
    withinPct: DISCHARGE_VITALS_RULE.withinPct,
    noDriving:
      'Do not drive, cycle or operate machinery until the morning after your infusion, and do not make important decisions or drink alcohol today.',
    watchFor: [
      'Dizziness or unsteadiness that does not settle with rest',
      'Nausea or vomiting that goes on for more than a few hours',
      'A severe headache or a racing heartbeat',
      'Pain or blood when passing urine',
      'Feeling confused or detached from your surroundings after today',
    ],
    whenToCall:
      'Call the clinic if anything on this list happens or worries you. For chest pain, trouble breathing or fainting, call 911.',
  },
  source: `withinPct: ${DISCHARGE_VITALS_RULE.source}; after-care text: this product's own wording of common outpatient ketamine after-care (no driving until the next day, an adult escort)`,
  unverified: true,
};
