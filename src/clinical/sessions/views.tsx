import { h, Fragment, type Child } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { formatDay, timeRange, formatTime } from '../../kernel/time/format.ts';
import { ClinicalFrame, clinicalHref } from '../patient-frame.tsx';
import type { PatientSessions, SessionView } from './read.ts';
import { STATE_LABELS } from './state.ts';

export const sessionHref = (patientId: string, sessionId: string) =>
  `${clinicalHref(patientId, 'sessions')}/${sessionId}`;

/** A patient's infusion sessions, oldest first, as the clinical record lists them. */
export function SessionListPage(props: { staff: StaffContext; list: PatientSessions }) {
  const { patient, sessions } = props.list;
  return ClinicalFrame({
    staff: props.staff,
    patient,
    tab: 'sessions',
    children:
      sessions.length === 0 ? (
        <p>No infusion sessions yet. A session begins when the nurse checks the patient in on the day.</p>
      ) : (
        <table class="data-table">
          <caption class="visually-hidden">Infusion sessions, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Visit</th>
              <th scope="col">Location</th>
              <th scope="col">State</th>
              <th scope="col">Record</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map(({ session, visit, record }) => (
              <tr>
                <td>
                  <a href={sessionHref(patient.id, session.id)}>{formatDay(visit.startsAt, visit.timeZone)}</a>
                </td>
                <td>{visit.typeName}</td>
                <td>{visit.locationName}</td>
                <td>{STATE_LABELS[session.state]}</td>
                <td>{record === null ? '—' : record.cosigned ? 'Co-signed' : 'Awaiting co-signature'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ),
  });
}

/**
 * One session: the visit, its state and version (every form on the page carries the version it was based on), then
 * each part of the day in order. Each part is its own component beside this file.
 */
export function SessionPage(props: {
  staff: StaffContext;
  view: SessionView;
  saved?: string | undefined;
  errors?: Record<string, string>;
  /** Shown above the visit's facts: what needs someone now (open alerts). */
  top?: Child;
  children?: Child;
}) {
  const { patient, session, visit } = props.view;
  const zone = visit.timeZone;
  return ClinicalFrame({
    staff: props.staff,
    patient,
    tab: 'sessions',
    title: `Infusion session, ${formatDay(visit.startsAt, zone)}`,
    saved: props.saved,
    errors: props.errors ?? {},
    children: (
      <Fragment>
        {props.top}
        <dl class="session-facts">
          <dt>State</dt>
          <dd>
            <strong class={`session-state session-state-${session.state}`}>{STATE_LABELS[session.state]}</strong>
          </dd>
          <dt>Visit</dt>
          <dd>
            {visit.typeName}, {timeRange(visit.startsAt, visit.endsAt, zone)} at {visit.locationName}
          </dd>
          <dt>Chair</dt>
          <dd>{visit.chair ?? 'None assigned'}</dd>
          <dt>Nurse</dt>
          <dd>{visit.nurse ?? 'None assigned'}</dd>
          <dt>Supervising provider</dt>
          <dd>{visit.supervisor ?? 'None assigned'}</dd>
          <dt>Checked in</dt>
          <dd>{formatTime(session.checked_in_at, zone)}</dd>
          {session.started_at !== null ? (
            <Fragment>
              <dt>Started</dt>
              <dd>{formatTime(session.started_at, zone)}</dd>
            </Fragment>
          ) : null}
          {session.stopped_at !== null ? (
            <Fragment>
              <dt>Stopped</dt>
              <dd>{formatTime(session.stopped_at, zone)}</dd>
            </Fragment>
          ) : null}
        </dl>
        {props.children}
      </Fragment>
    ),
  });
}
