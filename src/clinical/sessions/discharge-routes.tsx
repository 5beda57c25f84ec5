/**
 * Recovery, discharge and the session record: POST commands under the session page (each redirects back with
 * ?saved=… or re-renders the page with 400/409 and the fields' messages) and the printable discharge sheet.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, notFound, type Refusal } from '../../kernel/refusal.ts';
import type { Values } from '../../kernel/ui/form.tsx';
import { CLINICAL_RECORD_ROLES, PRESCRIBER_ROLES } from '../patient-access.ts';
import { drugBalanceOf } from './discharge-balance.ts';
import { dischargeSheet } from './discharge-read.ts';
import { assessDischarge, dischargeSession, overrideDischarge } from './discharge-service.ts';
import { DischargeSheetPage } from './discharge-sheet.tsx';
import { sessionPage } from './page.tsx';
import { sessionView } from './read.ts';
import { addRecordAddendum, cosignSessionRecord } from './record-service.ts';
import { sessionHref } from './views.tsx';

const params = z.object({ id: z.string().max(64), session: z.string().max(64) });

/** The form's own fields back as values (never the authenticator codes). */
function valuesOf(body: Record<string, unknown>): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(body))
    if (typeof v === 'string' && !k.endsWith('_code') && k !== '_csrf') out[k] = v;
  return out;
}

export async function dischargeRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const prescriber = { policy: { roles: [...PRESCRIBER_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const discharge = { drugBalanced: drugBalanceOf };
  const secret = { secret: deps.config.secret };
  const base = '/staff/patients/:id/sessions/:session';

  type Command = (
    actor: Actor,
    patientId: string,
    sessionId: string,
    body: Record<string, unknown>,
  ) => Promise<{ ok: true; saved: string } | Refusal>;

  const command = (verb: string, config: typeof clinical, run: Command) =>
    app.post(`${base}/${verb}`, { config }, async (req: FastifyRequest, reply: FastifyReply) => {
      const p = params.safeParse(req.params);
      if (!p.success) throw notFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const result = await run(actorOf(req), p.data.id, p.data.session, body);
      if (result.ok) return reply.code(303).redirect(`${sessionHref(p.data.id, p.data.session)}?saved=${result.saved}`);
      if (!isRefusal(result) || result.statusCode === 403 || result.statusCode === 404) throw result;
      // Re-read: the page shows the session as it is now, with the refusal on the field it names.
      const view = await sessionView(deps.database, actorOf(req), p.data.id, p.data.session);
      // The fields' own messages when the refusal names fields; otherwise its message at the top.
      const errors = result.fields && Object.keys(result.fields).length > 0 ? result.fields : { form: result.message };
      const staff = staffOf(req);
      const values = valuesOf(body);
      return html(reply, sessionPage(staff, view, { errors, area: 'discharge', values }), result.statusCode);
    });

  command('assess', clinical, (actor, id, session, body) =>
    assessDischarge(deps.database, discharge, actor, id, session, body),
  );
  command('discharge', clinical, (actor, id, session, body) =>
    dischargeSession(deps.database, discharge, actor, id, session, body),
  );
  command('discharge-override', prescriber, (actor, id, session, body) =>
    overrideDischarge(deps.database, discharge, actor, id, session, body),
  );
  command('record-cosign', prescriber, (actor, id, session, body) =>
    cosignSessionRecord(deps.database, secret, actor, id, session, body),
  );
  command('record-addendum', clinical, (actor, id, session, body) =>
    addRecordAddendum(deps.database, secret, actor, id, session, body),
  );

  app.get(`${base}/discharge-sheet`, { config: clinical }, async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw notFound();
    const sheet = await dischargeSheet(deps.database, actorOf(req), p.data.id, p.data.session);
    return html(reply, DischargeSheetPage({ staff: staffOf(req), sheet }));
  });
}
