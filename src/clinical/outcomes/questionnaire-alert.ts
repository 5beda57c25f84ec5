/**
 * Item 9 of the PHQ-9 on any questionnaire, patient's or staff-entered: judged by the clinic's item-9 rule read in the
 * transaction of the answer, the same alert and worklist as at intake and check-in.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { PHQ9, phq9SafetyLevel } from '../instruments/phq9.ts';
import type { QuestionnaireAnswers } from '../instruments/questionnaire.ts';
import { raiseAlert } from '../intake/alerts-service.ts';
import { item9Rule } from '../safety/item9-rule.ts';
import type { QuestionnaireRow } from './questionnaire-repository.ts';

export async function raiseItem9(
  trx: Kysely<DB>,
  q: Pick<QuestionnaireRow, 'id' | 'patient_id' | 'location_id'>,
  /** The PHQ-9 answers given so far (none when the questionnaire does not ask it). */
  phq9: QuestionnaireAnswers | undefined,
  now: number,
  audit: (action: 'alert.raise' | 'alert.escalate', detail: Record<string, string>) => Promise<void>,
): Promise<void> {
  if (!phq9) return;
  const rule = await item9Rule(trx);
  const level = phq9SafetyLevel(PHQ9, rule, phq9);
  if (level === 'none') return;
  const alert = await raiseAlert(trx, {
    patientId: q.patient_id,
    locationId: q.location_id,
    kind: 'phq9_item9',
    source: 'questionnaire',
    sourceId: q.id,
    level: level === 'urgent' ? 'urgent' : 'alert',
    now,
  });
  if (alert.raised || alert.escalated)
    await audit(alert.raised ? 'alert.raise' : 'alert.escalate', {
      alertId: alert.id,
      kind: 'phq9_item9',
      level,
      rule: rule.version,
    });
}
