import type { FastifyReply, FastifyRequest } from 'fastify';
import { Refusal } from '../refusal.ts';
import { renderDocument, type Html } from '../ui/jsx.ts';
import type { StaffContext } from './policy.ts';

/** Sends a rendered page. Pages may show personal data, so no cache keeps them. */
export const html = (reply: FastifyReply, page: Html, status = 200) =>
  reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderDocument(page));

/** The signed-in staff member; the guard has already refused anyone else on a staff route. */
export function staffOf(req: FastifyRequest): StaffContext {
  if (!req.staff) throw new Refusal('sign_in_required', 'Please sign in to continue.');
  return req.staff;
}
