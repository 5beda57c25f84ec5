import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './kernel/config.ts';
import type { Database } from './kernel/db/database.ts';
import { envelope } from './kernel/http/errors.ts';
import { Refusal } from './kernel/refusal.ts';
import { loggerOptions } from './kernel/log.ts';
import { assetRoutes } from './kernel/ui/assets.ts';
import { siteRoutes } from './site/routes.ts';
import { ErrorPage } from './kernel/ui/error-page.tsx';
import { renderDocument } from './kernel/ui/jsx.ts';
import { getClinic } from './kernel/clinic.ts';
import { consultationRoutes } from './requests/form-routes.ts';
import { installNullCharacterGuard } from './kernel/http/null-characters.ts';
import { bookingRoutes } from './online-booking/routes.ts';
import { waitlistRoutes } from './waitlist/routes.ts';
import { devMailboxRoutes } from './kernel/outbox/dev-mailbox.tsx';
import type { Tokens } from './kernel/tokens.ts';
import type { Policy } from './kernel/http/policy.ts';
import { installGuard } from './kernel/http/guard.ts';
import { rateStoreOf } from './kernel/http/rate-store.ts';
import { routeLimitStore } from './kernel/http/route-limits.ts';
import { installOperations } from './kernel/ops/routes.ts';
import { countRefusal } from './kernel/ops/counters.ts';
import { installBrand } from './kernel/ui/brand/routes.ts';
import { authRoutes } from './staff/auth-routes.tsx';
import { auditRoutes } from './audit-viewer/routes.tsx';
import { leadsRoutes } from './requests/inbox-routes.tsx';
import { adminRoutes } from './staff/admin-routes.ts';
import { calendarRoutes } from './calendar/routes.tsx';
import { patientRoutes } from './patients/routes.tsx';
import { setupRoutes } from './setup/routes.ts';
import { mailRoutes } from './mail/routes.tsx';
import { protocolRoutes } from './clinical/protocols/routes.tsx';
import { safetyRoutes } from './clinical/safety/worklist-routes.tsx';
import { recordRoutes } from './clinical/record/routes.tsx';
import { summaryRoutes } from './clinical/outcomes/summary-routes.tsx';
import { clinicalSettingsRoutes } from './clinical/settings/routes.tsx';
import { intakeRoutes } from './clinical/intake/routes.tsx';
import { questionnaireRoutes } from './clinical/outcomes/questionnaire-routes.tsx';
import { questionnaireStaffRoutes } from './clinical/outcomes/questionnaire-staff-routes.tsx';
import { installWorklistCount, intakeStaffRoutes } from './clinical/intake/staff-routes.tsx';
import { doseOrderRoutes } from './clinical/dosing/order-routes.tsx';
import { sessionRoutes } from './clinical/sessions/routes.tsx';
import { controlledRoutes } from './clinical/sessions/controlled-routes.tsx';
import { sessionAlertRoutes } from './clinical/sessions/alerts-routes.tsx';
import { dischargeRoutes } from './clinical/sessions/discharge-routes.tsx';
import { checkinRoutes } from './clinical/sessions/checkin-routes.tsx';
import { infusionRoutes } from './clinical/sessions/infusion-routes.tsx';
import { boardRoutes } from './clinical/sessions/board-routes.tsx';
import { screeningRoutes } from './clinical/eligibility/screening-routes.tsx';
import { planRoutes } from './clinical/protocols/plan-routes.tsx';
import { patientOutcomesRoutes } from './clinical/outcomes/patient-outcomes-routes.tsx';
import { outcomesReportRoutes } from './clinical/outcomes/report-routes.tsx';

export interface AppDeps {
  config: Config;
  database: Database;
  tokens: Tokens;
  /** The current instant; injectable so tests can stand on a chosen day. */
  now: () => number;
  /** Nudges the outbox worker after a commit so mail goes out at once instead of at the next poll. */
  onOutbox?: () => void;
  /** Starts the report export run at once; settles when it has worked through what was waiting. */
  onExport?: () => Promise<unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyContextConfig {
    /** Who may use a route; see src/kernel/http/policy.ts. Every route declares one. */
    policy?: Policy;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : loggerOptions(deps.config.logLevel),
    bodyLimit: 64 * 1024,
    trustProxy: trustProxy(deps.config.trustProxy),
    routerOptions: { maxParamLength: 300 },
  });
  app.decorate('deps', deps);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const https = deps.config.publicUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // Booking links carry tokens: never send them on to another site.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(formbody);
  await app.register(cookie);
  // Counted where every instance on the same database sees them (see rate-store.ts), not in this process alone.
  await app.register(rateLimit, { global: false, store: routeLimitStore(rateStoreOf(deps.database), deps.now) });
  const sessionSettings = { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionMaxMs };
  // First of the preValidation hooks: the guard's own session lookup comes after it.
  installNullCharacterGuard(app);
  installGuard(app, sessionSettings);
  installBrand(app);
  installWorklistCount(app);

  app.setErrorHandler((err: FastifyError, req, reply) => handleError(app, err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    handleError(app, new Refusal('not_found', 'We could not find that page.'), req, reply),
  );

  installOperations(app);
  await app.register(assetRoutes);
  await app.register(siteRoutes);
  await app.register(consultationRoutes);
  await app.register(bookingRoutes);
  await app.register(waitlistRoutes);
  await app.register(authRoutes, { settings: sessionSettings });
  await app.register(auditRoutes);
  await app.register(leadsRoutes);
  await app.register(adminRoutes);
  await app.register(calendarRoutes);
  await app.register(patientRoutes);
  await app.register(setupRoutes);
  await app.register(mailRoutes);
  await app.register(protocolRoutes);
  await app.register(recordRoutes);
  await app.register(clinicalSettingsRoutes);
  await app.register(intakeRoutes);
  await app.register(questionnaireRoutes);
  await app.register(questionnaireStaffRoutes);
  await app.register(intakeStaffRoutes);
  await app.register(doseOrderRoutes);
  await app.register(sessionRoutes);
  await app.register(controlledRoutes);
  await app.register(sessionAlertRoutes);
  await app.register(dischargeRoutes);
  await app.register(checkinRoutes);
  await app.register(infusionRoutes);
  await app.register(boardRoutes);
  await app.register(screeningRoutes);
  await app.register(planRoutes);
  await app.register(summaryRoutes);
  await app.register(patientOutcomesRoutes);
  await app.register(outcomesReportRoutes);
  await app.register(safetyRoutes);
  if (!deps.config.smtpUrl && !deps.config.production) await app.register(devMailboxRoutes);
  return app;
}

/** A hop count becomes proxy-addr's trust function (Fastify's types accept only flags, addresses or a function). */
function trustProxy(
  setting: boolean | number | string,
): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

async function handleError(
  app: FastifyInstance,
  err: FastifyError | Refusal,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  let status = err.statusCode ?? 500;
  let code = err instanceof Refusal ? err.code : (err.code ?? 'error');
  let message = err.message;
  let fields = err instanceof Refusal ? err.fields : undefined;
  if (hasZodFastifySchemaValidationErrors(err)) {
    status = 400;
    code = 'invalid_request';
    message = 'Some of the information sent is not valid.';
    fields = {};
    /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access --
       fastify-type-provider-zod's issue type does not resolve through Fastify's generic error type */
    for (const issue of err.validation) {
      const path =
        issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || issue.params.issue.path.join('.') || 'request';
      fields[path] ??= issue.message;
    }
    /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  } else if (status >= 500) {
    req.log.error({ err }, 'request failed');
    code = 'internal_error';
    message = 'Something went wrong on our side. Nothing you sent was lost; please try again in a moment.';
  } else if (status === 429) {
    code = 'too_many_requests';
  } else if (status === 413 && !(err instanceof Refusal)) {
    message = 'What you sent is too large.';
  } else if (status === 415) {
    message = 'That kind of content is not accepted here.';
  } else if (status >= 400 && !(err instanceof Refusal)) {
    // Fastify's own 4xx messages can mention internals; keep ours short and plain.
    message = status === 404 ? 'We could not find that page.' : 'The request could not be understood.';
  }
  reply.code(status);
  if (status < 500) countRefusal(code);
  if (req.url.startsWith('/api/') || (req.headers.accept ?? '').startsWith('application/json')) {
    return reply.type('application/json; charset=utf-8').send(envelope(code, message, fields));
  }
  const clinic = await getClinic(app.deps.database.db).catch(() => undefined);
  return reply
    .type('text/html; charset=utf-8')
    .send(renderDocument(ErrorPage({ clinic, status, message, staff: req.staff })));
}
