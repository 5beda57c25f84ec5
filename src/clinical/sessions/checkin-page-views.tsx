import { h, Fragment } from '../../kernel/ui/jsx.ts';
import type { StaffContext } from '../../kernel/http/policy.ts';
import { Csrf, StaffLayout } from '../../kernel/ui/staff-layout.tsx';
import { formatDay, timeRange } from '../../kernel/time/format.ts';
import type { CheckInContext } from './checkin-service.ts';
import { sessionHref } from './views.tsx';

/**
 * The check-in page of one appointment, linked from the calendar and the nurse board: who, when, where, and the one
 * button that begins the session; or why this appointment cannot be checked in now.
 */
export function CheckInPage(props: { staff: StaffContext; ctx: CheckInContext }) {
  const { appointment: appt, patient, sessionId, problem } = props.ctx;
  const zone = appt.timeZone;
  const name = `${patient.first_name} ${patient.last_name}`.trim();
  return StaffLayout({
    title: `Check in · ${appt.typeName}`,
    staff: props.staff,
    path: '/staff/calendar',
    children: (
      <Fragment>
        <h1>Check in</h1>
        <dl class="summary-list checkin-visit">
          <div>
            <dt>Patient</dt>
            <dd>{name}</dd>
          </div>
          <div>
            <dt>Visit</dt>
            <dd>
              {appt.typeName}, {formatDay(appt.startsAt, zone)}, {timeRange(appt.startsAt, appt.endsAt, zone)}
            </dd>
          </div>
          <div>
            <dt>Location</dt>
            <dd>{appt.locationName}</dd>
          </div>
          <div>
            <dt>Chair</dt>
            <dd>{appt.chair ?? 'None assigned'}</dd>
          </div>
          <div>
            <dt>Nurse</dt>
            <dd>{appt.nurse ?? 'None assigned'}</dd>
          </div>
        </dl>
        {sessionId ? (
          <p>
            Already checked in. <a href={sessionHref(patient.id, sessionId)}>Open the session</a>.
          </p>
        ) : problem ? (
          <div class="notice notice-warning" role="status">
            <p>{problem.message}</p>
          </div>
        ) : (
          <form class="form" method="post" action={`/staff/appointments/${appt.id}/check-in`}>
            <Csrf token={props.staff.csrfToken} />
            <p>
              Checking in marks the patient arrived and opens the session: the checklist, the pre-infusion vitals, then
              the start.
            </p>
            <button class="button checkin-button" type="submit">
              Check in {patient.first_name}
            </button>
          </form>
        )}
        <p class="checkin-back">
          <a href={`/staff/calendar/appointments/${appt.id}`}>Back to the appointment</a>
        </p>
      </Fragment>
    ),
  });
}
