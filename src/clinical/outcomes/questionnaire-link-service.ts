/**
 * The patient's side of a follow-up questionnaire, through the signed link in their email: the page, "save and
 * finish later" (status partial, not scored), and sending it (scored, the report columns written in the same
 * statement). Every view and write is audited as the patient's own action; refused links are counted per address,
 * as intake links are. An answer of 1 or more to item 9 raises the safety alert in the write's transaction.
 */
import { auditPatient, auditPatientAlone, type About, type Visitor } from '../../kernel/audit/patient-audit.ts';
import { findLocation, type Clinic } from '../../kernel/clinic.ts';
import type { Database } from '../../kernel/db/database.ts';
import { openSignedLink, type LinkRefusal, type RefusedLink } from '../../kernel/signed-link.ts';
import type { Tokens } from '../../kernel/tokens.ts';
import {
  askedItems,
  formValues,
  readAnswers,
  readPostedAnswers,
  scoreAnswers,
  type Answers,
} from './questionnaire-answers.ts';
import { raiseItem9 } from './questionnaire-alert.ts';
import type { AskedInstrument } from './questionnaire-instruments.ts';
import {
  complete,
  findQuestionnaire,
  patientFirstName,
  savePartial,
  type QuestionnaireRow,
} from './questionnaire-repository.ts';

export interface LinkDeps {
  database: Database;
  tokens: Tokens;
  now: () => number;
  onOutbox?: () => void;
}

export type LinkProblemReason = LinkRefusal;

export type LinkProblem = RefusedLink;

export interface QuestionnaireLink {
  clinic: Clinic;
  q: QuestionnaireRow;
  asked: AskedInstrument[];
  answers: Answers;
  firstName: string;
  base: string;
  about: About;
  zone: string;
}

export interface QuestionnairePageData {
  page: 'form';
  link: QuestionnaireLink;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** 'saved' after save-for-later; 'incomplete' after a send with questions left. */
  notice?: 'saved' | 'incomplete' | 'conflict' | undefined;
  status: number;
}

export interface DonePage {
  page: 'done';
  link: QuestionnaireLink;
  crisis: boolean;
}

export type LinkAnswer = LinkProblem | QuestionnairePageData | DonePage | { page: 'redirect'; to: string };

export async function openQuestionnaire(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  action: string,
): Promise<QuestionnaireLink | LinkProblem> {
  const { database } = deps;
  const opened = await openSignedLink(deps, token, visitor, {
    purpose: 'questionnaire',
    action,
    whoseExpired: async ({ ref }) => {
      const known = await findQuestionnaire(database.db, ref);
      return { locationId: known?.location_id ?? null, patientRef: known?.patient_id ?? null };
    },
  });
  if ('page' in opened) return opened;
  const { clinic, claims, refuse } = opened;
  const q = await findQuestionnaire(database.db, claims.ref);
  const patient = q && (await patientFirstName(database.db, q.patient_id));
  if (!q || !patient) return refuse({ locationId: null, patientRef: null }, 'unknown');
  const about = { locationId: q.location_id, patientRef: q.patient_id };
  // A genuine link whose questionnaire was cancelled or has closed: a friendly page, not held against the address.
  if (q.status === 'missed' || q.status === 'cancelled' || (q.status !== 'complete' && q.closes_at <= visitor.now))
    return refuse(about, 'closed');
  const location = await findLocation(database.db, q.location_id);
  return {
    clinic,
    q,
    asked: JSON.parse(q.instruments) as AskedInstrument[],
    answers: readAnswers(q.answers),
    firstName: patient.first_name,
    base: `/questionnaire/${token}`,
    about,
    zone: location?.time_zone ?? 'UTC',
  };
}

export async function showQuestionnaire(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  notice?: QuestionnairePageData['notice'],
): Promise<LinkAnswer> {
  const action = 'questionnaire.view';
  const link = await openQuestionnaire(deps, token, visitor, action);
  if ('page' in link) return link;
  await auditPatientAlone(deps.database, visitor, action, 'success', link.about, { questionnaireId: link.q.id });
  if (link.q.status === 'complete') return { page: 'done', link, crisis: (link.q.phq9_item9 ?? 0) >= 1 };
  return { page: 'form', link, values: formValues(link.answers), errors: {}, notice, status: 200 };
}

export async function showDone(deps: LinkDeps, token: string, visitor: Visitor): Promise<LinkAnswer> {
  const link = await openQuestionnaire(deps, token, visitor, 'questionnaire.view');
  if ('page' in link) return link;
  if (link.q.status !== 'complete') return { page: 'redirect', to: link.base };
  return { page: 'done', link, crisis: (link.q.phq9_item9 ?? 0) >= 1 };
}

const posted = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** Only the form's own fields, as text, to show again on a refused form. */
function postedValues(link: QuestionnaireLink, body: Record<string, unknown>): Record<string, string> {
  const out = formValues(link.answers);
  for (const item of askedItems(link.asked)) {
    const v = body[item.field];
    if (typeof v === 'string' && v.length <= 10) out[item.field] = v;
  }
  return out;
}

/**
 * Saves for later (`intent=save`) or sends (`intent=send`). Out-of-range answers are refused with each item named and
 * nothing written. A send with questions left keeps the answers given as partial and says what is left.
 */
export async function answerQuestionnaire(
  deps: LinkDeps,
  token: string,
  visitor: Visitor,
  rawBody: unknown,
): Promise<LinkAnswer> {
  const action = 'questionnaire.answer';
  const link = await openQuestionnaire(deps, token, visitor, action);
  if ('page' in link) return link;
  const body = posted(rawBody);
  const fail = (reason: string) =>
    auditPatientAlone(deps.database, visitor, action, 'failure', link.about, { questionnaireId: link.q.id, reason });
  if (link.q.status === 'complete') {
    await fail('complete');
    return { page: 'done', link, crisis: false };
  }
  const version = typeof body.version === 'string' ? Number(body.version) : NaN;
  if (version !== link.q.version) {
    await fail('stale');
    return { page: 'form', link, values: formValues(link.answers), errors: {}, notice: 'conflict', status: 409 };
  }
  const read = readPostedAnswers(link.asked, link.answers, body);
  if (!read.ok) {
    await fail('invalid');
    return { page: 'form', link, values: postedValues(link, body), errors: read.errors, status: 400 };
  }
  const score = scoreAnswers(link.asked, read.answers);
  const send = body.intent === 'send';
  const q = link.q;
  const done = await deps.database.transact(async (trx) => {
    const json = JSON.stringify(read.answers);
    const ok =
      send && score.report
        ? await complete(trx, q, json, score.report, null, visitor.now)
        : await savePartial(trx, q, json, null, visitor.now);
    if (!ok) return false;
    await auditPatient(trx, deps.database, visitor, action, 'success', link.about, {
      questionnaireId: q.id,
      status: send && score.report ? 'complete' : 'partial',
      answered: score.answered,
    });
    await raiseItem9(trx, q, read.answers.phq9, visitor.now, (a, detail) =>
      auditPatient(trx, deps.database, visitor, a, 'success', link.about, detail),
    );
    return true;
  });
  if (!done) {
    await fail('stale');
    const fresh = await openQuestionnaire(deps, token, visitor, action);
    if ('page' in fresh) return fresh;
    return {
      page: 'form',
      link: fresh,
      values: formValues(fresh.answers),
      errors: {},
      notice: 'conflict',
      status: 409,
    };
  }
  if (score.item9 !== 'none') deps.onOutbox?.();
  if (send && score.report) return { page: 'redirect', to: `${link.base}/done` };
  return { page: 'redirect', to: `${link.base}?${send ? 'left' : 'saved'}=1` };
}
