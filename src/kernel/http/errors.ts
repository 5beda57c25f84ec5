/** The one error envelope of the JSON API. */
export interface ErrorEnvelope {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export function envelope(code: string, message: string, fields?: Record<string, string>): ErrorEnvelope {
  return { error: fields ? { code, message, fields } : { code, message } };
}
