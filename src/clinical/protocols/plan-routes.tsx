import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import type { Role } from '../../kernel/db/schema.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, refuse, type Refusal } from '../../kernel/refusal.ts';
import { patientFor } from '../../patients/service.ts';
import { clinicalPatient, type ClinicalPatient } from '../patient-access.ts';
import { bookPlanSeries } from './book-series.ts';
import { changePlanStatus } from './change-plan-status.ts';
import { cancelPlanSeries, moveSession } from './change-series.ts';
import { createPlan } from './create-plan.ts';
import { activePlanOr409, clinicOr409, currentPlan, planPageData, proposal, seesFigures } from './plan-reads.ts';
import { PlanPage, SeriesPage } from './plan-views.tsx';
import { signPlan } from './sign-plan.ts';

const SAVED: Record<string, string> = {
  created: 'The draft plan is saved. Sign it to make it active.',
  signed: 'The plan is signed and active.',
  status: 'The plan’s status is changed.',
  booked: 'The series is booked.',
  boosters: 'The boosters are booked.',
  moved: 'The session is moved.',
  cancelled: 'Every session ahead is cancelled.',
};

/**
 * A patient's treatment plan: clinicians read its figures, providers write, sign and change it; the front desk and
 * providers book, move and cancel its series. The front desk sees the sessions and their booking only.
 */
export async function planRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const readers = { policy: { roles: ['provider', 'nurse', 'front_desk'] as Role[] } };
  const prescribers = { policy: { roles: ['provider'] as Role[] } };
  const schedulers = { policy: { roles: ['provider', 'front_desk'] as Role[] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });
  const params = (req: FastifyRequest) => req.params as Record<string, string>;
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

  /** The patient if this person may see them: clinicians through the clinical check, the front desk as patients. */
  async function planPatient(actor: Actor, rawId: unknown, action: string): Promise<ClinicalPatient> {
    if (seesFigures(actor)) return clinicalPatient(deps.database, actor, rawId, action);
    const { patient, where } = await patientFor(deps.database, actor, rawId, action);
    return { patient, where };
  }

  async function planPage(
    reply: FastifyReply,
    actor: Actor,
    who: ClinicalPatient,
    status: number,
    extra: { errors?: Record<string, string>; values?: Record<string, string>; saved?: string | undefined } = {},
  ) {
    const data = await planPageData(deps.database, actor, who.patient, who.where);
    return html(
      reply,
      PlanPage({ ...data, values: extra.values ?? {}, errors: extra.errors ?? {}, saved: extra.saved }),
      status,
    );
  }

  /** A refused command re-renders the plan page with the refusal's fields and status. */
  async function answer(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    who: ClinicalPatient,
    result: { ok: true } | Refusal,
    done: string,
  ) {
    if (result.ok) return reply.code(303).redirect(`/staff/patients/${who.patient.id}/plan?done=${done}`);
    const fields = result.fields ?? {};
    const errors = Object.keys(fields).length > 0 ? fields : { form: result.message };
    const values = Object.fromEntries(
      Object.entries(body(req)).filter(([k, v]) => typeof v === 'string' && k !== '_csrf' && k !== 'code'),
    ) as Record<string, string>;
    return planPage(reply, actor, who, result.statusCode, { errors, values });
  }

  app.get('/staff/patients/:id/plan', { config: readers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await planPatient(actor, params(req).id, 'plan.view');
    const done = (req.query as Record<string, unknown>).done;
    return planPage(reply, actor, who, 200, { saved: typeof done === 'string' ? SAVED[done] : undefined });
  });

  app.post('/staff/patients/:id/plan', { config: prescribers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await clinicalPatient(deps.database, actor, params(req).id, 'plan.create');
    return answer(req, reply, actor, who, await createPlan(deps.database, actor, who, req.body), 'created');
  });

  app.post('/staff/patients/:id/plan/:planId/sign', { config: prescribers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await clinicalPatient(deps.database, actor, params(req).id, 'plan.sign');
    const result = await signPlan(
      deps.database,
      { secret: deps.config.secret },
      actor,
      who,
      params(req).planId!,
      req.body,
    );
    return answer(req, reply, actor, who, result, 'signed');
  });

  app.post('/staff/patients/:id/plan/:planId/status', { config: prescribers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await clinicalPatient(deps.database, actor, params(req).id, 'plan.status');
    const result = await changePlanStatus(deps.database, actor, who, params(req).planId!, req.body);
    return answer(req, reply, actor, who, result, 'status');
  });

  for (const kind of ['induction', 'booster'] as const) {
    const path = kind === 'induction' ? 'series' : 'boosters';
    app.get(`/staff/patients/:id/plan/${path}`, { config: schedulers }, async (req, reply) => {
      const actor = actorOf(req);
      const who = await planPatient(actor, params(req).id, 'series.propose');
      const page = await proposal(
        deps.database,
        actor,
        who.patient,
        who.where,
        kind,
        req.query as Record<string, unknown>,
      );
      if ('ok' in page) return answer(req, reply, actor, who, page, '');
      return html(reply, SeriesPage({ ...page, errors: {} }));
    });

    // The proposal again with the times picked so far: posted, so the form's token stays out of the address.
    app.post(`/staff/patients/:id/plan/${path}/check`, { config: schedulers }, async (req, reply) => {
      const actor = actorOf(req);
      const who = await planPatient(actor, params(req).id, 'series.propose');
      const page = await proposal(deps.database, actor, who.patient, who.where, kind, body(req));
      if ('ok' in page) return answer(req, reply, actor, who, page, '');
      return html(reply, SeriesPage({ ...page, errors: {} }));
    });

    app.post(`/staff/patients/:id/plan/${path}`, { config: schedulers }, async (req, reply) => {
      const actor = actorOf(req);
      const who = await planPatient(actor, params(req).id, 'series.book');
      const plan = await activePlanOr409(deps.database, who.patient.id);
      if (isRefusal(plan)) return answer(req, reply, actor, who, plan, '');
      const clinic = await clinicOr409(deps.database);
      const result = await bookPlanSeries(deps.database, clinic, actor, who.where, plan, kind, body(req));
      return answer(req, reply, actor, who, result, kind === 'induction' ? 'booked' : 'boosters');
    });
  }

  app.post('/staff/patients/:id/plan/sessions/move', { config: schedulers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await planPatient(actor, params(req).id, 'series.move');
    const plan = await currentPlan(deps.database, who.patient.id);
    if (!plan) return answer(req, reply, actor, who, refuse('not_found', 'That session could not be found.'), '');
    const clinic = await clinicOr409(deps.database);
    const result = await moveSession(
      deps.database,
      clinic,
      actor,
      who.where,
      plan,
      typeof body(req).session === 'string' ? (body(req).session as string) : '',
      req.body,
    );
    return answer(req, reply, actor, who, result, 'moved');
  });

  app.post('/staff/patients/:id/plan/series/cancel', { config: schedulers }, async (req, reply) => {
    const actor = actorOf(req);
    const who = await planPatient(actor, params(req).id, 'series.cancel');
    const plan = await currentPlan(deps.database, who.patient.id);
    if (!plan)
      return answer(req, reply, actor, who, refuse('conflict', 'No session of this plan is booked ahead.'), '');
    return answer(
      req,
      reply,
      actor,
      who,
      await cancelPlanSeries(deps.database, actor, who.where, plan, body(req)),
      'cancelled',
    );
  });
}
