import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clinic, LocationWithHours } from '../kernel/clinic.ts';
import { visitorOf } from '../kernel/audit/patient-audit.ts';
import { envelope } from '../kernel/http/errors.ts';
import { Refusal } from '../kernel/refusal.ts';
import { renderDocument } from '../kernel/ui/jsx.ts';
import { consultationRequestSchema, type FieldErrors, type FormValues } from './form-schema.ts';
import { formPage, submitRequest, thanksPage } from './form-service.ts';
import { ConsultationFormPage, ThanksPage } from './form-views.tsx';
import { addressLimiter } from '../kernel/http/refusals.ts';
import { rateStoreOf } from '../kernel/http/rate-store.ts';

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
  // One budget per address for both doors (the form and the JSON API): every accepted request emails the address
  // typed in, so this limit is what stops the form being used to flood a stranger's inbox. (@fastify/rate-limit
  // would count each route apart.)
  const perAddress = addressLimiter(rateStoreOf(database), 'consultation', RATE_LIMIT.max, RATE_LIMIT.timeWindow);
  const oneBudget = async (req: FastifyRequest) => {
    if (await perAddress.take(req.ip, now())) {
      throw new Refusal(
        'too_many_requests',
        `We have received several requests from your connection in a short time, so we paused new ones for up to ${RATE_LIMIT.timeWindow / 60_000} minutes. ` +
          'Please try again then, or call us and we will take your request by phone.',
      );
    }
  };

  function renderForm(
    reply: FastifyReply,
    status: number,
    form: { clinic: Clinic; locations: LocationWithHours[] },
    values: FormValues,
    errors: FieldErrors,
    notice?: string,
  ) {
    const { clinic, locations } = form;
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
      const form = await formPage(database, req.query);
      return renderForm(reply, 200, form, form.values, {});
    },
  );

  /** Validates, then records; shared by the HTML form and the JSON API (see submitRequest). */
  const submit = (req: FastifyRequest) =>
    submitRequest(app.deps, visitorOf(req, now()), consultationRequestSchema.safeParse(req.body));

  function thanksToken(requestId: string, locationId: string): string {
    return tokens.sign({ purpose: 'thanks', ref: requestId, location: locationId, expiresAt: now() + 24 * 3_600_000 });
  }

  app.post('/consultation', { config: { policy: 'public' }, onRequest: oneBudget }, async (req, reply) => {
    const values = asValues(req.body);
    const outcome = await submit(req);
    switch (outcome.kind) {
      case 'invalid':
        return renderForm(reply, 400, await formPage(database), values, outcome.errors);
      case 'honeypot':
        return renderForm(reply, 400, await formPage(database), { ...values, website: '' }, {}, HONEYPOT_MESSAGE);
      case 'key_reused':
        return renderForm(reply, 409, await formPage(database), values, {}, KEY_REUSED_MESSAGE);
      case 'created':
        return reply.code(303).redirect(`/consultation/thanks/${thanksToken(outcome.requestId, outcome.locationId)}`);
    }
  });

  typed.get(
    '/consultation/thanks/:token',
    { config: { policy: 'public' }, schema: { params: z.object({ token: z.string().max(600) }) } },
    async (req, reply) => {
      const { clinic, location } = await thanksPage(app.deps, req.params.token, now());
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
