import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { html } from '../kernel/http/reply.ts';
import { visitorOf } from '../kernel/audit/patient-audit.ts';
import { LinkProblemPage } from '../kernel/ui/link-problem.tsx';
import {
  calendarFile,
  cancelVisit,
  chooseSlot,
  newLinkPage,
  sendNewLink,
  showBooking,
  showCancel,
  showReschedule,
  type LinkPage,
} from './service.ts';
import { newLinkBody, pickerQuery, slotBody, tokenParams } from './schema.ts';
import { CancelConfirmPage, ManagePage, SlotPickerPage, TakenPage, TooLatePage } from './views.tsx';

/** Each answer of a booking link as a page (or a redirect). */
function render(reply: FastifyReply, answer: LinkPage) {
  switch (answer.page) {
    case 'problem':
      return html(
        reply,
        LinkProblemPage({ clinic: answer.clinic, reason: answer.reason }),
        answer.reason === 'expired' || answer.reason === 'closed' ? 410 : 404,
      );
    case 'redirect':
      return reply.code(303).redirect(answer.to);
    case 'picker':
      return html(reply, SlotPickerPage(answer.data));
    case 'manage':
      return html(reply, ManagePage(answer.data));
    case 'cancel':
      return html(reply, CancelConfirmPage(answer.data));
    case 'taken':
      return html(reply, TakenPage(answer.data), 409);
    case 'too-late':
      return html(reply, TooLatePage(answer.data), 409);
  }
}

/** The patient's booking link: choose a time, see the booking, move or cancel it, get it as .ics, or a new link. */
export async function bookingRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const publicRoute = { config: { policy: 'public' as const } };

  typed.get(
    '/book/:token',
    { ...publicRoute, schema: { params: tokenParams, querystring: pickerQuery } },
    async (req, reply) =>
      render(reply, await showBooking(deps, req.params.token, visitorOf(req, deps.now()), req.query)),
  );

  typed.post('/book/:token', { ...publicRoute, schema: { params: tokenParams } }, async (req, reply) =>
    render(
      reply,
      await chooseSlot(deps, req.params.token, visitorOf(req, deps.now()), 'book', slotBody.safeParse(req.body)),
    ),
  );

  typed.get(
    '/book/:token/reschedule',
    { ...publicRoute, schema: { params: tokenParams, querystring: pickerQuery } },
    async (req, reply) =>
      render(reply, await showReschedule(deps, req.params.token, visitorOf(req, deps.now()), req.query)),
  );

  typed.post('/book/:token/reschedule', { ...publicRoute, schema: { params: tokenParams } }, async (req, reply) =>
    render(
      reply,
      await chooseSlot(deps, req.params.token, visitorOf(req, deps.now()), 'reschedule', slotBody.safeParse(req.body)),
    ),
  );

  typed.get('/book/:token/cancel', { ...publicRoute, schema: { params: tokenParams } }, async (req, reply) =>
    render(reply, await showCancel(deps, req.params.token, visitorOf(req, deps.now()))),
  );

  typed.post('/book/:token/cancel', { ...publicRoute, schema: { params: tokenParams } }, async (req, reply) =>
    render(reply, await cancelVisit(deps, req.params.token, visitorOf(req, deps.now()))),
  );

  typed.get('/book/:token/appointment.ics', { ...publicRoute, schema: { params: tokenParams } }, async (req, reply) => {
    const file = await calendarFile(deps, req.params.token, visitorOf(req, deps.now()));
    if (file.page === 'problem') return render(reply, file);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="consultation.ics"')
      .type('text/calendar; charset=utf-8')
      .send(file.ics);
  });

  app.get('/book/new-link', publicRoute, async (_req, reply) =>
    html(reply, LinkProblemPage({ clinic: await newLinkPage(deps), reason: 'invalid' })),
  );

  app.post(
    '/book/new-link',
    { config: { policy: 'public', rateLimit: { max: 5, timeWindow: 15 * 60_000 } } },
    async (req, reply) => {
      const parsed = newLinkBody.safeParse(req.body);
      const { clinic, sent } = await sendNewLink(deps, visitorOf(req, deps.now()), parsed.data?.email);
      if (sent) return html(reply, LinkProblemPage({ clinic, reason: 'sent' }));
      const typedEmail = (req.body as { email?: unknown } | null)?.email;
      return html(
        reply,
        LinkProblemPage({
          clinic,
          reason: 'invalid',
          error: 'Enter an email address like name@example.com.',
          email: typeof typedEmail === 'string' ? typedEmail.slice(0, 254) : '',
        }),
        400,
      );
    },
  );
}
