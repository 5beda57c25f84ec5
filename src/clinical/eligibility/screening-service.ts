/**
 * Screening commands: the page (read, audited), a draft saved as the provider goes, the signature (second factor
 * re-checked in the same transaction), addenda after signing, and what other features ask: the patient's current
 * screening and whether they are eligible now. Each write is refused whole, with the field named, or done whole.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { auditStaff, type Actor } from '../../kernel/audit/staff-audit.ts';
import { isUniqueViolation, type Database } from '../../kernel/db/database.ts';
import type { DB, ScreeningOutcome } from '../../kernel/db/schema.ts';
import { timeOrderedId } from '../../kernel/ids.ts';
import { refuse, type Refusal } from '../../kernel/refusal.ts';
import { formatDateTime } from '../../kernel/time/format.ts';
import type { Errors } from '../../kernel/ui/form.tsx';
import { confirmSecondFactor } from '../../staff/service.ts';
import { currentDefinition, type Definition } from '../definitions/store.ts';
import { insertDefinition } from '../definitions/repository.ts';
import type { Phq9SafetyRule } from '../instruments/phq9.ts';
import { clinicalPatient, PRESCRIBER_ROLES } from '../patient-access.ts';
import { raiseFlags } from '../safety/flags-raise.ts';
import { item9Rule } from '../safety/item9-rule.ts';
import type { BudapestFindings } from './budapest.ts';
import type { ContraindicationRuleSet } from './contraindications.ts';
import type { Facts } from './facts.ts';
import { latestSubmittedIntake, recordSummary, type RecordSummary, type SubmittedIntake } from './gather.ts';
import {
  blankInput,
  evaluateScreening,
  type ScreeningEvaluation,
  type ScreeningInput,
  testFacts,
  differences,
} from './screening.ts';
import { readScreeningForm } from './screening-form.ts';
import { CONTRAINDICATION_RULES, SCREENING_VALIDITY } from './screening-kinds.ts';
import {
  addendaOf,
  type AddendumRow,
  insertAddendum,
  insertScreening,
  locationZone,
  newestSigned,
  type ScreeningContent,
  type ScreeningRow,
  screeningsOf,
  updateDraft,
} from './screening-repository.ts';

export interface StoredScreening {
  row: ScreeningRow;
  input: ScreeningInput;
  evaluation: ScreeningEvaluation;
  addenda: AddendumRow[];
}

export interface ScreeningPageData {
  patient: { id: string; first_name: string; last_name: string };
  zone: string;
  /** When the page was read: what "expired" is judged against. */
  now: number;
  intake: SubmittedIntake | null;
  record: RecordSummary;
  rules: Definition<ContraindicationRuleSet>;
  /** The draft being written, or null (the form then opens on a new screening, pre-filled). */
  draft: StoredScreening | null;
  /** The form's input: the draft's, or a new one pre-filled from the intake and the record. */
  input: ScreeningInput;
  evaluation: ScreeningEvaluation;
  /** The newest signed screening, with its addenda in order. */
  signed: StoredScreening | null;
  canSign: boolean;
  /** The clinic's item-9 rule: the intake's self-harm answer is shown as an alert by it. */
  item9Rule: Phq9SafetyRule;
}

const EMPTY_BUDAPEST = {} as BudapestFindings;

function stored(row: ScreeningRow, rules: ContraindicationRuleSet, addenda: AddendumRow[]): StoredScreening {
  const css = JSON.parse(row.css) as ScreeningInput['css'];
  const input: ScreeningInput = {
    facts: JSON.parse(row.facts) as Facts,
    sources: JSON.parse(row.fact_sources) as ScreeningInput['sources'],
    budapest: { ...EMPTY_BUDAPEST, ...(JSON.parse(row.budapest) as { findings: BudapestFindings }).findings },
    css: { version: css.version, findings: css.findings ?? {} },
    vitals: JSON.parse(row.vitals) as ScreeningInput['vitals'],
    overrides: JSON.parse(row.overrides) as ScreeningInput['overrides'],
  };
  return { row, input, evaluation: evaluateScreening(rules, input), addenda };
}

/** Everything the page shows, read in one transaction with its audit event. */
async function loadPage(
  trx: Kysely<DB>,
  actor: Actor,
  patient: ScreeningPageData['patient'],
  locationId: string,
): Promise<ScreeningPageData> {
  const zone = await locationZone(trx, locationId);
  const [intake, record, rules, screenings, item9] = await Promise.all([
    latestSubmittedIntake(trx, patient.id),
    recordSummary(trx, patient.id, actor.now, zone),
    currentDefinition(trx, CONTRAINDICATION_RULES),
    screeningsOf(trx, patient.id),
    item9Rule(trx),
  ]);
  const draftRow = screenings.find((s) => s.status === 'draft') ?? null;
  const signedRow = screenings.find((s) => s.status === 'signed') ?? null;
  const addenda = await addendaOf(trx, signedRow ? [signedRow.id] : []);
  // A signed screening is judged by the rules it was signed under; the page notes when those were replaced.
  const signed = signedRow ? stored(signedRow, rules.body, addenda) : null;
  const draft = draftRow ? stored(draftRow, rules.body, []) : null;
  // Test results are the record's: a draft always shows the newest ones.
  const input = draft
    ? { ...draft.input, facts: { ...draft.input.facts, ...testFacts(record) } }
    : blankInput(intake?.answers ?? null, record);
  return {
    patient,
    zone,
    now: actor.now,
    intake,
    record,
    rules,
    draft,
    input,
    evaluation: evaluateScreening(rules.body, input),
    signed,
    canSign: PRESCRIBER_ROLES.includes(actor.staff.role),
    item9Rule: item9,
  };
}

export async function screeningPage(database: Database, actor: Actor, rawId: unknown): Promise<ScreeningPageData> {
  const { patient, where } = await clinicalPatient(database, actor, rawId, 'screening.view');
  return database.transact(async (trx) => {
    const data = await loadPage(trx, actor, patient, where.locationId);
    await auditStaff(trx, database, actor, 'screening.view', 'success', where, {
      draft: data.draft?.row.id ?? null,
      signed: data.signed?.row.id ?? null,
    });
    return data;
  });
}

function content(input: ScreeningInput, evaluation: ScreeningEvaluation, intakeId: string | null): ScreeningContent {
  return {
    intake_id: intakeId,
    facts: JSON.stringify(input.facts),
    fact_sources: JSON.stringify(input.sources),
    budapest: JSON.stringify({ findings: input.budapest, evaluation: evaluation.budapest }),
    css: JSON.stringify({ version: input.css.version, findings: input.css.findings, score: evaluation.css.total }),
    vitals: JSON.stringify(input.vitals),
    overrides: JSON.stringify(input.overrides),
    outcome: evaluation.outcome,
    reasons: JSON.stringify(evaluation.reasons),
  };
}

const versionOf = (raw: unknown): number | null =>
  typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : null;

/** Why the form is stale, in words naming who changed what and when; nothing is saved. */
function staleMessage(data: ScreeningPageData, formVersion: number): string | null {
  const draft = data.draft?.row;
  if (draft && draft.version === formVersion) return null;
  if (!draft && formVersion === 0) return null;
  const when = (t: number) => formatDateTime(t, data.zone);
  if (draft)
    return `This draft was saved again at ${when(draft.updated_at)} (version ${draft.version}) since this page was loaded. Nothing was saved: reload to see the newest version, then make your changes again.`;
  const signed = data.signed?.row;
  if (signed?.signed_at)
    return `This screening was signed by ${signed.signed_by_name ?? 'a provider'} at ${when(signed.signed_at)} since this page was loaded, and a signed screening never changes. Nothing was saved: add an addendum, or start a new screening.`;
  return 'This screening changed since the page was loaded. Nothing was saved: reload and try again.';
}

export type SaveResult = { ok: true; screeningId: string; outcome: ScreeningOutcome; signed: boolean } | Refusal;

/**
 * Saves the form as the patient's draft, or (with `sign`) signs it: the second factor is re-checked first, in the
 * same transaction, and a wrong code writes nothing but its own failure and audit event.
 */
export async function saveScreening(
  database: Database,
  deps: { secret: string },
  actor: Actor,
  rawId: unknown,
  body: Record<string, unknown>,
  sign: boolean,
): Promise<SaveResult> {
  const action = sign ? 'screening.sign' : 'screening.save';
  if (!PRESCRIBER_ROLES.includes(actor.staff.role))
    throw refuse('forbidden', 'Only a provider writes and signs a screening.');
  const { patient, where } = await clinicalPatient(database, actor, rawId, action);
  try {
    return await database.transact(async (trx): Promise<SaveResult> => {
      const data = await loadPage(trx, actor, patient, where.locationId);
      const formVersion = versionOf(body.version);
      const stale = formVersion === null ? 'The form is incomplete: reload the page.' : staleMessage(data, formVersion);
      if (stale) {
        // Name what the newer draft answers differently from this form, so nothing is lost unseen on reload.
        const draft = data.draft?.input;
        const changed = draft
          ? differences(readScreeningForm(body, data.rules.body, draft, testFacts(data.record)).input, draft)
          : [];
        const message =
          changed.length > 0 ? `${stale} The saved version differs from yours in: ${changed.join('; ')}.` : stale;
        return refuse('conflict', message, { version: message });
      }

      const prefilled = data.draft?.input ?? data.input;
      const { input, errors } = readScreeningForm(body, data.rules.body, prefilled, testFacts(data.record));
      const evaluation = evaluateScreening(data.rules.body, input);
      // An override of a stop these answers no longer raise is dropped, not kept as a stale reason on the record.
      input.overrides = input.overrides.filter((o) =>
        evaluation.eligibility.overridden.some((x) => x.ruleId === o.ruleId),
      );
      for (const r of evaluation.eligibility.refusedOverrides)
        if (r.code !== 'not_applicable') errors[`override-${r.ruleId}`] ??= `Override: ${r.reason}`;
      const code = typeof body.code === 'string' ? body.code.trim() : '';
      if (sign && !/^\d{6}$/.test(code))
        errors.code = 'Authenticator code: type the 6-digit code your authenticator app shows now';
      if (Object.keys(errors).length > 0) return invalid(errors);

      if (sign) {
        const confirmed = await confirmSecondFactor(
          trx,
          { database, secret: deps.secret },
          { userId: actor.staff.userId, ip: actor.ip },
          code,
          actor.now,
          'screening.sign',
        );
        if (confirmed !== true) return confirmed;
      }
      const signature = sign ? await signatureOf(trx, actor, data.zone) : undefined;
      const row = content(input, evaluation, data.intake?.id ?? null);
      let id = data.draft?.row.id;
      if (id) {
        if (!(await updateDraft(trx, id, data.draft!.row.version, row, actor.now, signature)))
          return refuse('conflict', 'This screening changed while it was being saved. Reload and try again.', {
            version: 'This screening changed while it was being saved. Reload and try again.',
          });
      } else {
        id = timeOrderedId(actor.now);
        await insertScreening(trx, {
          ...row,
          id,
          patient_id: patient.id,
          location_id: where.locationId,
          created_by: actor.staff.userId,
          now: actor.now,
          ...(signature ? { signature } : {}),
        });
      }
      await auditStaff(trx, database, actor, action, 'success', where, {
        screening: id,
        outcome: evaluation.outcome,
        ...(sign ? { rules: signature!.rules_definition_id } : {}),
        corrected: Object.values(input.sources).filter((s) => s === 'provider').length,
      });
      // A substance-use concern this signature records anew is a safety flag, in the signature's transaction.
      if (sign)
        await raiseFlags(trx, {
          database,
          actor,
          patientId: patient.id,
          locationId: where.locationId,
          now: actor.now,
          kinds: ['substance_use'],
        });
      const before = new Set((data.draft?.input.overrides ?? []).map((o) => o.ruleId));
      const added = input.overrides.map((o) => o.ruleId).filter((r) => sign || !before.has(r));
      if (added.length > 0)
        await auditStaff(trx, database, actor, 'screening.override', 'success', where, {
          screening: id,
          rules: added.join(','),
          signed: sign,
        });
      return { ok: true, screeningId: id, outcome: evaluation.outcome, signed: sign };
    });
  } catch (error) {
    // Two first signatures at once both storing the shipped rules as version 1: one goes through.
    if (isUniqueViolation(error)) {
      const message = 'Someone signed at the same moment. Reload the page to see it; nothing was saved.';
      return refuse('conflict', message, { version: message });
    }
    throw error;
  }
}

function invalid(errors: Errors): Refusal {
  const n = Object.keys(errors).length;
  return refuse('invalid_request', n === 1 ? 'Please check one answer.' : `Please check ${n} answers.`, errors);
}

/**
 * The rules version and the expiry a signature records. Until an administrator saves the rules, the shipped
 * defaults are stored as version 1 here, so a signed screening always names the rules it was judged by.
 */
async function signatureOf(trx: Kysely<DB>, actor: Actor, zone: string) {
  const rules = await currentDefinition(trx, CONTRAINDICATION_RULES);
  let rulesId = rules.id;
  if (rulesId === null) {
    rulesId = timeOrderedId(actor.now);
    await insertDefinition(trx, {
      id: rulesId,
      kind: CONTRAINDICATION_RULES.kind,
      version: 1,
      body: JSON.stringify(rules.body),
      source: rules.source,
      created_by: null,
      created_at: actor.now,
    });
  }
  const validity = await currentDefinition(trx, SCREENING_VALIDITY);
  return {
    rules_definition_id: rulesId,
    signed_by: actor.staff.userId,
    signed_at: actor.now,
    expires_at: DateTime.fromMillis(actor.now, { zone }).plus({ months: validity.body.months }).toMillis(),
  };
}

const ADDENDUM_MAX = 2000;

/**
 * Appends an addendum to the patient's newest signed screening. An addendum changes what a signed record says, so
 * it is signed the same way: the provider's authenticator code, re-checked in the same transaction.
 */
export async function addAddendum(
  database: Database,
  deps: { secret: string },
  actor: Actor,
  rawId: unknown,
  body: Record<string, unknown>,
): Promise<{ ok: true; addendumId: string } | Refusal> {
  if (!PRESCRIBER_ROLES.includes(actor.staff.role)) throw refuse('forbidden', 'Only a provider adds an addendum.');
  const { patient, where } = await clinicalPatient(database, actor, rawId, 'screening.addendum');
  return database.transact(async (trx) => {
    const signed = await newestSigned(trx, patient.id);
    if (!signed || body.screening !== signed.id) {
      const message = 'An addendum is added to the newest signed screening. Reload the page; nothing was saved.';
      return refuse('conflict', message, { version: message });
    }
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    const errors: Errors = {};
    if (text === '') errors.text = 'Addendum: write the correction or note to add';
    else if (text.length > ADDENDUM_MAX)
      errors.text = `Addendum: at most ${ADDENDUM_MAX.toLocaleString('en-US')} characters`;
    const code = typeof body.addendum_code === 'string' ? body.addendum_code.trim() : '';
    if (!/^\d{6}$/.test(code))
      errors.addendum_code = 'Authenticator code: type the 6-digit code your authenticator app shows now';
    if (Object.keys(errors).length > 0) return invalid(errors);
    const confirmed = await confirmSecondFactor(
      trx,
      { database, secret: deps.secret },
      { userId: actor.staff.userId, ip: actor.ip },
      code,
      actor.now,
      'screening.addendum',
    );
    if (confirmed !== true)
      return refuse(confirmed.code, confirmed.message, { addendum_code: confirmed.fields?.code ?? confirmed.message });
    const id = timeOrderedId(actor.now);
    await insertAddendum(trx, {
      id,
      screening_id: signed.id,
      text,
      author_id: actor.staff.userId,
      created_at: actor.now,
    });
    await auditStaff(trx, database, actor, 'screening.addendum', 'success', where, {
      screening: signed.id,
      addendum: id,
    });
    return { ok: true as const, addendumId: id };
  });
}

export interface CurrentScreening {
  id: string;
  outcome: ScreeningOutcome;
  signedAt: number;
  signedBy: string;
  expiresAt: number;
  expired: boolean;
}

/**
 * The patient's newest signed screening with its outcome and expiry, or null. The newest one decides: a later
 * not-eligible screening closes the path even while an older eligible one has not expired.
 */
export async function currentScreening(
  db: Kysely<DB>,
  patientId: string,
  now: number,
): Promise<CurrentScreening | null> {
  const s = await newestSigned(db, patientId);
  return s
    ? {
        id: s.id,
        outcome: s.outcome,
        signedAt: s.signed_at,
        signedBy: s.signed_by,
        expiresAt: s.expires_at,
        expired: s.expires_at <= now,
      }
    : null;
}

/** Signed, eligible and unexpired: what an infusion booking and a treatment plan need. */
export async function isEligibleNow(db: Kysely<DB>, patientId: string, now: number): Promise<boolean> {
  const s = await currentScreening(db, patientId, now);
  return s !== null && s.outcome === 'eligible' && !s.expired;
}
