import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../kernel/refusal.ts';
import { csrfField, parseForm } from './auth-forms.ts';

const PRE_COOKIE = 'relief_pre';

/**
 * Forms shown before there is a session (sign-in, password links, forgotten password) are protected by a
 * cookie-bound token (login CSRF): an HMAC of a random seed kept in a cookie of their own.
 */
export function preCsrf(secret: string, https: boolean) {
  const tokenFor = (seed: string) => createHmac('sha256', secret).update(`pre-csrf:${seed}`).digest('base64url');
  return {
    /** The token for a form, setting the seed cookie if the browser has none yet. */
    issue(req: FastifyRequest, reply: FastifyReply): string {
      let seed = req.cookies[PRE_COOKIE];
      if (!seed || !/^[A-Za-z0-9_-]{32}$/.test(seed)) {
        seed = randomBytes(24).toString('base64url');
        reply.setCookie(PRE_COOKIE, seed, { httpOnly: true, sameSite: 'strict', secure: https, path: '/staff' });
      }
      return tokenFor(seed);
    },
    /** Refuses a posted form whose token does not match the browser's seed. */
    check(req: FastifyRequest): void {
      const seed = req.cookies[PRE_COOKIE] ?? '';
      const expected = Buffer.from(tokenFor(seed));
      const sent = Buffer.from(parseForm(csrfField, req.body)._csrf);
      if (!seed || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        throw new Refusal('csrf', 'This form has expired. Please reload the page and try again.');
      }
    },
  };
}

export type PreCsrf = ReturnType<typeof preCsrf>;
