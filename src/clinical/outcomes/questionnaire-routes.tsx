import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { visitorOf } from '../../kernel/audit/patient-audit.ts';
import { html } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { addDiary, showDiary, type DiaryAnswer } from './diary-service.ts';
import { DiaryPage } from './diary-views.tsx';
import { answerQuestionnaire, showDone, showQuestionnaire, type LinkAnswer } from './questionnaire-link-service.ts';
import { LinkProblemPage, QuestionnaireDonePage, QuestionnaireFormPage } from './questionnaire-patient-views.tsx';

const params = z.object({ token: z.string().max(600) });
const query = z.object({
  saved: z.literal('1').optional(),
  left: z.literal('1').optional(),
});

function render(reply: FastifyReply, answer: LinkAnswer | DiaryAnswer) {
  switch (answer.page) {
    case 'problem':
      return html(
        reply,
        LinkProblemPage({ clinic: answer.clinic, reason: answer.reason }),
        answer.reason === 'expired' || answer.reason === 'closed' ? 410 : 404,
      );
    case 'redirect':
      return reply.code(303).redirect(answer.to);
    case 'form':
      return html(reply, QuestionnaireFormPage(answer), answer.status);
    case 'done':
      return html(reply, QuestionnaireDonePage(answer));
    case 'diary':
      return html(reply, DiaryPage(answer), answer.status);
  }
}

/**
 * Follow-up questionnaires and the pain diary by signed link: public (the link is the key), without JavaScript. The
 * token is in the path, as intake links are; logs replace it (see kernel/log.ts).
 */
export async function questionnaireRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const publicRoute = { config: { policy: 'public' as const } };
  const tokenOf = (req: FastifyRequest) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    return p.data.token;
  };
  const queryOf = (req: FastifyRequest) => {
    const q = query.safeParse(req.query);
    return q.success ? q.data : {};
  };

  app.get('/questionnaire/:token', publicRoute, async (req, reply) => {
    const q = queryOf(req);
    const notice = q.left ? 'incomplete' : q.saved ? 'saved' : undefined;
    return render(reply, await showQuestionnaire(deps, tokenOf(req), visitorOf(req, deps.now()), notice));
  });
  app.post('/questionnaire/:token', publicRoute, async (req, reply) =>
    render(reply, await answerQuestionnaire(deps, tokenOf(req), visitorOf(req, deps.now()), req.body)),
  );
  app.get('/questionnaire/:token/done', publicRoute, async (req, reply) =>
    render(reply, await showDone(deps, tokenOf(req), visitorOf(req, deps.now()))),
  );
  app.get('/diary/:token', publicRoute, async (req, reply) =>
    render(reply, await showDiary(deps, tokenOf(req), visitorOf(req, deps.now()), queryOf(req).saved === '1')),
  );
  app.post('/diary/:token', publicRoute, async (req, reply) =>
    render(reply, await addDiary(deps, tokenOf(req), visitorOf(req, deps.now()), req.body)),
  );
}
