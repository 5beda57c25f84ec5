import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Role } from '../../kernel/db/schema.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, type Refusal } from '../../kernel/refusal.ts';
import type { Values } from '../../kernel/ui/form.tsx';
import { addAddendum, rulesSettings, saveRules, saveScreening, screeningPage } from '../service.ts';
import { RULES_PATH, RulesPage } from './rules-views.tsx';
import { ScreeningPage } from './screening-views.tsx';

const SAVED = {
  draft: 'Draft saved.',
  signed: 'Screening signed. It can no longer change; add an addendum to correct it.',
  addendum: 'Addendum signed and added.',
} as const;
const savedQuery = z.object({ saved: z.enum(['draft', 'signed', 'addendum']).optional() });
const rulesQuery = z.object({ saved: z.coerce.number().int().min(1).max(1_000_000).optional() });

/** The posted fields as text, for a refused form to show again as typed (codes are never shown back). */
function typed(body: Record<string, unknown>): Values {
  const values: Values = {};
  for (const [k, v] of Object.entries(body))
    if (typeof v === 'string' && k !== 'code' && k !== 'addendum_code' && k !== '_csrf') values[k] = v;
  return values;
}

const bodyOf = (req: FastifyRequest): Record<string, unknown> =>
  req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};

/**
 * The screening page of a patient (clinicians read it; providers write, sign and add addenda) and the
 * contraindication rules page (administrators).
 */
export async function screeningRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const readers = { policy: { roles: ['provider', 'nurse'] as Role[] } };
  const prescribers = { policy: { roles: ['provider'] as Role[] } };
  const admin = { policy: { roles: ['admin'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const idOf = (req: FastifyRequest) => (req.params as { id?: unknown }).id;
  const secret = { secret: deps.config.secret };

  app.get('/staff/patients/:id/screening', { config: readers }, async (req, reply) => {
    const q = savedQuery.safeParse(req.query);
    const data = await screeningPage(deps.database, actorOf(req), idOf(req));
    const saved = q.success && q.data.saved ? SAVED[q.data.saved] : undefined;
    return html(reply, ScreeningPage({ staff: staffOf(req), data, saved }));
  });

  /** A refused form: the page again, as typed for a 400, as it now stands for a stale form (409). */
  const refused = async (
    req: FastifyRequest,
    reply: Parameters<typeof html>[0],
    r: Refusal,
    form: 'screening' | 'addendum',
  ) => {
    const data = await screeningPage(deps.database, actorOf(req), idOf(req));
    const errors = r.fields && Object.keys(r.fields).length > 0 ? r.fields : { version: r.message };
    const values = r.statusCode === 400 ? typed(bodyOf(req)) : undefined;
    return html(
      reply,
      ScreeningPage({ staff: staffOf(req), data, errors, form, ...(values ? { values } : {}) }),
      r.statusCode,
    );
  };

  app.post('/staff/patients/:id/screening', { config: prescribers }, async (req, reply) => {
    const body = bodyOf(req);
    const sign = body.action === 'sign';
    const result = await saveScreening(deps.database, secret, actorOf(req), idOf(req), body, sign);
    if (isRefusal(result)) return refused(req, reply, result, 'screening');
    return reply
      .code(303)
      .redirect(`/staff/patients/${idOf(req) as string}/screening?saved=${sign ? 'signed' : 'draft'}`);
  });

  app.post('/staff/patients/:id/screening/addenda', { config: prescribers }, async (req, reply) => {
    const result = await addAddendum(deps.database, secret, actorOf(req), idOf(req), bodyOf(req));
    if (isRefusal(result)) return refused(req, reply, result, 'addendum');
    return reply.code(303).redirect(`/staff/patients/${idOf(req) as string}/screening?saved=addendum`);
  });

  app.get(RULES_PATH, { config: admin }, async (req, reply) => {
    const q = rulesQuery.safeParse(req.query);
    const { current, versions } = await rulesSettings(deps.database.db);
    const saved =
      q.success && q.data.saved ? `Version ${q.data.saved} saved. New screenings are evaluated with it.` : undefined;
    return html(reply, RulesPage({ staff: staffOf(req), current, versions, ...(saved ? { saved } : {}) }));
  });

  app.post(RULES_PATH, { config: admin }, async (req, reply) => {
    const body = bodyOf(req);
    const result = await saveRules(deps.database, actorOf(req), body);
    if (!isRefusal(result)) return reply.code(303).redirect(`${RULES_PATH}?saved=${result.version}`);
    const { current, versions } = await rulesSettings(deps.database.db);
    const errors = result.fields ?? { rules: result.message };
    // A stale edit shows the version now in force; anything else shows the text as typed, to fix.
    const values = result.statusCode === 409 ? undefined : typed(body);
    return html(
      reply,
      RulesPage({ staff: staffOf(req), current, versions, errors, ...(values ? { values } : {}) }),
      result.statusCode,
    );
  });
}
