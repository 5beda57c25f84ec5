import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatTime } from '../../kernel/time/format.ts';
import { FieldError, invalid, type Errors, type Values } from '../../kernel/ui/form.tsx';
import { Csrf } from '../../kernel/ui/staff-layout.tsx';
import { SessionChart } from './alerts-chart.tsx';
import type { AlertItem, SessionAlertsView } from './alerts-read.ts';
import type { SessionView } from './read.ts';
import { sessionHref } from './views.tsx';

const MINUTE = 60_000;

/** The form field of one alert's action: one form per alert on the page, so each has its own. */
export const actionField = (alertId: string) => `action-${alertId}`;

function Escalation(p: { item: AlertItem; alerts: SessionAlertsView; zone: string }) {
  const { escalated } = p.item;
  if (escalated === null)
    return (
      <p class="hint">
        Escalates to the supervising provider at{' '}
        {formatTime(p.item.raisedAt + p.alerts.limits.escalationMinutes * MINUTE, p.zone)} if not acknowledged.
      </p>
    );
  return escalated.to ? (
    <p>
      <strong>Escalated</strong> to {escalated.to} at {formatTime(escalated.at, p.zone)}.
    </p>
  ) : (
    <p>
      <strong>Escalated at {formatTime(escalated.at, p.zone)}, but no provider could be emailed</strong> (no supervising
      provider or prescriber with an account): tell a provider in person.
    </p>
  );
}

/** Open alerts, at the top of the session page: what raised each, and the acknowledgement with the action taken. */
export function OpenAlerts(p: { staff: StaffContext; view: SessionView; values?: Values; errors?: Errors }) {
  const alerts = p.view.alerts;
  if (!alerts || alerts.open.length === 0) return null;
  const zone = p.view.visit.timeZone;
  const base = sessionHref(p.view.patient.id, p.view.session.id);
  const values = p.values ?? {};
  const errors = p.errors ?? {};
  return (
    <section class="session-alerts" aria-labelledby="open-alerts-title">
      <h2 id="open-alerts-title">
        {alerts.open.length === 1 ? 'One open alert' : `${alerts.open.length} open alerts`}
      </h2>
      <ol class="alert-list">
        {alerts.open.map((item) => {
          const field = actionField(item.id);
          return (
            <li class={`alert-item alert-${item.kind}`}>
              <p class="alert-words">
                <span class="alert-mark" aria-hidden="true">
                  !
                </span>{' '}
                {item.words}
              </p>
              <p class="hint">Raised at {formatTime(item.raisedAt, zone)}.</p>
              <Escalation item={item} alerts={alerts} zone={zone} />
              <form method="post" action={`${base}/alerts/${item.id}/acknowledge`} class="alert-ack">
                <Csrf token={p.staff.csrfToken} />
                <input type="hidden" name="version" value={String(p.view.session.version)} />
                <div class="field">
                  <label for={field}>Action taken</label>
                  <FieldError id={field} message={errors[field]} />
                  <textarea id={field} name="action" rows="2" maxlength="500" required {...invalid(field, errors)}>
                    {values[field] ?? ''}
                  </textarea>
                </div>
                <button class="button" type="submit">
                  Acknowledge
                </button>
              </form>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The chart of the session with the limits in force, and the alerts already acknowledged with what was done. */
export function AlertsChartSection(p: { view: SessionView }) {
  const alerts = p.view.alerts;
  if (!alerts) return null;
  const zone = p.view.visit.timeZone;
  const { limits } = alerts;
  return (
    <Fragment>
      {alerts.chart ? (
        <section class="session-chart-section" aria-labelledby="chart-title">
          <h2 id="chart-title">Vital signs chart</h2>
          <p class="hint">
            Alert limits: {limits.row === '*' ? 'the clinic’s limits for every protocol' : `the ${limits.row} limits`},{' '}
            {limits.version === 0 ? 'shipped defaults' : `version ${limits.version}`}; an alert escalates after{' '}
            {limits.escalationMinutes} minutes.{' '}
            {limits.unverified ? <span class="badge badge-unverified">Unverified</span> : null}
          </p>
          <SessionChart {...alerts.chart} />
        </section>
      ) : null}
      {alerts.acknowledged.length > 0 ? (
        <section aria-labelledby="acknowledged-alerts-title">
          <h2 id="acknowledged-alerts-title">Acknowledged alerts</h2>
          <div class="table-scroll" tabindex="0" role="region" aria-labelledby="acknowledged-alerts-caption">
            <table class="data-table">
              <caption id="acknowledged-alerts-caption" class="visually-hidden">
                Alerts acknowledged, with the action taken
              </caption>
              <thead>
                <tr>
                  <th scope="col">Raised</th>
                  <th scope="col">Alert</th>
                  <th scope="col">Action taken</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {alerts.acknowledged.map((item) => (
                  <tr>
                    <td>{formatTime(item.raisedAt, zone)}</td>
                    <td>{item.words}</td>
                    <td class="free-text">{item.acknowledged!.action}</td>
                    <td>
                      {item.acknowledged!.by}, {formatTime(item.acknowledged!.at, zone)}
                      {item.escalated ? ` (escalated ${formatTime(item.escalated.at, zone)})` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </Fragment>
  );
}
