import type { FastifyInstance, FastifyRequest } from 'fastify';
import { staffOf } from '../kernel/http/reply.ts';
import type { Role } from '../kernel/db/schema.ts';
import type { Actor } from './service.ts';

/** Clinic set-up is for administrators only. */
export const ADMIN_ONLY = { policy: { roles: ['admin'] as readonly Role[] } };

/** Who is changing the set-up, from where, and when. */
export const actorOf = (app: FastifyInstance, req: FastifyRequest): Actor => ({
  staff: staffOf(req),
  ip: req.ip,
  now: app.deps.now(),
});
