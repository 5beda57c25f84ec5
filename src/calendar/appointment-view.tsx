import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import type { Slot } from '../scheduling/slots.ts';
import type { Refusal } from '../kernel/refusal.ts';
import { formatDateTime, visitTimes, zoned } from '../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { canSeeLocation, LEAD_ROLES, SCHEDULING_ROLES, type StaffContext } from '../kernel/http/policy.ts';
import { STATUS_LABELS } from '../kernel/ui/labels.ts';
import type { AppointmentDetail, BookableRequest, CalendarColumn } from './repository.ts';
import { ANY_PROVIDER, STAFF_TIME_STEP_MIN, type FormErrors } from './schema.ts';
import { exactWallInstant } from '../kernel/time/wall-clock.ts';
import { stateText, typeClass } from './views.tsx';

/** A refused form, shown again: why (a message, and per field in `fields`), what was typed, and free times nearby. */
export interface FormProblem {
  refusal: Refusal;
  values: Record<string, string>;
  alternatives?: Slot[];
}

export const HELP_NO_OVERRIDE =
  'Double booking is not possible: if the provider, nurse, chair or room is busy at the new time, it is refused and nothing changes. There is no override in this release.';

/** Infusions begin their session at check-in (clinical sessions); nurses and providers check patients in. */
const CHECKS_IN: ReadonlySet<string> = new Set(['infusion', 'booster']);
const CLINICIANS: ReadonlySet<string> = new Set(['nurse', 'provider']);

function Row(props: { term: string; children?: Child }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** The fields a booking form posts besides the time, carried by each alternative-time button. */
const CARRIED = ['location', 'request', 'type', 'provider', 'nurse', 'room'] as const;

/**
 * The free times closest to one that was just taken, after a refusal: each a button that books it with everything
 * else as typed (posted with its CSRF token to the same action, so the same checks apply). A time that its wall-clock
 * words would not name again (the repeated hour of a fall-back night) is left out rather than booked an hour off.
 */
export function NearbyTimes(props: {
  heading: string;
  slots: Slot[] | undefined;
  zone: string;
  action: string;
  csrf: string;
  values: Record<string, string>;
}) {
  const slots = (props.slots ?? []).flatMap((s) => {
    const local = zoned(s.start, props.zone);
    const date = local.toISODate()!;
    const time = local.toFormat('HH:mm');
    return exactWallInstant(props.zone, date, time) === s.start ? [{ start: s.start, date, time }] : [];
  });
  if (slots.length === 0) return null;
  return (
    <section class="alt-times" aria-labelledby="alt-times-heading">
      <h2 id="alt-times-heading">{props.heading}</h2>
      <ul>
        {slots.map((s) => (
          <li>
            <form method="post" action={props.action}>
              <Csrf token={props.csrf} />
              {CARRIED.map((name) =>
                props.values[name] !== undefined ? (
                  <input type="hidden" name={name} value={props.values[name]} />
                ) : null,
              )}
              <input type="hidden" name="date" value={s.date} />
              <input type="hidden" name="time" value={s.time} />
              <button class="button button-small button-secondary" type="submit">
                Book <time datetime={new Date(s.start).toISOString()}>{formatDateTime(s.start, props.zone)}</time>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
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

/** Nurses to choose from, after "Any available nurse" (for kinds of visit that need one). */
export function NurseChoice(props: {
  nurses: CalendarColumn[];
  chosen: string | undefined;
  error: string | undefined;
}) {
  return (
    <Choice id="nurse" label="Nurse" hint="For kinds that need a nurse." error={props.error}>
      <option value={ANY_PROVIDER} selected={!props.chosen}>
        Any available nurse
      </option>
      {props.nurses.map((n) => (
        <option value={n.id} selected={props.chosen === n.id}>
          {n.name}
        </option>
      ))}
    </Choice>
  );
}

/** Chairs and rooms to choose from, after "Any free one" (each kind of visit takes one kind of place, or none). */
export function PlaceChoice(props: { rooms: CalendarColumn[]; chosen: string | undefined; error: string | undefined }) {
  const group = (kind: 'chair' | 'room', label: string) => {
    const list = props.rooms.filter((r) => r.kind === kind);
    return list.length ? (
      <optgroup label={label}>
        {list.map((r) => (
          <option value={r.id} selected={props.chosen === r.id}>
            {r.name}
          </option>
        ))}
      </optgroup>
    ) : null;
  };
  return (
    <Choice
      id="room"
      label="Chair or room"
      hint="Infusions take a chair; consultations and follow-ups a room."
      error={props.error}
    >
      <option value={ANY_PROVIDER} selected={!props.chosen}>
        Any free chair or room
      </option>
      {group('chair', 'Chairs')}
      {group('room', 'Rooms')}
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
          In steps of {STAFF_TIME_STEP_MIN} minutes.
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
          <span class={`appt-badge ${typeClass(appt.type_kind)}`}>{appt.type_name}</span>{' '}
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
          {appt.supervisor_name ? <Row term="Supervising provider">{appt.supervisor_name}</Row> : null}
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

        {booked && appt.patient_id && CHECKS_IN.has(appt.type_kind) && CLINICIANS.has(staff.role) ? (
          <p>
            <a class="button" href={`/staff/appointments/${appt.id}/check-in`}>
              Check in for the infusion
            </a>
          </p>
        ) : null}
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
                  appt.supervisor_name ? 'a provider on site to supervise' : '',
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
  nurses: CalendarColumn[];
  rooms: CalendarColumn[];
  date: string;
  /** What a calendar cell filled in, or the request a lead's page chose. */
  values: Record<string, string>;
  problem?: FormProblem;
  /** Patients found to book this time for instead (search text, matches, and whether there are more). */
  found?: { q: string; results: Array<{ id: string; name: string; where: string }>; more: boolean; error?: string };
}

/** The cell's time and column, as query parameters for another booking form. */
const carried = (v: Record<string, string>) =>
  new URLSearchParams(
    (['location', 'date', 'time', 'provider', 'nurse', 'room'] as const).flatMap((k) =>
      v[k] !== undefined ? [[k, v[k]] as [string, string]] : [],
    ),
  ).toString();

/**
 * From a calendar cell, the same time can be booked for someone already a patient (an infusion in a chair, a
 * follow-up): find them, then their booking form opens with the cell's time and column filled in.
 */
function PatientFinder(props: { staff: StaffContext; values: Record<string, string>; found: BookPageProps['found'] }) {
  const { found, values } = props;
  return (
    <section aria-labelledby="find-patient-heading">
      <h2 id="find-patient-heading">Or book this time for a patient</h2>
      <form class="form" method="post" action="/staff/calendar/book/patients">
        <Csrf token={props.staff.csrfToken} />
        {(['location', 'date', 'time', 'provider', 'nurse', 'room'] as const).map((k) =>
          values[k] !== undefined ? <input type="hidden" name={k} value={values[k]} /> : null,
        )}
        <div class="field">
          <label for="q">Name, email or phone</label>
          {found?.error ? (
            <span class="field-error" id="q-error">
              {found.error}
            </span>
          ) : null}
          <input
            id="q"
            name="q"
            type="search"
            value={found?.q ?? ''}
            maxlength="100"
            aria-invalid={found?.error ? 'true' : undefined}
            aria-describedby={found?.error ? 'q-error' : undefined}
          />
        </div>
        <button class="button button-small" type="submit">
          Find patient
        </button>
      </form>
      {found && !found.error ? (
        found.results.length === 0 ? (
          <p role="status">No patient at your locations matches.</p>
        ) : (
          <Fragment>
            <p role="status">
              {found.more
                ? `The first ${found.results.length} matches; add more of the name to narrow the search.`
                : `${found.results.length} ${found.results.length === 1 ? 'match' : 'matches'}.`}
            </p>
            <ul>
              {found.results.map((p) => (
                <li>
                  <a href={`/staff/patients/${p.id}/book?${carried(values)}`}>Book for {p.name}</a> ({p.where})
                </li>
              ))}
            </ul>
          </Fragment>
        )
      ) : null}
    </section>
  );
}

/** What the calendar cell chose, in words: "Chosen on the calendar: Tuesday, March 3 at 9:15 AM, Chair 2." */
export function ChosenCell(props: { values: Record<string, string>; columns: CalendarColumn[] }) {
  const { values } = props;
  if (!values.date || !values.time) return null;
  // Wall-clock words of the form's own values (read as UTC only so no zone shifts them).
  const when = zoned(Date.parse(`${values.date}T${values.time}:00Z`), 'UTC').toFormat("cccc, LLLL d 'at' h:mm a");
  const column = props.columns.find((c) => c.id === (values.provider ?? values.nurse ?? values.room));
  return (
    <p class="notice" role="status">
      Chosen on the calendar: {when}
      {column ? `, ${column.name}` : ''}. Change anything below before booking.
    </p>
  );
}

export function BookPage(props: BookPageProps) {
  const { staff, location } = props;
  const errors = props.problem?.refusal.fields ?? {};
  const v = props.problem?.values ?? props.values;
  const fromCell = props.values.time !== undefined;
  return StaffLayout({
    title: `${props.problem ? 'Error: ' : ''}Book ${fromCell ? 'this time' : 'a consultation'} · Calendar`,
    staff,
    path: '/staff/calendar',
    children: (
      <Fragment>
        <p>
          <a
            href={`/staff/calendar?${new URLSearchParams({ location: location.slug, ...(props.values.date ? { date: props.values.date } : {}) }).toString()}`}
          >
            Back to the calendar
          </a>
        </p>
        <h1>Book a consultation at {location.name}</h1>
        <p>
          For someone who sent a consultation request and would rather book by phone. The booking goes through the same
          checks as online booking, and the patient is emailed a confirmation. {HELP_NO_OVERRIDE}
        </p>
        {fromCell ? (
          <ChosenCell values={props.values} columns={[...props.providers, ...props.nurses, ...props.rooms]} />
        ) : null}
        <Problem problem={props.problem} />
        <NearbyTimes
          heading="Free times nearby: book one"
          slots={props.problem?.alternatives}
          zone={location.time_zone}
          action="/staff/calendar/book"
          csrf={staff.csrfToken}
          values={props.problem?.values ?? {}}
        />
        {props.requests.length === 0 ? (
          <p role="status">There are no open consultation requests at this location to book.</p>
        ) : (
          <form class="form" method="post" action="/staff/calendar/book">
            <Csrf token={staff.csrfToken} />
            <input type="hidden" name="location" value={location.slug} />
            <Choice id="request" label="Consultation request" error={errors.request}>
              {props.requests.map((r) => (
                <option value={r.id} selected={v.request === r.id}>
                  {r.first_name} {r.last_name} (received {zoned(r.created_at, location.time_zone).toFormat('LLL d')})
                </option>
              ))}
            </Choice>
            <ProviderChoice providers={props.providers} chosen={v.provider} error={errors.provider} />
            {props.nurses.length ? <NurseChoice nurses={props.nurses} chosen={v.nurse} error={errors.nurse} /> : null}
            {props.rooms.length ? <PlaceChoice rooms={props.rooms} chosen={v.room} error={errors.room} /> : null}
            <DateTimeFields date={v.date ?? props.date} time={v.time ?? '09:00'} errors={errors} />
            <button class="button" type="submit">
              Book consultation
            </button>
          </form>
        )}
        {fromCell || props.found ? <PatientFinder staff={staff} values={props.values} found={props.found} /> : null}
      </Fragment>
    ),
  });
}
