/**
 * When questionnaires are owed, as a versioned definition an administrator edits at /staff/clinical-settings: one
 * row per protocol and time point (`*` = every protocol without rows of its own). Each row names its anchor (each
 * session, the end of the induction series, each booster), how many days from the anchor the window opens, how many
 * days it stays open, and what it asks. The instruments and time points come from issue 13 §1; the offsets and
 * windows are clinic practice and UNVERIFIED (clinical-facts.md gives no number for them).
 */
import { z } from 'zod';
import type { DefinitionKind } from '../definitions/store.ts';
import { PAIN_MEASURES, type PainMeasure } from '../instruments/pain.ts';

export const ANCHORS = ['each_session', 'end_of_induction', 'each_booster'] as const;
export type Anchor = (typeof ANCHORS)[number];

/** The instruments a follow-up can ask, in the order a patient answers them. */
export const INSTRUMENT_IDS = ['pain_nrs', 'peg', 'phq9', 'gad7', 'pgic'] as const;
export type InstrumentId = (typeof INSTRUMENT_IDS)[number];

export interface ScheduleRow {
  /** A protocol's code, or `*`. */
  protocol: string;
  /** Stored on each questionnaire: pre_session, end_of_induction, week_1… */
  timepoint: string;
  anchor: Anchor;
  /** Days from the anchor (the session's start; the end of the last induction session) to the window's opening. */
  offsetDays: number;
  /** How many days the window stays open; the questionnaire is missed after it. */
  windowDays: number;
  instruments: InstrumentId[];
  /** Which pain ratings are asked when pain_nrs is. */
  painMeasures: PainMeasure[];
}

const FULL_SET: InstrumentId[] = ['pain_nrs', 'peg', 'phq9', 'gad7', 'pgic'];
const ALL_PAIN: PainMeasure[] = ['now', 'average', 'worst'];

const row = (timepoint: string, anchor: Anchor, offsetDays: number, windowDays: number): ScheduleRow => ({
  protocol: '*',
  timepoint,
  anchor,
  offsetDays,
  windowDays,
  instruments: FULL_SET,
  painMeasures: ALL_PAIN,
});

export const DEFAULT_SCHEDULE: ScheduleRow[] = [
  // Opens the day before and closes at the start: answered at home or in the chair before the infusion.
  {
    protocol: '*',
    timepoint: 'pre_session',
    anchor: 'each_session',
    offsetDays: -1,
    windowDays: 1,
    instruments: ['pain_nrs'],
    painMeasures: ['now', 'average'],
  },
  row('end_of_induction', 'end_of_induction', 0, 7),
  row('week_1', 'end_of_induction', 7, 7),
  row('week_4', 'end_of_induction', 28, 7),
  row('week_12', 'end_of_induction', 84, 14),
  row('pre_booster', 'each_booster', -3, 3),
];

const timepoint = z
  .string({ error: 'timepoint: a name such as week_4' })
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'timepoint: lower-case letters, digits and _ (such as week_4)');

const rowSchema = z
  .strictObject({
    protocol: z
      .string({ error: 'protocol: a protocol code, or * for every other protocol' })
      .trim()
      .regex(/^(\*|[a-z0-9][a-z0-9-]{0,63})$/, 'protocol: a protocol code, or * for every other protocol'),
    timepoint,
    anchor: z.enum(ANCHORS, { error: `anchor: one of ${ANCHORS.join(', ')}` }),
    offsetDays: z
      .number({ error: 'offsetDays: a whole number of days' })
      .int('offsetDays: a whole number of days')
      .min(-30, 'offsetDays: at least -30')
      .max(730, 'offsetDays: at most 730'),
    windowDays: z
      .number({ error: 'windowDays: a whole number of days' })
      .int('windowDays: a whole number of days')
      .min(1, 'windowDays: at least 1, so that the window opens before it closes')
      .max(60, 'windowDays: at most 60'),
    instruments: z
      .array(z.enum(INSTRUMENT_IDS, { error: `instruments: each one of ${INSTRUMENT_IDS.join(', ')}` }))
      .min(1, 'instruments: at least one')
      .refine((l) => new Set(l).size === l.length, 'instruments: each once'),
    painMeasures: z
      .array(z.enum(PAIN_MEASURES, { error: `painMeasures: each one of ${PAIN_MEASURES.join(', ')}` }))
      .refine((l) => new Set(l).size === l.length, 'painMeasures: each once'),
  })
  .refine((r) => !r.instruments.includes('pain_nrs') || r.painMeasures.length > 0, {
    path: ['painMeasures'],
    message: 'painMeasures: at least one rating when pain_nrs is asked',
  });

export const scheduleSchema: z.ZodType<ScheduleRow[]> = z
  .array(rowSchema)
  .refine(
    (rows) => new Set(rows.map((r) => `${r.protocol} ${r.timepoint}`)).size === rows.length,
    'timepoint: one row per protocol and time point',
  );

export const QUESTIONNAIRE_SCHEDULE: DefinitionKind<ScheduleRow[]> = {
  kind: 'questionnaire-schedule',
  label: 'Questionnaire schedule',
  schema: scheduleSchema,
  defaults: DEFAULT_SCHEDULE,
  source:
    'Time points and instruments: issue 13 §1 (before each session: pain now and average; at the end of the induction series, 1, 4 and 12 weeks after, and before each booster: pain now, average and worst, the PEG (Krebs 2009), PHQ-9, GAD-7 and PGIC; clinical-facts.md §4). Offsets and windows: clinic practice, UNVERIFIED.',
  unverified: true,
};

/** The rows that apply to a protocol: its own when it has any, else the `*` rows. */
export function scheduleFor(rows: readonly ScheduleRow[], protocol: string | null): ScheduleRow[] {
  const own = rows.filter((r) => r.protocol === protocol);
  return own.length > 0 ? own : rows.filter((r) => r.protocol === '*');
}
