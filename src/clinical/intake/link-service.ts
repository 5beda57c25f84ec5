/**
 * The patient's side of the intake, through the signed link in their email: each section's page, saving it
 * (partial answers kept, a version counter so two tabs never overwrite each other silently), signing the consent
 * documents, and sending the whole. Every page view and every write is audited as the patient's own action, in the
 * write's transaction; refused links are counted per address like booking links.
 */
import { z } from 'zod';
import { auditPatient, auditPatientAlone, type About, type Visitor } from '../../kernel/audit/patient-audit.ts';
import { findLocation, type Clinic } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { openSignedLink, type RefusedLink } from '../../kernel/signed-link.ts';
import type { Tokens } from '../../kernel/tokens.ts';
import { PHQ9, phq9SafetyLevel } from '../instruments/phq9.ts';
import { item9Rule } from '../safety/item9-rule.ts';
import { raiseAlert } from './alerts-service.ts';
import { readIntakeAnswers, type IntakeAnswers } from './answers.ts';
import { consentCurrent, showsCrisisResources, type ConsentStatus } from './intake-service.ts';
import {
  currentDocuments,
  ensureConsentDefaults,
  findDocument,
  findIntake,
  insertSignature,
  markSubmitted,
  patientContact,
  saveAnswers,
  type ConsentDocument,
  type IntakeRow,
} from './repository.ts';
import { applySection, nextSection, unanswered, type AnswerSection, type SectionKey } from './sections.ts';

export interface IntakeDeps {
  database: Database;
  tokens: Tokens;
  now: () => number;
  /** Nudges the outbox worker after a commit. */
  onOutbox?: () => void;
}

export interface IntakeLink {
  clinic: Clinic;
  intake: IntakeRow;
  answers: IntakeAnswers;
  firstName: string;
  fullName: string;
  base: string;
  about: About;
  locationId: string;
  /** The location's time zone, for the times shown. */
  zone: string;
}

export type IntakeProblem = RefusedLink<'invalid' | 'expired' | 'unknown'>;

/** What a section page shows. */
export interface SectionPage {
  page: 'section';
  link: IntakeLink;
  section: SectionKey;
  /** The form's values to show: the saved answers, or what was just posted when it was refused. */
  values: Record<string, string>;
  errors: Record<string, string>;
  /** 'conflict': someone saved from another window; what is shown is what was saved. */
  notice?: 'saved' | 'conflict' | 'sent' | 'signed' | undefined;
  status: number;
  /** The PHQ-9 self-harm answer is above "not at all": crisis resources show at the top. */
  crisis: boolean;
  documents: Array<ConsentStatus & { body: string; sha256: string }>;
  missing: Record<AnswerSection, number>;
}

export type IntakeAnswer =
  IntakeProblem | SectionPage | { page: 'redirect'; to: string } | { page: 'support'; link: IntakeLink };

const ACTION_VIEW = 'intake.view';

/** Resolves the link, or says why it does not open (recorded, and counted against the address). */
export async function openIntake(
  deps: IntakeDeps,
  token: string,
  visitor: Visitor,
  action: string,
): Promise<IntakeLink | IntakeProblem> {
  const { database } = deps;
  const opened = await openSignedLink(deps, token, visitor, {
    purpose: 'intake',
    action,
    whoseExpired: async ({ ref }) => {
      const known = await findIntake(database.db, ref);
      return { locationId: null, patientRef: known?.patient_id ?? null };
    },
  });
  if ('page' in opened) return opened;
  const { clinic, claims, refuse } = opened;
  const intake = await findIntake(database.db, claims.ref);
  const patient = intake && (await patientContact(database.db, intake.patient_id));
  if (!intake || !patient) return refuse({ locationId: null, patientRef: null }, 'unknown');
  const location = await findLocation(database.db, claims.location);
  return {
    clinic,
    intake,
    answers: readIntakeAnswers(intake.answers),
    firstName: patient.first_name,
    fullName: `${patient.first_name} ${patient.last_name}`,
    base: `/intake/${token}`,
    about: { locationId: claims.location, patientRef: intake.patient_id },
    locationId: claims.location,
    zone: location?.time_zone ?? 'UTC',
  };
}

/** The form values of a section from the saved answers (radios 'yes'/'no', numbers as text). */
export function valuesOf(answers: IntakeAnswers): Record<string, string> {
  const v: Record<string, string> = {};
  for (const [k, x] of Object.entries(answers.facts ?? {})) if (typeof x === 'boolean') v[k] = x ? 'yes' : 'no';
  for (const [k, x] of Object.entries(answers.symptoms ?? {})) if (typeof x === 'boolean') v[k] = x ? 'yes' : 'no';
  for (const [k, x] of Object.entries(answers.pain ?? {})) if (typeof x === 'number') v[k] = String(x);
  for (const q of ['phq9', 'gad7'] as const)
    for (const [k, x] of Object.entries(answers[q] ?? {})) if (typeof x === 'number') v[`${q}.${k}`] = String(x);
  if (answers.medications) v.medications = answers.medications;
  if (answers.allergies) v.allergies = answers.allergies;
  return v;
}

async function sectionPage(
  deps: IntakeDeps,
  link: IntakeLink,
  section: SectionKey,
  extra: Partial<Pick<SectionPage, 'values' | 'errors' | 'notice' | 'status'>> = {},
): Promise<SectionPage> {
  const db = deps.database.db;
  let documents: SectionPage['documents'] = [];
  if (section === 'consent' || section === 'review') {
    const [status, docs] = await Promise.all([consentCurrent(db, link.intake.patient_id), currentDocuments(db)]);
    documents = status.documents.map((s) => {
      const d = docs.find((x) => x.id === s.documentId)!;
      return { ...s, body: d.body, sha256: d.sha256 };
    });
  }
  return {
    page: 'section',
    link,
    section,
    values: extra.values ?? valuesOf(link.answers),
    errors: extra.errors ?? {},
    notice: extra.notice,
    status: extra.status ?? 200,
    crisis: showsCrisisResources(link.answers),
    documents,
    missing: unanswered(link.answers),
  };
}

/** A section's page, the view audited before it is shown. */
export async function showSection(
  deps: IntakeDeps,
  token: string,
  visitor: Visitor,
  section: SectionKey,
  notice?: SectionPage['notice'],
): Promise<IntakeAnswer> {
  const link = await openIntake(deps, token, visitor, ACTION_VIEW);
  if ('page' in link) return link;
  // The documents exist before anyone is asked to sign them (an intake started before they were seeded).
  if (section === 'consent' || section === 'review')
    await deps.database.transact((trx) => ensureConsentDefaults(trx, visitor.now));
  await auditPatientAlone(deps.database, visitor, ACTION_VIEW, 'success', link.about, { section });
  return sectionPage(deps, link, section, { notice });
}

/** The crisis resources page, shown right after a PHQ-9 self-harm answer above "not at all". */
export async function showSupport(deps: IntakeDeps, token: string, visitor: Visitor): Promise<IntakeAnswer> {
  const link = await openIntake(deps, token, visitor, ACTION_VIEW);
  if ('page' in link) return link;
  await auditPatientAlone(deps.database, visitor, ACTION_VIEW, 'success', link.about, { section: 'support' });
  return { page: 'support', link };
}

const versionOf = (body: Record<string, unknown>) => {
  const v = typeof body.version === 'string' ? Number(body.version) : NaN;
  return Number.isInteger(v) && v >= 1 ? v : undefined;
};

const asBody = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** The posted values, as strings, to show again on a refused form (never anything but the form's own strings). */
const postedValues = (body: Record<string, unknown>, section: AnswerSection) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body))
    if (typeof v === 'string' && k !== 'version')
      out[section === 'phq9' || section === 'gad7' ? `${section}.${k}` : k] = v;
  return out;
};

/**
 * Saves one section. A save based on an older version than the stored one (another tab saved since) is refused
 * with the saved answers shown; a PHQ-9 self-harm answer above "not at all" raises the safety alert in the same
 * transaction and sends the patient straight to the crisis resources.
 */
export async function saveSection(
  deps: IntakeDeps,
  token: string,
  visitor: Visitor,
  section: AnswerSection,
  rawBody: unknown,
): Promise<IntakeAnswer> {
  const action = 'intake.save';
  const link = await openIntake(deps, token, visitor, action);
  if ('page' in link) return link;
  const body = asBody(rawBody);
  const fail = async (reason: string) =>
    auditPatientAlone(deps.database, visitor, action, 'failure', link.about, { section, reason });
  if (link.intake.status === 'submitted') {
    await fail('submitted');
    return sectionPage(deps, link, 'review', { notice: 'sent', status: 409 });
  }
  const version = versionOf(body);
  if (version !== link.intake.version) {
    await fail('stale');
    return sectionPage(deps, link, section, { notice: 'conflict', status: 409 });
  }
  const applied = applySection(link.answers, section, body);
  if (!applied.ok) {
    await fail('invalid');
    return sectionPage(deps, link, section, {
      values: postedValues(body, section),
      errors: applied.errors,
      status: 400,
    });
  }
  const saved = await deps.database.transact(async (trx) => {
    if (!(await saveAnswers(trx, link.intake.id, version, JSON.stringify(applied.answers), visitor.now))) return false;
    await auditPatient(trx, deps.database, visitor, action, 'success', link.about, { section, version: version + 1 });
    const rule = section === 'phq9' ? await item9Rule(trx) : null;
    const level = rule ? phq9SafetyLevel(PHQ9, rule, applied.answers.phq9 ?? {}) : 'none';
    if (rule && level !== 'none') {
      const alert = await raiseAlert(trx, {
        patientId: link.intake.patient_id,
        locationId: link.locationId,
        kind: 'phq9_item9',
        source: 'intake',
        sourceId: link.intake.id,
        level,
        now: visitor.now,
      });
      if (alert.raised || alert.escalated)
        await auditPatient(
          trx,
          deps.database,
          visitor,
          alert.raised ? 'alert.raise' : 'alert.escalate',
          'success',
          link.about,
          {
            alertId: alert.id,
            kind: 'phq9_item9',
            level,
            rule: rule.version,
          },
        );
    }
    return true;
  });
  if (!saved) {
    // Another tab saved between the read and the write.
    await fail('stale');
    const fresh = await openIntake(deps, token, visitor, action);
    if ('page' in fresh) return fresh;
    return sectionPage(deps, fresh, section, { notice: 'conflict', status: 409 });
  }
  deps.onOutbox?.();
  if (section === 'phq9' && showsCrisisResources(applied.answers))
    return { page: 'redirect', to: `${link.base}/support` };
  return { page: 'redirect', to: `${link.base}/${nextSection(section)}?saved=1` };
}

const signatureSchema = z.object({
  name: z
    .string({ error: 'Type your full name to sign' })
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(
      z
        .string()
        .min(2, 'Type your full name to sign')
        .max(120, 'Your name: at most 120 characters')
        .refine((s) => !/[\u0000-\u001F\u007F<>]/.test(s), 'Your name: letters, spaces, hyphens and apostrophes'),
    ),
  agree: z.literal('yes', { error: 'Tick the box to say you have read and agree to this document' }),
});

/**
 * Signs the newest version of one document: the typed name, the tick, the time, the address and the SHA-256 of the
 * text signed. A form from an older version (published since the page was opened) is refused and shows the new text.
 */
export async function signDocument(
  deps: IntakeDeps,
  token: string,
  visitor: Visitor,
  rawBody: unknown,
): Promise<IntakeAnswer> {
  const action = 'consent.sign';
  const link = await openIntake(deps, token, visitor, action);
  if ('page' in link) return link;
  const body = asBody(rawBody);
  const documentId = typeof body.document === 'string' ? body.document : '';
  const fail = async (reason: string) =>
    auditPatientAlone(deps.database, visitor, action, 'failure', link.about, { reason });
  const current = (await currentDocuments(deps.database.db)).find((d) => d.id === documentId);
  if (!current) {
    const old = documentId.length <= 60 ? await findDocument(deps.database.db, documentId) : undefined;
    await fail(old ? 'stale' : 'unknown');
    return sectionPage(deps, link, 'consent', {
      status: 409,
      errors: {
        [`doc-${old?.code ?? 'document'}`]:
          'This document has a new version since you opened the page. Please read it again below before signing.',
      },
    });
  }
  // Each document's form names its fields after the document, so that one page can hold every form.
  const parsed = signatureSchema.safeParse({
    name: body[`${current.code}-name`],
    agree: body[`${current.code}-agree`],
  });
  if (!parsed.success) {
    await fail('invalid');
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues)
      errors[`${current.code}-${String(issue.path[0]) === 'agree' ? 'agree' : 'name'}`] ??= issue.message;
    return sectionPage(deps, link, 'consent', {
      status: 400,
      errors,
      values: Object.fromEntries(
        [`${current.code}-name`, `${current.code}-agree`].map((k) => [
          k,
          typeof body[k] === 'string' ? body[k].slice(0, 200) : '',
        ]),
      ),
    });
  }
  await deps.database.transact(async (trx) => {
    const id = await insertSignature(trx, {
      patientId: link.intake.patient_id,
      document: current satisfies ConsentDocument,
      typedName: parsed.data.name,
      ip: visitor.ip,
      now: visitor.now,
    });
    await auditPatient(trx, deps.database, visitor, action, 'success', link.about, {
      signatureId: id,
      documentId: current.id,
      code: current.code,
      version: current.version,
    });
  });
  return { page: 'redirect', to: `${link.base}/consent?signed=1#doc-${current.code}` };
}

/** Sends the intake to the clinic: no more changes from the link (documents can still be signed). */
export async function submitIntake(
  deps: IntakeDeps,
  token: string,
  visitor: Visitor,
  rawBody: unknown,
): Promise<IntakeAnswer> {
  const action = 'intake.submit';
  const link = await openIntake(deps, token, visitor, action);
  if ('page' in link) return link;
  const version = versionOf(asBody(rawBody));
  if (link.intake.status === 'submitted') return { page: 'redirect', to: `${link.base}/review?sent=1` };
  const done =
    version === link.intake.version &&
    (await deps.database.transact(async (trx) => {
      if (!(await markSubmitted(trx, link.intake.id, version, visitor.now))) return false;
      await auditPatient(trx, deps.database, visitor, action, 'success', link.about, { intakeId: link.intake.id });
      return true;
    }));
  if (!done) {
    await auditPatientAlone(deps.database, visitor, action, 'failure', link.about, { reason: 'stale' });
    const fresh = await openIntake(deps, token, visitor, action);
    if ('page' in fresh) return fresh;
    return sectionPage(deps, fresh, 'review', { notice: 'conflict', status: 409 });
  }
  return { page: 'redirect', to: `${link.base}/review?sent=1` };
}
