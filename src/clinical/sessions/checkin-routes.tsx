import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { isRefusal, notFound, type Refusal } from '../../kernel/refusal.ts';
import { CLINICAL_RECORD_ROLES, PRESCRIBER_ROLES } from '../patient-access.ts';
import { checksDone, notGiven, overrideStart, recheck, saveChecklist } from './checkin-checks-service.ts';
import { CheckInPage } from './checkin-page-views.tsx';
import { checkIn, checkInContext } from './checkin-service.ts';
import { recordVitals } from './checkin-vitals-service.ts';
import { CheckinSection, type CheckinForm } from './checkin-views.tsx';
import { sessionView } from './read.ts';
import { sessionPage } from './page.tsx';
import { sessionHref } from './views.tsx';

const appointmentParams = z.object({ appointment: z.string().max(64) });
const sessionParams = z.object({ id: z.string().max(64), session: z.string().max(64) });

/** A posted form's text fields (anything else is dropped). */
const formOf = (body: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );

type Command = (
  database: FastifyInstance['deps']['database'],
  actor: Actor,
  raw: { patientId: unknown; sessionId: unknown },
  form: Record<string, string>,
) => Promise<{ ok: true; patientId: string; sessionId: string; saved: string } | Refusal>;

/**
 * Check-in (from the calendar or the nurse board) and the pre-infusion checks and vitals of a session. Each command
 * redirects to the session page with what was saved, or shows it again with the refusal on its fields (400, or 409
 * when the session moved on meanwhile).
 */
export async function checkinRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.deps;
  const clinical = { policy: { roles: [...CLINICAL_RECORD_ROLES] } };
  const prescriber = { policy: { roles: [...PRESCRIBER_ROLES] } };
  const actorOf = (req: FastifyRequest): Actor => ({ staff: staffOf(req), ip: req.ip, now: deps.now() });

  app.get('/staff/appointments/:appointment/check-in', { config: clinical }, async (req, reply) => {
    const p = appointmentParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const ctx = await checkInContext(deps.database, actorOf(req), p.data.appointment);
    if (ctx.sessionId) return reply.code(303).redirect(sessionHref(ctx.patient.id, ctx.sessionId));
    return html(reply, CheckInPage({ staff: staffOf(req), ctx }), ctx.problem ? ctx.problem.statusCode : 200);
  });

  app.post('/staff/appointments/:appointment/check-in', { config: clinical }, async (req, reply) => {
    const p = appointmentParams.safeParse(req.params);
    if (!p.success) throw notFound();
    const result = await checkIn(deps.database, actorOf(req), p.data.appointment);
    if (isRefusal(result)) {
      const ctx = await checkInContext(deps.database, actorOf(req), p.data.appointment);
      return html(reply, CheckInPage({ staff: staffOf(req), ctx: { ...ctx, problem: result } }), result.statusCode);
    }
    const saved = result.existed ? '' : '?saved=checked_in';
    return reply.code(303).redirect(`${sessionHref(result.patientId, result.sessionId)}${saved}`);
  });

  /** A refused command: the session page again, its form filled as typed and the refusal on its fields. */
  const refused = async (req: FastifyRequest, reply: FastifyReply, form: CheckinForm, refusal: Refusal) => {
    if (refusal.statusCode === 403 || refusal.statusCode === 404) throw refusal;
    const p = sessionParams.parse(req.params);
    const view = await sessionView(deps.database, actorOf(req), p.id, p.session);
    const values = formOf(req.body);
    const errors = refusal.fields ?? { [form]: refusal.message };
    // A stale page shows the session as it is now; its version field is not a form field to fix.
    const fieldErrors = { ...errors };
    delete fieldErrors.version;
    const summary = errors.version ? { version: refusal.message, ...fieldErrors } : errors;
    return html(
      reply,
      sessionPage(staffOf(req), view, {
        errors: summary,
        area: 'checkin',
        replace: CheckinSection({ staff: staffOf(req), view, state: { form, values, errors: fieldErrors } }),
      }),
      refusal.statusCode,
    );
  };

  const command = (verb: string, form: CheckinForm, run: Command, config = clinical) =>
    app.post(`/staff/patients/:id/sessions/:session/${verb}`, { config }, async (req, reply) => {
      const p = sessionParams.safeParse(req.params);
      if (!p.success) throw notFound();
      const result = await run(
        deps.database,
        actorOf(req),
        { patientId: p.data.id, sessionId: p.data.session },
        formOf(req.body),
      );
      if (isRefusal(result)) return refused(req, reply, form, result);
      return reply.code(303).redirect(`${sessionHref(result.patientId, result.sessionId)}?saved=${result.saved}`);
    });

  command('checklist', 'checklist', saveChecklist);
  command('checks-done', 'checks', checksDone);
  command('recheck', 'checks', recheck);
  command('not-given', 'not_given', notGiven);
  command('override', 'override', overrideStart, prescriber);
  command('vitals', 'vitals', recordVitals);
}
