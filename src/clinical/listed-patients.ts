/**
 * What the audit event of a list of patients records: who was on the screen, not only how many (as the set-up's
 * conflict list does). An audit detail holds flat strings of at most MAX_DETAIL_STRING characters, so the ids go
 * space-separated, five to a key (`patients`, `patients2`, …), at most 100 to an event; a longer list is filed as
 * several events of the same action, numbered `part` of `parts`, so every patient shown is named. Pure.
 */
import { MAX_DETAIL_STRING, type AuditDetail } from '../kernel/audit/audit.ts';

const ID_LENGTH = 36;
export const IDS_PER_KEY = Math.floor((MAX_DETAIL_STRING + 1) / (ID_LENGTH + 1));
export const IDS_PER_EVENT = 100;

/** One detail per event to write, each with the list's own `base` (filters, counts) repeated. */
export function listedPatients(ids: readonly string[], base: AuditDetail): AuditDetail[] {
  const unique = [...new Set(ids)];
  const parts = Math.max(1, Math.ceil(unique.length / IDS_PER_EVENT));
  return Array.from({ length: parts }, (_, p) => {
    const slice = unique.slice(p * IDS_PER_EVENT, (p + 1) * IDS_PER_EVENT);
    const detail: AuditDetail = { ...base, patientsShown: unique.length };
    if (parts > 1) Object.assign(detail, { part: p + 1, parts });
    for (let k = 0; k * IDS_PER_KEY < slice.length; k++)
      detail[k === 0 ? 'patients' : `patients${k + 1}`] = slice.slice(k * IDS_PER_KEY, (k + 1) * IDS_PER_KEY).join(' ');
    return detail;
  });
}
