import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import { CONTACT_METHODS, HEARD_FROM, REASONS } from './form-schema.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { ROLE_LABELS, type StaffContext } from '../kernel/http/policy.ts';
import { ago, consultationTime, lines, shortDateTime } from './format.ts';
import type { Lead, LeadAppointment, LeadNote, OwnerChoice } from './inbox-repository.ts';
import {
  LEAD_STATUSES,
  MANUAL_STATUSES,
  NOTE_KINDS,
  NOTE_MAX,
  type FormErrors,
  type FormValues,
} from './inbox-schema.ts';
import { label } from './inbox-views.tsx';

export interface LeadPageProps {
  staff: StaffContext;
  now: number;
  lead: Lead;
  appointments: LeadAppointment[];
  notes: LeadNote[];
  owners: OwnerChoice[];
  /** Whether the person waits for a consultation time at the request's location. */
  onWaitlist: boolean;
  /** After a refused form: the messages, and what was sent, to show again. */
  errors?: FormErrors;
  values?: FormValues;
}

const APPOINTMENT_STATUS: Record<string, string> = { booked: 'Booked', cancelled: 'Cancelled' };

function Row(props: { term: string; children?: Child }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function Text(props: { text: string }) {
  return <Fragment>{lines(props.text).map((line, i) => (i === 0 ? line : [h('br', null), line]))}</Fragment>;
}

function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p class="field-error" id={`${props.id}-error`}>
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  ) : null;
}

function Choice(props: {
  id: string;
  label: string;
  value: string;
  options: Array<[string, string, boolean?]>;
  error: string | undefined;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <FieldError id={props.id} message={props.error} />
      <select
        id={props.id}
        name={props.id}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
      >
        {props.options.map(([value, text, disabled]) => (
          <option value={value} selected={props.value === value} disabled={disabled}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function Appointments(props: { appointments: LeadAppointment[] }) {
  if (props.appointments.length === 0) return <p>No consultation has been booked yet.</p>;
  return (
    <ul>
      {props.appointments.map((a) => (
        <li>
          {a.type_name}
          {a.provider_name ? ` with ${a.provider_name}` : ''} at {a.location_name}:{' '}
          <time datetime={new Date(a.starts_at).toISOString()}>{consultationTime(a.starts_at, a.time_zone)}</time> (
          {label(APPOINTMENT_STATUS, a.status)})
        </li>
      ))}
    </ul>
  );
}

function Notes(props: { notes: LeadNote[]; zone: string; now: number }) {
  if (props.notes.length === 0) return <p>Nothing logged yet.</p>;
  return (
    <dl class="summary-list">
      {props.notes.map((n) => (
        <div>
          <dt>
            {label(NOTE_KINDS, n.kind)}
            <br />
            <small>
              {n.author_name}, {ago(n.created_at, props.now)} (
              <time datetime={new Date(n.created_at).toISOString()}>{shortDateTime(n.created_at, props.zone)}</time>)
            </small>
          </dt>
          <dd>
            <Text text={n.body} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function LeadPage(props: LeadPageProps) {
  const { lead, staff, now } = props;
  const e = props.errors ?? {};
  const v = props.values ?? {};
  const zone = lead.time_zone;
  const name = `${lead.first_name} ${lead.last_name}`;
  const action = (what: string) => `/staff/leads/${lead.id}/${what}`;
  const failed = Object.keys(e).length > 0;
  const ownerKnown = lead.owner_id === null || props.owners.some((o) => o.id === lead.owner_id);
  return StaffLayout({
    title: `${failed ? 'Error: ' : ''}${name} · Leads`,
    staff,
    path: '/staff/leads',
    children: (
      <Fragment>
        <p>
          <a href="/staff/leads">Back to all leads</a>
        </p>
        <h1>{name}</h1>
        <p>
          Received {ago(lead.created_at, now)} (
          <time datetime={new Date(lead.created_at).toISOString()}>{shortDateTime(lead.created_at, zone)}</time>) for{' '}
          {lead.location_name}.
        </p>

        <dl class="summary-list">
          <Row term="Status">{label(LEAD_STATUSES, lead.status)}</Row>
          <Row term="Owner">{lead.owner_name ?? 'Unassigned'}</Row>
          <Row term="First name">{lead.first_name}</Row>
          <Row term="Last name">{lead.last_name}</Row>
          <Row term="Email">{lead.email}</Row>
          <Row term="Phone">{lead.phone}</Row>
          <Row term="Preferred contact">{label(CONTACT_METHODS, lead.contact_method)}</Row>
          <Row term="Reason">{label(REASONS, lead.reason)}</Row>
          <Row term="Heard about us">{lead.heard_from ? label(HEARD_FROM, lead.heard_from) : 'Not given'}</Row>
          <Row term="Message">{lead.message ? <Text text={lead.message} /> : 'No message'}</Row>
        </dl>

        <h2>Consultation</h2>
        <Appointments appointments={props.appointments} />

        <h2>Work this lead</h2>
        <form class="form" method="post" action={action('status')}>
          <Csrf token={staff.csrfToken} />
          <Choice
            id="status"
            label="Status"
            value={v.status ?? lead.status}
            options={[
              ...(lead.status === 'booked'
                ? [['booked', LEAD_STATUSES.booked, true] as [string, string, boolean]]
                : []),
              ...MANUAL_STATUSES.map((s): [string, string] => [s, LEAD_STATUSES[s]]),
            ]}
            error={e.status}
          />
          <p class="hint">Booked is set when a consultation is booked, and undone when it is cancelled.</p>
          <button class="button button-small" type="submit">
            Save status
          </button>
        </form>

        <form class="form" method="post" action={action('owner')}>
          <Csrf token={staff.csrfToken} />
          <Choice
            id="owner"
            label="Owner"
            value={v.owner ?? lead.owner_id ?? ''}
            options={[
              ['', 'Unassigned'],
              ...(ownerKnown
                ? []
                : [[lead.owner_id ?? '', `${lead.owner_name ?? 'Someone'} (no longer available)`] as [string, string]]),
              ...props.owners.map((o): [string, string] => [
                o.id,
                `${o.name} (${ROLE_LABELS[o.role]})${o.id === staff.userId ? ' – me' : ''}`,
              ]),
            ]}
            error={e.owner}
          />
          <button class="button button-small" type="submit">
            Save owner
          </button>
        </form>

        <h2>Notes and contact log</h2>
        <form class="form" method="post" action={action('notes')}>
          <Csrf token={staff.csrfToken} />
          <Choice id="kind" label="Kind" value={v.kind ?? 'note'} options={Object.entries(NOTE_KINDS)} error={e.kind} />
          <div class="field">
            <label for="body">What happened</label>
            <span class="hint" id="body-hint">
              Up to {NOTE_MAX.toLocaleString('en-US')} characters. Visible to everyone who works leads at this location.
            </span>
            <FieldError id="body" message={e.body} />
            <textarea
              id="body"
              name="body"
              rows="4"
              maxlength={String(NOTE_MAX)}
              required
              aria-invalid={e.body ? 'true' : undefined}
              aria-describedby={e.body ? 'body-hint body-error' : 'body-hint'}
            >
              {v.body ?? ''}
            </textarea>
          </div>
          <button class="button button-small" type="submit">
            Add to the log
          </button>
        </form>
        <Notes notes={props.notes} zone={zone} now={now} />
        <h2>Waitlist</h2>
        {props.onWaitlist ? (
          <p>On the consultation waitlist for this location: they are emailed when a time frees up.</p>
        ) : (
          <form method="post" action={action('waitlist')}>
            <Csrf token={staff.csrfToken} />
            <p>No suitable time? The waitlist emails them when a consultation time frees up at this location.</p>
            <button class="button button-small button-secondary" type="submit">
              Add to the consultation waitlist
            </button>
          </form>
        )}
      </Fragment>
    ),
  });
}
