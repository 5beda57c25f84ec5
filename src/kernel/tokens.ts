import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'book' | 'thanks' | 'offer' | 'intake' | 'questionnaire' | 'diary';

export interface TokenClaims {
  purpose: TokenPurpose;
  /** The record the token is bound to (a consultation request). */
  ref: string;
  /** The location the link was issued for. */
  location: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

const b64 = (buf: Buffer) => buf.toString('base64url');

/**
 * Links in emails: HMAC-signed with SECRET, carrying 128 random bits, bound to a purpose, a record and a location,
 * and expiring. Nothing a person could read (name, email) is inside, and no change to it survives the signature.
 */
export class Tokens {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('relief-link-token-v1').digest();
  }

  sign(claims: TokenClaims): string {
    const body = JSON.stringify({
      p: claims.purpose,
      r: claims.ref,
      l: claims.location,
      e: Math.floor(claims.expiresAt / 1000),
      n: b64(randomBytes(16)),
    });
    const payload = b64(Buffer.from(body));
    return `${payload}.${this.#mac(payload)}`;
  }

  verify(token: string, purpose: TokenPurpose, now: number): TokenCheck {
    if (typeof token !== 'string' || token.length > 600 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(token)) {
      return { ok: false, reason: 'invalid' };
    }
    const [payload, mac] = token.split('.') as [string, string];
    const expected = Buffer.from(this.#mac(payload));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return { ok: false, reason: 'invalid' };
    let data: { p?: unknown; r?: unknown; l?: unknown; e?: unknown };
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof data;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (data.p !== purpose || typeof data.r !== 'string' || typeof data.l !== 'string' || typeof data.e !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    const expiresAt = data.e * 1000;
    if (expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { purpose, ref: data.r, location: data.l, expiresAt } };
  }

  #mac(payload: string): string {
    return b64(createHmac('sha256', this.#key).update(payload).digest());
  }
}
