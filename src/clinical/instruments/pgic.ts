/**
 * The Patient Global Impression of Change (PGIC): one question, seven labelled points. Pure data and a reader.
 *
 * Public domain (NINDS Common Data Elements). Some published versions number the scale the other way round, so the
 * label the patient chose is stored beside its number: a report never has to guess which way a 1 points.
 */
import type { Provenance } from '../provenance.ts';

export interface PgicDefinition extends Provenance {
  id: 'pgic';
  title: string;
  question: string;
  /** From 1 (very much improved) to 7 (very much worse), 4 = no change. */
  options: readonly { value: number; label: string }[];
}

export const PGIC: PgicDefinition = {
  id: 'pgic',
  version: 'pgic-cde.1',
  title: 'Overall change',
  source:
    'Patient Global Impression of Change, NINDS Common Data Elements (public domain): 7 points, 1 = very much improved, 4 = no change, 7 = very much worse. IMMPACT (Dworkin RH et al., J Pain 2008;9:105–121): minimally improved = minimal, much improved = moderate, very much improved = substantial.',
  question: 'Since you started treatment at this clinic, how would you describe the change in your condition?',
  options: [
    { value: 1, label: 'Very much improved' },
    { value: 2, label: 'Much improved' },
    { value: 3, label: 'Minimally improved' },
    { value: 4, label: 'No change' },
    { value: 5, label: 'Minimally worse' },
    { value: 6, label: 'Much worse' },
    { value: 7, label: 'Very much worse' },
  ],
};

/** The chosen point with its label, or null when the value is not one of the seven. */
export function pgicAnswer(def: PgicDefinition, value: unknown): { value: number; label: string } | null {
  return def.options.find((o) => o.value === value) ?? null;
}
