/**
 * Item 9 of the PHQ-9 at 1 or more, on any questionnaire, patient's or staff-entered: the same safety alert and
 * worklist as at intake and check-in, raised in the transaction of the answer.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { PHQ9_ITEM9_RULE, type SafetyLevel } from '../instruments/phq9.ts';
import { raiseAlert } from '../intake/alerts-service.ts';
import type { QuestionnaireRow } from './questionnaire-repository.ts';

export async function raiseItem9(
  trx: Kysely<DB>,
  q: Pick<QuestionnaireRow, 'id' | 'patient_id' | 'location_id'>,
  level: SafetyLevel,
  now: number,
  audit: (action: 'alert.raise' | 'alert.escalate', detail: Record<string, string>) => Promise<void>,
): Promise<void> {
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
      rule: PHQ9_ITEM9_RULE.version,
    });
}
