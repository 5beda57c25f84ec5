/**
 * The CRPS Severity Score (CSS): symptoms the patient reports and signs the provider sees, each present or absent;
 * the score is the number present. Pure.
 *
 * The item set changes between versions of the instrument (17 items in Harden 2010, a modified set in Harden 2017),
 * so it is data: each score is stored with the definition's version, and only scores of one version are compared.
 */
import { z } from 'zod';
import { key, type Provenance, provenanceShape, text } from '../provenance.ts';

export interface CssItem {
  key: string;
  kind: 'symptom' | 'sign';
  /** What to look for or ask about, in plain words. */
  label: string;
}

export interface CssDefinition extends Provenance {
  id: string;
  items: readonly CssItem[];
  /** The smallest change in score that is real rather than measurement noise. */
  meaningfulChange: number;
  meaningfulChangeSource: string;
}

export const CSS: CssDefinition = {
  id: 'css',
  version: 'css-2017-inferred.1',
  source:
    'CRPS Severity Score (Harden RN et al., Pain 2010; modified in Harden RN et al., Pain 2017). Item list inferred from PMC10257428 (J Pain Res 2023, table 4); confirm against Harden 2017.',
  unverified: true,
  items: [
    { key: 'symptom_pain', kind: 'symptom', label: 'Continuing pain out of proportion to any inciting event' },
    { key: 'symptom_allodynia_hyperalgesia', kind: 'symptom', label: 'Allodynia or hyperalgesia' },
    { key: 'symptom_temperature', kind: 'symptom', label: 'Temperature asymmetry' },
    { key: 'symptom_colour', kind: 'symptom', label: 'Skin colour asymmetry' },
    { key: 'symptom_sweating', kind: 'symptom', label: 'Sweating asymmetry' },
    { key: 'symptom_oedema', kind: 'symptom', label: 'Oedema (swelling)' },
    { key: 'symptom_trophic', kind: 'symptom', label: 'Trophic changes (hair, nails, skin)' },
    { key: 'symptom_motor', kind: 'symptom', label: 'Motor changes (weakness, tremor, dystonia, stiffness)' },
    { key: 'sign_pinprick', kind: 'sign', label: 'Hyperalgesia to pinprick' },
    { key: 'sign_allodynia', kind: 'sign', label: 'Allodynia (light touch, temperature, pressure or joint movement)' },
    { key: 'sign_temperature', kind: 'sign', label: 'Temperature asymmetry on palpation' },
    { key: 'sign_colour', kind: 'sign', label: 'Skin colour asymmetry' },
    { key: 'sign_sweating', kind: 'sign', label: 'Sweating asymmetry' },
    { key: 'sign_oedema', kind: 'sign', label: 'Asymmetric oedema' },
    { key: 'sign_trophic', kind: 'sign', label: 'Trophic changes' },
    {
      key: 'sign_motor',
      kind: 'sign',
      label: 'Motor abnormalities (weakness, tremor or myoclonus, dystonia, reduced range of motion)',
    },
  ],
  meaningfulChange: 4.9,
  meaningfulChangeSource:
    'Harden RN et al., Pain 2017 (n=156): a change of 4.9 points or more is real at 95% confidence.',
};

/** Item key → present (true), absent (false); absent, null or undefined means not yet assessed. */
export type CssFindings = Readonly<Record<string, boolean | null | undefined>>;

export interface CssScore {
  /** Items present, or null until every item is assessed. */
  total: number | null;
  /** The highest possible score of this version. */
  max: number;
  /** Keys of the items found present, in the definition's order. */
  present: string[];
  /** Keys of the items not yet assessed. */
  missing: string[];
  complete: boolean;
}

export function scoreCss(def: CssDefinition, findings: CssFindings): CssScore {
  const present: string[] = [];
  const missing: string[] = [];
  for (const item of def.items) {
    const v = Object.hasOwn(findings, item.key) ? findings[item.key] : undefined;
    if (v === true) present.push(item.key);
    else if (v !== false) missing.push(item.key);
  }
  const complete = missing.length === 0;
  return { total: complete ? present.length : null, max: def.items.length, present, missing, complete };
}

export interface CssChange {
  /** after − before: positive is worse (more signs and symptoms), negative is better. */
  change: number;
  /** Whether the change, either way, reaches the definition's meaningful change. */
  meaningful: boolean;
}

/**
 * The change between two complete scores of the same version. Returns null when either is not a whole number
 * within 0 … the number of items (a score from another version, or an incomplete one), never a misleading change.
 */
export function cssChange(def: CssDefinition, before: number, after: number): CssChange | null {
  const valid = (n: number) => Number.isInteger(n) && n >= 0 && n <= def.items.length;
  if (!valid(before) || !valid(after)) return null;
  const change = after - before;
  return { change, meaningful: Math.abs(change) >= def.meaningfulChange };
}

export const cssDefinitionSchema = z
  .object({
    ...provenanceShape,
    id: key('id'),
    items: z
      .array(
        z.object({
          key: key('key'),
          kind: z.enum(['symptom', 'sign'], { error: 'kind: symptom or sign' }),
          label: text('label', 200),
        }),
        { error: 'items: a list of signs and symptoms' },
      )
      .min(1, 'items: at least one sign or symptom')
      .max(40, 'items: at most 40'),
    meaningfulChange: z
      .number({ error: 'meaningfulChange: a number of points' })
      .positive('meaningfulChange: more than 0 points'),
    meaningfulChangeSource: text('meaningfulChangeSource', 1000),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.items.forEach((item, i) => {
      if (seen.has(item.key))
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'key'],
          message: `items[${i}].key: "${item.key}" is used by an earlier item`,
        });
      seen.add(item.key);
    });
    if (def.meaningfulChange > def.items.length)
      ctx.addIssue({
        code: 'custom',
        path: ['meaningfulChange'],
        message: `meaningfulChange: ${def.meaningfulChange} is more than the ${def.items.length} items could ever change`,
      });
  });
