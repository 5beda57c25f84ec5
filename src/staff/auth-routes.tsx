import { createHmac, timingSafeEqual, randomBytes } from 'node:crypto';
import { html } from '../kernel/http/reply.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAudit, type AuditEntry } from '../kernel/audit/audit.ts';
import { Refusal } from '../kernel/refusal.ts';
import { enqueue } from '../kernel/outbox/outbox.ts';
import { SESSION_COOKIE } from '../kernel/http/guard.ts';
import { ROLES } from '../kernel/http/policy.ts';
import { passwordProblem, hashPassword, verifyPassword } from './passwords.ts';
import { newRecoveryCodes, hashRecoveryCode } from './recovery-codes.ts';
import { openSecret, sealSecret } from './secrets.ts';
import {
  createSession,
  loadSession,
  revokeSession,
  revokeUserSessions,
  sessionProblem,
  type SessionSettings,
} from '../kernel/http/sessions.ts';
import { checkTotp, newTotpSecret, totpQrSvg, totpUri } from './totp.ts';
import { checkAuthLink, createAuthLink, findUser, findUserByEmail, useAuthLink } from './users.ts';
import { lockoutMs, safeNext } from './sign-in-rules.ts';
import {
  EnrolPage,
  ForgotPage,
  MessagePage,
  MfaPage,
  PasswordPage,
  RecoveryCodesPage,
  SignInPage,
} from './auth-views.tsx';

const PRE_COOKIE = 'relief_pre';
const WRONG =
  'That email and password do not match an active account. After several failed attempts, sign-in pauses for a while.';
const SIGN_IN_LIMIT = { max: 20, timeWindow: 15 * 60_000 };

const str = (body: unknown, key: string, max = 1024): string => {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

export async function authRoutes(app: FastifyInstance, opts: { settings: SessionSettings }): Promise<void> {
  const { database, config, now } = app.deps;
  const db = database.db;
  const https = config.publicUrl.startsWith('https:');
  const partial = { policy: 'signed-in-partial' as const };
  const anyStaff = { policy: { roles: ROLES } };

  const audit = (entry: AuditEntry) => database.transact((trx) => appendAudit(trx, database.engine, entry, now()));

  /** Forms shown before there is a session are protected by a cookie-bound token (login CSRF). */
  function preCsrf(req: FastifyRequest, reply: FastifyReply): string {
    let seed = req.cookies[PRE_COOKIE];
    if (!seed || !/^[A-Za-z0-9_-]{32}$/.test(seed)) {
      seed = randomBytes(24).toString('base64url');
      reply.setCookie(PRE_COOKIE, seed, { httpOnly: true, sameSite: 'strict', secure: https, path: '/staff' });
    }
    return createHmac('sha256', config.secret).update(`pre-csrf:${seed}`).digest('base64url');
  }
  function checkPreCsrf(req: FastifyRequest): void {
    const seed = req.cookies[PRE_COOKIE] ?? '';
    const expected = Buffer.from(createHmac('sha256', config.secret).update(`pre-csrf:${seed}`).digest('base64url'));
    const sent = Buffer.from(str(req.body, '_csrf', 100));
    if (!seed || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
      throw new Refusal('csrf', 'This form has expired. Please reload the page and try again.');
    }
  }

  async function startSession(
    req: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    stage: 'mfa' | 'enrol' | 'active',
  ) {
    const old = req.cookies[SESSION_COOKIE];
    if (old) {
      const loaded = await loadSession(db, old);
      if (loaded) await revokeSession(db, loaded.session.id_hash, now());
    }
    // A fresh id at every step up, so a session id seen before sign-in is worthless after it.
    const { token } = await createSession(
      db,
      { userId, stage, ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') },
      now(),
      opts.settings,
    );
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: https,
      path: '/',
      maxAge: Math.floor(opts.settings.absoluteMs / 1000),
    });
  }

  /** Two-step sign-in was set up in another session meanwhile: this one must sign in again with a code. */
  async function enrolledElsewhere(req: FastifyRequest, reply: FastifyReply, idHash: string) {
    await revokeSession(db, idHash, now());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).redirect('/staff/sign-in');
  }

  async function failAttempt(user: { id: string; failed_logins: number } | undefined) {
    if (!user) return;
    const failures = user.failed_logins + 1;
    const pause = lockoutMs(failures);
    await db
      .updateTable('users')
      .set({ failed_logins: failures, locked_until: pause ? now() + pause : null })
      .where('id', '=', user.id)
      .execute();
  }

  app.get('/staff/sign-in', { config: { policy: 'public' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const notices: Record<string, string> = {
      idle: 'You were signed out after a period without activity. Please sign in again.',
      'signed-out': 'You have signed out.',
      password: 'Your password is saved. Sign in with it now.',
    };
    return html(
      reply,
      SignInPage({ csrf: preCsrf(req, reply), next: safeNext(q.next), notice: notices[q.reason ?? ''] }),
    );
  });

  app.post('/staff/sign-in', { config: { policy: 'public', rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    checkPreCsrf(req);
    const email = str(req.body, 'email', 254).trim().toLowerCase();
    const password = str(req.body, 'password', 1024);
    const next = safeNext(str(req.body, 'next', 300));
    const user = email ? await findUserByEmail(db, email) : undefined;
    const locked = Boolean(user?.locked_until && user.locked_until > now());
    // Unknown users, disabled users and paused accounts all cost one full hash and get the same answer.
    const ok =
      (await verifyPassword(user && !locked && !user.disabled_at ? user.password_hash : null, password)) &&
      Boolean(user) &&
      !locked;
    if (!ok || !user || user.disabled_at) {
      if (!locked) await failAttempt(user);
      await audit({
        actorId: user?.id ?? null,
        actorRole: user?.role ?? null,
        locationId: null,
        patientRef: null,
        action: 'sign_in.password',
        outcome: 'failure',
        ip: req.ip,
        detail: { locked },
      });
      return html(reply, SignInPage({ csrf: preCsrf(req, reply), email, error: WRONG, next }), 401);
    }
    // Failures are cleared only when the second step succeeds, so a known password cannot reset the pause on codes.
    await startSession(req, reply, user.id, user.totp_enabled_at ? 'mfa' : 'enrol');
    await audit({
      actorId: user.id,
      actorRole: user.role,
      locationId: null,
      patientRef: null,
      action: 'sign_in.password',
      outcome: 'success',
      ip: req.ip,
    });
    return reply
      .code(303)
      .redirect(user.totp_enabled_at ? `/staff/mfa?next=${encodeURIComponent(next)}` : '/staff/enrol');
  });

  app.get('/staff/mfa', { config: partial }, async (req, reply) => {
    if (req.staff!.stage !== 'mfa') return reply.code(303).redirect('/staff');
    return html(reply, MfaPage({ csrf: req.staff!.csrfToken, next: safeNext((req.query as { next?: string }).next) }));
  });

  app.post('/staff/mfa', { config: { ...partial, rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'mfa') return reply.code(303).redirect('/staff');
    const next = safeNext(str(req.body, 'next', 300));
    const user = (await findUser(db, staff.userId))!;
    const code = str(req.body, 'code', 40).trim();
    const t = now();
    let accepted = false;
    if (!(user.locked_until && user.locked_until > t) && user.totp_secret) {
      const check = checkTotp(openSecret(user.totp_secret, config.secret), code, t, user.last_totp_step);
      if (check.ok) {
        // Conditional write: of two requests racing with one code, only one can move the step forward.
        const res = await db
          .updateTable('users')
          .set({ last_totp_step: check.step, failed_logins: 0, locked_until: null })
          .where('id', '=', user.id)
          .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', check.step)]))
          .executeTakeFirst();
        accepted = Number(res.numUpdatedRows) === 1;
      } else if (/[a-z]/i.test(code)) {
        const res = await db
          .updateTable('recovery_codes')
          .set({ used_at: t })
          .where('user_id', '=', user.id)
          .where('code_hash', '=', hashRecoveryCode(code))
          .where('used_at', 'is', null)
          .executeTakeFirst();
        accepted = Number(res.numUpdatedRows) === 1;
        if (accepted)
          await db
            .updateTable('users')
            .set({ failed_logins: 0, locked_until: null })
            .where('id', '=', user.id)
            .execute();
      }
    }
    await audit({
      actorId: user.id,
      actorRole: user.role,
      locationId: null,
      patientRef: null,
      action: 'sign_in.mfa',
      outcome: accepted ? 'success' : 'failure',
      ip: req.ip,
    });
    if (!accepted) {
      await failAttempt(user);
      return html(
        reply,
        MfaPage({
          csrf: staff.csrfToken,
          next,
          error: 'That code did not work. Codes change every 30 seconds and each can be used once.',
        }),
        401,
      );
    }
    await startSession(req, reply, user.id, 'active');
    return reply.code(303).redirect(next);
  });

  app.get('/staff/enrol', { config: partial }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'enrol') return reply.code(303).redirect('/staff');
    const user = (await findUser(db, staff.userId))!;
    if (user.totp_enabled_at !== null) return enrolledElsewhere(req, reply, staff.sessionIdHash);
    let secret = user.totp_secret && !user.totp_enabled_at ? openSecret(user.totp_secret, config.secret) : undefined;
    if (!secret) {
      secret = newTotpSecret();
      await db
        .updateTable('users')
        .set({ totp_secret: sealSecret(secret, config.secret) })
        .where('id', '=', user.id)
        .execute();
    }
    const svg = await totpQrSvg(totpUri(secret, user.email, 'Relief'));
    return html(
      reply,
      EnrolPage({
        csrf: staff.csrfToken,
        secret,
        qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
      }),
    );
  });

  app.post('/staff/enrol', { config: { ...partial, rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
    const staff = req.staff!;
    if (staff.stage !== 'enrol') return reply.code(303).redirect('/staff');
    const user = (await findUser(db, staff.userId))!;
    if (user.totp_enabled_at !== null) return enrolledElsewhere(req, reply, staff.sessionIdHash);
    if (!user.totp_secret) return reply.code(303).redirect('/staff/enrol');
    const secret = openSecret(user.totp_secret, config.secret);
    const check = checkTotp(secret, str(req.body, 'code', 40), now(), null);
    if (!check.ok) {
      const svg = await totpQrSvg(totpUri(secret, user.email, 'Relief'));
      return html(
        reply,
        EnrolPage({
          csrf: staff.csrfToken,
          secret,
          qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
          error: 'That code did not match. Check the time on your phone and try the newest code.',
        }),
        400,
      );
    }
    const codes = newRecoveryCodes();
    const enabled = await database.transact(async (trx) => {
      // Only the first enrolment counts; any other half-finished sign-in of this account is ended with it.
      const res = await trx
        .updateTable('users')
        .set({ totp_enabled_at: now(), last_totp_step: check.step, failed_logins: 0, locked_until: null })
        .where('id', '=', user.id)
        .where('totp_enabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await revokeUserSessions(trx, user.id, now());
      await trx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
      await trx
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ user_id: user.id, code_hash: hashRecoveryCode(c), used_at: null })))
        .execute();
      await appendAudit(
        trx,
        database.engine,
        {
          actorId: user.id,
          actorRole: user.role,
          locationId: null,
          patientRef: null,
          action: 'mfa.enrol',
          outcome: 'success',
          ip: req.ip,
        },
        now(),
      );
      return true;
    });
    if (!enabled) return enrolledElsewhere(req, reply, staff.sessionIdHash);
    await startSession(req, reply, user.id, 'active');
    return html(reply, RecoveryCodesPage({ codes }));
  });

  app.post('/staff/sign-out', { config: partial }, async (req, reply) => {
    const staff = req.staff!;
    await revokeSession(db, staff.sessionIdHash, now());
    await audit({
      actorId: staff.userId,
      actorRole: staff.role,
      locationId: null,
      patientRef: null,
      action: 'sign_out',
      outcome: 'success',
      ip: req.ip,
    });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(303).redirect('/staff/sign-in?reason=signed-out');
  });

  app.post('/staff/session/keep-alive', { config: anyStaff }, async (req, reply) => {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now() })
      .where('id_hash', '=', req.staff!.sessionIdHash)
      .execute();
    return reply.send({ ok: true, idleTimeoutMs: opts.settings.idleMs });
  });

  // Each role lands on its daily work: nurses on the calendar, everyone else on the leads inbox.
  app.get('/staff', { config: anyStaff }, async (req, reply) =>
    reply.code(303).redirect(req.staff!.role === 'nurse' ? '/staff/calendar' : '/staff/leads'),
  );

  // First password (enrolment link from `relief users create`) and password reset share one form.
  const tokenParams = z.object({ token: z.string().max(100) });
  for (const [path, purpose, title, intro] of [
    [
      '/staff/welcome/:token',
      'enrol',
      'Choose your password',
      'Welcome to Relief. Choose a password; next you will set up two-step sign-in.',
    ],
    [
      '/staff/reset/:token',
      'reset',
      'Choose a new password',
      'Choose a new password. Your verification code is still needed to sign in.',
    ],
  ] as const) {
    const invalid = () =>
      MessagePage({
        title: 'This link is not valid',
        message:
          'The link has expired or was already used. Ask an administrator for a new enrolment link, or request a new reset link.',
        link: { href: '/staff/forgot', label: 'Request a password reset' },
      });
    app.get(path, { config: { policy: 'public' } }, async (req, reply) => {
      const parsed = tokenParams.safeParse(req.params);
      if (!parsed.success) return html(reply, invalid(), 410);
      const { token } = parsed.data;
      if (!(await checkAuthLink(db, token, purpose, now()))) return html(reply, invalid(), 410);
      return html(
        reply,
        PasswordPage({ title, intro, action: path.replace(':token', token), csrf: preCsrf(req, reply) }),
      );
    });
    app.post(path, { config: { policy: 'public', rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
      checkPreCsrf(req);
      const parsed = tokenParams.safeParse(req.params);
      if (!parsed.success) return html(reply, invalid(), 410);
      const { token } = parsed.data;
      const link = await checkAuthLink(db, token, purpose, now());
      if (!link) return html(reply, invalid(), 410);
      const password = str(req.body, 'password');
      const problem =
        password !== str(req.body, 'confirm')
          ? 'The two passwords are not the same.'
          : passwordProblem(password, { email: link.email, name: link.name });
      if (problem)
        return html(
          reply,
          PasswordPage({
            title,
            intro,
            action: path.replace(':token', token),
            csrf: preCsrf(req, reply),
            error: problem,
          }),
          400,
        );
      const hash = await hashPassword(password);
      const done = await database.transact(async (trx) => {
        if (!(await useAuthLink(trx, link.token_hash, now()))) return false;
        // The account's other outstanding links (an older reset email) end with it: a new password is the last word.
        await trx
          .updateTable('auth_tokens')
          .set({ used_at: now() })
          .where('user_id', '=', link.id)
          .where('used_at', 'is', null)
          .execute();
        // The failure count and pause stay: they guard the second step, which only a completed second step clears.
        await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', link.id).execute();
        await revokeUserSessions(trx, link.id, now());
        const user = (await trx.selectFrom('users').select('role').where('id', '=', link.id).executeTakeFirst())!;
        await appendAudit(
          trx,
          database.engine,
          {
            actorId: link.id,
            actorRole: user.role,
            locationId: null,
            patientRef: null,
            action: purpose === 'enrol' ? 'password.set' : 'password.reset',
            outcome: 'success',
            ip: req.ip,
          },
          now(),
        );
        return true;
      });
      if (!done) return html(reply, invalid(), 410);
      return reply.code(303).redirect('/staff/sign-in?reason=password');
    });
  }

  app.get('/staff/forgot', { config: { policy: 'public' } }, async (req, reply) =>
    html(reply, ForgotPage({ csrf: preCsrf(req, reply) })),
  );

  app.post(
    '/staff/forgot',
    { config: { policy: 'public', rateLimit: { max: 5, timeWindow: 15 * 60_000 } } },
    async (req, reply) => {
      checkPreCsrf(req);
      const email = str(req.body, 'email', 254).trim().toLowerCase();
      const user = email ? await findUserByEmail(db, email) : undefined;
      const eligible = user && !user.disabled_at && user.password_hash ? user : undefined;
      // Known or not, the request is recorded in one transaction, so the answer takes about as long either way.
      await database.transact(async (trx) => {
        if (eligible) {
          const { rowId } = await createAuthLink(trx, config.secret, eligible.id, 'reset', now());
          await enqueue(trx, { kind: 'staff_password_reset', refId: rowId, runAt: now() }, now());
        }
        await appendAudit(
          trx,
          database.engine,
          {
            actorId: eligible?.id ?? null,
            actorRole: eligible?.role ?? null,
            locationId: null,
            patientRef: null,
            action: 'password.reset_requested',
            outcome: eligible ? 'success' : 'failure',
            ip: req.ip,
          },
          now(),
        );
      });
      if (eligible) app.deps.onOutbox?.();
      return html(
        reply,
        MessagePage({
          title: 'Check your email',
          message:
            'If that address belongs to an active account, a reset link is on its way. It is valid for one hour.',
          link: { href: '/staff/sign-in', label: 'Back to sign-in' },
        }),
      );
    },
  );
}

export { safeNext, sessionProblem };
