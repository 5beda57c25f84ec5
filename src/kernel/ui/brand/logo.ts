import { createHash } from 'node:crypto';

/**
 * The clinic logo: PNG or JPEG only, told apart by their first bytes (never by the file name or the type the
 * browser declares). SVG is refused because it can carry script.
 */
export type LogoType = 'image/png' | 'image/jpeg';

export const LOGO_MAX_BYTES = 200 * 1024;

export const LOGO_EXTENSIONS: Record<LogoType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg' };

// PNG: the 8-byte signature, then the IHDR chunk, which the format requires to come first (length 13).
const PNG_START = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);
// JPEG: start-of-image followed by the first marker's 0xff.
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);

export function sniffLogo(data: Buffer): LogoType | undefined {
  if (data.length > PNG_START.length && data.subarray(0, PNG_START.length).equals(PNG_START)) return 'image/png';
  if (data.length > JPEG_START.length + 1 && data.subarray(0, JPEG_START.length).equals(JPEG_START))
    return 'image/jpeg';
  return undefined;
}

export type LogoCheck = { ok: true; type: LogoType; sha256: string; data: Buffer } | { ok: false; message: string };

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

export function checkLogo(data: Buffer | undefined): LogoCheck {
  if (!data || data.length === 0) return { ok: false, message: 'Choose a PNG or JPEG file to upload.' };
  if (data.length > LOGO_MAX_BYTES) {
    return {
      ok: false,
      message: `This file is ${kb(data.length)}; the logo can be at most ${kb(LOGO_MAX_BYTES)}. Save it smaller or with fewer colors.`,
    };
  }
  const type = sniffLogo(data);
  if (!type)
    return {
      ok: false,
      message: 'The logo must be a PNG or JPEG image. Other formats, including SVG, are not accepted.',
    };
  return { ok: true, type, sha256: createHash('sha256').update(data).digest('hex'), data };
}
