import type { FastifyInstance } from 'fastify';
import { html } from '../kernel/http/reply.ts';
import { FORGOT_LIMIT, forgotForm, linkParams, parseForm, passwordForm, SIGN_IN_LIMIT } from './auth-forms.ts';
import { ForgotPage, MessagePage, PasswordPage } from './auth-views.tsx';
import type { StaffDeps } from './deps.ts';
import { choosePassword, passwordLink, requestPasswordReset } from './password-service.ts';
import type { PreCsrf } from './pre-csrf.ts';

const invalidLink = () =>
  MessagePage({
    title: 'This link is not valid',
    message:
      'The link has expired or was already used. Ask an administrator for a new enrolment link, or request a new reset link.',
    link: { href: '/staff/forgot', label: 'Request a password reset' },
  });

/** Choosing a password through an emailed link, and asking for a reset link. Registered by authRoutes. */
export function passwordRoutes(app: FastifyInstance, deps: StaffDeps, csrf: PreCsrf): void {
  // First password (enrolment link from `relief users create`) and password reset share one form.
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
    app.get(path, { config: { policy: 'public' } }, async (req, reply) => {
      const parsed = linkParams.safeParse(req.params);
      if (!parsed.success) return html(reply, invalidLink(), 410);
      const { token } = parsed.data;
      const link = await passwordLink(deps, token, purpose);
      if (!link.ok) return html(reply, invalidLink(), link.statusCode);
      const action = path.replace(':token', token);
      return html(reply, PasswordPage({ title, intro, action, csrf: csrf.issue(req, reply) }));
    });

    app.post(path, { config: { policy: 'public', rateLimit: SIGN_IN_LIMIT } }, async (req, reply) => {
      csrf.check(req);
      const parsed = linkParams.safeParse(req.params);
      if (!parsed.success) return html(reply, invalidLink(), 410);
      const { token } = parsed.data;
      const { password, confirm } = parseForm(passwordForm, req.body);
      const result = await choosePassword(deps, { token, purpose, password, confirm }, req.ip);
      if (result.ok) return reply.code(303).redirect('/staff/sign-in?reason=password');
      if (result.code === 'gone') return html(reply, invalidLink(), result.statusCode);
      const action = path.replace(':token', token);
      const page = PasswordPage({ title, intro, action, csrf: csrf.issue(req, reply), error: result.message });
      return html(reply, page, result.statusCode);
    });
  }

  app.get('/staff/forgot', { config: { policy: 'public' } }, async (req, reply) =>
    html(reply, ForgotPage({ csrf: csrf.issue(req, reply) })),
  );

  app.post('/staff/forgot', { config: { policy: 'public', rateLimit: FORGOT_LIMIT } }, async (req, reply) => {
    csrf.check(req);
    await requestPasswordReset(deps, parseForm(forgotForm, req.body).email, req.ip);
    return html(
      reply,
      MessagePage({
        title: 'Check your email',
        message: 'If that address belongs to an active account, a reset link is on its way. It is valid for one hour.',
        link: { href: '/staff/sign-in', label: 'Back to sign-in' },
      }),
    );
  });
}
