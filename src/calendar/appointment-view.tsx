import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import type { Slot } from '../scheduling/slots.ts';
import type { Refusal } from '../kernel/refusal.ts';
import { formatDateTime, visitTimes, zoned } from '../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { canSeeLocation, LEAD_ROLES, SCHEDULING_ROLES, type StaffContext } from '../kernel/http/policy.ts';
import { STATUS_LABELS } from '../kernel/ui/labels.ts';
import type { AppointmentDetail, BookableRequest, CalendarColumn } from './repository.ts';
import { ANY_PROVIDER, type FormErrors } from './schema.ts';
import { stateText, typeClass } from './views.tsx';

/** A refused form, shown again: why (a message, and per field in `fields`), what was typed, and free times nearby. */
export interface FormProblem {
  refusal: Refusal;
  values: Record<string, string>;
  alternatives?: Slot[];
}

export const HELP_NO_OVERRIDE =
  'Double booking is not possible: if the provider, nurse, chair or room is busy at the new time, it is refused and nothing changes. There is no override in this release.';

function Row(props: { term: string; children?: Child }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** The free times closest to one that was just taken, after a refusal. */
export function NearbyTimes(props: { heading: string; slots: Slot[] | undefined; zone: string }) {
  if (!props.slots?.length) return null;
  return (
    <Fragment>
      <h2>{props.heading}</h2>
      <ul>
        {props.slots.map((s) => (
          <li>
            <time datetime={new Date(s.start).toISOString()}>{formatDateTime(s.start, props.zone)}</time>
          </li>
        ))}
      </ul>
    </Fragment>
  );
}

export function Problem(props: { problem: FormProblem | undefined }) {
  if (!props.problem) return null;
  const { refusal } = props.problem;
  const fields = Object.entries(refusal.fields ?? {});
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <strong>{refusal.message}</strong>
      </p>
      {fields.length ? (
        <ul>
          {fields.map(([field, message]) => (
            <li>
              <a href={`#${field}`}>{message}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A labelled select with its hint and, after a refusal, its own message, both tied to it for screen readers. */
export function Choice(props: {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
  children?: unknown;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
      <select
        id={props.id}
        name={props.id}
        required
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {props.children}
      </select>
    </div>
  );
}

/** Providers to choose from, after "Any available provider" (the first free one, as online booking does). */
export function ProviderChoice(props: {
  providers: CalendarColumn[];
  chosen: string | undefined;
  error: string | undefined;
  hint?: string;
}) {
  return (
    <Choice id="provider" label="Provider" error={props.error} {...(props.hint ? { hint: props.hint } : {})}>
      <option value={ANY_PROVIDER} selected={(props.chosen ?? ANY_PROVIDER) === ANY_PROVIDER}>
        Any available provider
      </option>
      {props.providers.map((p) => (
        <option value={p.id} selected={props.chosen === p.id}>
          {p.name}
        </option>
      ))}
    </Choice>
  );
}

export function DateTimeFields(props: { date: string; time: string; errors: FormErrors }) {
  const { errors } = props;
  const error = (id: 'date' | 'time') =>
    errors[id] ? (
      <span class="field-error" id={`${id}-error`}>
        {errors[id]}
      </span>
    ) : null;
  return (
    <Fragment>
      <div class="field">
        <label for="date">Date</label>
        {error('date')}
        <input
          id="date"
          name="date"
          type="date"
          required
          value={props.date}
          aria-invalid={errors.date ? 'true' : undefined}
          aria-describedby={errors.date ? 'date-error' : undefined}
        />
      </div>
      <div class="field">
        <label for="time">Start time (clinic local time)</label>
        <span class="hint" id="time-hint">
          24-hour clock, for example 09:30 or 14:00.
        </span>
        {error('time')}
        <input
          id="time"
          name="time"
          type="time"
          step="300"
          required
          value={props.time}
          aria-describedby={errors.time ? 'time-hint time-error' : 'time-hint'}
          aria-invalid={errors.time ? 'true' : undefined}
        />
      </div>
    </Fragment>
  );
}

export function AppointmentPage(props: {
  staff: StaffContext;
  appt: AppointmentDetail;
  now: number;
  notice?: string;
  problem?: FormProblem;
}) {
  const { appt, staff } = props;
  const zone = appt.time_zone;
  const local = zoned(appt.starts_at, zone);
  const state = stateText(appt);
  const base = `/staff/calendar/appointments/${appt.id}`;
  const booked = appt.status === 'booked';
  const name = appt.first_name ? `${appt.first_name} ${appt.last_name ?? ''}`.trim() : 'No patient name';
  const errors = props.problem?.refusal.fields ?? {};
  const values = props.problem?.values ?? {};
  const schedules = SCHEDULING_ROLES.includes(staff.role);
  return StaffLayout({
    title: `${props.problem ? 'Error: ' : ''}${appt.type_name}, ${local.toFormat('LLL d')} · Calendar`,
    staff,
    path: '/staff/calendar',
    children: (
      <Fragment>
        <p>
          <a
            href={`/staff/calendar?${new URLSearchParams({ location: appt.location_slug, date: local.toISODate()! }).toString()}`}
          >
            Back to the calendar for this day
          </a>
        </p>
        <h1>
          <span class={`appt-badge ${typeClass(appt.type_code)}`}>{appt.type_name}</span>{' '}
          {formatDateTime(appt.starts_at, zone)}
        </h1>
        {props.notice ? (
          <div class="notice notice-success" role="status">
            <p>{props.notice}</p>
          </div>
        ) : null}
        <Problem problem={props.problem} />
        <dl class="summary-list">
          <Row term="Patient">{appt.patient_id ? <a href={`/staff/patients/${appt.patient_id}`}>{name}</a> : name}</Row>
          <Row term="Time">{visitTimes(appt.starts_at, appt.ends_at, zone, true)}</Row>
          {appt.provider_name ? <Row term="Provider">{appt.provider_name}</Row> : null}
          {appt.nurse_name ? <Row term="Nurse">{appt.nurse_name}</Row> : null}
          {appt.room_name ? <Row term={appt.room_kind === 'chair' ? 'Chair' : 'Room'}>{appt.room_name}</Row> : null}
          <Row term="Location">{appt.location_name}</Row>
          <Row term="Status">
            {STATUS_LABELS[appt.status] ?? appt.status}
            {state && booked ? `, ${state}` : ''}
          </Row>
          {/* The request belongs to the location it was sent to, which may not be this visit's (nor one this person sees). */}
          {appt.request_id &&
          LEAD_ROLES.includes(staff.role) &&
          appt.request_location_id &&
          canSeeLocation(staff, appt.request_location_id, props.now) ? (
            <Row term="Consultation request">
              <a href={`/staff/leads/${appt.request_id}`}>Open the request and its contact log</a>
            </Row>
          ) : null}
        </dl>

        {booked ? (
          <Fragment>
            <h2>Attendance</h2>
            <form class="form" method="post" action={`${base}/attendance`}>
              <Csrf token={staff.csrfToken} />
              <fieldset>
                <legend>Mark this appointment</legend>
                <div class="radio-group">
                  {(
                    [
                      ['arrived', 'Arrived'],
                      ['no_show', 'No-show'],
                      ['none', 'Not marked'],
                    ] as const
                  ).map(([value, text]) => (
                    <label>
                      <input
                        type="radio"
                        name="attendance"
                        value={value}
                        checked={(appt.attendance ?? 'none') === value}
                      />{' '}
                      {text}
                    </label>
                  ))}
                </div>
              </fieldset>
              <button class="button button-small" type="submit">
                Save attendance
              </button>
            </form>
          </Fragment>
        ) : null}

        {booked && schedules ? (
          <Fragment>
            <h2>Move to another time</h2>
            <form class="form" method="post" action={`${base}/reschedule`}>
              <Csrf token={staff.csrfToken} />
              <p class="hint">
                {[
                  appt.provider_name ? 'Same provider' : '',
                  appt.nurse_name ? 'same nurse' : '',
                  appt.room_name ? `same ${appt.room_kind === 'chair' ? 'chair' : 'room'}` : '',
                  'same length',
                ]
                  .filter(Boolean)
                  .join(', ')
                  .replace(/^s/, 'S')}
                . {HELP_NO_OVERRIDE}
              </p>
              <DateTimeFields
                date={values.date ?? local.toISODate()!}
                time={values.time ?? local.toFormat('HH:mm')}
                errors={errors}
              />
              <button class="button button-small" type="submit">
                Move appointment
              </button>
            </form>

            <h2>Cancel</h2>
            <form class="form" method="post" action={`${base}/cancel`}>
              <Csrf token={staff.csrfToken} />
              <p class="hint">
                The time is released at once and the patient is emailed. The online 24-hour limit does not apply to
                staff.
              </p>
              <button class="button button-small button-secondary" type="submit">
                Cancel this appointment
              </button>
            </form>
          </Fragment>
        ) : null}
      </Fragment>
    ),
  });
}

export interface BookPageProps {
  staff: StaffContext;
  location: { slug: string; name: string; time_zone: string };
  requests: BookableRequest[];
  providers: CalendarColumn[];
  date: string;
  /** The request chosen in advance (from its lead's page). */
  request?: string;
  problem?: FormProblem;
}

export function BookPage(props: BookPageProps) {
  const { staff, location } = props;
  const errors = props.problem?.refusal.fields ?? {};
  const v = props.problem?.values ?? {};
  return StaffLayout({
    title: `${props.problem ? 'Error: ' : ''}Book a consultation · Calendar`,
    staff,
    path: '/staff/calendar',
    children: (
      <Fragment>
        <p>
          <a href={`/staff/calendar?${new URLSearchParams({ location: location.slug }).toString()}`}>
            Back to the calendar
          </a>
        </p>
        <h1>Book a consultation at {location.name}</h1>
        <p>
          For someone who sent a consultation request and would rather book by phone. The booking goes through the same
          checks as online booking, and the patient is emailed a confirmation. {HELP_NO_OVERRIDE}
        </p>
        <Problem problem={props.problem} />
        <NearbyTimes
          heading="Free times nearby with this provider"
          slots={props.problem?.alternatives}
          zone={location.time_zone}
        />
        {props.requests.length === 0 ? (
          <p role="status">There are no open consultation requests at this location to book.</p>
        ) : (
          <form class="form" method="post" action="/staff/calendar/book">
            <Csrf token={staff.csrfToken} />
            <input type="hidden" name="location" value={location.slug} />
            <Choice id="request" label="Consultation request" error={errors.request}>
              {props.requests.map((r) => (
                <option value={r.id} selected={(v.request ?? props.request) === r.id}>
                  {r.first_name} {r.last_name} (received {zoned(r.created_at, location.time_zone).toFormat('LLL d')})
                </option>
              ))}
            </Choice>
            <ProviderChoice providers={props.providers} chosen={v.provider} error={errors.provider} />
            <DateTimeFields date={v.date ?? props.date} time={v.time ?? '09:00'} errors={errors} />
            <button class="button" type="submit">
              Book consultation
            </button>
          </form>
        )}
      </Fragment>
    ),
  });
}
