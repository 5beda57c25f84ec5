import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findLocation, getClinic, listLocations } from '../kernel/clinic.ts';
import { aboutRequestId, auditPatient, auditPatientAlone, NOBODY, visitorOf } from '../kernel/audit/patient-audit.ts';
import { envelope } from '../kernel/http/errors.ts';
import { Refusal } from '../kernel/refusal.ts';
import { renderDocument } from '../kernel/ui/jsx.ts';
import { consultationRequestSchema, fieldErrors, REASONS, type FieldErrors } from './form-schema.ts';
import { createConsultationRequest } from './service.ts';
import { ConsultationFormPage, ThanksPage, type FormValues } from './form-views.tsx';
import { addressLimiter } from '../kernel/http/refusals.ts';

const HONEYPOT_MESSAGE =
  'Your request was not sent because a hidden field meant for spam detection was filled in, which usually means a ' +
  'browser extension or form filler typed into it. Please clear it or send the form again from a fresh page, or call us.';
const KEY_REUSED_MESSAGE =
  'This form was already sent with different answers. We kept your first request. If you want to send another one, ' +
  'this fresh form is ready.';

/** Requests per IP in the window; generous for people sharing a connection, tight for scripts. */
const RATE_LIMIT = { max: 10, timeWindow: 15 * 60_000 };

function newFormKey(): string {
  return randomBytes(18).toString('base64url');
}

function asValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') values[k] = v.slice(0, 2000);
  }
  return values;
}

export async function consultationRoutes(app: FastifyInstance): Promise<void> {
  const { database, tokens, now } = app.deps;
  const db = database.db;
  // One budget per address for both doors (the form and the JSON API): every accepted request emails the address
  // typed in, so this limit is what stops the form being used to flood a stranger's inbox. (@fastify/rate-limit
  // would count each route apart.)
  const perAddress = addressLimiter(RATE_LIMIT.max, RATE_LIMIT.timeWindow);
  const oneBudget = async (req: FastifyRequest) => {
    const t = now();
    if (perAddress.blocked(req.ip, t)) {
      throw new Refusal(
        'too_many_requests',
        `We have received several requests from your connection in a short time, so we paused new ones for up to ${RATE_LIMIT.timeWindow / 60_000} minutes. ` +
          'Please try again then, or call us and we will take your request by phone.',
      );
    }
    perAddress.note(req.ip, t);
  };

  async function renderForm(
    reply: FastifyReply,
    status: number,
    values: FormValues,
    errors: FieldErrors,
    notice?: string,
  ) {
    const [clinic, locations] = await Promise.all([getClinic(db), listLocations(db)]);
    if (!clinic) throw new Error('clinic is not set up');
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderDocument(ConsultationFormPage({ clinic, locations, values, errors, formKey: newFormKey(), notice })));
  }

  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/consultation',
    {
      config: { policy: 'public' },
      schema: {
        querystring: z.object({ location: z.string().max(64).optional(), reason: z.string().max(40).optional() }),
      },
    },
    async (req, reply) => {
      const values: FormValues = {};
      if (req.query.location && (await findLocation(db, req.query.location))) values.location = req.query.location;
      if (req.query.reason && req.query.reason in REASONS) values.reason = req.query.reason;
      return renderForm(reply, 200, values, {});
    },
  );

  /**
   * Validates, then records; shared by the HTML form and the JSON API. Every submission is one 'request.create'
   * event: a new request's in its own transaction; refusals by reason (and which fields, never their values).
   */
  async function submit(req: FastifyRequest) {
    const visitor = visitorOf(req, now());
    const refused = (reason: string, errors?: FieldErrors) =>
      auditPatientAlone(database, visitor, 'request.create', 'failure', NOBODY, {
        reason,
        ...(errors ? { fields: Object.keys(errors).sort().join(',') } : {}),
      });
    const parsed = consultationRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      await refused('invalid', errors);
      return { kind: 'invalid' as const, errors };
    }
    if (parsed.data.website) {
      await refused('spam_suspected');
      return { kind: 'honeypot' as const };
    }
    const location = await findLocation(db, parsed.data.location);
    if (!location) {
      const errors: FieldErrors = { location: 'Choose a location from the list.' };
      await refused('invalid', errors);
      return { kind: 'invalid' as const, errors };
    }
    const result = await createConsultationRequest(database, parsed.data, location.id, visitor.now, (trx, id) =>
      auditPatient(trx, database, visitor, 'request.create', 'success', { locationId: location.id, patientRef: id }),
    );
    if (!result.ok) {
      await refused('key_reused');
      return { kind: 'key_reused' as const };
    }
    // A repeated submission changed nothing; it is recorded as such, under the request it repeated.
    if (result.replay)
      await auditPatientAlone(
        database,
        visitor,
        'request.create',
        'success',
        await aboutRequestId(db, result.requestId),
        { replay: true },
      );
    app.deps.onOutbox?.();
    return { kind: 'created' as const, ...result };
  }

  function thanksToken(requestId: string, locationId: string): string {
    return tokens.sign({ purpose: 'thanks', ref: requestId, location: locationId, expiresAt: now() + 24 * 3_600_000 });
  }

  app.post('/consultation', { config: { policy: 'public' }, onRequest: oneBudget }, async (req, reply) => {
    const values = asValues(req.body);
    const outcome = await submit(req);
    switch (outcome.kind) {
      case 'invalid':
        return renderForm(reply, 400, values, outcome.errors);
      case 'honeypot':
        return renderForm(reply, 400, { ...values, website: '' }, {}, HONEYPOT_MESSAGE);
      case 'key_reused':
        return renderForm(reply, 409, values, {}, KEY_REUSED_MESSAGE);
      case 'created':
        return reply.code(303).redirect(`/consultation/thanks/${thanksToken(outcome.requestId, outcome.locationId)}`);
    }
  });

  typed.get(
    '/consultation/thanks/:token',
    { config: { policy: 'public' }, schema: { params: z.object({ token: z.string().max(600) }) } },
    async (req, reply) => {
      // An old or altered link still gets the general "what happens next" page; the request itself is safe.
      const check = tokens.verify(req.params.token, 'thanks', now());
      const [clinic, location] = await Promise.all([
        getClinic(db),
        check.ok ? findLocation(db, check.claims.location) : undefined,
      ]);
      if (!clinic) throw new Error('clinic is not set up');
      return reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(renderDocument(ThanksPage({ clinic, location })));
    },
  );

  app.post('/api/consultation-requests', { config: { policy: 'public' }, onRequest: oneBudget }, async (req, reply) => {
    const outcome = await submit(req);
    switch (outcome.kind) {
      case 'invalid':
        return reply
          .code(400)
          .send(envelope('invalid_request', 'Some of the information sent is not valid.', outcome.errors));
      case 'honeypot':
        return reply.code(400).send(envelope('spam_suspected', HONEYPOT_MESSAGE));
      case 'key_reused':
        return reply
          .code(409)
          .send(envelope('idempotency_key_reused', 'This form_key was already used with different answers.'));
      case 'created':
        return reply.code(outcome.replay ? 200 : 201).send({ status: 'received', replay: outcome.replay });
    }
  });
}
