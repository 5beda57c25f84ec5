/**
 * The safety flag rules' figures as a versioned definition the medical director edits at /staff/clinical-settings.
 * Each rule is on or off and carries its own source; a rule whose default has no published figure is UNVERIFIED.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../kernel/db/schema.ts';
import { currentDefinition, type Definition, type DefinitionKind } from '../definitions/store.ts';
import { PHQ9_ITEM9_RULE } from '../instruments/phq9.ts';

export interface FlagRules {
  /**
   * PHQ-9 item 9 at or above this raises the alert; at or above `item9UrgentAt` it is urgent. There is no switch: a
   * suicide-risk answer always reaches a clinician, only the thresholds are the medical director's.
   */
  item9AlertAt: number;
  item9UrgentAt: number;
  escalationOn: boolean;
  /** mg/kg per session rising by MORE than this percentage over the last `escalationSessions` verified orders. */
  escalationPercent: number;
  escalationSessions: number;
  urinaryOn: boolean;
  /** Answers of "yes" on the check-in's urinary screen that raise the flag. */
  urinaryMinYes: number;
  liverOn: boolean;
  /** ALT, AST or ALP at or above this multiple of the result's upper limit of normal. */
  liverMultiple: number;
  /** The tests (lab-tests codes) the liver rule reads. */
  liverTests: string[];
  missedFollowUpOn: boolean;
  substanceUseOn: boolean;
  /** A history of misuse already recorded at the patient's first screening flags too (off: it is the baseline). */
  substanceUseKnownHistory: boolean;
}

export type FlagKind = 'phq9_item9' | 'dose_escalation' | 'urinary' | 'liver' | 'missed_follow_up' | 'substance_use';

/** Each rule's name, source and whether its default figure is unverified: shown on the worklist and the settings. */
export const FLAG_RULES: Record<FlagKind, { label: string; source: string; unverified: boolean }> = {
  phq9_item9: {
    label: 'PHQ-9 item 9: thoughts of being better off dead or of self-harm',
    source: PHQ9_ITEM9_RULE.source,
    unverified: false,
  },
  dose_escalation: {
    label: 'Dose escalation without a better response',
    source:
      'clinical-facts.md §6: no source gives a numeric criterion for tolerance; track the dose per session and flag escalation at a clinician-set threshold. UNVERIFIED.',
    unverified: true,
  },
  urinary: {
    label: 'Urinary symptoms reported at check-in',
    source:
      'clinical-facts.md §6: ketamine uropathy (frequency, urgency, dysuria, haematuria, bladder pain); screen serial-infusion patients at each visit. The screen itself is UNVERIFIED.',
    unverified: true,
  },
  liver: {
    label: 'Liver enzymes raised (ALT, AST or ALP)',
    source:
      'Noppers IM et al., Pain 2011;152:2173–2178: liver injury (ALT, AST or ALP ≥ 3 × ULN) after repeated S-ketamine infusions (clinical-facts.md §6). The hold until a provider clears it is clinic policy.',
    unverified: false,
  },
  missed_follow_up: {
    label: 'Missed follow-up after a session with an alert',
    source:
      'Issue 13 §3 (clinic practice, UNVERIFIED): a questionnaire missed, or a visit not attended, after a session that raised an alert and before the next session.',
    unverified: true,
  },
  substance_use: {
    label: 'Substance-use concern recorded',
    source:
      'clinical-facts.md §6: PDMP check before starting and periodically (CDC 2022, UNVERIFIED as a ketamine requirement); the 2018 consensus guideline advises against serial infusions in active substance abuse and asks for universal precautions to watch for misuse (Cohen 2018, grade C). Flagged: a PDMP check with concerns, and a signed screening recording more than the one before (none → history → active); a history already known at the first screening is the baseline (clinic practice, UNVERIFIED).',
    unverified: true,
  },
};

const whole = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field}: a whole number` })
    .int(`${field}: a whole number`)
    .min(min, `${field}: at least ${min}`)
    .max(max, `${field}: at most ${max}`);
const on = (field: string) => z.boolean({ error: `${field}: yes or no` });

/** Versions saved before the item-9 rule lost its switch carry `item9On`: read, and ignored. */
const withoutRetiredSwitch = (raw: unknown) => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('item9On' in raw)) return raw;
  const { item9On: _retired, ...rest } = raw as Record<string, unknown>;
  return rest;
};

const flagRulesShape = z
  .strictObject({
    item9AlertAt: whole('item9AlertAt', 1, 3),
    item9UrgentAt: whole('item9UrgentAt', 1, 3),
    escalationOn: on('escalationOn'),
    escalationPercent: z
      .number({ error: 'escalationPercent: a number' })
      .min(1, 'escalationPercent: at least 1')
      .max(500, 'escalationPercent: at most 500'),
    escalationSessions: whole('escalationSessions', 2, 20),
    urinaryOn: on('urinaryOn'),
    urinaryMinYes: whole('urinaryMinYes', 1, 3),
    liverOn: on('liverOn'),
    liverMultiple: z
      .number({ error: 'liverMultiple: a number' })
      .min(1, 'liverMultiple: at least 1')
      .max(20, 'liverMultiple: at most 20'),
    liverTests: z
      .array(z.string().regex(/^[a-z0-9_]{1,40}$/, 'liverTests: lab-test codes'))
      .min(1, 'liverTests: at least one test'),
    missedFollowUpOn: on('missedFollowUpOn'),
    substanceUseOn: on('substanceUseOn'),
    // Added after the first saved versions: those read as the shipped default.
    substanceUseKnownHistory: on('substanceUseKnownHistory').default(false),
  })
  .refine((r) => r.item9UrgentAt >= r.item9AlertAt, {
    message: 'item9UrgentAt: at or above item9AlertAt',
    path: ['item9UrgentAt'],
  });

export const flagRulesSchema: z.ZodType<FlagRules> = z.preprocess(withoutRetiredSwitch, flagRulesShape);

export const FLAG_RULE_SETTINGS: DefinitionKind<FlagRules> = {
  kind: 'safety-flag-rules',
  label: 'Safety flag rules',
  schema: flagRulesSchema,
  defaults: {
    item9AlertAt: PHQ9_ITEM9_RULE.alertAt,
    item9UrgentAt: PHQ9_ITEM9_RULE.escalateAt,
    escalationOn: true,
    escalationPercent: 20,
    escalationSessions: 3,
    urinaryOn: true,
    urinaryMinYes: 1,
    liverOn: true,
    liverMultiple: 3,
    liverTests: ['alt', 'ast', 'alp'],
    missedFollowUpOn: true,
    substanceUseOn: true,
    substanceUseKnownHistory: false,
  },
  source: (Object.keys(FLAG_RULES) as FlagKind[])
    .map((k) => `${FLAG_RULES[k].label}: ${FLAG_RULES[k].source}`)
    .join(' · '),
  // The escalation figures (20 % over 3 sessions) have no published source.
  unverified: true,
};

export const flagRules = (db: Kysely<DB>): Promise<Definition<FlagRules>> => currentDefinition(db, FLAG_RULE_SETTINGS);
