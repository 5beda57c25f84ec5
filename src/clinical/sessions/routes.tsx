import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../kernel/audit/staff-audit.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import { notFound } from '../../kernel/refusal.ts';
import { h } from '../../kernel/ui/jsx.ts';
import { CLINICAL_RECORD_ROLES } from '../patient-access.ts';
import { patientSessionList, sessionView } from './read.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { ControlledSection, CONTROLLED_SAVED } from './controlled-views.tsx';
import type { SessionView } from './read.ts';
import { SessionListPage, SessionPage, sessionHref } from './views.tsx';
import { ALERT_SAVED } from './alerts-routes.tsx';
import { AlertsChartSection, OpenAlerts } from './alerts-views.tsx';
import { DischargeSection } from './discharge-views.tsx';
import { CHECKIN_SAVED, CheckinSection } from './checkin-views.tsx';
import { DISCHARGE_SAVED } from './discharge-routes.tsx';

/** What the last command left to show: its saved code, or the form it refused with its values and messages. */
export interface SessionForm {
  saved?: string | undefined;
  values?: Values;
  errors?: Errors;
}

/** What each command's `?saved=` code says on the page. */
const SAVED: Record<string, string> = { ...CHECKIN_SAVED, ...CONTROLLED_SAVED, ...ALERT_SAVED, ...DISCHARGE_SAVED };

/** The session page with every part of the day; a command's refusal re-renders it through here too. */
export function sessionPage(staff: StaffContext, view: SessionView, form: SessionForm = {}) {
  const base = sessionHref(view.patient.id, view.session.id);
  const part = { staff, version: view.session.version, values: form.values ?? {}, errors: form.errors ?? {} };
  return SessionPage({
    staff,
    view,
    saved: form.saved && Object.hasOwn(SAVED, form.saved) ? SAVED[form.saved] : undefined,
    errors: form.errors ?? {},
    top: view.alerts ? OpenAlerts({ staff, view }) : null,
    children: [
      CheckinSection({ staff, view }),
      view.alerts ? AlertsChartSection({ view }) : null,
      view.controlled ? (
        <ControlledSection {...part} action={`${base}/waste`} zone={view.visit.timeZone} part={view.controlled} />
      ) : null,
      view.discharge ? DischargeSection({ staff, view, values: form.values ?? {}, errors: form.errors ?? {} }) : null,
    ],
  });
}

const params = z.object({ id: z.string().max(64) });
const sessionParams = params.extend({ session: z.string().max(64) });
const savedQuery = z.object({ saved: z.string().max(32).optional() });

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
    const q = savedQuery.safeParse(req.query);
    return html(reply, sessionPage(staffOf(req), view, { saved: q.success ? q.data.saved : undefined }));
  });
}
