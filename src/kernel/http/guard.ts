import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/audit.ts';
import { mailBannerState } from '../outbox/banner.tsx';
import { envelope } from './errors.ts';
import { Refusal } from '../refusal.ts';
import type { Policy, StaffContext } from './policy.ts';
import {
  activeEmergencyAccess,
  loadSession,
  revokeSession,
  sessionProblem,
  touchSession,
  type SessionSettings,
} from './sessions.ts';

export const SESSION_COOKIE = 'relief_staff';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route with its access policy, for the route-table test and reviews. */
    routePolicies: Array<{ method: string; url: string; policy: Policy }>;
  }
}

/** Seconds between writes of last_seen_at: idle tracking does not need a write on every click. */
const TOUCH_EVERY_MS = 15_000;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function wantsJson(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || (req.headers.accept ?? '').startsWith('application/json');
}

/**
 * Deny by default: every route must declare a policy (registration fails otherwise), and every non-public route
 * gets a signed-in, unexpired, MFA-complete session of an allowed role, plus a CSRF token on state changes.
 */
export function installGuard(app: FastifyInstance, settings: SessionSettings): void {
  app.decorate('routePolicies', [] as Array<{ method: string; url: string; policy: Policy }>);
  app.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    if (!policy) throw new Error(`route ${String(route.method)} ${route.url} declares no access policy`);
    app.routePolicies.push({ method: String(route.method), url: route.url, policy });
  });

  // preValidation: after the body is parsed (for the CSRF field) but before any route schema can answer first.
  app.addHook('preValidation', async (req, reply) => {
    const policy = req.routeOptions.config.policy;
    if (!policy) throw new Refusal('not_found', 'We could not find that page.');
    if (policy === 'public') return;
    const { database, now } = app.deps;
    const t = now();
    const token = req.cookies[SESSION_COOKIE];
    const loaded = token ? await loadSession(database.db, token) : undefined;
    const problem = loaded ? sessionProblem(loaded, t, settings) : 'missing';
    if (!loaded || problem) {
      if (loaded && problem === 'idle') {
        await database.transact(async (trx) => {
          await revokeSession(trx, loaded.session.id_hash, t);
          await appendAudit(
            trx,
            database,
            {
              actorId: loaded.user.id,
              actorRole: loaded.user.role,
              locationId: null,
              patientRef: null,
              action: 'session.timeout',
              outcome: 'success',
              ip: req.ip,
            },
            t,
          );
        });
      }
      return signInFirst(req, reply, problem === 'idle' ? 'idle' : undefined);
    }
    const { session, user } = loaded;
    const staff: StaffContext = {
      userId: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      locationIds: loaded.locationIds,
      sessionIdHash: session.id_hash,
      csrfToken: session.csrf_token,
      stage: session.stage,
      // A grant that has run out is no grant: its banner and its reach end together.
      breakGlassUntil:
        session.break_glass_until !== null && session.break_glass_until > t ? session.break_glass_until : null,
      ...(user.role === 'admin'
        ? {
            emergencyAccess: (await activeEmergencyAccess(database.db, t)).map((g) => ({
              name: g.name,
              minutesLeft: Math.max(1, Math.ceil((g.until - t) / 60_000)),
            })),
          }
        : {}),
      idleTimeoutMs: settings.idleMs,
    };
    const mail = await mailBannerState(database.db, t);
    if (mail) staff.mail = mail;
    req.staff = staff;

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = req.body as Record<string, unknown> | undefined;
      const sent =
        (typeof body?._csrf === 'string' ? body._csrf : undefined) ??
        (req.headers['x-csrf-token'] as string | undefined);
      if (!sent || !safeEqual(sent, session.csrf_token)) {
        throw new Refusal('csrf', 'This form has expired. Please go back, reload the page and try again.');
      }
    }

    if (policy === 'signed-in-partial') return;
    if (session.stage !== 'active')
      return reply.code(303).redirect(session.stage === 'mfa' ? '/staff/mfa' : '/staff/enrol');
    if (!policy.roles.includes(user.role)) {
      await database.transact((trx) =>
        appendAudit(
          trx,
          database,
          {
            actorId: user.id,
            actorRole: user.role,
            locationId: null,
            patientRef: null,
            action: 'access_denied',
            outcome: 'denied',
            ip: req.ip,
            detail: { route: req.routeOptions.url ?? '' },
          },
          t,
        ),
      );
      throw new Refusal('forbidden', 'Your role does not give access to this page.');
    }
    if (t - session.last_seen_at > TOUCH_EVERY_MS) await touchSession(database.db, session.id_hash, t);
  });
}

function signInFirst(req: FastifyRequest, reply: FastifyReply, reason?: 'idle') {
  if (wantsJson(req)) return reply.code(401).send(envelope('unauthenticated', 'Please sign in.'));
  const next = req.method === 'GET' && req.url.startsWith('/staff') ? req.url.split('?')[0] : '/staff';
  const query = new URLSearchParams({ next: next ?? '/staff', ...(reason ? { reason } : {}) });
  return reply.code(303).redirect(`/staff/sign-in?${query.toString()}`);
}
