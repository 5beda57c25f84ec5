/**
 * A minimal multipart/form-data reader (RFC 7578) for the one small upload we take, the clinic logo. No multipart
 * plugin is installed, and one buffered file of a few hundred KB needs no streaming: Fastify buffers the body under
 * the route's byte limit, and this splits it. Anything unexpected is refused, never guessed.
 */
export interface UploadedFile {
  filename: string;
  /** As the browser declared it; never trusted (the logo's type comes from its bytes). */
  declaredType: string;
  data: Buffer;
}

export type MultipartBody = Record<string, string | UploadedFile>;

export class MultipartError extends Error {}

const MAX_PARTS = 8;
const MAX_HEADER_BYTES = 2048;
const MAX_FIELD_BYTES = 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary parameter of a multipart/form-data Content-Type (RFC 2046: 1 to 70 characters from a fixed set). */
export function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || !/^[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]$/.test(boundary)) {
    throw new MultipartError('missing or invalid boundary');
  }
  return boundary;
}

/** Parameters of a Content-Disposition value; quoted strings may hold ";" and escaped quotes. */
function dispositionParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/;\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g)) {
    out[m[1]!.toLowerCase()] ??= m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return out;
}

/** Fields (strings) and files by name; the first part of a name wins. */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartBody {
  const delimiter = Buffer.from(`\r\n--${boundaryOf(contentType)}`);
  // A leading CRLF makes the first delimiter look like every other one; anything before it is a preamble to skip.
  const data = Buffer.concat([CRLF, body]);
  let at = data.indexOf(delimiter);
  if (at < 0) throw new MultipartError('no parts');
  // No prototype: a part named "__proto__" or "constructor" is just a name.
  const out = Object.create(null) as MultipartBody;
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (data[at] === 0x2d && data[at + 1] === 0x2d) return out; // "--": the closing delimiter; the rest is epilogue
    if (parts >= MAX_PARTS) throw new MultipartError('too many parts');
    while (data[at] === 0x20 || data[at] === 0x09) at++; // transport padding
    if (!data.subarray(at, at + 2).equals(CRLF)) throw new MultipartError('malformed delimiter line');
    const headerStart = at + 2;
    const headerEnd = data.indexOf(HEADER_END, headerStart);
    if (headerEnd < 0 || headerEnd - headerStart > MAX_HEADER_BYTES) throw new MultipartError('malformed part headers');
    const next = data.indexOf(delimiter, headerEnd + 4);
    if (next < 0) throw new MultipartError('unterminated part');
    const headers = new Map<string, string>();
    for (const line of data.toString('latin1', headerStart, headerEnd).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    if (!/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('part is not form-data');
    const params = dispositionParams(disposition);
    const name = params.name;
    if (!name) throw new MultipartError('part has no name');
    const content = data.subarray(headerEnd + 4, next);
    if (!Object.hasOwn(out, name)) {
      if (params.filename !== undefined) {
        out[name] = {
          filename: params.filename,
          declaredType: headers.get('content-type') ?? '',
          data: Buffer.from(content),
        };
      } else {
        if (content.length > MAX_FIELD_BYTES) throw new MultipartError('field too long');
        out[name] = content.toString('utf8');
      }
    }
    at = next;
  }
}

export const isUploadedFile = (value: unknown): value is UploadedFile =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data);
