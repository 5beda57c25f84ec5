/**
 * The one way Relief says no. A service returns a Refusal as a value (`Result | Refusal`, told apart by `ok`) or
 * throws one from a guard deep in a call chain; either way the status comes from one table here, and the app's
 * error handler (src/app.ts) renders the page or the JSON envelope in one place. No Fastify in this file:
 * services import it.
 */
export const REFUSAL_STATUS = {
  /** Input that does not pass; `fields` names each field and what is wrong with it. */
  invalid_request: 400,
  bad_request: 400,
  invalid_characters: 400,
  invalid_upload: 400,
  sign_in_required: 401,
  csrf: 403,
  forbidden: 403,
  no_location: 403,
  /** Unknown, or outside what the person may see: the same answer, so a 404 tells nothing. */
  not_found: 404,
  /** The thing exists but its state forbids this now (taken, closed, past the cutoff, changed since loaded). */
  conflict: 409,
  not_online: 409,
  /** An infusion or booster for a patient without a signed eligible screening and an active treatment plan. */
  not_eligible: 409,
  not_active: 409,
  too_late: 409,
  gone: 410,
  too_large: 413,
  too_many_links: 429,
  too_many_requests: 429,
} as const;

export type RefusalCode = keyof typeof REFUSAL_STATUS;

export class Refusal extends Error {
  readonly ok = false as const;
  constructor(
    readonly code: RefusalCode,
    /** Plain words, safe to show to whoever asked. */
    message: string,
    /** Per-field messages, keyed by the form field's name. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }

  get statusCode(): number {
    return REFUSAL_STATUS[this.code];
  }
}

export const refuse = (code: RefusalCode, message: string, fields?: Record<string, string>) =>
  new Refusal(code, message, fields);
export const notFound = (what = 'That page') => new Refusal('not_found', `${what} could not be found.`);
export const badRequest = (message: string, fields?: Record<string, string>) =>
  new Refusal('bad_request', message, fields);

/** True for a Refusal, whether returned or caught. */
export const isRefusal = (value: unknown): value is Refusal => value instanceof Refusal;
