import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import {
  ATTENDANCE_LABELS,
  CONTACT_METHODS,
  label,
  LEAD_STATUSES,
  NOTE_KINDS,
  REASONS,
  STATUS_LABELS,
} from '../kernel/ui/labels.ts';
import { lines } from '../kernel/ui/text.ts';
import { consultationTime, shortDateTime } from '../kernel/time/format.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { CLINICAL_ROLES, LEAD_ROLES, SCHEDULING_ROLES, type StaffContext } from '../kernel/http/policy.ts';
import type { Patient, PatientAppointment, PatientListRow, PatientNote, PatientRequest } from './repository.ts';
import type { InTreatment } from '../clinical/service.ts';

export function PatientsPage(props: {
  staff: StaffContext;
  q: string;
  results: PatientListRow[] | undefined;
  more: boolean;
  tooShort: boolean;
  /** For clinicians: the patients in treatment at their locations. */
  inTreatment?: InTreatment[] | undefined;
}) {
  const { results } = props;
  return StaffLayout({
    title: props.tooShort ? 'Error: Patients' : 'Patients',
    staff: props.staff,
    path: '/staff/patients',
    children: (
      <Fragment>
        <h1>Patients</h1>
        <p>Find a patient of your locations by name, email address or phone number.</p>
        <form class="form filters" method="post" action="/staff/patients" role="search" aria-label="Find a patient">
          <Csrf token={props.staff.csrfToken} />
          <div class="field">
            <label for="q">Name, email or phone</label>
            {props.tooShort ? (
              <p class="field-error" id="q-error">
                <span class="visually-hidden">Error: </span>Enter at least 2 characters.
              </p>
            ) : null}
            <input
              id="q"
              name="q"
              type="search"
              value={props.q}
              maxlength="100"
              aria-invalid={props.tooShort ? 'true' : undefined}
              aria-describedby={props.tooShort ? 'q-error' : undefined}
            />
          </div>
          <button class="button" type="submit">
            Search
          </button>
        </form>
        {results === undefined ? null : results.length === 0 ? (
          <p role="status">No patient of your locations matches that.</p>
        ) : (
          <div class="table-scroll" role="region" aria-labelledby="patients-caption" tabindex="0">
            <table class="mailbox">
              <caption id="patients-caption">
                {props.more
                  ? `The first ${results.length} matches; add more of the name to narrow the search`
                  : `${results.length} ${results.length === 1 ? 'match' : 'matches'}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Home location</th>
                </tr>
              </thead>
              <tbody>
                {results.map((p) => (
                  <tr>
                    <th scope="row">
                      <a href={`/staff/patients/${p.id}`}>
                        {p.last_name}, {p.first_name}
                      </a>
                    </th>
                    <td>{p.email}</td>
                    <td>{p.phone}</td>
                    <td>{p.location_name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {props.inTreatment ? <InTreatmentList rows={props.inTreatment} /> : null}
      </Fragment>
    ),
  });
}

/** Each name opens the patient's clinical summary, where the pain trend is. */
function InTreatmentList(props: { rows: InTreatment[] }) {
  return (
    <section aria-labelledby="in-treatment">
      <h2 id="in-treatment">In treatment at your locations</h2>
      {props.rows.length === 0 ? (
        <p>No patient has a treatment plan in force.</p>
      ) : (
        <ul class="in-treatment">
          {props.rows.map((p) => (
            <li>
              <a href={`/staff/patients/${p.id}/summary`}>
                {p.lastName}, {p.firstName}
              </a>{' '}
              <span class="in-treatment-where">
                · {p.location}
                {p.status === 'paused' ? ' · plan paused' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Row(props: { term: string; children?: Child }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

const when = (instant: number, zone: string) => (
  <time datetime={new Date(instant).toISOString()}>{consultationTime(instant, zone)}</time>
);

function Appointments(props: { rows: PatientAppointment[] }) {
  if (props.rows.length === 0) return <p>No appointments yet.</p>;
  return (
    <div class="table-scroll" role="region" aria-labelledby="appointments-caption" tabindex="0">
      <table class="mailbox">
        <caption id="appointments-caption">Appointments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">With</th>
            <th scope="col">Location</th>
            <th scope="col">Status</th>
            <th scope="col">Attendance</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((a) => (
            <tr>
              <th scope="row">
                <a href={`/staff/calendar/appointments/${a.id}`}>{when(a.starts_at, a.time_zone)}</a>
              </th>
              <td>{a.type_name}</td>
              <td>{a.provider_name ?? '—'}</td>
              <td>{a.location_name}</td>
              <td>{label(STATUS_LABELS, a.status)}</td>
              <td>
                {a.attendance ? label(ATTENDANCE_LABELS, a.attendance) : a.status === 'booked' ? 'Not marked' : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Requests(props: { rows: PatientRequest[]; linkLeads: boolean }) {
  if (props.rows.length === 0) return <p>No consultation requests.</p>;
  return (
    <ul>
      {props.rows.map((r) => (
        <li>
          {props.linkLeads ? <a href={`/staff/leads/${r.id}`}>{label(REASONS, r.reason)}</a> : label(REASONS, r.reason)}
          , received{' '}
          <time datetime={new Date(r.created_at).toISOString()}>{shortDateTime(r.created_at, r.time_zone)}</time> for{' '}
          {r.location_name} ({label(LEAD_STATUSES, r.status)})
        </li>
      ))}
    </ul>
  );
}

function Notes(props: { notes: PatientNote[]; zone: string }) {
  if (props.notes.length === 0) return <p>Nothing logged yet.</p>;
  return (
    <dl class="summary-list">
      {props.notes.map((n) => (
        <div>
          <dt>
            {label(NOTE_KINDS, n.kind)}
            <br />
            <small>
              {n.author_name},{' '}
              <time datetime={new Date(n.created_at).toISOString()}>{shortDateTime(n.created_at, props.zone)}</time>
            </small>
          </dt>
          <dd>{lines(n.body).map((line, i) => (i === 0 ? line : [h('br', null), line]))}</dd>
        </div>
      ))}
    </dl>
  );
}

export interface PatientPageProps {
  staff: StaffContext;
  now: number;
  patient: Patient;
  appointments: PatientAppointment[];
  requests: PatientRequest[];
  notes: PatientNote[];
  /** Some of the patient's records are at locations this person does not work at (not shown). */
  partial: boolean;
}

export function PatientPage(props: PatientPageProps) {
  const { patient: p, staff } = props;
  const name = `${p.first_name} ${p.last_name}`;
  const zone = props.requests[0]?.time_zone ?? props.appointments[0]?.time_zone ?? 'UTC';
  return StaffLayout({
    title: `${name} · Patients`,
    staff,
    path: '/staff/patients',
    children: (
      <Fragment>
        <p>
          <a href="/staff/patients">Find another patient</a>
        </p>
        <h1>{name}</h1>
        {CLINICAL_ROLES.includes(staff.role) ? (
          <p>
            <a href={`/staff/patients/${p.id}/summary`}>Clinical summary</a> ·{' '}
            <a href={`/staff/patients/${p.id}/clinical`}>Clinical record</a>
          </p>
        ) : null}
        {props.partial ? <p class="hint">Only records at your locations are shown.</p> : null}
        <h2>Details</h2>
        <dl class="summary-list">
          <Row term="First name">{p.first_name}</Row>
          <Row term="Last name">{p.last_name}</Row>
          <Row term="Email">{p.email}</Row>
          <Row term="Phone">{p.phone}</Row>
          <Row term="Preferred contact">{label(CONTACT_METHODS, p.contact_method)}</Row>
          <Row term="Home location">{p.location_name}</Row>
          <Row term="Patient since">
            <time datetime={new Date(p.created_at).toISOString()}>{shortDateTime(p.created_at, zone)}</time>
          </Row>
        </dl>

        <h2>Appointments</h2>
        {SCHEDULING_ROLES.includes(staff.role) ? (
          <p>
            <a class="button button-small" href={`/staff/patients/${p.id}/book`}>
              Book an appointment
            </a>
          </p>
        ) : null}
        <Appointments rows={props.appointments} />

        <h2>Consultation requests</h2>
        <Requests rows={props.requests} linkLeads={LEAD_ROLES.includes(staff.role)} />

        <h2>Notes and contact log</h2>
        <p class="hint">From the front desk's work on the requests above. Add to it on a request's page.</p>
        <Notes notes={props.notes} zone={zone} />

        {/*
          Clinical notes (screening, infusion records, vitals) will go here when they exist; there are none yet.
          They must be shown to clinical roles only (nurse, provider; see CLINICAL_ROLES in src/kernel/http/policy.ts):
          the front desk must never see them, so render this section only when CLINICAL_ROLES includes staff.role,
          and load the notes only then.
        */}
      </Fragment>
    ),
  });
}
