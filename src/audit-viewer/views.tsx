import { h, Fragment } from '../kernel/ui/jsx.ts';
import { Pager } from '../kernel/ui/pager.tsx';
import { Csrf, StaffLayout } from '../kernel/ui/staff-layout.tsx';
import { ROLE_LABELS, type StaffContext } from '../kernel/http/policy.ts';
import type { Role } from '../kernel/db/schema.ts';
import type { AuditListRow } from '../kernel/audit/read.ts';
import { toCsv } from '../kernel/audit/csv.ts';
import type { AuditFilterValues } from './schema.ts';
import type { PatientListRow, RefName } from './service.ts';
import { PATIENT_ROLE } from '../kernel/audit/patient-audit.ts';

/** What the patient search beside the filters found (or why it could not search). */
export interface PatientMatches {
  q: string;
  error?: string;
  results?: PatientListRow[];
  more?: boolean;
}

export interface AuditPageProps {
  staff: StaffContext;
  filters: AuditFilterValues;
  rows: AuditListRow[];
  /** The people behind references this viewer may see; any other reference shows as its id. */
  names: Map<string, RefName>;
  /** The trail with the same filters, for one patient or request reference, and for anyone. */
  patientHref: (ref: string) => string;
  anyPatientHref: string;
  matches?: PatientMatches;
  page: number;
  pageSize: number;
  prevHref: string | undefined;
  nextHref: string | undefined;
  csvHref: string;
  exportLimit: number;
}

const OUTCOME_LABELS: Record<string, string> = { success: 'Success', denied: 'Denied', failure: 'Failure' };

/** 2026-03-02 15:00:07 UTC */
export function formatAuditTime(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** A detail that is an instant (startsAt, from and to of a move): epoch milliseconds between 2001 and 2286. */
function isInstant(key: string, value: unknown): value is number {
  return typeof value === 'number' && /(At|^from|^to)$/.test(key) && value >= 1e12 && value < 1e13;
}

/** The event's details as a short list of key and value pairs that wrap between pairs, instants in UTC. */
function DetailCell(props: { detail: string }) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(props.detail);
  } catch {
    return <code>{props.detail}</code>;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return <code>{props.detail}</code>;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) return <span class="hint">—</span>;
  return (
    <dl class="audit-detail">
      {entries.map(([key, value]) => (
        <div>
          <dt>{key}</dt>
          <dd>
            {isInstant(key, value) ? (
              <time datetime={new Date(value).toISOString()}>{formatAuditTime(value)}</time>
            ) : value === null ? (
              'null'
            ) : (
              // eslint-disable-next-line @typescript-eslint/no-base-to-string -- audit details are flat scalars (AuditDetail)
              String(value)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A patient or request reference: the person's name (a link to their events) when this viewer may see them. */
function PatientRef(props: { ref: string | null; names: Map<string, RefName>; href: (ref: string) => string }) {
  const { ref } = props;
  if (!ref) return <Fragment>—</Fragment>;
  const who = props.names.get(ref);
  if (!who) return <code class="audit-ref">{ref}</code>;
  return (
    <Fragment>
      <a href={props.href(ref)}>
        {who.first_name} {who.last_name}
      </a>
      <br />
      <small>{who.kind === 'patient' ? 'Patient' : 'Request'}</small>
    </Fragment>
  );
}

function Person(props: { row: AuditListRow }) {
  const { row } = props;
  // Patients act through their emailed links and the public form: no account, so no id, but not anonymous either.
  if (!row.actor_id && row.actor_role === PATIENT_ROLE) return <Fragment>Patient (self-service)</Fragment>;
  if (!row.actor_id) return <span class="hint">System or anonymous</span>;
  const role = row.actor_role ? (ROLE_LABELS[row.actor_role as Role] ?? row.actor_role) : null;
  return (
    <Fragment>
      {row.actor_email ? (row.actor_name ?? row.actor_email) : <code>{row.actor_id}</code>}
      {row.actor_email ? (
        <Fragment>
          <br />
          <small>{row.actor_email}</small>
        </Fragment>
      ) : null}
      {role ? (
        <Fragment>
          <br />
          <small>{role}</small>
        </Fragment>
      ) : null}
    </Fragment>
  );
}

function Field(props: {
  id: string;
  label: string;
  hint?: string;
  type?: string;
  value: string | undefined;
  error?: string | undefined;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <p class="field-error" id={errorId}>
          <span class="visually-hidden">Error: </span>
          {props.error}
        </p>
      ) : null}
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        aria-describedby={described || undefined}
        aria-invalid={props.error ? 'true' : undefined}
        autocomplete="off"
        spellcheck={props.type === 'date' ? undefined : 'false'}
      />
    </div>
  );
}

/** The patients the search found, each a link to the trail filtered by them (with the other filters kept). */
function Matches(props: { matches: PatientMatches | undefined; href: (ref: string) => string }) {
  const m = props.matches;
  if (!m?.results) return null;
  return (
    <section class="audit-matches" aria-labelledby="matches-heading">
      <h2 id="matches-heading">Patients matching “{m.q}”</h2>
      {m.results.length === 0 ? (
        <p role="status">No patient of your locations matches. Try part of the name, the email address or the phone.</p>
      ) : (
        <Fragment>
          <p role="status">Choose a patient to see only their events (and those of their consultation requests).</p>
          <ul>
            {m.results.map((p) => (
              <li>
                <a href={props.href(p.id)}>
                  {p.first_name} {p.last_name}
                </a>{' '}
                <small>
                  {p.email} · {p.location_name}
                </small>
              </li>
            ))}
          </ul>
          {m.more ? <p class="hint">Only the first {m.results.length} are shown: type more of the name.</p> : null}
        </Fragment>
      )}
    </section>
  );
}

/** The chosen patient filter: whom it shows, and the way back to everyone. */
function ChosenPatient(props: { ref: string; names: Map<string, RefName>; anyHref: string }) {
  const who = props.names.get(props.ref);
  return (
    <div class="field audit-chosen">
      <span class="label">Patient</span>
      <p>
        {who ? (
          <strong>
            {who.first_name} {who.last_name}
          </strong>
        ) : (
          <code class="audit-ref">{props.ref}</code>
        )}{' '}
        <a href={props.anyHref}>Any patient</a>
      </p>
      <input type="hidden" name="patient_ref" value={props.ref} />
    </div>
  );
}

export function AuditPage(props: AuditPageProps) {
  const { filters, rows } = props;
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const datesReversed = filters.from !== undefined && filters.to !== undefined && filters.from > filters.to;
  const first = (props.page - 1) * props.pageSize + 1;
  return StaffLayout({
    title: `${props.matches?.error ? 'Error: ' : ''}Audit trail`,
    staff: props.staff,
    path: '/staff/audit',
    children: (
      <Fragment>
        <h1>Audit trail</h1>
        <p>
          Every sign-in, every look at a patient's record and every change is recorded here. The trail cannot be edited
          or deleted, and each event is chained to the one before it, so tampering shows.
        </p>

        <form class="form filters" method="get" action="/staff/audit" role="search" aria-label="Filter audit events">
          <Field
            id="person"
            label="Person"
            hint="A staff member's email address or user id, or “patient” for what patients did themselves."
            value={filters.person}
          />
          {filters.patient_ref ? (
            <ChosenPatient ref={filters.patient_ref} names={props.names} anyHref={props.anyPatientHref} />
          ) : null}
          <Field
            id="action"
            label="Action"
            hint="For example lead.view, sign_in or access_denied; lead matches every lead action."
            value={filters.action}
          />
          <Field id="from" label="From (UTC day)" type="date" hint="Format 2026-03-10." value={filters.from} />
          <Field id="to" label="To (UTC day, included)" type="date" hint="Format 2026-03-10." value={filters.to} />
          <p>
            <button class="button" type="submit">
              Show events
            </button>{' '}
            {filtered ? (
              <a class="button button-secondary" href="/staff/audit">
                Clear filters
              </a>
            ) : null}
          </p>
        </form>

        <form
          class="form filters audit-patient-search"
          method="post"
          action="/staff/audit"
          role="search"
          aria-label="Filter by patient"
        >
          <Csrf token={props.staff.csrfToken} />
          {(['person', 'action', 'from', 'to'] as const).map((key) =>
            filters[key] === undefined ? null : <input type="hidden" name={key} value={filters[key]} />,
          )}
          <Field
            id="q"
            label="Find a patient"
            hint="Part of a name, an email address or a phone number; then choose the patient."
            value={props.matches?.q}
            error={props.matches?.error}
          />
          <p>
            <button class="button button-secondary" type="submit">
              Find
            </button>
          </p>
        </form>
        <Matches matches={props.matches} href={props.patientHref} />

        {datesReversed ? (
          <div class="notice notice-warning" role="status">
            <p>The "From" day is after the "To" day, so no event can match.</p>
          </div>
        ) : null}

        <p>
          <a href={props.csvHref} download>
            Download these events as CSV
          </a>{' '}
          <span class="hint">
            (all pages, up to {props.exportLimit.toLocaleString('en-US')} events; the download is itself recorded)
          </span>
        </p>

        {rows.length === 0 ? (
          <p role="status">
            {props.page > 1 ? 'There are no more events on this page.' : 'No events match these filters.'}
          </p>
        ) : (
          <div class="table-scroll" role="region" aria-labelledby="audit-caption" tabindex="0">
            <table class="mailbox audit-table">
              <caption id="audit-caption">
                Audit events {first}–{first + rows.length - 1}
                {filtered ? ' matching the filters' : ''}, newest first (times in UTC)
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Person</th>
                  <th scope="col">Action</th>
                  <th scope="col">Patient or request</th>
                  <th scope="col">Location and IP address</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    <td>{row.seq}</td>
                    <td>
                      {/* The day over the time: two short lines instead of a wide column. */}
                      <time datetime={new Date(row.at).toISOString()}>
                        {formatAuditTime(row.at).slice(0, 10)}
                        <br />
                        {formatAuditTime(row.at).slice(11)}
                      </time>
                    </td>
                    <td>
                      <Person row={row} />
                    </td>
                    <td>
                      <code>{row.action}</code>
                      <br />
                      {row.outcome === 'success' ? (
                        <small>{OUTCOME_LABELS.success}</small>
                      ) : (
                        <strong>{OUTCOME_LABELS[row.outcome] ?? row.outcome}</strong>
                      )}
                    </td>
                    <td class="audit-who">
                      <PatientRef ref={row.patient_ref} names={props.names} href={props.patientHref} />
                    </td>
                    <td class="nowrap">
                      {row.location_id ?? '—'}
                      <br />
                      <small>{row.ip ?? '—'}</small>
                    </td>
                    <td class="audit-detail-cell">
                      <DetailCell detail={row.detail} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <Pager
          label="Audit pages"
          page={props.page}
          prevHref={props.prevHref}
          nextHref={props.nextHref}
          prevText="Newer events"
          nextText="Older events"
        />
      </Fragment>
    ),
  });
}

export const AUDIT_CSV_HEADER = [
  'seq',
  'at_utc',
  'at_ms',
  'actor_id',
  'actor_email',
  'actor_role',
  'action',
  'outcome',
  'patient_ref',
  'location_id',
  'ip',
  'detail',
  'prev_hash',
  'hash',
];

/** The export: one line per event, every stored field plus the actor's email, times in UTC and in milliseconds. */
export function auditCsv(rows: AuditListRow[]): string {
  return toCsv(
    AUDIT_CSV_HEADER,
    rows.map((r) => [
      r.seq,
      new Date(r.at).toISOString(),
      r.at,
      r.actor_id,
      r.actor_email,
      r.actor_role,
      r.action,
      r.outcome,
      r.patient_ref,
      r.location_id,
      r.ip,
      r.detail,
      r.prev_hash,
      r.hash,
    ]),
  );
}
