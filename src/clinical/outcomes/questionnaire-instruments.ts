/**
 * The instruments a follow-up questionnaire asks, by id, with the version stored beside each answer set. Pure data.
 */
import { GAD7 } from '../instruments/gad7.ts';
import { PAIN_NRS, type PainMeasure } from '../instruments/pain.ts';
import { PEG } from '../instruments/peg.ts';
import { PGIC } from '../instruments/pgic.ts';
import { PHQ9 } from '../instruments/phq9.ts';
import type { InstrumentId } from './questionnaire-settings.ts';

export const QUESTIONNAIRE_INSTRUMENTS = {
  pain_nrs: PAIN_NRS,
  peg: PEG,
  phq9: PHQ9,
  gad7: GAD7,
  pgic: PGIC,
} as const;

/** What one questionnaire asks of one instrument, as stored in questionnaires.instruments. */
export interface AskedInstrument {
  id: InstrumentId;
  version: string;
  /** pain_nrs only: the ratings asked, in order. */
  measures?: PainMeasure[];
}

export const INSTRUMENT_TITLES: Record<InstrumentId, string> = {
  pain_nrs: 'Pain',
  peg: PEG.title,
  phq9: 'Mood (PHQ-9)',
  gad7: 'Worry and anxiety (GAD-7)',
  pgic: PGIC.title,
};

export function askedInstruments(ids: readonly InstrumentId[], measures: readonly PainMeasure[]): AskedInstrument[] {
  return ids.map((id) =>
    id === 'pain_nrs'
      ? { id, version: QUESTIONNAIRE_INSTRUMENTS[id].version, measures: [...measures] }
      : { id, version: QUESTIONNAIRE_INSTRUMENTS[id].version },
  );
}
