import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sealing of small secrets at rest (TOTP secrets), so that a copy of the database alone does not reveal them:
 * AES-256-GCM under a key derived from the application secret with HKDF-SHA256 (empty salt, info
 * 'relief-totp-seal-v1'), a random 96-bit IV per seal, and the 128-bit tag checked on opening.
 *
 * Format: 'v1.<iv>.<tag>.<ciphertext>', each part base64url without padding.
 */

const VERSION = 'v1';
const INFO = 'relief-totp-seal-v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(appSecret: string): Buffer {
  if (appSecret.length === 0) throw new RangeError('appSecret must not be empty.');
  return Buffer.from(hkdfSync('sha256', appSecret, Buffer.alloc(0), INFO, 32));
}

export function sealSecret(plain: string, appSecret: string): string {
  const key = deriveKey(appSecret);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(VERSION));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Strict base64url: Node's decoder skips stray characters, so the text must re-encode to itself. */
function decodePart(part: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/u.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : null;
}

/** Opens a sealed secret; throws when it is malformed, was sealed under another appSecret, or was altered. */
export function openSecret(sealed: string, appSecret: string): string {
  const key = deriveKey(appSecret);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('Sealed secret has an unknown format.');
  const [iv, tag, ciphertext] = parts.slice(1).map(decodePart);
  if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error('Sealed secret has an unknown format.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(VERSION));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('Sealed secret could not be opened: wrong key, or it was altered.');
  }
}
