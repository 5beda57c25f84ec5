/**
 * The intake's life from the clinic's side: started when a consultation is booked (in the booking's transaction, by
 * the feature that books it), read back for the screening page, and the consent each patient has signed.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../kernel/db/schema.ts';
import { enqueue } from '../../kernel/outbox/outbox.ts';
import { GAD7 } from '../instruments/gad7.ts';
import { PHQ9, PHQ9_ITEM9_RULE, phq9SafetyLevel, type Phq9SafetyRule, type SafetyLevel } from '../instruments/phq9.ts';
import { scoreQuestionnaire, type QuestionnaireScore } from '../instruments/questionnaire.ts';
import { item9Rule } from '../safety/item9-rule.ts';
import { readIntakeAnswers, type IntakeAnswers } from './answers.ts';
import {
  currentDocuments,
  ensureConsentDefaults,
  insertIntake,
  newestIntake,
  signaturesOf,
  type IntakeRow,
} from './repository.ts';
import { INTAKE_FORM_VERSION } from './sections.ts';

const DAY = 24 * 3_600_000;

/** How long an intake link stays valid from when it is sent, at least; and at least until a day after the visit. */
export const INTAKE_LINK_DAYS = 14;
export const intakeLinkExpiry = (sentAt: number, visitStartsAt: number | undefined) =>
  Math.max(sentAt + INTAKE_LINK_DAYS * DAY, (visitStartsAt ?? 0) + DAY);

/**
 * Called in the transaction that books a consultation: the patient's open intake (or a new one) and the email with
 * its link, keyed by the appointment so a retried booking sends one. A patient who already submitted an intake gets
 * no new one: the clinic reviews that one at the visit, and asks again through a new intake only when it chooses.
 */
export async function startIntake(
  trx: Kysely<DB>,
  booked: { patientId: string; appointmentId: string; locationId: string; now: number },
): Promise<{ intakeId: string; sent: boolean }> {
  await ensureConsentDefaults(trx, booked.now);
  const newest = await newestIntake(trx, booked.patientId);
  if (newest?.status === 'submitted') return { intakeId: newest.id, sent: false };
  const intakeId =
    newest?.id ??
    (await insertIntake(trx, {
      patientId: booked.patientId,
      appointmentId: booked.appointmentId,
      questionnaireVersion: INTAKE_FORM_VERSION,
      now: booked.now,
    }));
  await enqueue(
    trx,
    {
      kind: 'intake_link',
      refId: `${intakeId} ${booked.appointmentId} ${booked.locationId}`,
      runAt: booked.now,
      dedupeKey: `intake_link:${booked.appointmentId}`,
      locationId: booked.locationId,
    },
    booked.now,
  );
  return { intakeId, sent: true };
}

export interface IntakeScores {
  phq9: QuestionnaireScore;
  gad7: QuestionnaireScore;
  /** The PHQ-9 self-harm item's level under the clinic's item-9 rule ('none' while unanswered: `phq9.missing` says so). */
  item9: SafetyLevel;
  item9Answered: boolean;
  /** The version of the item-9 rule `item9` was judged by. */
  item9Rule: string;
}

/** Scored under the item-9 rule in force (`item9Rule`, read by the caller in its transaction). */
export function scoreIntake(answers: IntakeAnswers, rule: Phq9SafetyRule): IntakeScores {
  const phq9 = answers.phq9 ?? {};
  return {
    phq9: scoreQuestionnaire(PHQ9, phq9),
    gad7: scoreQuestionnaire(GAD7, answers.gad7 ?? {}),
    item9: phq9SafetyLevel(PHQ9, rule, phq9),
    item9Answered: typeof phq9[rule.itemKey] === 'number',
    item9Rule: rule.version,
  };
}

/**
 * The patient is shown the crisis resources from any self-harm answer above "not at all", whatever threshold the
 * clinic sets for a clinician's alert: offering help is never the wrong error.
 */
export function showsCrisisResources(answers: IntakeAnswers): boolean {
  const v = answers.phq9?.[PHQ9_ITEM9_RULE.itemKey];
  return typeof v === 'number' && v >= 1;
}

export interface LatestIntake {
  intake: Omit<IntakeRow, 'answers'>;
  answers: IntakeAnswers;
  scores: IntakeScores;
}

/** The patient's newest intake, parsed and scored (for the intake and screening pages), or undefined. */
export async function latestIntake(db: Kysely<DB>, patientId: string): Promise<LatestIntake | undefined> {
  const row = await newestIntake(db, patientId);
  if (!row) return undefined;
  const { answers: json, ...intake } = row;
  const answers = readIntakeAnswers(json);
  return { intake, answers, scores: scoreIntake(answers, await item9Rule(db)) };
}

export interface ConsentStatus {
  code: string;
  title: string;
  /** The newest version, which is the one to sign. */
  version: number;
  documentId: string;
  /** The patient's newest signature of any version of this document. */
  signed: { signatureId: string; version: number; signedAt: number } | null;
  /** True when the newest version has not been signed: before the next infusion, it must be. */
  needsSigning: boolean;
}

/**
 * Which consent documents the patient has signed at their newest version, and which need signing (again): a new
 * version of a document means signing again before the next infusion, which the infusion day gates on.
 */
export async function consentCurrent(
  db: Kysely<DB>,
  patientId: string,
): Promise<{ documents: ConsentStatus[]; allSigned: boolean }> {
  const [documents, signatures] = await Promise.all([currentDocuments(db), signaturesOf(db, patientId)]);
  const statuses = documents.map((d): ConsentStatus => {
    const newest = signatures.find((s) => s.code === d.code);
    const current = signatures.find((s) => s.document_id === d.id && s.sha256 === d.sha256);
    return {
      code: d.code,
      title: d.title,
      version: d.version,
      documentId: d.id,
      signed: newest ? { signatureId: newest.id, version: newest.version, signedAt: newest.signed_at } : null,
      needsSigning: !current,
    };
  });
  return { documents: statuses, allSigned: statuses.length > 0 && statuses.every((s) => !s.needsSigning) };
}
