/**
 * The clinic's side of intake and consent: a patient's intake (answers, scores with bands, the item 9 status and
 * their alerts) and signed documents for clinicians, each read audited; and the consent documents' versions, which
 * an administrator publishes.
 */
import { z } from 'zod';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import { findLocation, listLocations } from '../../kernel/clinic.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import { notFound, refuse, type Refusal } from '../../kernel/refusal.ts';
import { clinicalPatient } from '../patient-access.ts';
import { consentCurrent, latestIntake } from './intake-service.ts';
import {
  alertsOfPatient,
  currentDocuments,
  documentVersions,
  ensureConsentDefaults,
  findDocument,
  findSignature,
  insertDocument,
  signaturesOf,
} from './repository.ts';

/** The intake tab of a patient's clinical pages. */
export async function patientIntake(database: Database, actor: Actor, rawId: unknown) {
  const action = 'intake.staff_view';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const db = database.db;
  await database.transact((trx) => ensureConsentDefaults(trx, actor.now));
  const [latest, consent, signatures, alerts] = await Promise.all([
    latestIntake(db, patient.id),
    consentCurrent(db, patient.id),
    signaturesOf(db, patient.id),
    alertsOfPatient(db, patient.id),
  ]);
  await database.transact((trx) =>
    auditStaff(trx, database, actor, action, 'success', where, {
      intakeId: latest?.intake.id ?? null,
      signatures: signatures.length,
    }),
  );
  return { patient, latest, consent, signatures, alerts, zone: await zoneOf(database, patient.location_id) };
}

/** One signed document as the patient signed it: the version's text, the typed name, time, address and SHA-256. */
export async function signedCopy(database: Database, actor: Actor, rawId: unknown, rawSignatureId: unknown) {
  const action = 'consent.staff_view';
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  const id = typeof rawSignatureId === 'string' && /^[0-9a-f-]{36}$/.test(rawSignatureId) ? rawSignatureId : '';
  const signature = id ? await findSignature(database.db, patient.id, id) : undefined;
  const document = signature && (await findDocument(database.db, signature.document_id));
  if (!signature || !document) throw notFound('That signed document');
  await database.transact((trx) =>
    auditStaff(trx, database, actor, action, 'success', where, { signatureId: signature.id }),
  );
  return { patient, signature, document, zone: await zoneOf(database, patient.location_id) };
}

/** Times on a patient's clinical pages are in their home location's zone. */
async function zoneOf(database: Database, locationId: string): Promise<string> {
  return (await findLocation(database.db, locationId))?.time_zone ?? 'UTC';
}

/** Every document's newest version and its earlier ones, for the administrators' page. */
export async function consentLibrary(database: Database, now: number) {
  await database.transact((trx) => ensureConsentDefaults(trx, now));
  const [current, locations] = await Promise.all([currentDocuments(database.db), listLocations(database.db)]);
  const documents = await Promise.all(
    current.map(async (d) => ({ current: d, versions: await documentVersions(database.db, d.code) })),
  );
  // Publishing is clinic-wide; its times read in the first location's zone.
  return { documents, zone: locations[0]?.time_zone ?? 'UTC' };
}

const publishSchema = z.object({
  basedOn: z.coerce.number({ error: 'version: reload the page' }).int().min(1),
  title: z
    .string({ error: 'Title: give the document a title' })
    .transform((s) => s.trim())
    .pipe(z.string().min(3, 'Title: give the document a title').max(120, 'Title: at most 120 characters')),
  body: z
    .string({ error: 'Text: write the document' })
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(50, 'Text: at least 50 characters').max(20000, 'Text: at most 20,000 characters')),
});

/**
 * Publishes a new version of a document (a new row with the SHA-256 of its text; signed versions stay as they
 * were). A form based on an older version than the newest is refused as stale, naming the version now in force.
 * Patients who signed an older version are asked to sign again.
 */
export async function publishDocument(
  database: Database,
  actor: Actor,
  code: string,
  body: unknown,
): Promise<{ ok: true; version: number } | Refusal> {
  const where = { locationId: null, patientRef: null };
  const versions = await documentVersions(database.db, code);
  const newest = versions[0];
  if (!newest) return notFound('That document');
  const parsed = publishSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[`${code}-${String(issue.path[0])}`] ??= issue.message;
    return refuse('invalid_request', 'The document was not published.', fields);
  }
  const fail = (reason: string) =>
    database.transact((trx) => auditStaff(trx, database, actor, 'consent.publish', 'failure', where, { code, reason }));
  if (parsed.data.basedOn !== newest.version) {
    await fail('stale');
    return refuse('conflict', `Version ${newest.version} was published since you opened this page.`, {
      [`${code}-version`]: `Version ${newest.version} was published since you opened this page: your text was not saved. Read the new version and edit it again.`,
    });
  }
  if (parsed.data.title === newest.title && parsed.data.body === newest.body) {
    return refuse('invalid_request', 'Nothing changed.', {
      [`${code}-body`]: 'Text: nothing changed since version ' + String(newest.version),
    });
  }
  try {
    const version = newest.version + 1;
    await database.transact(async (trx) => {
      const id = await insertDocument(trx, {
        code,
        version,
        title: parsed.data.title,
        body: parsed.data.body,
        publishedBy: actor.staff.userId,
        now: actor.now,
      });
      await auditStaff(trx, database, actor, 'consent.publish', 'success', where, { code, version, documentId: id });
    });
    return { ok: true, version };
  } catch (err) {
    // Two administrators publishing at once: the (code, version) key keeps the first.
    if (!isUniqueViolation(err)) throw err;
    await fail('stale');
    return refuse('conflict', 'Another version was published at the same moment. Reload the page.', {
      [`${code}-version`]: 'Another version was published at the same moment: your text was not saved.',
    });
  }
}
