import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findLocation, getClinic, listLocations, type Clinic, type LocationWithHours } from '../kernel/clinic.ts';
import type { Database } from '../kernel/db/database.ts';
import type { DB } from '../kernel/db/schema.ts';
import { isUniqueViolation } from '../kernel/db/database.ts';
import type { Tokens } from '../kernel/tokens.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import {
  aboutRequestId,
  auditPatient,
  auditPatientAlone,
  NOBODY,
  type Visitor,
} from '../kernel/audit/patient-audit.ts';
import { findRequestByKey, insertRequest } from './repository.ts';
import {
  fieldErrors,
  REASONS,
  type ConsultationRequestInput,
  type FieldErrors,
  type FormValues,
} from './form-schema.ts';
import type { z } from 'zod';

/** What the consultation form's routes need from the app. */
export interface FormDeps {
  database: Database;
  tokens: Tokens;
  /** Nudges the outbox worker after a commit. */
  onOutbox?: () => void;
}

/** The form: the clinic, its locations, and the answers chosen in advance by the link that led here. */
export async function formPage(
  database: Database,
  preset: { location?: string | undefined; reason?: string | undefined } = {},
): Promise<{ clinic: Clinic; locations: LocationWithHours[]; values: FormValues }> {
  const values: FormValues = {};
  // Kept only when they name a location and a reason that exist.
  if (preset.location && (await findLocation(database.db, preset.location))) values.location = preset.location;
  if (preset.reason && preset.reason in REASONS) values.reason = preset.reason;
  const [clinic, locations] = await Promise.all([getClinic(database.db), listLocations(database.db)]);
  if (!clinic) throw new Error('clinic is not set up');
  return { clinic, locations, values };
}

export type CreateResult =
  { ok: true; requestId: string; locationId: string; replay: boolean } | { ok: false; reason: 'key_reused' };

function bodyHash(input: ConsultationRequestInput, locationId: string): string {
  const { form_key: _key, website: _hp, consent: _c, ...rest } = input;
  const canonical = JSON.stringify(
    Object.entries({ ...rest, location: locationId }).sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Records a consultation request and queues its booking-link email in one transaction.
 * The form key makes it idempotent: the same submission again returns the first result; a different
 * submission under a used key is refused rather than silently merged.
 */
export async function createConsultationRequest(
  database: Database,
  input: ConsultationRequestInput,
  locationId: string,
  now: number,
  /** Work (the audit event) in the request's own transaction; if it throws, nothing is recorded or sent. */
  alsoInTransaction?: (trx: Kysely<DB>, requestId: string) => Promise<void>,
): Promise<CreateResult> {
  const hash = bodyHash(input, locationId);
  const replay = async (): Promise<CreateResult | undefined> => {
    const existing = await findRequestByKey(database.db, input.form_key);
    if (!existing) return undefined;
    return existing.body_hash === hash
      ? { ok: true, requestId: existing.id, locationId: existing.location_id, replay: true }
      : { ok: false, reason: 'key_reused' };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const id = randomUUID();
  try {
    await database.transact(async (trx) => {
      await insertRequest(trx, {
        id,
        idempotency_key: input.form_key,
        body_hash: hash,
        location_id: locationId,
        first_name: input.first_name,
        last_name: input.last_name,
        email: input.email,
        phone: input.phone,
        contact_method: input.contact_method,
        reason: input.reason,
        heard_from: input.heard_from,
        message: input.message,
        consent_at: now,
        status: 'new',
        created_at: now,
      });
      await enqueue(
        trx,
        { kind: 'booking_link', refId: id, runAt: now, dedupeKey: `booking_link:${id}`, locationId },
        now,
      );
      await alsoInTransaction?.(trx, id);
    });
  } catch (err) {
    // Two identical submissions racing: the loser answers with the winner's result.
    if (isUniqueViolation(err)) {
      const raced = await replay();
      if (raced) return raced;
    }
    throw err;
  }
  return { ok: true, requestId: id, locationId, replay: false };
}

export type Submitted =
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'honeypot' }
  | { kind: 'key_reused' }
  | { kind: 'created'; requestId: string; locationId: string; replay: boolean };

/**
 * Validates, then records; shared by the HTML form and the JSON API. Every submission is one 'request.create'
 * event: a new request's in its own transaction; refusals by reason (and which fields, never their values).
 */
export async function submitRequest(
  deps: FormDeps,
  visitor: Visitor,
  parsed: z.ZodSafeParseResult<ConsultationRequestInput>,
): Promise<Submitted> {
  const { database } = deps;
  const refused = (reason: string, errors?: FieldErrors) =>
    auditPatientAlone(database, visitor, 'request.create', 'failure', NOBODY, {
      reason,
      ...(errors ? { fields: Object.keys(errors).sort().join(',') } : {}),
    });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    await refused('invalid', errors);
    return { kind: 'invalid', errors };
  }
  if (parsed.data.website) {
    await refused('spam_suspected');
    return { kind: 'honeypot' };
  }
  const location = await findLocation(database.db, parsed.data.location);
  if (!location) {
    const errors: FieldErrors = { location: 'Choose a location from the list.' };
    await refused('invalid', errors);
    return { kind: 'invalid', errors };
  }
  const result = await createConsultationRequest(database, parsed.data, location.id, visitor.now, (trx, id) =>
    auditPatient(trx, database, visitor, 'request.create', 'success', { locationId: location.id, patientRef: id }),
  );
  if (!result.ok) {
    await refused('key_reused');
    return { kind: 'key_reused' };
  }
  // A repeated submission changed nothing; it is recorded as such, under the request it repeated.
  if (result.replay)
    await auditPatientAlone(
      database,
      visitor,
      'request.create',
      'success',
      await aboutRequestId(database.db, result.requestId),
      { replay: true },
    );
  deps.onOutbox?.();
  return { kind: 'created', requestId: result.requestId, locationId: result.locationId, replay: result.replay };
}

/**
 * The "what happens next" page. An old or altered link still gets the general page (without the location): the
 * request itself is safe.
 */
export async function thanksPage(
  deps: FormDeps,
  token: string,
  now: number,
): Promise<{ clinic: Clinic; location: LocationWithHours | undefined }> {
  const check = deps.tokens.verify(token, 'thanks', now);
  const [clinic, location] = await Promise.all([
    getClinic(deps.database.db),
    check.ok ? findLocation(deps.database.db, check.claims.location) : undefined,
  ]);
  if (!clinic) throw new Error('clinic is not set up');
  return { clinic, location };
}
