import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { visitorOf } from '../../kernel/audit/patient-audit.ts';
import { html } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import {
  saveSection,
  showSection,
  showSupport,
  signDocument,
  submitIntake,
  type IntakeAnswer,
} from './link-service.ts';
import { IntakeProblemPage, IntakeSectionPage, IntakeSupportPage } from './patient-views.tsx';
import { ANSWER_SECTIONS, isSection, type AnswerSection } from './sections.ts';

const params = z.object({ token: z.string().max(600), section: z.string().max(20).optional() });
const noticeQuery = z.object({
  saved: z.literal('1').optional(),
  signed: z.literal('1').optional(),
  sent: z.literal('1').optional(),
});

function render(reply: FastifyReply, answer: IntakeAnswer) {
  switch (answer.page) {
    case 'problem':
      return html(
        reply,
        IntakeProblemPage({ clinic: answer.clinic, reason: answer.reason }),
        answer.reason === 'expired' ? 410 : 404,
      );
    case 'redirect':
      return reply.code(303).redirect(answer.to);
    case 'support':
      return html(reply, IntakeSupportPage({ link: answer.link }));
    case 'section':
      return html(reply, IntakeSectionPage(answer), answer.status);
  }
}

/**
 * The pre-visit intake by signed link: public (the link is the key), without JavaScript, one page per section. The
 * token is in the path, as booking links are; logs replace it (see kernel/log.ts).
 */
export async function intakeRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const publicRoute = { config: { policy: 'public' as const } };
  const parse = (req: FastifyRequest) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    return p.data;
  };

  app.get('/intake/:token', publicRoute, async (req, reply) => {
    const { token } = parse(req);
    return reply.code(303).redirect(`/intake/${encodeURIComponent(token)}/history`);
  });

  app.get('/intake/:token/:section', publicRoute, async (req, reply) => {
    const { token, section } = parse(req);
    const visitor = visitorOf(req, deps.now());
    if (section === 'support') return render(reply, await showSupport(deps, token, visitor));
    if (!section || !isSection(section)) throw notFound();
    const q = noticeQuery.safeParse(req.query);
    const notice = q.success
      ? q.data.sent
        ? 'sent'
        : q.data.signed
          ? 'signed'
          : q.data.saved
            ? 'saved'
            : undefined
      : undefined;
    return render(reply, await showSection(deps, token, visitor, section, notice));
  });

  app.post('/intake/:token/:section', publicRoute, async (req, reply) => {
    const { token, section } = parse(req);
    const visitor = visitorOf(req, deps.now());
    if (section === 'consent') return render(reply, await signDocument(deps, token, visitor, req.body));
    if (section === 'review') return render(reply, await submitIntake(deps, token, visitor, req.body));
    if (!section || !(ANSWER_SECTIONS as readonly string[]).includes(section)) throw notFound();
    return render(reply, await saveSection(deps, token, visitor, section as AnswerSection, req.body));
  });
}
