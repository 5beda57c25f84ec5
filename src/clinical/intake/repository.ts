import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { CONSENT_DEFAULTS } from './consent-defaults.ts';

export interface IntakeRow {
  id: string;
  patient_id: string;
  appointment_id: string | null;
  questionnaire_version: number;
  answers: string;
  status: 'open' | 'submitted';
  version: number;
  started_at: number;
  updated_at: number;
  submitted_at: number | null;
}

export interface ConsentDocument {
  id: string;
  code: string;
  version: number;
  title: string;
  body: string;
  sha256: string;
  published_by: string | null;
  published_at: number;
}

export interface ConsentSignature {
  id: string;
  patient_id: string;
  document_id: string;
  sha256: string;
  typed_name: string;
  signed_at: number;
  ip: string | null;
}

export interface AlertRow {
  id: string;
  patient_id: string;
  location_id: string;
  kind: string;
  source: string;
  source_id: string | null;
  level: 'alert' | 'urgent';
  raised_at: number;
  resolved_by: string | null;
  resolved_at: number | null;
  assessment: string | null;
  /** A safety flag that holds further infusions while open (migration 033). */
  holds: boolean;
}

// PostgreSQL returns bigint columns as text: every instant is read back through Number.
const num = (v: unknown) => Number(v);
const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const intake = (r: IntakeRow): IntakeRow => ({
  ...r,
  questionnaire_version: num(r.questionnaire_version),
  version: num(r.version),
  started_at: num(r.started_at),
  updated_at: num(r.updated_at),
  submitted_at: nullableNum(r.submitted_at),
});

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

// ---- Intakes

export async function findIntake(db: Kysely<DB>, id: string): Promise<IntakeRow | undefined> {
  const row = await db.selectFrom('intakes').selectAll().where('id', '=', id).executeTakeFirst();
  return row && intake(row);
}

/** The patient's newest intake (open or submitted). */
export async function newestIntake(db: Kysely<DB>, patientId: string): Promise<IntakeRow | undefined> {
  const row = await db
    .selectFrom('intakes')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && intake(row);
}

export async function insertIntake(
  trx: Kysely<DB>,
  row: { patientId: string; appointmentId: string | null; questionnaireVersion: number; now: number },
): Promise<string> {
  const id = timeOrderedId(row.now);
  await trx
    .insertInto('intakes')
    .values({
      id,
      patient_id: row.patientId,
      appointment_id: row.appointmentId,
      questionnaire_version: row.questionnaireVersion,
      answers: '{}',
      status: 'open',
      version: 1,
      started_at: row.now,
      updated_at: row.now,
      submitted_at: null,
    })
    .execute();
  return id;
}

/** Writes the answers only if nobody saved since `version` was read; false when someone did (the caller says so). */
export async function saveAnswers(
  trx: Kysely<DB>,
  id: string,
  version: number,
  answers: string,
  now: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('intakes')
    .set({ answers, version: version + 1, updated_at: now })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markSubmitted(trx: Kysely<DB>, id: string, version: number, now: number): Promise<boolean> {
  const result = await trx
    .updateTable('intakes')
    .set({ status: 'submitted', version: version + 1, updated_at: now, submitted_at: now })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The patient's first name and email for the intake email; the name in full for the pages and staff copies. */
export async function patientContact(db: Kysely<DB>, patientId: string) {
  return db
    .selectFrom('patients')
    .select(['id', 'first_name', 'last_name', 'email', 'location_id'])
    .where('id', '=', patientId)
    .executeTakeFirst();
}

export async function appointmentStart(db: Kysely<DB>, appointmentId: string) {
  const row = await db
    .selectFrom('appointments')
    .select(['starts_at', 'status', 'location_id'])
    .where('id', '=', appointmentId)
    .executeTakeFirst();
  return row && { ...row, starts_at: num(row.starts_at) };
}

// ---- Consent documents

const doc = (r: ConsentDocument): ConsentDocument => ({
  ...r,
  version: num(r.version),
  published_at: num(r.published_at),
});

/**
 * Writes the shipped first version of each default document that has none yet. Lazily, on first use (an intake
 * started, a page listing documents): an upgraded clinic gets them without a seed step, and two callers racing
 * write one row each way (the (code, version) key keeps the first).
 */
export async function ensureConsentDefaults(trx: Kysely<DB>, now: number): Promise<void> {
  const have = new Set((await trx.selectFrom('consent_documents').select('code').execute()).map((r) => r.code));
  const missing = CONSENT_DEFAULTS.filter((d) => !have.has(d.code));
  if (missing.length === 0) return;
  await trx
    .insertInto('consent_documents')
    .values(
      missing.map((d) => ({
        id: timeOrderedId(now),
        code: d.code,
        version: 1,
        title: d.title,
        body: d.body,
        sha256: sha256(d.body),
        published_by: null,
        published_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['code', 'version']).doNothing())
    .execute();
}

/** The newest version of each document, in the order the defaults list them (others after, by code). */
export async function currentDocuments(db: Kysely<DB>): Promise<ConsentDocument[]> {
  const rows = (await db.selectFrom('consent_documents').selectAll().execute()).map((r) => doc(r));
  const newest = new Map<string, ConsentDocument>();
  for (const r of rows) if ((newest.get(r.code)?.version ?? 0) < r.version) newest.set(r.code, r);
  const order = (code: string) => {
    const i = CONSENT_DEFAULTS.findIndex((d) => d.code === code);
    return i === -1 ? CONSENT_DEFAULTS.length : i;
  };
  return [...newest.values()].sort((a, b) => order(a.code) - order(b.code) || a.code.localeCompare(b.code));
}

export async function documentVersions(db: Kysely<DB>, code: string): Promise<ConsentDocument[]> {
  const rows = await db
    .selectFrom('consent_documents')
    .selectAll()
    .where('code', '=', code)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => doc(r));
}

export async function findDocument(db: Kysely<DB>, id: string): Promise<ConsentDocument | undefined> {
  const row = await db.selectFrom('consent_documents').selectAll().where('id', '=', id).executeTakeFirst();
  return row && doc(row);
}

export async function insertDocument(
  trx: Kysely<DB>,
  row: { code: string; version: number; title: string; body: string; publishedBy: string; now: number },
): Promise<string> {
  const id = timeOrderedId(row.now);
  await trx
    .insertInto('consent_documents')
    .values({
      id,
      code: row.code,
      version: row.version,
      title: row.title,
      body: row.body,
      sha256: sha256(row.body),
      published_by: row.publishedBy,
      published_at: row.now,
    })
    .execute();
  return id;
}

// ---- Signatures

const sig = (r: ConsentSignature): ConsentSignature => ({ ...r, signed_at: num(r.signed_at) });

export async function insertSignature(
  trx: Kysely<DB>,
  row: { patientId: string; document: ConsentDocument; typedName: string; ip: string; now: number },
): Promise<string> {
  const id = timeOrderedId(row.now);
  await trx
    .insertInto('consent_signatures')
    .values({
      id,
      patient_id: row.patientId,
      document_id: row.document.id,
      // Of the text as it is stored now, not as it was read: what was signed is exactly what the row holds.
      sha256: sha256(row.document.body),
      typed_name: row.typedName,
      signed_at: row.now,
      ip: row.ip,
    })
    .execute();
  return id;
}

/** Every signature of the patient, newest first, with the version of the document signed. */
export async function signaturesOf(db: Kysely<DB>, patientId: string) {
  const rows = await db
    .selectFrom('consent_signatures as s')
    .innerJoin('consent_documents as d', 'd.id', 's.document_id')
    .select([
      's.id',
      's.patient_id',
      's.document_id',
      's.sha256',
      's.typed_name',
      's.signed_at',
      's.ip',
      'd.code',
      'd.version',
      'd.title',
    ])
    .where('s.patient_id', '=', patientId)
    .orderBy('s.signed_at', 'desc')
    .orderBy('s.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...sig(r as ConsentSignature), code: r.code, version: num(r.version), title: r.title }));
}

export async function findSignature(db: Kysely<DB>, patientId: string, id: string) {
  return (await signaturesOf(db, patientId)).find((s) => s.id === id);
}

// ---- Alerts

const alert = (r: Omit<AlertRow, 'holds'> & { holds: unknown }): AlertRow => ({
  ...r,
  raised_at: num(r.raised_at),
  resolved_at: nullableNum(r.resolved_at),
  holds: num(r.holds) === 1,
});

export async function openAlertFor(
  db: Kysely<DB>,
  a: { patientId: string; kind: string; sourceId: string | null },
): Promise<AlertRow | undefined> {
  let q = db
    .selectFrom('clinical_alerts')
    .selectAll()
    .where('patient_id', '=', a.patientId)
    .where('kind', '=', a.kind)
    .where('resolved_at', 'is', null);
  q = a.sourceId === null ? q.where('source_id', 'is', null) : q.where('source_id', '=', a.sourceId);
  const row = await q.executeTakeFirst();
  return row && alert(row);
}

export async function insertAlert(
  trx: Kysely<DB>,
  row: Omit<AlertRow, 'resolved_by' | 'resolved_at' | 'assessment' | 'holds'> & {
    holds: number;
    detail: string | null;
  },
) {
  await trx
    .insertInto('clinical_alerts')
    .values({ ...row, resolved_by: null, resolved_at: null, assessment: null })
    .execute();
}

/** Open alerts at these locations, with the patient's name, oldest first (the longest wait at the top). */
export async function openAlertRows(db: Kysely<DB>, locationIds: readonly string[]) {
  if (locationIds.length === 0) return [];
  const rows = await db
    .selectFrom('clinical_alerts as a')
    .innerJoin('patients as p', 'p.id', 'a.patient_id')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .selectAll('a')
    .select(['p.first_name', 'p.last_name', 'l.name as location_name', 'l.time_zone'])
    .where('a.location_id', 'in', [...locationIds])
    .where('a.resolved_at', 'is', null)
    .orderBy('a.raised_at', 'asc')
    .orderBy('a.id', 'asc')
    .execute();
  return rows.map((r) => ({
    ...alert(r),
    first_name: r.first_name,
    last_name: r.last_name,
    location_name: r.location_name,
    time_zone: r.time_zone,
  }));
}

export async function countOpenAlerts(db: Kysely<DB>, locationIds: readonly string[]): Promise<number> {
  if (locationIds.length === 0) return 0;
  const row = await db
    .selectFrom('clinical_alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('location_id', 'in', [...locationIds])
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function alertsOfPatient(db: Kysely<DB>, patientId: string): Promise<AlertRow[]> {
  const rows = await db
    .selectFrom('clinical_alerts')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('raised_at', 'desc')
    .execute();
  return rows.map((r) => alert(r));
}

export async function findAlert(db: Kysely<DB>, id: string): Promise<AlertRow | undefined> {
  const row = await db.selectFrom('clinical_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && alert(row);
}

/** An open alert raised to urgent (the level only ever rises; the database refuses the rest). */
export async function escalateAlertRow(trx: Kysely<DB>, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('clinical_alerts')
    .set({ level: 'urgent' })
    .where('id', '=', id)
    .where('level', '=', 'alert')
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The providers who work at a location (user_locations), active accounts only: who is told of a safety alert. */
export async function providersAt(db: Kysely<DB>, locationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_locations as ul', 'ul.user_id', 'u.id')
    .select('u.id')
    .where('ul.location_id', '=', locationId)
    .where('u.role', '=', 'provider')
    .where('u.disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}
