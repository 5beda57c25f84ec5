/**
 * The one rule for closing an alert or a safety flag, on whichever page it is closed (the clinicians' worklist, the
 * providers' safety worklist): who may close it, the actions they may record, and the form's validation. Pure.
 *
 * A provider closes anything. A nurse closes a PHQ-9 item-9 alert raised between visits (intake, questionnaire) with
 * the action taken (called the patient, crisis resources given, provider told…); an item-9 answer given at check-in
 * stops that day's infusion until a provider assesses it, and the other flags (dose, bladder, liver, substance use,
 * missed follow-up) are prescribing decisions, so both stay with providers, as does every flag that holds infusions.
 */
import { z } from 'zod';
import type { Role } from '../../kernel/db/schema.ts';

export interface ClosableAlert {
  kind: string;
  source: string;
  holds: boolean;
}

/** Every action a closing records, by code; old codes stay here so closed alerts keep their words. */
export const CLOSE_ACTIONS: Record<string, string> = {
  patient_called: 'Called the patient and assessed the risk',
  crisis_resources_given: 'Crisis resources given (988, emergency care)',
  emergency_services: 'Emergency services called',
  provider_told: 'Provider told, who takes it from here',
  no_change: 'Assessed: treatment continues unchanged',
  dose_adjusted: 'Dose or protocol adjusted',
  plan_paused: 'Treatment plan paused',
  treatment_stopped: 'Treatment stopped',
  referred: 'Referred for specialist care',
  follow_up_arranged: 'Follow-up arranged with the patient',
};

const NURSE_ITEM9 = [
  'patient_called',
  'crisis_resources_given',
  'emergency_services',
  'provider_told',
  'follow_up_arranged',
];
const PROVIDER_ITEM9 = [
  'patient_called',
  'crisis_resources_given',
  'emergency_services',
  'follow_up_arranged',
  'referred',
  'plan_paused',
  'treatment_stopped',
  'no_change',
];
const PROVIDER_FLAG = [
  'no_change',
  'dose_adjusted',
  'plan_paused',
  'treatment_stopped',
  'referred',
  'follow_up_arranged',
];

/** Where an item-9 answer given at check-in is filed (sessions' CHECK_IN_SOURCE): it blocks that day's start. */
const CHECK_IN = 'check_in';

/** The actions this person may record on this alert; none means they may not close it. */
export function closeActions(role: Role, alert: ClosableAlert): readonly string[] {
  const item9 = alert.kind === 'phq9_item9';
  if (role === 'provider') return item9 ? PROVIDER_ITEM9 : PROVIDER_FLAG;
  if (role === 'nurse' && item9 && !alert.holds && alert.source !== CHECK_IN) return NURSE_ITEM9;
  return [];
}

export const mayClose = (role: Role, alert: ClosableAlert) => closeActions(role, alert).length > 0;

/** Why this person may not close it, in words for the page. */
export const closedByProviderOnly = 'A provider closes this one, with an assessment and the action taken.';

export interface CloseInput {
  assessment: string;
  action: string;
}

/** The assessment and the action, each refused by name; the action must be one this person may record here. */
export function readClose(
  role: Role,
  alert: ClosableAlert,
  body: unknown,
): { ok: true; data: CloseInput } | { ok: false; fields: Record<string, string> } {
  const actions = closeActions(role, alert);
  const schema = z.object({
    assessment: z
      .string({ error: 'Assessment: write what was assessed and decided' })
      .transform((s) => s.replace(/\r\n?/g, '\n').trim())
      .pipe(
        z
          .string()
          .min(10, 'Assessment: write what was assessed and decided (at least 10 characters)')
          .max(4000, 'Assessment: at most 4,000 characters'),
      ),
    action: z
      .string({ error: 'Action taken: choose what was done' })
      .refine((a) => actions.includes(a), 'Action taken: choose what was done'),
  });
  const parsed = schema.safeParse(typeof body === 'object' && body !== null ? body : {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'assessment')] ??= issue.message;
  return { ok: false, fields };
}
