/**
 * The session page, composed: every part of the infusion day in the order of the day, each part's own component,
 * and one place that says what a command's `?saved=` code means. The GET and every command's refusal render through
 * `sessionPage`, so a refused form never hides the rest of the session.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { html, staffOf } from '../../kernel/http/reply.ts';
import type { Errors, Values } from '../../kernel/ui/form.tsx';
import { h, type Child } from '../../kernel/ui/jsx.ts';
import { AlertsChartSection, OpenAlerts } from './alerts-views.tsx';
import { CHECKIN_SAVED, CheckinSection } from './checkin-views.tsx';
import { ControlledSection, CONTROLLED_SAVED } from './controlled-views.tsx';
import { DischargeSection } from './discharge-views.tsx';
import { InfusionPart } from './infusion-views.tsx';
import type { SessionView } from './read.ts';
import { SessionPage, sessionHref } from './views.tsx';

/** The parts of the session page that have forms of their own. */
export type SessionArea = 'checkin' | 'infusion' | 'controlled' | 'discharge';

/**
 * What the last command left to show: its saved code; or, refused, the page-level messages and the refused part
 * (`area`) with what was typed and its fields' messages. The other parts render as they are, so a refusal never
 * hides the rest of the session.
 */
export interface SessionForm {
  saved?: string | undefined;
  errors?: Errors;
  area?: SessionArea;
  values?: Values;
  /** The refused part, rendered by its own route with its own form state. */
  replace?: Child;
  /** The open alerts at the top, when an acknowledgement was refused (with what was typed). */
  top?: Child;
}

const INFUSION_SAVED: Record<string, string> = {
  started: 'The infusion has started.',
  rate: 'The new rate is recorded.',
  paused: 'The infusion is paused.',
  resumed: 'The infusion is running again.',
  stopped: 'The infusion has stopped: recovery begins.',
  side_effect: 'The side effect is recorded.',
  medication: 'The dose is recorded.',
};

const ALERT_SAVED: Record<string, string> = {
  'alert-acknowledged': 'The alert is acknowledged, with the action taken.',
};

const DISCHARGE_SAVED: Record<string, string> = {
  assessed: 'Assessment saved. The list shows what is still missing.',
  'assessed-ready': 'Assessment saved: every condition holds, the patient is ready for discharge.',
  discharged: 'Patient discharged. The session record is written and awaits the supervising provider’s co-signature.',
  'record-cosigned': 'Record co-signed.',
  'record-addendum': 'Addendum added.',
};

/** What each command's `?saved=` code says on the page. */
const SAVED: Record<string, string> = {
  ...CHECKIN_SAVED,
  ...INFUSION_SAVED,
  ...CONTROLLED_SAVED,
  ...ALERT_SAVED,
  ...DISCHARGE_SAVED,
};

/** The session page with every part of the day, in the order of the day; a refusal re-renders it through here. */
export function sessionPage(staff: StaffContext, view: SessionView, form: SessionForm = {}) {
  const base = sessionHref(view.patient.id, view.session.id);
  const typed = (area: SessionArea) =>
    form.area === area ? { values: form.values ?? {}, errors: form.errors ?? {} } : { values: {}, errors: {} };
  const part = (area: SessionArea, child: () => Child) => (form.area === area && form.replace ? form.replace : child());
  return SessionPage({
    staff,
    view,
    saved: form.saved && Object.hasOwn(SAVED, form.saved) ? SAVED[form.saved] : undefined,
    errors: form.errors ?? {},
    top: form.top ?? (view.alerts ? OpenAlerts({ staff, view }) : null),
    children: [
      part('checkin', () => CheckinSection({ staff, view })),
      part('infusion', () => (view.infusion ? InfusionPart({ staff, view, ...typed('infusion') }) : null)),
      view.alerts ? AlertsChartSection({ view }) : null,
      part('controlled', () =>
        view.controlled ? (
          <ControlledSection
            staff={staff}
            version={view.session.version}
            {...typed('controlled')}
            action={`${base}/waste`}
            zone={view.visit.timeZone}
            part={view.controlled}
          />
        ) : null,
      ),
      part('discharge', () => (view.discharge ? DischargeSection({ staff, view, ...typed('discharge') }) : null)),
    ],
  });
}

/** The infusion part's commands re-render the whole page through here (what was typed goes back to its forms). */
export function renderSession(
  req: FastifyRequest,
  reply: FastifyReply,
  view: SessionView,
  form: { values?: Values; errors?: Errors; saved?: string | undefined } = {},
  status = 200,
) {
  return html(reply, sessionPage(staffOf(req), view, { ...form, area: 'infusion' }), status);
}
