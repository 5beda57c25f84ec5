import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../kernel/http/guard.ts';
import { ROLES } from '../kernel/http/policy.ts';
import { html } from '../kernel/http/reply.ts';
import type { SessionSettings } from '../kernel/http/sessions.ts';
import { codeForm, enrolForm, parseForm, SIGN_IN_LIMIT, signInForm, signInQuery } from './auth-forms.ts';
import { EnrolPage, MfaPage, RecoveryCodesPage, SignInPage, signInNotice } from './auth-views.tsx';
import type { Client, SignInDeps } from './deps.ts';
import { confirmEnrolment, enrolment, type EnrolmentSession } from './enrolment-service.ts';
import { passwordRoutes } from './password-routes.tsx';
import { preCsrf } from './pre-csrf.ts';
import { keepAlive, signInWithCode, signInWithPassword, signOut } from './sign-in-service.ts';

const client = (req: FastifyRequest): Client => ({ ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') });

/** Signing in (password, then a code, or setting one up the first time), signing out, and the session's pulse. */
export async function authRoutes(app: FastifyInstance, opts: { settings: SessionSettings }): Promise<void> {
  const deps: SignInDeps = { ...app.deps, sessions: opts.settings };
  const https = app.deps.config.publicUrl.startsWith('https:');
  const csrf = preCsrf(app.deps.config.secret, https);
  const partial = { policy: 'signed-in-partial' as const };
  const anyStaff = { policy: { roles: ROLES } };

  const setSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: https,
      path: '/',
      maxAge: Math.floor(opts.settings.absoluteMs / 1000),
    });
  /** The session was ended (set up elsewhere meanwhile): sign in again, with a code this time. */
  const signInAgain = (reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).redirect('/staff/sign-in');
  };

  app.get('/staff/sign-in', { config: { policy: 'public' } }, async (req, reply) => {
    const q = signInQuery.parse(req.query ?? {});
    return html(reply, SignInPage({ csrf: csrf.issue(req, reply), next: q.next, notice: signInNotice(q.reason) }));
  });

  app.post('/staff/sign-in', { config: { policy: 'public', rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    csrf.check(req);
    const { email, password, next } = parseForm(signInForm, req.body);
    const result = await signInWithPassword(deps, { email, password }, client(req), req.cookies[SESSION_COOKIE]);
    if (!result.ok) {
      const page = SignInPage({ csrf: csrf.issue(req, reply), email, error: result.message, next });
      return html(reply, page, result.statusCode);
    }
    setSession(reply, result.token);
    return reply
      .code(303)
      .redirect(result.stage === 'mfa' ? `/staff/mfa?next=${encodeURIComponent(next)}` : '/staff/enrol');
  });

  app.get('/staff/mfa', { config: partial }, async (req, reply) => {
    if (req.staff!.stage !== 'mfa') return reply.code(303).redirect('/staff');
    return html(reply, MfaPage({ csrf: req.staff!.csrfToken, next: signInQuery.parse(req.query ?? {}).next }));
  });

  app.post('/staff/mfa', { config: { ...partial, rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'mfa') return reply.code(303).redirect('/staff');
    const { code, next } = parseForm(codeForm, req.body);
    const result = await signInWithCode(deps, { userId: staff.userId, code }, client(req), req.cookies[SESSION_COOKIE]);
    if (!result.ok)
      return html(reply, MfaPage({ csrf: staff.csrfToken, next, error: result.message }), result.statusCode);
    setSession(reply, result.token);
    return reply.code(303).redirect(next);
  });

  /** The set-up page, with the secret being set up (and an error, when a code did not match). */
  async function enrolPage(reply: FastifyReply, session: EnrolmentSession, csrfToken: string, error?: string) {
    const found = await enrolment(deps, session);
    if (!found.ok) return signInAgain(reply);
    const page = EnrolPage({ csrf: csrfToken, secret: found.secret, qrSvgDataUrl: found.qrSvgDataUrl, error });
    return html(reply, page, error ? 400 : 200);
  }

  app.get('/staff/enrol', { config: partial }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'enrol') return reply.code(303).redirect('/staff');
    return enrolPage(reply, { userId: staff.userId, sessionIdHash: staff.sessionIdHash }, staff.csrfToken);
  });

  app.post('/staff/enrol', { config: { ...partial, rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'enrol') return reply.code(303).redirect('/staff');
    const session = { userId: staff.userId, sessionIdHash: staff.sessionIdHash };
    const { code } = parseForm(enrolForm, req.body);
    const result = await confirmEnrolment(deps, session, code, client(req), req.cookies[SESSION_COOKIE]);
    if (!result.ok && result.code === 'conflict') return signInAgain(reply);
    // No secret yet: the set-up page makes one.
    if (!result.ok && result.code === 'bad_request') return reply.code(303).redirect('/staff/enrol');
    if (!result.ok) return enrolPage(reply, session, staff.csrfToken, result.message);
    setSession(reply, result.token);
    return html(reply, RecoveryCodesPage({ codes: result.recoveryCodes }));
  });

  app.post('/staff/sign-out', { config: partial }, async (req, reply) => {
    await signOut(deps, req.staff!, req.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).redirect('/staff/sign-in?reason=signed-out');
  });

  app.post('/staff/session/keep-alive', { config: anyStaff }, async (req, reply) => {
    await keepAlive(deps, req.staff!.sessionIdHash);
    return reply.send({ ok: true, idleTimeoutMs: opts.settings.idleMs });
  });

  // Each role lands on its daily work: nurses on the calendar, everyone else on the leads inbox.
  app.get('/staff', { config: anyStaff }, async (req, reply) =>
    reply.code(303).redirect(req.staff!.role === 'nurse' ? '/staff/calendar' : '/staff/leads'),
  );

  passwordRoutes(app, deps, csrf);
}
