/** An error with an HTTP status and a message that is safe to show to whoever made the request. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'That page') => new HttpError(404, 'not_found', `${what} could not be found.`);
export const badRequest = (message: string, fields?: Record<string, string>) =>
  new HttpError(400, 'bad_request', message, fields);

/** The one error envelope of the JSON API. */
export interface ErrorEnvelope {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export function envelope(code: string, message: string, fields?: Record<string, string>): ErrorEnvelope {
  return { error: fields ? { code, message, fields } : { code, message } };
}
