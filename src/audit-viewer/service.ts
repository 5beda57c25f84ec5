import type { AuditDetail } from '../kernel/audit/audit.ts';
import { listAuditEvents, newestAuditSeq, type AuditFilter, type AuditListRow } from '../kernel/audit/read.ts';
import { auditStaff, type Actor } from '../kernel/audit/staff-audit.ts';
import type { Database } from '../kernel/db/database.ts';
import { findPatients, patientNames, type PatientListRow, type RefName } from '../patients/service.ts';
import { dayStart, type AuditFilterValues } from './schema.ts';

/** The admin-only audit viewer: a filtered, paged list and a CSV export; each use is itself audited. */

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 50_000;
const DAY_MS = 24 * 3_600_000;

function toFilter(values: AuditFilterValues): AuditFilter {
  const fromMs = values.from !== undefined ? dayStart(values.from) : undefined;
  const toMs = values.to !== undefined ? dayStart(values.to) : undefined;
  return {
    person: values.person,
    patientRef: values.patient_ref,
    action: values.action,
    fromMs,
    beforeMs: toMs !== undefined ? toMs + DAY_MS : undefined,
  };
}

/** What the event about this viewing records: the filters used (ids and dates only, never patient text). */
function filterDetail(filters: AuditFilterValues): AuditDetail {
  const detail: AuditDetail = {};
  for (const [key, value] of Object.entries(filters) as Array<[string, string | undefined]>)
    if (value !== undefined) detail[key] = value;
  return detail;
}

export interface AuditListPage {
  rows: AuditListRow[];
  hasNext: boolean;
  /** The newest event this page counts from; later pages pass it on. */
  upto: number;
  /** The people behind the page's references (and the patient filter's) that this viewer may see. */
  names: Map<string, RefName>;
}

export type { PatientListRow, RefName };

/** One page of matching events, newest first. */
export async function auditPage(
  database: Database,
  actor: Actor,
  filters: AuditFilterValues,
  page: number,
  upto: number | undefined,
): Promise<AuditListPage> {
  // Viewing is itself an event, and events keep coming: pages count from a fixed newest event (the trail is
  // append-only, so what lies below it never changes), or each page would repeat the one before's last rows.
  const top = upto ?? (await newestAuditSeq(database.db));
  const found = await listAuditEvents(database.db, toFilter(filters), {
    upto: top,
    limit: AUDIT_PAGE_SIZE + 1,
    offset: (page - 1) * AUDIT_PAGE_SIZE,
  });
  const rows = found.slice(0, AUDIT_PAGE_SIZE);
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'audit.view',
      'success',
      { locationId: null, patientRef: filters.patient_ref ?? null },
      { ...filterDetail(filters), page, rows: rows.length },
    ),
  );
  // Names after the page's own event: that event records what was asked, this one which people were shown.
  const refs = rows.flatMap((r) => (r.patient_ref ? [r.patient_ref] : []));
  if (filters.patient_ref) refs.push(filters.patient_ref);
  const names = await patientNames(database, actor, refs);
  return { rows, hasNext: found.length > AUDIT_PAGE_SIZE, upto: top, names };
}

/**
 * Patients to filter the trail by, found by name, email or phone among those this viewer may see (the patients
 * feature's own search, audited there by count, never by what was typed).
 */
export function auditPatientSearch(
  database: Database,
  actor: Actor,
  text: string,
): Promise<{ results: PatientListRow[]; more: boolean }> {
  return findPatients(database, actor, text);
}

/** Every matching event up to the export limit, newest first. Recorded before anything is sent. */
export async function auditExport(
  database: Database,
  actor: Actor,
  filters: AuditFilterValues,
): Promise<{ rows: AuditListRow[]; truncated: boolean }> {
  const found = await listAuditEvents(database.db, toFilter(filters), { limit: AUDIT_EXPORT_LIMIT + 1 });
  const truncated = found.length > AUDIT_EXPORT_LIMIT;
  const rows = found.slice(0, AUDIT_EXPORT_LIMIT);
  // Recorded before anything is sent: if the event cannot be written, the data does not leave.
  await database.transact((trx) =>
    auditStaff(
      trx,
      database,
      actor,
      'audit.export',
      'success',
      { locationId: null, patientRef: filters.patient_ref ?? null },
      { ...filterDetail(filters), rows: rows.length, truncated },
    ),
  );
  return { rows, truncated };
}
