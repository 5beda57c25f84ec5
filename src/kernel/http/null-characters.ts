import type { FastifyInstance } from 'fastify';
import { Refusal } from '../refusal.ts';

/**
 * PostgreSQL text cannot hold the NUL character (SQLite can), so a NUL anywhere in a request's path parameters,
 * query or form fields would fail only on one engine, and only when it reaches a query. No real person types one:
 * refuse it up front, for every route, before any lookup.
 */
export function installNullCharacterGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (holdsNul(req.params) || holdsNul(req.query) || holdsNul(req.body)) {
      throw new Refusal(
        'invalid_characters',
        'The request contains a null character, which we cannot accept. Please remove it and try again.',
      );
    }
  });
}

/** Strings in plain objects and arrays, to a bounded depth (bodies are size-limited; uploaded bytes are not text). */
export function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return false;
  const values = Array.isArray(value) ? value : Object.values(value);
  return (
    values.some((v) => holdsNul(v, depth + 1)) ||
    (!Array.isArray(value) && Object.keys(value).some((k) => k.includes('\u0000')))
  );
}
