import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { patientSessionList, sessionView } from './read.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import { InfusionPart } from './infusion-views.tsx';
import type { SessionView } from './read.ts';
import { SessionListPage, SessionPage } from './views.tsx';

const params = z.object({ id: z.string().max(64) });
const sessionParams = params.extend({ session: z.string().max(64) });

/** A patient's infusion sessions and each session's page (nurses and providers). */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/patients/:id/sessions', { config: clinical }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    const list = await patientSessionList(deps.database, actorOf(req), p.data.id);
    return html(reply, SessionListPage({ staff: staffOf(req), list }));
  });

  app.get('/staff/patients/:id/sessions/:session', { config: clinical }, async (req, reply) => {
    const p = sessionParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
    return renderSession(req, reply, view, { saved: savedMessage(req.query) });
  });
}

/** What a command's `?saved=` code says on the session page once it is done. */
const SAVED: Record<string, string> = {
  started: 'The infusion has started.',
  rate: 'The new rate is recorded.',
  paused: 'The infusion is paused.',
  resumed: 'The infusion is running again.',
  stopped: 'The infusion has stopped: recovery begins.',
  side_effect: 'The side effect is recorded.',
  medication: 'The dose is recorded.',
};

const savedQuery = z.object({ saved: z.string().max(40).optional() });
const savedMessage = (query: unknown) => {
  const q = savedQuery.safeParse(query);
  return q.success && q.data.saved ? SAVED[q.data.saved] : undefined;
};

/**
 * The session page with every part of the day, as read now; a refused command re-renders it with its fields'
 * messages and what was typed.
 */
export function renderSession(
  req: FastifyRequest,
  reply: FastifyReply,
  view: SessionView,
  form: { values?: Values; errors?: Errors; saved?: string | undefined } = {},
  status = 200,
) {
  const staff = staffOf(req);
  const errors = form.errors ?? {};
  return html(
    reply,
    SessionPage({
      staff,
      view,
      saved: form.saved,
      errors,
      children: InfusionPart({ staff, view, values: form.values ?? {}, errors }),
    }),
    status,
  );
}
