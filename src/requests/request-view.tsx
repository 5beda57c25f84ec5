import { h, Fragment, type Child } from '../kernel/ui/jsx.ts';
import { CONTACT_METHODS, HEARD_FROM, REASONS } from './form-schema.ts';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { ROLE_LABELS, SCHEDULING_ROLES, type StaffContext } from '../kernel/http/policy.ts';
import { displayPhone, telHref } from '../kernel/ui/phone.ts';
import { ago, consultationTime, lines, shortDateTime } from './format.ts';
import type { Lead, LeadAppointment, LeadNote, OwnerChoice } from './inbox-repository.ts';
import type { UndeliveredLink } from './undelivered-link.ts';
import { UndeliveredNotice } from './undelivered-view.tsx';
import {
  FINAL_STATUSES,
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
  /** When the patient cancelled online, while the lead says so. */
  cancelledAt: number | null;
  /** The booking link that could not be delivered and awaits a call, if any. */
  undelivered: UndeliveredLink | null;
  /** What the last form did (after its redirect). */
  notice?: string;
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

/** "Cancelled by the patient, 2 h ago (Mar 3, 2026, 9:00 AM CST)", or the status's plain words. */
function Status(props: { lead: Lead; cancelledAt: number | null; now: number }) {
  const { lead, cancelledAt } = props;
  if (lead.status !== 'cancelled' || cancelledAt === null)
    return <Fragment>{label(LEAD_STATUSES, lead.status)}</Fragment>;
  return (
    <Fragment>
      <strong>{LEAD_STATUSES.cancelled}</strong>, {ago(cancelledAt, props.now)} (
      <time datetime={new Date(cancelledAt).toISOString()}>{shortDateTime(cancelledAt, lead.time_zone)}</time>)
    </Fragment>
  );
}

/**
 * Booking from the lead: the calendar's staff booking form with this request and its location chosen (one booking
 * path for staff), and the booking link emailed again for them to choose online. Neither while a consultation is
 * booked, nor once the lead is closed.
 */
function ConsultationActions(props: { lead: Lead; staff: StaffContext; live: boolean; error: string | undefined }) {
  const { lead, staff } = props;
  const error = props.error ? (
    <div class="notice notice-error" role="alert" id="resend-error">
      <p>{props.error}</p>
    </div>
  ) : null;
  if (props.live) return error;
  if (FINAL_STATUSES.has(lead.status))
    return (
      <Fragment>
        {error}
        <p>This lead is closed. To book a consultation, set its status to New or Contacted first.</p>
      </Fragment>
    );
  const book = `/staff/calendar/book?${new URLSearchParams({ location: lead.location_id, request: lead.id }).toString()}`;
  return (
    <Fragment>
      {error}
      <div class="actions lead-actions">
        {SCHEDULING_ROLES.includes(staff.role) ? (
          <a class="button button-small" href={book}>
            Book a consultation
          </a>
        ) : null}
        <form class="inline-form" method="post" action={`/staff/leads/${lead.id}/resend-link`}>
          <Csrf token={staff.csrfToken} />
          <button class="button button-small button-secondary" type="submit" aria-describedby="resend-hint">
            Resend booking link
          </button>
        </form>
      </div>
      <p class="hint" id="resend-hint">
        Resending emails them a new link to choose a consultation time online themselves.
      </p>
    </Fragment>
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
        {props.notice ? (
          <div class="notice notice-success" role="status">
            <p>{props.notice}</p>
          </div>
        ) : null}
        <UndeliveredNotice
          lead={lead}
          staff={staff}
          now={now}
          undelivered={props.undelivered}
          error={e.phone ?? e.message}
        />

        <dl class="summary-list">
          <Row term="Status">
            <Status lead={lead} cancelledAt={props.cancelledAt} now={now} />
          </Row>
          <Row term="Owner">{lead.owner_name ?? 'Unassigned'}</Row>
          <Row term="First name">{lead.first_name}</Row>
          <Row term="Last name">{lead.last_name}</Row>
          <Row term="Email">{lead.email}</Row>
          <Row term="Phone">
            <a href={telHref(lead.phone)}>{displayPhone(lead.phone)}</a>
          </Row>
          <Row term="Preferred contact">{label(CONTACT_METHODS, lead.contact_method)}</Row>
          <Row term="Reason">{label(REASONS, lead.reason)}</Row>
          <Row term="Heard about us">{lead.heard_from ? label(HEARD_FROM, lead.heard_from) : 'Not given'}</Row>
          <Row term="Message">{lead.message ? <Text text={lead.message} /> : 'No message'}</Row>
        </dl>

        <h2>Consultation</h2>
        <Appointments appointments={props.appointments} />
        <ConsultationActions
          lead={lead}
          staff={staff}
          live={props.appointments.some((a) => a.status === 'booked')}
          error={e.resend}
        />

        <h2>Work this lead</h2>
        <form class="form" method="post" action={action('status')}>
          <Csrf token={staff.csrfToken} />
          <Choice
            id="status"
            label="Status"
            value={v.status ?? lead.status}
            options={[
              // Set by booking and by the patient cancelling, not by hand: shown, not chosen.
              ...(lead.status === 'booked' || lead.status === 'cancelled'
                ? [[lead.status, LEAD_STATUSES[lead.status], true] as [string, string, boolean]]
                : []),
              ...MANUAL_STATUSES.map((s): [string, string] => [s, LEAD_STATUSES[s]]),
            ]}
            error={e.status}
          />
          <p class="hint">
            Booked is set when a consultation is booked; cancelling it returns the lead to New, or to Cancelled by the
            patient when they cancel online.
          </p>
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
